"""Format checks on real files: PDFs rendered by WeasyPrint or built with pikepdf, EPUBs
rendered by publisher and broken on purpose, article JSON from the serialiser."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import weasyprint
from conftest import sample_article

from publisher.package import checks
from publisher.package.checks import (
    PdfExpectations,
    check_article_json,
    check_epub,
    check_pdf,
)
from publisher.package.errors import CheckerUnavailableError
from publisher.render.epub import render_epub
from publisher.serialise import article_to_dict
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Coalition talks</title>
<style>@page {{ size: {size}; bleed: {bleed} }} body {{ font-family: serif }}</style></head>
<body><h1>Coalition talks</h1><p>The two countries agreed to form working groups.</p>
</body></html>"""
SOURCE = b"The plain-text source of the article.\n"
A5 = (148.0, 210.0)


def codes(problems: tuple[Any, ...]) -> list[str]:
    return sorted(p.code for p in problems)


def weasy(folder: Path, name: str, variant: str | None, **options: Any) -> Path:
    """A one-page PDF rendered by WeasyPrint (A5, 3 mm bleed unless told otherwise)."""
    size, bleed = options.pop("size", "A5"), options.pop("bleed", "3mm")
    html = weasyprint.HTML(string=HTML.format(size=size, bleed=bleed))
    path = folder / name
    path.write_bytes(html.write_pdf(pdf_variant=variant, **options))
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    source = folder / "article.txt"
    source.write_bytes(SOURCE)
    return {
        "pdfa": weasy(
            folder, "a.pdf", "pdf/a-3b", attachments=[weasyprint.Attachment(filename=source)]
        ),
        "pdfua": weasy(folder, "ua.pdf", "pdf/ua-1"),
        "pdfx": weasy(folder, "x.pdf", "pdf/x-4"),
        "plain": weasy(folder, "plain.pdf", None, size="A4", bleed="0"),
    }


def test_weasyprint_pdfa_meets_every_expectation(pdfs: dict[str, Path]) -> None:
    sha = hashlib.sha256(SOURCE).hexdigest()
    expect = PdfExpectations(
        page_size=A5,
        bleed_mm=3,
        variant="pdf/a-3b",
        require_source_attachments={"article.txt": sha},
    )
    assert check_pdf(pdfs["pdfa"], expect) == ()
    assert check_pdf(pdfs["pdfa"], PdfExpectations(variant="pdf/a")) == ()


def test_wrong_expectations_are_each_reported(pdfs: dict[str, Path]) -> None:
    expect = PdfExpectations(
        page_size=(210, 297),
        bleed_mm=5,
        variant="pdf/a-2u",
        require_source_attachments={"article.txt": "0" * 64, "photo.jpg": "0" * 64},
    )
    problems = check_pdf(pdfs["pdfa"], expect, name="data/a.pdf")
    assert codes(problems) == [
        "PDF-ATTACHMENT-MISMATCH",
        "PDF-ATTACHMENT-MISSING",
        "PDF-BLEED",
        "PDF-PAGE-SIZE",
        "PDF-VARIANT-CLAIM",
    ]
    assert all(p.file == "data/a.pdf" and p.severity == "error" for p in problems)
    assert any("photo.jpg" in p.message for p in problems)
    assert any("148.0 × 210.0 mm" in p.message for p in problems)


def test_pdfua_is_tagged_and_claims_ua(pdfs: dict[str, Path]) -> None:
    assert check_pdf(pdfs["pdfua"], PdfExpectations(variant="pdf/ua-1", tagged=True)) == ()
    problems = check_pdf(pdfs["pdfua"], PdfExpectations(variant="pdf/a"))
    assert codes(problems) == ["PDF-VARIANT-CLAIM"]


def test_pdfx_claim(pdfs: dict[str, Path]) -> None:
    # WeasyPrint alone claims PDF/X-4 but names no printing condition (see test_pdfx.py).
    problems = check_pdf(pdfs["pdfx"], PdfExpectations(variant="pdf/x-4", bleed_mm=3))
    assert codes(problems) == ["PDF-VARIANT-CLAIM", "PDF-VARIANT-CLAIM"]
    assert "no PDF/X OutputIntent" in problems[0].message
    assert codes(check_pdf(pdfs["pdfx"], PdfExpectations(variant="pdf/ua-1"))) == [
        "PDF-VARIANT-CLAIM"
    ]


def test_plain_pdf_has_no_claim_no_bleed(pdfs: dict[str, Path]) -> None:
    expect = PdfExpectations(page_size=(210, 297), bleed_mm=3, variant="pdf/a", tagged=True)
    problems = check_pdf(pdfs["plain"], expect)
    assert "PDF-PAGE-SIZE" not in codes(problems)
    assert {"PDF-BLEED", "PDF-VARIANT-CLAIM"} <= set(codes(problems))
    # WeasyPrint's fonts are embedded, so a plain PDF passes the always-on checks.
    assert check_pdf(pdfs["plain"], PdfExpectations()) == ()


def _one_page(pdf: pikepdf.Pdf, font: pikepdf.Dictionary) -> None:
    page = pdf.add_blank_page(page_size=(419.5, 595.3))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 500 Td (Hello) Tj ET")


def test_type1_helvetica_without_fontfile_is_not_embedded(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    _one_page(
        pdf,
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        ),
    )
    path = tmp_path / "helvetica.pdf"
    pdf.save(path)
    problems = check_pdf(path, PdfExpectations())
    assert codes(problems) == ["PDF-FONT-NOT-EMBEDDED"]
    assert "Helvetica" in problems[0].message


def test_type0_descendant_without_fontfile_is_not_embedded(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.NotoSans
    )
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.NotoSans,
        FontDescriptor=pdf.make_indirect(descriptor),
    )
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name.NotoSans,
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=pikepdf.Array([pdf.make_indirect(descendant)]),
    )
    _one_page(pdf, font)
    path = tmp_path / "type0.pdf"
    pdf.save(path)
    problems = check_pdf(path, PdfExpectations())
    assert codes(problems) == ["PDF-FONT-NOT-EMBEDDED"]
    assert "NotoSans" in problems[0].message


def test_javascript_is_found(tmp_path: Path, pdfs: dict[str, Path]) -> None:
    with pikepdf.open(pdfs["plain"]) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
        pdf.save(tmp_path / "open.pdf")
    with pikepdf.open(pdfs["plain"]) as pdf:
        action = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.print()"))
        )
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("p"), action]))
        )
        pdf.save(tmp_path / "names.pdf")
    opening = check_pdf(tmp_path / "open.pdf", PdfExpectations())
    assert set(codes(opening)) == {"PDF-JAVASCRIPT"}
    assert any("OpenAction" in p.message for p in opening)
    named = check_pdf(tmp_path / "names.pdf", PdfExpectations())
    assert set(codes(named)) == {"PDF-JAVASCRIPT"}
    assert any("/Names /JavaScript" in p.message for p in named)


def test_encrypted_pdfs(tmp_path: Path, pdfs: dict[str, Path]) -> None:
    with pikepdf.open(pdfs["plain"]) as pdf:
        pdf.save(tmp_path / "owner.pdf", encryption=pikepdf.Encryption(owner="o", user=""))
        pdf.save(tmp_path / "user.pdf", encryption=pikepdf.Encryption(owner="o", user="u"))
    assert codes(check_pdf(tmp_path / "owner.pdf", PdfExpectations())) == ["PDF-ENCRYPTED"]
    assert codes(check_pdf(tmp_path / "user.pdf", PdfExpectations())) == ["PDF-ENCRYPTED"]


def test_corrupt_pdf_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not a PDF at all\n")
    assert codes(check_pdf(path, PdfExpectations())) == ["PDF-UNREADABLE"]


# --- EPUB ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("epubs")
    article = sample_article(folder / "article")
    good = folder / "good.epub"
    good.write_bytes(render_epub(article, load_theme(None), build_time=BUILD_TIME).data)
    broken = folder / "broken.epub"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("article.xhtml"):
                data = data.replace(b"</body>", b"<p>unclosed</body>")
            target.writestr(info, data)
    return {"good": good, "broken": broken}


def test_publisher_epub_passes_epubcheck(epubs: dict[str, Path]) -> None:
    assert check_epub(epubs["good"]) == ()


def test_broken_epub_fails_epubcheck(epubs: dict[str, Path]) -> None:
    problems = check_epub(epubs["broken"], name="data/article.epub")
    assert problems
    assert "EPUB-ERROR" in codes(problems)
    assert all(p.file == "data/article.epub" for p in problems)
    assert any("article.xhtml" in p.message for p in problems)


def test_missing_java_is_an_error_not_a_pass(
    epubs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "_EPUBCHECK_CACHE", {})
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    with pytest.raises(CheckerUnavailableError, match="Java 11"):
        check_epub(epubs["good"])


def test_not_an_epub_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.epub"
    path.write_bytes(b"not a zip")
    problems = check_epub(path)
    assert problems and all(p.severity == "error" for p in problems)


# --- article.json ----------------------------------------------------------------


@pytest.fixture
def article(tmp_path: Path) -> dict[str, Any]:
    return article_to_dict(sample_article(tmp_path / "article"))


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "article.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_serialised_article_matches_schema(tmp_path: Path, article: dict[str, Any]) -> None:
    assert check_article_json(_write(tmp_path, article)) == ()
    bare = dict(article, image=None, caption=None, credit=None, dateline=None, changes=[])
    bare["changes"] = [{"rule": "quotes", "where": "headline", "before": '"', "after": "“"}]
    assert check_article_json(_write(tmp_path, bare)) == ()


def test_schema_mismatches_are_all_listed(tmp_path: Path, article: dict[str, Any]) -> None:
    del article["headline"]
    article["schema_version"] = "9.0"
    article["changes"] = [{"rule": "quotes", "where": "headline"}]
    article["metadata"]["date"] = "25 January 2024"
    problems = check_article_json(_write(tmp_path, article), name="data/article.json")
    assert set(codes(problems)) == {"JSON-SCHEMA"}
    text = " ".join(p.message for p in problems)
    for where in ("at /:", "/schema_version", "/changes/0", "/metadata/date"):
        assert where in text
    assert len(problems) == 5  # the change lacks both "before" and "after"


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_text('{"schema_version": "1.0",', encoding="utf-8")
    assert codes(check_article_json(path)) == ["JSON-INVALID"]
