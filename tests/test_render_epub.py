"""The EPUB renderer: EPUBCheck-clean, complete metadata, escaped text, reproducible bytes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import CAPTION, CREDIT, HEADLINE, PARAGRAPHS, run_epubcheck, sample_article

from publisher.errors import RenderError
from publisher.model import Metadata
from publisher.render import epub_parts, epub_zip
from publisher.render.epub import render_epub
from publisher.themes import load_theme

#: 11:30 at UTC+02:00, so dcterms:modified must read 09:30Z.
BUILD_TIME = datetime(2024, 1, 26, 11, 30, 5, tzinfo=timezone(timedelta(hours=2)))
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Render once: an article with a photo, and a bare one without photo or metadata."""
    folder = tmp_path_factory.mktemp("epub")
    theme = load_theme(None)
    full = sample_article(folder / "full")
    bare = sample_article(
        folder / "bare",
        image=False,
        dateline=None,
        metadata=Metadata(
            language="en", identifier="urn:uuid:00000000-0000-4000-8000-000000000001"
        ),
    )
    outputs: dict[str, Any] = {"theme": theme, "full_article": full}
    for name, article in (("full", full), ("bare", bare)):
        rendered = render_epub(article, theme, build_time=BUILD_TIME)
        path = folder / f"{name}.epub"
        path.write_bytes(rendered.data)
        outputs[name] = rendered
        outputs[f"{name}_path"] = path
    return outputs


def entry(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def opf(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(entry(data, "EPUB/content.opf"))


def metas(root: ElementTree.Element, prop: str) -> list[str]:
    return [m.text or "" for m in root.iterfind(f".//opf:meta[@property='{prop}']", NS)]


@pytest.mark.parametrize("name", ["full", "bare"])
def test_epubcheck_finds_nothing(built: dict[str, Any], name: str) -> None:
    report = run_epubcheck(built[f"{name}_path"])
    assert report.clean, report.messages
    assert built[name].warnings == ()


def test_the_opf_has_every_metadata_field(built: dict[str, Any]) -> None:
    root = opf(built["full"].data)

    def dc(name: str) -> list[str]:
        return [e.text or "" for e in root.iterfind(f".//dc:{name}", NS)]

    assert dc("title") == [HEADLINE]
    assert dc("language") == ["en"]
    assert dc("identifier") == ["urn:uuid:6f1f6a0e-2b1c-4c43-9d6e-1a2b3c4d5e6f"]
    assert dc("creator") == ["Jane Doe", "Ali Hassan"]
    assert dc("publisher") == ["Daily Sabah"]
    assert dc("date") == ["2024-01-25"]
    assert dc("source") == ["https://www.dailysabah.com/world/us-iraq-coalition"]
    assert dc("description") == [PARAGRAPHS[0]]
    assert dc("rights") == [f"Photo: {CREDIT}"]
    assert metas(root, "dcterms:modified") == ["2024-01-26T09:30:05Z"]
    assert metas(root, "schema:accessMode") == ["textual", "visual"]
    assert metas(root, "schema:accessModeSufficient") == ["textual"]
    assert metas(root, "schema:accessibilityFeature") == [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ]
    assert metas(root, "schema:accessibilityHazard") == ["none"]
    (summary,) = metas(root, "schema:accessibilitySummary")
    assert summary.endswith(".") and len(summary.split()) > 10
    assert metas(root, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert metas(root, "a11y:certifiedBy")
    photo = root.find(".//opf:item[@href='images/photo.jpg']", NS)
    assert photo is not None and photo.get("media-type") == "image/jpeg"


def test_unknown_metadata_is_left_out_and_claims_stay_true(built: dict[str, Any]) -> None:
    root = opf(built["bare"].data)
    for name in ("creator", "publisher", "date", "source"):
        assert root.find(f".//dc:{name}", NS) is None, name
    # No photo in the EPUB: its credit is nobody's rights.
    assert root.find(".//dc:rights", NS) is None
    assert metas(root, "schema:accessMode") == ["textual"]
    assert "alternativeText" not in metas(root, "schema:accessibilityFeature")
    assert root.find(".//opf:item[@id='photo']", NS) is None


def test_rights_come_from_the_metadata_when_given(tmp_path: Path) -> None:
    article = sample_article(tmp_path, image=False)
    article = article.with_metadata(replace(article.metadata, rights="© 2024 Daily Sabah"))
    rendered = render_epub(article, load_theme(None), build_time=BUILD_TIME)
    assert [e.text for e in opf(rendered.data).iterfind(".//dc:rights", NS)] == [
        "© 2024 Daily Sabah"
    ]


def test_the_text_keeps_its_typography_caption_and_credit(built: dict[str, Any]) -> None:
    xhtml = entry(built["full"].data, "EPUB/article.xhtml").decode("utf-8")
    for paragraph in PARAGRAPHS:
        assert f"<p>{paragraph}</p>" in xhtml
    assert "“a specific and clear timeline …" in xhtml and "coalition’s" in xhtml
    # The caption is printed once and read once: the photo's alt is empty beside its figcaption.
    assert 'alt=""' in xhtml and f'alt="{CAPTION}"' not in xhtml and "Nov.\u00a01, 2011" in xhtml
    assert f'<span class="credit">{CREDIT}</span>' in xhtml
    root = ElementTree.fromstring(xhtml)
    assert root.get("lang") == "en"
    assert root.find(".//x:article/x:header/x:h1", NS) is not None
    assert root.find(".//x:time[@datetime='2024-01-25']", NS) is not None
    assert root.find(".//x:figure/x:figcaption", NS) is not None


def test_without_a_photo_the_caption_and_credit_remain(built: dict[str, Any]) -> None:
    xhtml = entry(built["bare"].data, "EPUB/article.xhtml").decode("utf-8")
    assert "<figure" not in xhtml and "<img" not in xhtml
    assert f'<p class="caption">{CAPTION} <span class="credit">{CREDIT}</span></p>' in xhtml


def test_navigation_has_a_toc_landmarks_and_an_ncx(built: dict[str, Any]) -> None:
    nav = ElementTree.fromstring(entry(built["full"].data, "EPUB/nav.xhtml"))
    types = [n.get(f"{{{NS['epub']}}}type") for n in nav.iterfind(".//x:nav", NS)]
    assert types == ["toc", "landmarks"]
    landmark = nav.find(".//x:nav[2]//x:a", NS)
    assert landmark is not None and landmark.get(f"{{{NS['epub']}}}type") == "bodymatter"
    assert b"urn:uuid:6f1f6a0e" in entry(built["full"].data, "EPUB/toc.ncx")


def test_hostile_text_is_escaped_in_the_epub(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }}"
    article = sample_article(tmp_path, headline=hostile, paragraphs=(hostile,))
    rendered = render_epub(article, load_theme(None), build_time=BUILD_TIME)
    xhtml = entry(rendered.data, "EPUB/article.xhtml").decode("utf-8")
    assert "<script" not in xhtml and "<img src=x" not in xhtml and "49" not in xhtml
    assert (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; {{ 7*7 }}</p>"
        in xhtml
    )
    assert run_epubcheck(_save(tmp_path, rendered.data)).clean


def _save(folder: Path, data: bytes) -> Path:
    path = folder / "out.epub"
    path.write_bytes(data)
    return path


def test_the_same_input_gives_the_same_bytes(built: dict[str, Any]) -> None:
    again = render_epub(built["full_article"], built["theme"], build_time=BUILD_TIME)
    assert again.data == built["full"].data
    later = render_epub(
        built["full_article"], built["theme"], build_time=BUILD_TIME + timedelta(seconds=2)
    )
    assert later.data != built["full"].data


def test_the_zip_is_laid_out_for_readers_and_reproducibility(built: dict[str, Any]) -> None:
    data = built["full"].data
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos[:3]] == [
        "mimetype",
        "META-INF/container.xml",
        "EPUB/content.opf",
    ]
    assert infos[0].compress_type == zipfile.ZIP_STORED
    assert {i.date_time for i in infos} == {(2024, 1, 26, 9, 30, 4)}  # zip times are even
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_an_ebooklib_failure_is_a_render_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fail(error: Exception) -> object:
        def write(*args: object, **kwargs: object) -> None:
            raise error

        return write

    article = sample_article(tmp_path)
    monkeypatch.setattr(epub_parts.epub.EpubWriter, "write", fail(OSError("No space left")))
    with pytest.raises(RenderError, match="No space left"):
        render_epub(article, load_theme(None), build_time=BUILD_TIME)
    monkeypatch.setattr(epub_parts.epub.EpubWriter, "write", fail(ValueError("bad item")))
    with pytest.raises(RenderError, match="bug in publisher"):
        render_epub(article, load_theme(None), build_time=BUILD_TIME)


def test_a_half_written_zip_is_a_render_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    with pytest.raises(RenderError, match="incomplete"):
        epub_parts.repack(buffer.getvalue(), BUILD_TIME)
    with pytest.raises(RenderError, match="broken"):
        epub_parts.repack(buffer.getvalue()[:-10], BUILD_TIME)


def _zipfile_bytes(entries: list[tuple[str, bytes]], date_time: tuple[int, ...]) -> bytes:
    """What Python's zipfile writes for ``entries``, set as ``epub_zip`` sets them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if stored else epub_zip.LEVEL)
    return buffer.getvalue()


def test_the_epub_zip_is_byte_for_byte_what_zipfile_writes(tmp_path: Path) -> None:
    rendered = render_epub(sample_article(tmp_path), load_theme(None), build_time=BUILD_TIME)
    with zipfile.ZipFile(io.BytesIO(rendered.data)) as archive:
        entries = [(name, archive.read(name)) for name in archive.namelist()]
        assert [info.compress_type for info in archive.infolist()][:2] == [0, 8]
    assert entries[0] == ("mimetype", b"application/epub+zip")
    assert any(len(data) > 4096 for _, data in entries)  # a font or picture: the memo's path
    entries += [("EPUB/ünïcode name.txt", b""), ("EPUB/odd.bin", bytes(range(256)) * 40)]
    when = (2024, 1, 26, 9, 30, 59)
    ours = epub_zip.write_zip(entries, when, stored=frozenset({"mimetype"}))
    assert ours == _zipfile_bytes(entries, when)
    assert epub_zip.write_zip(entries, when, stored=frozenset({"mimetype"})) == ours  # memo hit
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert [(name, archive.read(name)) for name in archive.namelist()] == entries


def test_an_epub_past_the_zip_limits_is_one_clear_error() -> None:
    entries = [(f"EPUB/{number}.txt", b"") for number in range(0x10000)]
    with pytest.raises(RenderError, match="more than 65,535 files"):
        epub_zip.write_zip(entries, (2024, 1, 26, 9, 30, 0))
