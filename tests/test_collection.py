"""`publisher build --collection`: fifty articles as one EPUB and one PDF, end to end."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import pdf_fonts_embedded, plain, run_cli
from collection_helpers import TOKEN, epub_pages, page_text, pdf_raw_texts, write_articles
from conftest import run_epubcheck

TITLE = "The Daily Test — 25 January"
SLUG = "the-daily-test-25-january"
EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
COUNT = 50


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    write_articles(folder, COUNT)
    return folder


@pytest.fixture(scope="module")
def built(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run_cli("build", inputs, "--collection", TITLE, "-o", out, env=EPOCH, timeout=600)
    assert result.returncode == 0, result.stderr
    assert f"{COUNT} articles -> " in result.stdout
    return out


@pytest.fixture(scope="module")
def raw_pages(built: Path) -> list[str]:
    return pdf_raw_texts((built / f"{SLUG}.pdf").read_bytes())


@pytest.fixture(scope="module")
def pages(raw_pages: list[str]) -> list[str]:
    return [page_text(raw) for raw in raw_pages]


def headline_number(text: str) -> int:
    """The article number in a generated headline ("Report 7: ..." or "Rapport 5 : ...")."""
    match = re.match(r"R(?:eport|apport) (\d+)", text)
    assert match, text
    return int(match.group(1))


def reading_order(built: Path) -> list[int]:
    """Article numbers in the EPUB's reading order (its spine)."""
    with zipfile.ZipFile(built / f"{SLUG}.epub") as zf:
        names = sorted(n for n in zf.namelist() if re.fullmatch(r"EPUB/article-\d{3}\.xhtml", n))
        heads = [re.search(r"<title>(.*?)</title>", zf.read(n).decode()) for n in names]
    return [headline_number(h.group(1)) for h in heads if h]


def test_one_epub_and_one_pdf_named_after_the_title(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == [f"{SLUG}.epub", f"{SLUG}.pdf"]


def test_epub_passes_epubcheck(built: Path) -> None:
    report = run_epubcheck(built / f"{SLUG}.epub")
    assert report.clean, report.messages


def test_epub_metadata_nav_and_languages(built: Path) -> None:
    with zipfile.ZipFile(built / f"{SLUG}.epub") as zf:
        opf = zf.read("EPUB/content.opf").decode()
        nav = zf.read("EPUB/nav.xhtml").decode()
        french = next(
            zf.read(n).decode()
            for n in zf.namelist()
            if n.startswith("EPUB/article-") and "Rapport 5" in zf.read(n).decode()
        )
        names = zf.namelist()
    assert f"<dc:title>{TITLE}</dc:title>" in opf
    assert "<dc:language>en</dc:language>" in opf
    assert re.search(r"<dc:identifier id=\"id\">urn:uuid:[0-9a-f-]{36}</dc:identifier>", opf)
    assert "<dc:publisher>The Daily Test</dc:publisher>" in opf
    assert "<dc:date>2024-01-28</dc:date>" in opf  # the latest article's date
    assert '<meta property="dcterms:modified">2024-01-25T00:00:00Z</meta>' in opf
    assert f'<meta property="pageBreakSource">{SLUG}.pdf' in opf
    for feature in ("printPageNumbers", "pageNavigation", "tableOfContents"):
        assert f'"schema:accessibilityFeature">{feature}<' in opf
    assert '"schema:accessMode">visual<' in opf  # two articles have photos
    for kind in ("cover", "titlepage", "toc", "bodymatter"):
        assert f'epub:type="{kind}"' in nav
    # A nested list per section, headed by the section's name.
    for section in ("World", "Business", "Sport"):
        assert re.search(rf"<li><span>{section}</span>\s*<ol>", nav)
    assert 'lang="fr" xml:lang="fr"' in nav
    assert '<html xmlns="http://www.w3.org/1999/xhtml"' in french and 'lang="fr"' in french
    assert sum(n.startswith("EPUB/images/photo-") for n in names) == 2
    assert "EPUB/images/cover.jpg" in names and "EPUB/toc.ncx" in names


def test_reading_order_groups_sections(built: Path) -> None:
    # No article has an order, so sections come in the order of their first
    # article as given (report-01: Business, 02: Sport, 03: none, 04: World).
    order = reading_order(built)
    assert sorted(order) == list(range(1, COUNT + 1))
    sections = ("World", "Business", "Sport", None)
    groups = [sections[n % 4] for n in order]
    assert groups == sorted(groups, key=[sections[1], sections[2], None, sections[0]].index)
    assert order[:3] == [1, 5, 9]


def test_pdf_fonts_embedded_and_tagged(built: Path) -> None:
    pdf = built / f"{SLUG}.pdf"
    assert pdf_fonts_embedded(pdf) == []
    with pikepdf.open(pdf) as doc:
        assert "/StructTreeRoot" in doc.Root
        assert str(doc.docinfo["/Title"]) == TITLE
        pdf_id = bytes(doc.trailer.ID[0]).decode("ascii")
    # The EPUB's pageBreakSource names this very PDF: its file name and identifier.
    with zipfile.ZipFile(built / f"{SLUG}.epub") as zf:
        opf = zf.read("EPUB/content.opf").decode()
    assert f'"pageBreakSource">{SLUG}.pdf (PDF file identifier {pdf_id})<' in opf


def article_starts(pages: list[str]) -> dict[int, int]:
    """Article number -> 1-based page where its headline first appears (after the contents)."""
    starts: dict[int, int] = {}
    for number, text in enumerate(pages, start=1):
        if "...." in text or number == 1:
            continue  # the title page and the contents
        for match in re.finditer(r"R(?:eport|apport) (\d+) ?:", text):
            starts.setdefault(int(match.group(1)), number)
    return starts


def test_outline_has_one_bookmark_per_article_in_order(built: Path, pages: list[str]) -> None:
    starts = article_starts(pages)
    with pikepdf.open(built / f"{SLUG}.pdf") as doc, doc.open_outline() as outline:
        items = list(outline.root)
        assert len(items) == COUNT
        assert all(not item.children for item in items)
        page_numbers = {page.objgen: n for n, page in enumerate(doc.pages, start=1)}
        for item in items:
            number = headline_number(item.title)
            target = item.destination[0]
            assert page_numbers[target.objgen] == starts[number], item.title
    assert [headline_number(i.title) for i in items] == reading_order(built)


def test_contents_page_numbers_are_where_articles_start(pages: list[str]) -> None:
    contents = " ".join(text for text in pages if "...." in text)
    listed = {
        int(number): int(page)
        for number, page in re.findall(r"R(?:eport|apport) (\d+)\D[^.]*?\.{4,} ?(\d+)", contents)
    }
    assert len(listed) == COUNT
    assert listed == article_starts(pages)


def test_every_article_starts_on_a_right_hand_page(pages: list[str]) -> None:
    starts = article_starts(pages)
    assert len(starts) == COUNT
    assert all(page % 2 == 1 for page in starts.values()), starts
    assert "...." in pages[2]  # the contents start on page 3, after a blank verso


def test_running_head_is_the_current_article(raw_pages: list[str]) -> None:
    seen = 0
    for raw in raw_pages[4:]:
        lines = [plain(line) for line in raw.splitlines()]
        tokens = TOKEN.findall(" ".join(lines))
        if len(lines) < 3 or not tokens:
            continue
        # WeasyPrint writes the margin boxes last: the running head, then the folio.
        head, folio = lines[-2], lines[-1]
        assert folio.isdigit()
        assert headline_number(head) == int(tokens[0][1:3]), (head, tokens[0])
        seen += 1
    assert seen > COUNT


def test_page_list_maps_to_the_pdf_pages(built: Path, pages: list[str]) -> None:
    epub = epub_pages(built / f"{SLUG}.epub")
    assert [label for label, _ in epub.page_list] == [str(n) for n in range(1, len(pages) + 1)]
    assert [href.split("#")[1] for _, href in epub.page_list] == [
        f"page-{n}" for n in range(1, len(pages) + 1)
    ]
    assert epub.marker_files["page-1"] == "titlepage.xhtml"
    assert epub.marker_files["page-3"] == "toc.xhtml"
    markers = [int(value) for kind, value in epub.events if kind == "page"]
    assert markers == list(range(1, len(pages) + 1))  # in reading order, each once
    # Which page each paragraph starts on, by its token in the PDF's text.
    first_page: dict[str, int] = {}
    for number, text in enumerate(pages, start=1):
        for token in TOKEN.findall(text):
            first_page.setdefault(token, number)
    checked = 0
    for number in range(1, len(pages) + 1):
        at = epub.events.index(("page", str(number)))
        after = next((v for k, v in epub.events[at:] if k == "para"), None)
        before = [v for k, v in epub.events[:at] if k == "para"]
        begins_here = [t for t in TOKEN.findall(pages[number - 1]) if first_page[t] == number]
        if begins_here:
            # The marker sits just before the first paragraph the page begins...
            assert after == begins_here[0], (number, after, begins_here[0])
            checked += 1
        else:
            # ...or, on a page where none begins (blank, contents, one long
            # paragraph), before the next page's first paragraph.
            assert after is None or first_page[after] > number, (number, after)
        # Every paragraph before the marker began on an earlier page.
        assert all(first_page[t] < number for t in before), number
    assert checked > COUNT  # most pages, including pages that begin mid-article


def test_source_date_epoch_rebuild_is_byte_identical(
    built: Path, inputs: Path, tmp_path: Path
) -> None:
    result = run_cli("build", inputs, "--collection", TITLE, "-o", tmp_path, env=EPOCH, timeout=600)
    assert result.returncode == 0, result.stderr
    for ext in ("epub", "pdf"):
        again = (tmp_path / f"{SLUG}.{ext}").read_bytes()
        assert again == (built / f"{SLUG}.{ext}").read_bytes(), ext
