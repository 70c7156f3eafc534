"""One document path: a single article is a collection of one (``Collection.of``).

The single-article build and the collection build go through the same EPUB
and PDF code; these tests build both from the command line and check that
what the single article's EPUB and PDF say about the article (its navigation,
its metadata, its text) is what the collection's say about the same article.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import run_cli
from collection_helpers import page_text, pdf_raw_texts
from conftest import run_epubcheck
from lxml import etree
from PIL import Image as PILImage

from publisher.config import PdfOptions
from publisher.model import Collection
from publisher.render.epub import render_collection_epub, render_epub
from publisher.render.pdf import render_pdf
from publisher.render.print_edition import render_collection_pdf
from publisher.themes import load_theme

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
STORY = """---
title: Harbour plan approved after long night
author: Ana Ruiz
date: 2024-04-03
section: City
source: https://news.example.org/harbour-plan
rights: © 2024 Example News
image: quay.jpg
caption: The quay at dawn.
---
The council approved the harbour plan at two in the morning.

## What changes

Ferries will plug into the grid while docked.

## Who pays

The port pays two thirds, the region the rest.
"""
OTHER = """---
title: Rain expected all week
author: Li Wei
date: 2024-04-02
section: Weather
source: https://news.example.org/rain
---
Forecasters expect rain every day until Sunday.
"""


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The story built alone, and in a collection with another article (EPUB and PDF)."""
    folder = tmp_path_factory.mktemp("one-path")
    (folder / "story.md").write_text(STORY, encoding="utf-8")
    (folder / "other.md").write_text(OTHER, encoding="utf-8")
    PILImage.new("RGB", (1200, 800), (30, 90, 150)).save(folder / "quay.jpg", quality=85)
    single, collection = folder / "single", folder / "collection"
    result = run_cli("build", folder / "story.md", "-o", single, env=EPOCH)
    assert result.returncode == 0, result.stderr
    result = run_cli(
        "build", folder / "story.md", folder / "other.md",
        "--collection", "Morning Brief", "-o", collection, env=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {
        "folder": folder,
        "single_epub": single / "story.epub",
        "single_pdf": single / "story.pdf",
        "collection_epub": collection / "morning-brief.epub",
        "collection_pdf": collection / "morning-brief.pdf",
    }


def read(epub: Path, name: str) -> bytes:
    with zipfile.ZipFile(epub) as book:
        return book.read(f"EPUB/{name}")


def toc_entries(epub: Path) -> list[tuple[str, list[str]]]:
    """Each linked entry of the nav's contents with the labels of the links nested under it."""
    nav = etree.fromstring(read(epub, "nav.xhtml"))
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    entries = []
    for item in toc.iterfind(".//x:li", NS):
        link = item.find("x:a", NS)
        parent = item.getparent().getparent()  # <li> -> <ol> -> a <li>, or the <nav>
        if link is not None and parent.find("x:a", NS) is None:  # not a subheading
            nested = [a.text for a in item.iterfind("x:ol/x:li/x:a", NS)]
            entries.append((link.text, nested))
    return entries


def test_both_epubs_pass_epubcheck(builds: dict[str, Path]) -> None:
    for name in ("single_epub", "collection_epub"):
        report = run_epubcheck(builds[name])
        assert report.clean, (name, report.messages)


def test_the_article_is_navigated_the_same_alone_and_in_a_collection(
    builds: dict[str, Path],
) -> None:
    story = ("Harbour plan approved after long night", ["What changes", "Who pays"])
    assert toc_entries(builds["single_epub"]) == [story]
    # In the collection the same entry, subheadings and all, sits in its section.
    assert story in toc_entries(builds["collection_epub"])
    assert ("Rain expected all week", []) in toc_entries(builds["collection_epub"])


def test_the_article_metadata_is_the_same_alone_and_in_a_collection(
    builds: dict[str, Path],
) -> None:
    def dc(epub: Path, name: str) -> list[str]:
        opf = etree.fromstring(read(epub, "content.opf"))
        return [e.text for e in opf.iterfind(f".//dc:{name}", NS)]

    single, collection = builds["single_epub"], builds["collection_epub"]
    for name in ("creator", "source", "rights", "subject"):
        assert set(dc(single, name)) <= set(dc(collection, name)), name
    assert dc(single, "source") == ["https://news.example.org/harbour-plan"]
    assert dc(collection, "source") == [
        "https://news.example.org/harbour-plan",
        "https://news.example.org/rain",
    ]
    assert dc(single, "rights") == dc(collection, "rights") == ["© 2024 Example News"]


def test_a_single_article_has_no_front_matter_and_no_page_list(builds: dict[str, Path]) -> None:
    with zipfile.ZipFile(builds["single_epub"]) as book:
        names = book.namelist()
    assert "EPUB/titlepage.xhtml" not in names and "EPUB/toc.xhtml" not in names
    opf = etree.fromstring(read(builds["single_epub"], "content.opf"))
    spine = [ref.get("idref") for ref in opf.iterfind(".//opf:itemref", NS)]
    assert spine == ["cover", "article"]
    nav = etree.fromstring(read(builds["single_epub"], "nav.xhtml"))
    kinds = [n.get(f"{{{NS['epub']}}}type") for n in nav.iterfind(".//x:nav", NS)]
    assert kinds == ["toc", "landmarks"]
    collection_nav = etree.fromstring(read(builds["collection_epub"], "nav.xhtml"))
    kinds = [n.get(f"{{{NS['epub']}}}type") for n in collection_nav.iterfind(".//x:nav", NS)]
    assert kinds == ["toc", "landmarks", "page-list"]


def test_the_article_is_printed_the_same_alone_and_in_a_collection(
    builds: dict[str, Path],
) -> None:
    def bookmarks(path: Path) -> list[str]:
        with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
            return [str(item.title) for item in outline.root]

    alone = bookmarks(builds["single_pdf"])
    assert alone == ["Harbour plan approved after long night"]
    assert alone[0] in bookmarks(builds["collection_pdf"])
    # No title page or contents in front of a single article: it starts on page one.
    first = pdf_raw_texts(builds["single_pdf"].read_bytes())[0]
    assert "Harbour plan approved" in first and "Who pays" in page_text(
        " ".join(pdf_raw_texts(builds["single_pdf"].read_bytes()))
    )


def test_render_epub_and_render_pdf_are_the_collection_of_one(tmp_path: Path) -> None:
    from conftest import sample_article

    from publisher.build import build_time_from_env

    article = sample_article(tmp_path)
    theme = load_theme(None)
    when = build_time_from_env(EPOCH)
    one = Collection.of(article)
    assert (one.title, one.articles, one.front_matter) == (article.headline, (article,), False)
    single = render_epub(article, theme, build_time=when)
    assert single.data == render_collection_epub(one, theme, build_time=when).data
    pdf = render_pdf(article, theme, PdfOptions(), build_time=when)
    assert pdf.data == render_collection_pdf(one, theme, PdfOptions(), build_time=when).data
    # A collection of the same one article, with front matter, opens on its title page.
    book = render_collection_epub(
        Collection("Dossier", (article,), identifier="urn:x"), theme, build_time=when
    )
    with zipfile.ZipFile(io.BytesIO(book.data)) as archive:
        assert "EPUB/titlepage.xhtml" in archive.namelist()
        assert "EPUB/article-001.xhtml" in archive.namelist()
