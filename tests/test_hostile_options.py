"""Options and named files from a hostile world: refused where parsed, before any byte is read.

Each case is one the issue saw: a page size of 0x0, ``--jobs -4``, a
SOURCE_DATE_EPOCH in the year 9999, ``--output-profile /dev/zero``, a 300 MB
sidecar, a photo that is a link out of the article's folder, a theme export
through a dangling link. Each must be one ``error:`` line, exit 1 or 2, and
leave no output.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEED, run_epubcheck

from publisher.config import parse_page_size, parse_source_date_epoch
from publisher.errors import ImageError, InputError, UsageError
from publisher.files import ARTICLE, SIDECAR, check_file, read_file


def _clean_failure(result: object, out: Path, needle: str, code: int) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert needle in lines[0], lines[0]
    assert not out.exists() or list(out.iterdir()) == [], "a refused build left files"


def _article(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.txt"
    shutil.copyfile(SEED, path)
    return path


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--page-size", "0x0", "each side must be 50 mm to 1500 mm"),
        ("--page-size", "1x1mm", "each side must be 50 mm to 1500 mm"),
        ("--page-size", "2000x3000mm", "each side must be 50 mm to 1500 mm"),
        ("--page-size", "49x200", "each side must be 50 mm to 1500 mm"),
        ("--bleed", "30mm", "more than 25 mm"),
        ("--jobs", "0", "from 1 to 256"),
        ("--jobs", "-4", "from 1 to 256"),
        ("--jobs", "100000", "from 1 to 256"),
        ("--id", " ", "blank"),
        ("--id", "urn:uuid:not-a-uuid", "not a valid urn:uuid"),
        # Seen by EPUBCheck as empty dc:publisher and dc:source (RSC-005) with exit 0.
        ("--publisher", " ", "--publisher is blank"),
        ("--source", "\u200b", "--source is blank"),
        # Checked only inside a batch before, after its progress line had started.
        ("--executor", "foo", "not an executor"),
        ("--scheduler", "tcp://127.0.0.1:1", "--scheduler is for --executor dask"),
    ],
)
def test_a_bad_option_is_refused_where_it_is_parsed(
    tmp_path: Path, option: str, value: str, needle: str
) -> None:
    # One input: --jobs used to pass silently when there was nothing to run in parallel.
    out = tmp_path / "out"
    result = run_cli("build", SEED, "-o", out, "--format", "epub", option, value)
    _clean_failure(result, out, needle, 2)


@pytest.mark.parametrize(
    ("value", "needle"), [(" ", "blank"), ("urn:uuid:x", "not a valid urn:uuid")]
)
def test_a_bad_collection_id_is_refused(tmp_path: Path, value: str, needle: str) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "build", SEED, "-o", out, "-f", "epub", "--collection", "T", "--collection-id", value
    )
    _clean_failure(result, out, needle, 2)


def test_the_page_size_limits_are_inclusive_and_named_sizes_pass() -> None:
    assert parse_page_size("50x1500mm") == "50mm 1500mm"
    assert parse_page_size("A5") == "148mm 210mm"
    assert parse_page_size("59in x 2in") == "59in 2in"  # 1498.6 × 50.8 mm
    with pytest.raises(UsageError):
        parse_page_size("60in x 2in")


@pytest.mark.parametrize(
    ("epoch", "needle"),
    [
        ("253402300799", "after 2107-12-31"),
        ("4354819200", "after 2107-12-31"),
        ("-5", "not a Unix timestamp"),
        ("1e9", "not a Unix timestamp"),
        ("99999999999999999999999", "not a Unix timestamp"),
        ("nonsense", "not a Unix timestamp"),
    ],
)
def test_source_date_epoch_out_of_range_is_one_line(
    tmp_path: Path, epoch: str, needle: str
) -> None:
    out = tmp_path / "out"
    result = run_cli("build", SEED, "-o", out, "-f", "epub", env={"SOURCE_DATE_EPOCH": epoch})
    _clean_failure(result, out, needle, 2)


def test_the_last_epoch_a_zip_can_hold_builds(tmp_path: Path) -> None:
    assert parse_source_date_epoch("0").year == 1970
    result = run_cli(
        "build", SEED, "-o", tmp_path, "-f", "epub", "--lang", "en",
        env={"SOURCE_DATE_EPOCH": "4354819199"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / f"{SEED.stem}.epub") as book:
        assert book.infolist()[0].date_time[0] == 2107


def test_a_urn_uuid_id_is_written_canonical_and_epubcheck_is_clean(tmp_path: Path) -> None:
    result = run_cli(
        "build", SEED, "-o", tmp_path, "-f", "epub", "--lang", "en",
        "--id", "urn:uuid:0B6F7F0E-6D0C-4F6A-9D41-3C2C7B2D9A10",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    epub = tmp_path / f"{SEED.stem}.epub"
    with zipfile.ZipFile(epub) as book:
        opf = book.read("EPUB/content.opf").decode()
    assert "urn:uuid:0b6f7f0e-6d0c-4f6a-9d41-3c2c7b2d9a10" in opf
    report = run_epubcheck(epub)
    assert report.clean, report.messages


def test_a_sidecar_with_a_malformed_urn_uuid_is_refused(tmp_path: Path) -> None:
    story = _article(tmp_path / "in")
    story.with_suffix(".toml").write_text('identifier = "urn:uuid:1234"\n')
    out = tmp_path / "out"
    _clean_failure(run_cli("build", story, "-o", out), out, "not a valid urn:uuid", 1)


# --- Named files: type, size and folder checked before any byte is read -------------


def test_an_output_profile_that_is_a_device_is_refused_unread(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "build", SEED, "-o", out, "--pdf-variant", "pdf/x-4", "--output-profile", "/dev/zero",
        timeout=60,
    )  # fmt: skip
    _clean_failure(result, out, "not a regular file", 1)


def test_a_huge_output_profile_is_refused_unread(tmp_path: Path) -> None:
    profile = tmp_path / "huge.icc"
    with profile.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    out = tmp_path / "out"
    result = run_cli(
        "build", SEED, "-o", out, "--pdf-variant", "pdf/x-4", "--output-profile", profile
    )
    _clean_failure(result, out, "output profile files above 16 MB are refused", 1)


def test_a_cover_that_is_a_device_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", SEED, "-o", out, "-f", "epub", "--cover", "/dev/zero", timeout=60)
    _clean_failure(result, out, "not a regular file", 1)


def test_a_300_mb_sidecar_is_refused_before_it_is_read(tmp_path: Path) -> None:
    story = _article(tmp_path / "in")
    with story.with_suffix(".toml").open("wb") as handle:
        handle.truncate(300 * 1024 * 1024)
    out = tmp_path / "out"
    result = run_cli("build", story, "-o", out, "-f", "epub", timeout=60)
    _clean_failure(result, out, "is 300 MB; sidecar files above 5 MB are refused", 1)


def test_a_sidecar_that_is_a_fifo_does_not_hang(tmp_path: Path) -> None:
    story = _article(tmp_path / "in")
    os.mkfifo(story.with_suffix(".toml"))
    out = tmp_path / "out"
    result = run_cli("build", story, "-o", out, "-f", "epub", timeout=60)
    _clean_failure(result, out, "not a regular file", 1)


def test_a_sidecar_linked_from_outside_the_folder_is_refused(tmp_path: Path) -> None:
    story = _article(tmp_path / "in")
    (tmp_path / "elsewhere.toml").write_text('authors = ["Someone Else"]\n')
    story.with_suffix(".toml").symlink_to(tmp_path / "elsewhere.toml")
    out = tmp_path / "out"
    result = run_cli("build", story, "-o", out, "-f", "epub")
    _clean_failure(result, out, "is outside the article's folder", 1)


def test_a_photo_named_like_the_article_but_linked_outside_is_refused(tmp_path: Path) -> None:
    # Refused, not skipped with a warning: the photo was clearly meant to be used, and
    # a build that silently drops it would print the caption under no picture.
    from PIL import Image

    story = _article(tmp_path / "in")
    Image.new("RGB", (400, 300), (200, 30, 30)).save(tmp_path / "private.jpg")
    story.with_suffix(".jpg").symlink_to(tmp_path / "private.jpg")
    out = tmp_path / "out"
    result = run_cli("build", story, "-o", out, "-f", "epub")
    _clean_failure(result, out, "is outside the article's folder: the photo is refused", 1)
    assert "--image" in result.stderr  # the way to use it on purpose
    # Named on purpose, the same picture is used.
    result = run_cli("build", story, "-o", out, "-f", "epub", "--image", tmp_path / "private.jpg")
    assert result.returncode == 0, result.stderr


def test_a_photo_linked_inside_the_folder_is_used(tmp_path: Path) -> None:
    from PIL import Image

    story = _article(tmp_path / "in")
    Image.new("RGB", (400, 300), (200, 30, 30)).save(tmp_path / "in" / "real.jpg")
    story.with_suffix(".jpg").symlink_to("real.jpg")
    result = run_cli("build", story, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert "no image found" not in result.stderr


def test_read_file_checks_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    with big.open("wb") as handle:
        handle.truncate(SIDECAR.limit + 1)
    with pytest.raises(InputError, match="above 5 MB"):
        read_file(big, SIDECAR)
    with pytest.raises(InputError, match="not a regular file"):
        read_file(Path("/dev/zero"), ARTICLE)
    with pytest.raises(InputError, match="is a folder"):
        read_file(tmp_path, ARTICLE)
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link.jpg").symlink_to(tmp_path / "big.toml")
    with pytest.raises(InputError, match=r"a link to .*big\.toml"):
        check_file(tmp_path / "inside" / "link.jpg", ARTICLE, (tmp_path / "inside",))
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="cannot be read"):
        read_file(loop, ARTICLE)
    with pytest.raises(ImageError):
        from publisher.readers.images import inspect_image

        inspect_image(Path("/dev/zero"))


# --- theme export never writes through a link ---------------------------------------


def test_theme_export_does_not_write_through_a_dangling_symlink(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    victim = tmp_path / "victim.toml"
    (target / "theme.toml").symlink_to(victim)  # dangling: victim does not exist yet
    result = run_cli("theme", "export", "broadsheet", target)
    assert result.returncode == 1, result.stderr
    assert "already exist" in result.stderr and "theme.toml" in result.stderr
    assert not victim.exists()
    assert sorted(p.name for p in target.iterdir()) == ["theme.toml"]


def test_theme_export_does_not_write_into_a_folder_linked_outside(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (target / "css").symlink_to(elsewhere)
    result = run_cli("theme", "export", "broadsheet", target)
    assert result.returncode == 1, result.stderr
    assert "is a link out of" in result.stderr
    assert list(elsewhere.iterdir()) == []
