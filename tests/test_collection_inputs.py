"""Collections: reading order, bad inputs, options, and the page-list plumbing."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from cli_helpers import run_cli
from collection_helpers import epub_pages, write_articles
from conftest import SEEDS, run_epubcheck, sample_article
from lxml import etree

from publisher.collection import order_articles, slugify
from publisher.render.collection_html import insert_page_markers, serialise

MM = 72 / 25.4


def with_meta(article: Any, headline: str, **meta: Any) -> Any:
    return replace(article, headline=headline, metadata=replace(article.metadata, **meta))


def test_order_by_order_then_section_then_as_given(tmp_path: Path) -> None:
    base = sample_article(tmp_path, image=False)
    given = [
        with_meta(base, "a", section="Sport", order=None),
        with_meta(base, "b", section="World", order=None),
        with_meta(base, "c", section="world ", order=None),
        with_meta(base, "d", section=None, order=None),
        with_meta(base, "e", section="World", order=2),
        with_meta(base, "f", section="Sport", order=1),
        with_meta(base, "g", section=None, order=3),
    ]
    ordered = [a.headline for a in order_articles(given)]
    # By order: f(1, Sport) e(2, World) g(3, -) a b c d; then grouped by section
    # in the order each section first appears.
    assert ordered == ["f", "a", "e", "b", "c", "g", "d"]


def test_slug_is_ascii_lower_case_with_hyphens() -> None:
    assert (
        slugify("  Morgen-Ausgabe: Übersicht 2024/04/03  ") == "morgen-ausgabe-ubersicht-2024-04-03"
    )


def test_a_bad_input_stops_the_collection_and_every_one_is_listed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_articles(folder, 3, photos=())
    (folder / "report-02.txt").write_text("   \n", encoding="utf-8")
    (folder / "report-03.toml").write_text("order = 'first'\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", folder, folder / "missing.txt", "--collection", "Digest", "-o", out)
    assert result.returncode == 1, result.stderr
    assert "3 of 4 inputs cannot be used, so the collection was not built" in result.stderr
    for name in ("report-02.txt", "report-03.toml", "missing.txt"):
        assert name in result.stderr
    assert "report-01" not in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    write_articles(folder, 4, photos=(3,))
    # The sidecar's order wins over sections and the order given.
    with (folder / "report-04.toml").open("a", encoding="utf-8") as sidecar:
        sidecar.write("order = 1\n")
    return folder


def test_epub_alone_still_gets_the_print_page_list(small: Path, tmp_path: Path) -> None:
    from PIL import Image as PILImage

    picture = tmp_path / "pictures" / "front.png"
    picture.parent.mkdir()
    PILImage.new("RGB", (800, 1200), (20, 60, 120)).save(picture)
    out = tmp_path / "out"
    result = run_cli(
        "build", small, "--collection", "Evening Edition", "--format", "epub",
        "--collection-id", "urn:isbn:9780000000001", "--collection-date", "2024-02-01",
        "--cover", picture, "-o", out, env={"SOURCE_DATE_EPOCH": "1706140800"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["evening-edition.epub"]
    epub = out / "evening-edition.epub"
    with zipfile.ZipFile(epub) as zf:
        opf = zf.read("EPUB/content.opf").decode()
        first = zf.read("EPUB/article-001.xhtml").decode()
        cover = next(zf.read(n) for n in zf.namelist() if n.startswith("EPUB/images/cover."))
    with PILImage.open(io.BytesIO(cover)) as shown:
        assert shown.size == (800, 1200)  # the picture given with --cover, not a generated one
    assert '<dc:identifier id="id">urn:isbn:9780000000001</dc:identifier>' in opf
    assert "<dc:date>2024-02-01</dc:date>" in opf
    assert "<title>Report 4:" in first  # order = 1
    pages = epub_pages(epub)
    assert len(pages.page_list) >= 10  # title, blank, contents, blank, 4 articles on rectos
    assert [kind for kind, _ in pages.events].count("page") == len(pages.page_list)


def test_a_right_to_left_collection_turns_its_pages_the_other_way(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in (1, 2):
        for suffix in (".txt", ".toml"):
            shutil.copy(SEEDS / f"ar_maghreb_solar{suffix}", folder / f"ar_{number}{suffix}")
    out = tmp_path / "out"
    result = run_cli("build", folder, "--collection", "ملف الطاقة", "--format", "epub", "-o", out)
    assert result.returncode == 0, result.stderr
    (epub,) = out.iterdir()
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    with zipfile.ZipFile(epub) as zf:
        opf = zf.read("EPUB/content.opf").decode()
        nav = zf.read("EPUB/nav.xhtml").decode()
        cover = zf.read("EPUB/cover.xhtml").decode()
    assert re.search(r'<spine[^>]*page-progression-direction="rtl"', opf)
    assert "<dc:language>ar</dc:language>" in opf
    assert re.search(r'<html[^>]*dir="rtl"', nav)
    assert re.search(r'<html[^>]*dir="rtl"', cover)


def test_print_options_apply_to_every_page(small: Path, tmp_path: Path) -> None:
    result = run_cli(
        "build", small, "--collection", "Evening Edition", "--format", "pdf",
        "--page-size", "A5", "--bleed", "3mm", "--marks", "crop", "-o", tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "evening-edition.pdf") as doc:
        assert len(doc.pages) >= 10
        for page in doc.pages:
            trim = [float(v) / MM for v in page.obj["/TrimBox"]]
            bleed = [float(v) / MM for v in page.obj["/BleedBox"]]
            assert round(trim[2] - trim[0]) == 148 and round(trim[3] - trim[1]) == 210
            assert round(trim[0] - bleed[0], 1) == 3.0 and round(bleed[2] - trim[2], 1) == 3.0
        with doc.open_outline() as outline:
            assert len(outline.root) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--collection-date", "2024-01-01"], "need --collection TITLE"),
        (["--collection", "D", "--collection-date", "1 May"], "is not a date"),
        (["--collection", "D", "--id", "urn:x"], "Use --collection-id"),
        (["--collection", "  "], "needs a title"),
    ],
)
def test_usage_errors(small: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("build", small, *args, "-o", tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_markers_in_a_list_item_go_inside_it() -> None:
    root = etree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><ol><li id="a">x<a href="#">A</a></li>'
        '<li id="b"><a href="#">B</a></li></ol><p id="c">C</p></body></html>'
    )
    insert_page_markers(root, {("a", 0): [1, 2], ("c", 0): [3], (None, 0): [4]})
    text = serialise(root)
    assert re.search(
        r'<li id="a"><span [^>]*id="page-1"[^>]*/><span [^>]*id="page-2"[^>]*/>x<a', text
    )
    assert re.search(r'<span [^>]*id="page-3"[^>]*/><p id="c">', text)
    assert re.search(r'<span [^>]*id="page-4"[^>]*/></body>', text)
    assert 'epub:type="pagebreak" role="doc-pagebreak"' in text and 'aria-label="3"' in text


def test_a_marker_inside_a_paragraph_goes_where_the_page_begins() -> None:
    """After so many characters of the paragraph's text (spaces and hyphens not counted),
    through inline elements, before the next word."""
    root = etree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        '<p id="a">One two <em>three four</em> fi\u00adve six</p><p id="b">B</p></body></html>'
    )
    insert_page_markers(root, {("a", 6): [2], ("a", 11): [3], ("a", 17): [4], ("a", 99): [5]})
    text = re.sub(r'<span [^>]*id="(page-\d)"[^>]*/>', r"[\1]", serialise(root))
    assert (
        '<p id="a">One two [page-2]<em>three [page-3]four</em> fi[page-4]\u00adve six[page-5]</p>'
        in text
    )
