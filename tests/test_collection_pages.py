"""A collection's EPUB page-list sends readers to where each PDF page really begins.

Pages do not always break between paragraphs: when a page begins inside one,
its marker must sit inside that paragraph, at the same word. For each page
size, the text that follows each page-break marker in the EPUB must be the
text that begins that page of the PDF (poppler's ``pdftotext``, which reads
Arabic in logical order), running heads aside.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from cli_helpers import run_cli
from collection_helpers import EPUB_TYPE, write_articles
from conftest import SEEDS
from lxml import etree

SIZES = ("A4", "A5", "B5", "Letter", "6inx9in")
#: What does not count when the two editions' texts are lined up: white space, layout's
#: hyphens and break hints, the bidi controls pdftotext adds around RTL lines, and the
#: byline separator print CSS generates.
NOT_TEXT = re.compile(r"[·\s\u00ad\u200b\u2060\ufeff\u2010\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: How much of each page's beginning must agree.
COMPARED = 40
SENTINEL = "\ue000{}\ue001"


def letters(text: str) -> str:
    return NOT_TEXT.sub("", text)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("articles")
    for path in SEEDS.iterdir():
        shutil.copy(path, folder / path.name)
    return [*sorted(folder.glob("*.txt")), *write_articles(folder, 3, photos=(2,))]


@pytest.fixture(scope="module", params=SIZES)
def built(
    request: pytest.FixtureRequest,
    inputs: list[Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    out = tmp_path_factory.mktemp(f"digest-{request.param}")
    done = run_cli(
        "build", *inputs, "--collection", "Digest", "-o", out, "--page-size", request.param
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


def headlines(path: Path) -> list[str]:
    """The articles' headlines as the EPUB prints them (normalised, as the running heads)."""
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(r"EPUB/article-\d+\.xhtml", n)]
        roots = [etree.fromstring(zf.read(n)) for n in names]
    found = [h for r in roots for h in r.iter("{http://www.w3.org/1999/xhtml}h1")]
    return [letters("".join(h.itertext())) for h in found]


def pdf_pages(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/test-tools.sh installs it")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8").split("\f")[:-1]


def epub_after_markers(path: Path) -> dict[int, tuple[str, str, bool]]:
    """Page number -> (the spine document its marker is in, the text that follows it,
    whether the marker is inside a paragraph)."""
    with zipfile.ZipFile(path) as zf:
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        manifest = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", ns)}
        spine = [manifest[r.get("idref")] for r in opf.iterfind(".//opf:itemref", ns)]
        pieces: list[str] = []
        where: dict[int, str] = {}
        inside: dict[int, bool] = {}
        for href in spine:
            root = etree.fromstring(zf.read(f"EPUB/{href}"))
            for marker in list(root.iter()):
                if marker.get(EPUB_TYPE) == "pagebreak":
                    number = int(marker.get("aria-label"))
                    where[number] = href
                    inside[number] = marker.getparent().tag.endswith("}p")
                    marker.text = SENTINEL.format(number)
            body = root.find("{http://www.w3.org/1999/xhtml}body")
            pieces.append("".join(body.itertext()))
    text = " ".join(pieces)
    after: dict[int, tuple[str, str, bool]] = {}
    for number, href in where.items():
        rest = text.split(SENTINEL.format(number), 1)[1]
        after[number] = (href, re.sub("\ue000\\d+\ue001", "", rest), inside[number])
    return after


def test_page_list_matches_the_pdf_page_text(inputs: list[Path], built: Path) -> None:
    pages = pdf_pages(built / "digest.pdf")
    after = epub_after_markers(built / "digest.epub")
    assert sorted(after) == list(range(1, len(pages) + 1))
    heads = headlines(built / "digest.epub")
    compared = within = 0
    for number, page in enumerate(pages, start=1):
        href, following, inside = after[number]
        if not href.startswith("article-") or not letters(page):
            continue  # title page, contents (leaders and page numbers are print-only), blanks
        pdf, epub = letters(page), letters(following)
        for head in heads:  # running heads repeat the headline at the top of pages
            pdf, epub = pdf.replace(head, ""), epub.replace(head, "")
        assert pdf[:COMPARED] == epub[:COMPARED], f"page {number}"
        compared += 1
        within += inside
    assert compared > len(inputs)
    assert within, "no page began inside a paragraph: the test proves nothing"


def test_arabic_contents_entry_reads_whole_with_its_page_number(built: Path) -> None:
    """The contents page: an RTL title keeps its spaces, and its leader ends in its page."""
    arabic = (SEEDS / "ar_maghreb_solar.txt").read_text(encoding="utf-8").splitlines()[0]
    words = " ".join(arabic.split())
    pages = [" ".join(NOT_BIDI.sub("", page).split()) for page in pdf_pages(built / "digest.pdf")]
    contents = next(n for n, page in enumerate(pages) if "Contents" in page)
    starts = next(n for n, page in enumerate(pages) if n > contents and words in page) + 1
    lines = [" ".join(NOT_BIDI.sub("", line).split()) for line in pdf_pages_lines(built, contents)]
    entry = next((line for line in lines if arabic.split()[1] in line), "")
    assert words in entry, f"the title is broken up: {entry!r}"
    assert re.fullmatch(rf"{starts} \.{{4,}} {re.escape(words)}", entry), entry


NOT_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_pages_lines(built: Path, index: int) -> list[str]:
    return pdf_pages(built / "digest.pdf")[index].splitlines()
