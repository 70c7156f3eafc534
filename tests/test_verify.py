"""verify_bag on bags made with bagit.make_bag from real outputs, then broken on purpose.

The bag holds what an archive would: an EPUB rendered by publisher, a PDF/A-3b
rendered by WeasyPrint with the source embedded, the article JSON and the
source, with sha256 and sha512 manifests. Each fault is detected and names the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bagit
import pytest
import weasyprint
from conftest import sample_article

from publisher.package.errors import NotABagError, UnsafeArchiveError, VerifyError
from publisher.package.report import Report
from publisher.package.verify import verify_bag
from publisher.render.epub import render_epub
from publisher.serialise import article_to_json
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
PAYLOAD = ("data/article.epub", "data/article.pdf", "data/article.json", "data/source/article.txt")

#: Paths opened by this process while ``_recording`` is on (an audit hook cannot be removed).
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], str | bytes | Path):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def _recording() -> Iterator[list[str]]:
    global _OPENED
    _OPENED = []
    try:
        yield _OPENED
    finally:
        _OPENED = None


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bag made by bagit-python from a copy of a folder of real outputs."""
    work = tmp_path_factory.mktemp("bag")
    article = sample_article(work / "input")
    folder = work / "outputs"
    (folder / "source").mkdir(parents=True)
    source = folder / "source" / "article.txt"
    source.write_text("US, Iraq to hold meeting on future of coalition forces\n", "utf-8")
    (folder / "article.epub").write_bytes(
        render_epub(article, load_theme(None), build_time=BUILD_TIME).data
    )
    html = weasyprint.HTML(
        string="<html lang=en><head><title>T</title><style>@page { size: A5 }</style></head>"
        "<body><h1>US, Iraq to hold meeting</h1><p>Baghdad said Thursday.</p></body></html>"
    )
    pdf = html.write_pdf(pdf_variant="pdf/a-3b", attachments=[weasyprint.Attachment(source)])
    (folder / "article.pdf").write_bytes(pdf)
    (folder / "article.json").write_text(article_to_json(article), "utf-8")
    bag = work / "pristine"
    shutil.copytree(folder, bag)  # make_bag works in place: bag a copy
    bagit.make_bag(str(bag), {"Source-Organization": "Daily Sabah"}, checksums=["sha256", "sha512"])
    return bag


@pytest.fixture
def bag(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pristine bag, to break."""
    return Path(shutil.copytree(pristine, tmp_path / "bag"))


@pytest.fixture(scope="module")
def pristine_report(pristine: Path) -> Report:
    return verify_bag(pristine)


def _pairs(report: Report) -> set[tuple[str, str]]:
    return {(p.code, p.file) for p in report.errors}


def _flip_bit(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    where = len(data) // 2 if offset is None else offset
    data[where] ^= 0x01
    path.write_bytes(bytes(data))


def test_pristine_bag_is_ok(pristine_report: Report) -> None:
    assert pristine_report.ok, "\n".join(map(str, pristine_report.problems))
    for check in ("bagit.txt", "fixity", "bagit-python", "epubcheck data/article.epub"):
        assert check in pristine_report.checks_run
    assert "pdf data/article.pdf" in pristine_report.checks_run
    assert "schema data/article.json" in pristine_report.checks_run
    json.dumps(pristine_report.to_dict())  # --json can print it


@pytest.mark.parametrize("name", PAYLOAD)
def test_one_flipped_bit_in_each_payload_file_is_caught(bag: Path, name: str) -> None:
    offset = 10 if name.endswith(".json") else None  # inside a string: still valid JSON
    _flip_bit(bag / name, offset)
    report = verify_bag(bag)
    checksums = [p for p in report.errors if p.code == "BAG-CHECKSUM" and p.file == name]
    assert {p.message.split()[0] for p in checksums} == {"sha256", "sha512"}
    if name == "data/source/article.txt":
        # The PDF embeds the source: the bag's copy no longer matches it.
        assert ("PDF-ATTACHMENT-MISMATCH", "data/article.pdf") in _pairs(report)


def test_format_checks_run_on_a_bag_whose_fixity_failed(bag: Path) -> None:
    path = bag / "data" / "article.json"
    path.write_bytes(path.read_bytes()[:-40])  # truncated
    report = verify_bag(bag)
    assert {
        ("BAG-CHECKSUM", "data/article.json"),
        ("JSON-INVALID", "data/article.json"),
        ("BAG-OXUM", "bag-info.txt"),
    } <= _pairs(report)


def test_truncated_pdf(bag: Path) -> None:
    path = bag / "data" / "article.pdf"
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert ("BAG-CHECKSUM", "data/article.pdf") in _pairs(verify_bag(bag))


def test_missing_file(bag: Path) -> None:
    (bag / "data" / "article.pdf").unlink()
    report = verify_bag(bag)
    missing = [p for p in report.errors if p.code == "BAG-MISSING-FILE"]
    assert [p.file for p in missing] == ["data/article.pdf"]
    assert "manifest-sha256.txt, manifest-sha512.txt" in missing[0].message


def test_extra_file(bag: Path) -> None:
    (bag / "data" / "notes.txt").write_text("not in the manifest", "utf-8")
    assert ("BAG-UNEXPECTED-FILE", "data/notes.txt") in _pairs(verify_bag(bag))


def test_changed_bag_info(bag: Path) -> None:
    info = bag / "bag-info.txt"
    info.write_text(info.read_text("utf-8").replace("Daily Sabah", "Daily Sabah!"), "utf-8")
    report = verify_bag(bag)
    assert _pairs(report) == {("BAG-CHECKSUM", "bag-info.txt")}
    assert len(report.errors) == 2  # both tag manifests


def test_every_problem_is_listed_at_once(bag: Path) -> None:
    """A bad Payload-Oxum does not hide the rest, as it does in bagit-python."""
    (bag / "data" / "article.pdf").unlink()
    (bag / "data" / "notes.txt").write_text("extra", "utf-8")
    _flip_bit(bag / "data" / "article.epub")
    assert {
        ("BAG-MISSING-FILE", "data/article.pdf"),
        ("BAG-UNEXPECTED-FILE", "data/notes.txt"),
        ("BAG-CHECKSUM", "data/article.epub"),
        ("BAG-OXUM", "bag-info.txt"),
    } <= _pairs(verify_bag(bag))


def test_manifest_line_pointing_outside_is_never_opened(bag: Path) -> None:
    secret = bag.parent / "x"
    secret.write_text("outside the bag", "utf-8")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    with (bag / "manifest-sha256.txt").open("a", encoding="utf-8") as manifest:
        manifest.write(f"{digest}  ../x\n")
    with _recording() as opened:
        report = verify_bag(bag)
    unsafe = [p for p in report.errors if p.code == "BAG-UNSAFE-PATH"]
    assert [p.file for p in unsafe] == ["manifest-sha256.txt"]
    assert "../x" in unsafe[0].message and "line 5" in unsafe[0].message
    assert str(secret) not in {os.path.realpath(p) for p in opened}
    assert not any(p.endswith("/x") for p in opened)


def test_symlink_in_bag_is_a_problem_and_not_followed(bag: Path) -> None:
    outside = bag.parent / "outside.txt"
    outside.write_text("secret", "utf-8")
    (bag / "data" / "link.txt").symlink_to(outside)
    with _recording() as opened:
        report = verify_bag(bag)
    assert ("BAG-NOT-A-FILE", "data/link.txt") in _pairs(report)
    assert "bagit-python" not in report.checks_run
    assert str(outside) not in {os.path.realpath(p) for p in opened}


def test_verifying_never_writes_inside_the_bag(pristine: Path, pristine_report: Report) -> None:
    def snapshot() -> dict[str, tuple[int, int, str]]:
        return {
            str(p.relative_to(pristine)): (
                p.stat().st_mtime_ns,
                p.stat().st_size,
                hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "",
            )
            for p in sorted(pristine.rglob("*"))
        }

    before = snapshot()
    verify_bag(pristine)
    assert snapshot() == before


def _zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, Path(folder.name) / path.relative_to(folder))
    return target


def test_zipped_bag_is_verified(pristine: Path, tmp_path: Path) -> None:
    archive = _zip_folder(pristine, tmp_path / "bag.zip")
    report = verify_bag(archive)
    assert report.ok, "\n".join(map(str, report.problems))
    assert report.target == str(archive)
    assert "fixity" in report.checks_run


def test_zip_with_parent_entry_is_refused(pristine: Path, tmp_path: Path) -> None:
    archive = _zip_folder(pristine, tmp_path / "evil.zip")
    with zipfile.ZipFile(archive, "a") as zipped:
        zipped.writestr("../evil", "escaped")
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./evil'"):
        verify_bag(archive)
    assert not (tmp_path.parent / "evil").exists()


def test_zip_with_symlink_entry_is_refused(pristine: Path, tmp_path: Path) -> None:
    archive = _zip_folder(pristine, tmp_path / "link.zip")
    link = zipfile.ZipInfo("pristine/data/passwd")
    link.create_system = 3
    link.external_attr = (0o120777 << 16) | 0
    with zipfile.ZipFile(archive, "a") as zipped:
        zipped.writestr(link, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="symbolic link"):
        verify_bag(archive)


def test_zip_with_two_top_folders_is_refused(pristine: Path, tmp_path: Path) -> None:
    archive = _zip_folder(pristine, tmp_path / "two.zip")
    with zipfile.ZipFile(archive, "a") as zipped:
        zipped.writestr("other/readme.txt", "second top folder")
    with pytest.raises(VerifyError, match="exactly one top-level folder"):
        verify_bag(archive)


def test_corrupt_zip_is_a_clear_error(pristine: Path, tmp_path: Path) -> None:
    archive = _zip_folder(pristine, tmp_path / "cut.zip")
    archive.write_bytes(archive.read_bytes()[:-300])  # central directory gone
    with pytest.raises(VerifyError, match="not a readable zip"):
        verify_bag(archive)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(VerifyError):
        verify_bag(junk)


def test_not_a_bag(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "article.txt").write_text("text", "utf-8")
    with pytest.raises(NotABagError, match=r"no bagit\.txt"):
        verify_bag(tmp_path)
    with pytest.raises(VerifyError, match="does not exist"):
        verify_bag(tmp_path / "missing")
