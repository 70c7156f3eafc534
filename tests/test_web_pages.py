"""Saved web pages as real newsrooms save them: the failures of issue 10, through the CLI.

Every page in tests/data/web/ is written for these tests (see its README); each
reproduces one way real pages broke the old reader: words such as "paywall",
"social" or "ad" on the element holding the article, a site name in the title,
a byline only in JSON-LD, a caption on a figure inside the body, a page with no
article at all.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, plain, run_cli
from conftest import run_epubcheck
from test_bad_inputs import assert_clean_failure
from test_readers_markdown import make_photo

from publisher.readers.html import strip_site_name

DATA = Path(__file__).parent / "data" / "web"
HEADLINE = "Rotten piles close Port Ellis quay"
FIRST = "Harbour officials in Port Ellis closed the northern quay on Tuesday"
LAST = "publish a schedule for the works by the end of the month."


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copy(DATA / name, target)
    return target


def _build_epub(path: Path, out: Path, *options: str) -> str:
    """Build an EPUB through the CLI, check it with EPUBCheck, return its XHTML."""
    result = run_cli("build", path, "-o", out, "--format", "epub", *options)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    epub = out / f"{path.stem}.epub"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    return epub_xhtml(epub)


def _normalised(path: Path) -> dict[str, object]:
    result = run_cli("normalise", path, "--json")
    assert result.returncode == 0, result.stderr
    article: dict[str, object] = json.loads(result.stdout)
    return article


@pytest.mark.parametrize(
    "name",
    [
        "paywall-body.html",  # <body class="... paywall has-ads">
        "social-main.html",  # <main class="... js-social-anchor-start">
        "ad-portal.html",  # <div id="ad-portal"><div class="share-wrapper"> around the article
    ],
)
def test_furniture_words_on_the_article_wrapper(tmp_path: Path, name: str) -> None:
    path = _copy(name, tmp_path)
    text = plain(_build_epub(path, tmp_path / "out"))
    assert FIRST in text and LAST in text
    assert "Advertisement" not in text and "All rights reserved" not in text
    assert "Sport" not in text  # the site's menu
    article = _normalised(path)
    assert article["headline"] == HEADLINE
    assert len(article["paragraphs"]) == 5  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["site-suffix.html", "pipe-suffix.html"])
def test_site_name_stripped_from_headline(tmp_path: Path, name: str) -> None:
    path = _copy(name, tmp_path)
    assert _normalised(path)["headline"] == HEADLINE


def test_strip_site_name_keeps_the_headline_whole() -> None:
    assert strip_site_name("BBC News - Quake hits coast", ["BBC News"]) == "Quake hits coast"
    assert strip_site_name("Quake: what we know", ["BBC"]) == "Quake: what we know"
    assert strip_site_name("Left - right - centre", []) == "Left - right - centre"
    assert strip_site_name("Quake hits coast | bbc.co.uk", ["https://www.bbc.co.uk"])


def test_json_ld_byline_date_and_publisher(tmp_path: Path) -> None:
    path = _copy("jsonld-byline.html", tmp_path)
    metadata = _normalised(path)["metadata"]
    assert metadata["authors"] == ["Ines Alvarez", "Tom Reid"]  # type: ignore[index]
    assert metadata["date"] == "2024-11-19"  # type: ignore[index]
    assert metadata["publisher"] == "Port Ellis Gazette"  # type: ignore[index]
    xhtml = _build_epub(path, tmp_path / "out")
    assert "Ines Alvarez" in xhtml and "Tom Reid" in xhtml


def test_figure_inside_the_body_keeps_caption_and_credit(tmp_path: Path) -> None:
    path = _copy("figure-caption.html", tmp_path)
    make_photo(tmp_path, "quay.jpg")
    make_photo(tmp_path, "quay-map.jpg")
    xhtml = _build_epub(path, tmp_path / "out")
    figures = xhtml.split("<figure")[1:]
    assert len(figures) == 2, xhtml  # the lead photo and the map, once each
    body_figure = next(f for f in figures if "Map of the harbour" in f)
    assert "The northern quay, closed since Tuesday, and the southern berths." in body_figure
    assert "Gazette graphics" in body_figure
    text = plain(xhtml)
    # the map stands where the page put it: after the third paragraph, before the fourth
    assert text.index("expects repairs") < text.index("southern berths.") < text.index("Fishermen")
    assert "Divers at the northern quay on Monday." in text


def test_junk_page_is_a_warning_and_strict_an_error(tmp_path: Path) -> None:
    path = _copy("junk-page.html", tmp_path)
    built = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert built.returncode == 0, built.stderr
    assert f"warning: {path}: the text read looks like page furniture" in built.stderr
    strict = run_cli("build", path, "-o", tmp_path / "strict", "--format", "epub", "--strict")
    assert_clean_failure(strict, tmp_path / "strict", str(path), "page furniture")


@pytest.mark.parametrize("name", ["scripted-page.html", "react-props-page.html"])
def test_a_page_built_by_javascript_is_a_warning_and_strict_an_error(
    name: str, tmp_path: Path
) -> None:
    """Saved before its scripts ran, the page shows a browser notice; the story is in
    the data for its scripts (``__NEXT_DATA__``, ``data-react-props``)."""
    path = _copy(name, tmp_path)
    built = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert built.returncode == 0, built.stderr
    assert f"warning: {path}: the text read looks like page furniture" in built.stderr
    assert "the page is built by JavaScript; save it from the browser" in built.stderr
    strict = run_cli("build", path, "-o", tmp_path / "strict", "--format", "epub", "--strict")
    assert_clean_failure(strict, tmp_path / "strict", str(path), "built by JavaScript")


def test_a_script_of_one_long_word_reads_in_linear_time(tmp_path: Path) -> None:
    """A hostile page: a short notice shown, 4 MB of letters with no space in a script.
    The JavaScript-page check looks for prose in scripts; a pattern that backtracks
    would take hours on it (quadratic: 40 KB took 37 s), so the build would hang."""
    page = tmp_path / "long-word.html"
    page.write_text(
        f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>"
        "<p>Your browser is out of date.</p>"
        f"<script>var data = '{'a' * 4_000_000}';</script></body></html>",
        encoding="utf-8",
    )
    result = run_cli("build", page, "-o", tmp_path / "out", "--format", "epub", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_strict_builds_a_real_article(tmp_path: Path) -> None:
    path = _copy("paywall-body.html", tmp_path)
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub", "--strict")
    assert result.returncode == 0, result.stderr
    assert "furniture" not in result.stderr


def test_figure_and_table_followed_by_loose_text(tmp_path: Path) -> None:
    """Text right after a figure or table the body takes back from the page stays (no crash)."""
    from publisher.readers import read_article

    story = "".join(f"<p>{p}</p>" for p in (FIRST + " and more.", "A second paragraph here.", LAST))
    page = tmp_path / "tails.html"
    page.write_text(
        f"<html><head><title>{HEADLINE}</title></head><body><article><h1>{HEADLINE}</h1>"
        f"{story}<figure><img src='map.jpg' alt='Map'><figcaption>Map.</figcaption></figure>"
        " Loose words after the figure.<table><tr><th>Berth</th></tr><tr><td>North</td></tr>"
        f"</table> Loose words after the table.{story}</article></body></html>",
        encoding="utf-8",
    )
    make_photo(tmp_path, "map.jpg")
    raw = read_article(page)
    text = " ".join(raw.paragraphs)
    assert FIRST in text and LAST in text


def _opf_metadata(epub: Path) -> tuple[list[str], str]:
    """The EPUB's authors (``dc:creator``) and title (``dc:title``), from its package file."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(epub) as zf:
        container = etree.fromstring(zf.read("META-INF/container.xml"))
        opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        opf = etree.fromstring(zf.read(opf_path))
    creators = [str(c) for c in opf.xpath("//*[local-name()='creator']/text()")]
    return creators, str(opf.xpath("//*[local-name()='title']/text()")[0])


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        # a Yoast-style @graph: the article's author a bare "@id" of a Person node;
        # the meta author is whoever uploaded the page, not the byline
        ("jsonld-graph-author.html", ["Ines Alvarez"]),
        # article:author, and a meta author that is only the site's address
        ("meta-author.html", ["Tom Reid"]),
        # only a visible byline, in <address>, with a date after the names
        ("visible-byline.html", ["Tom Reid", "Ines Alvarez"]),
        # no byline at all: a commenter's name is not one
        ("comments-no-byline.html", []),
    ],
)
def test_byline_sources_reach_the_epub(tmp_path: Path, name: str, authors: list[str]) -> None:
    path = _copy(name, tmp_path)
    xhtml = _build_epub(path, tmp_path / "out")
    creators, title = _opf_metadata(tmp_path / "out" / f"{path.stem}.epub")
    assert creators == authors
    assert title == HEADLINE
    text = plain(xhtml)
    assert FIRST in text and LAST in text
    assert "19 November 2024" not in text  # the byline line is not body text


def test_site_prefix_kicker_and_hidden_logo_headline(tmp_path: Path) -> None:
    """``Site | Kicker: Headline`` titles, a screen-reader-only ``<h1>`` with the site's name,
    and a kicker inside the article's ``<h1>``: the headline is the article's own."""
    path = _copy("site-prefix-kicker.html", tmp_path)
    _build_epub(path, tmp_path / "out")
    creators, title = _opf_metadata(tmp_path / "out" / f"{path.stem}.epub")
    assert title == HEADLINE
    assert creators == []


@pytest.mark.parametrize(
    ("name", "headline", "authors"),
    [
        # a blog: its logo <h1> links home and is in the <title> mid-way
        # ("Headline : Blog | Tagline | Since"), the post's <h2>, "Posted by <a>Name</a>
        # date | Tags", and a "Theme by" credit in the footer that is no byline
        ("logo-heading-blog.html", HEADLINE, ["Tom Reid"]),
        # a Chinese title with the site and section run on by "_" (no spaces)
        ("cjk-title-suffix.html", "港口码头因木桩腐烂关闭", []),
        # the byline only in a German-named class, opened by "Von", names joined by "und"
        ("autor-class-byline.html", HEADLINE, ["Tom Reid", "Ines Alvarez"]),
        # the site's name in another <h1>, titles an SEO variant: JSON-LD's headline decides
        ("jsonld-headline-sole-h1.html", HEADLINE, []),
        # one <h1>, titles sharing none of its words: the page's only <h1> is the headline
        ("sole-h1.html", HEADLINE, []),
        # an author box after the article: a long bio, the name in its heading
        ("author-box.html", HEADLINE, ["Tom Reid"]),
        # "<span>By</span><span><a>Name</a></span>": the opener alone in its element
        ("split-byline.html", HEADLINE, ["Tom Reid"]),
        # "Von Tom Reid, dpa": the agency's abbreviation is not a second author
        ("agency-byline.html", HEADLINE, ["Tom Reid"]),
        # the meta author is the site's name as the <title> gives it
        # ("Site Online - Headline - Section - News"): the visible byline wins
        ("title-site-author.html", HEADLINE, ["Tom Reid"]),
        # the meta author names one, the visible byline the same one and another
        ("co-author-byline.html", HEADLINE, ["Tom Reid", "Ines Alvarez"]),
        # an <h2> fragment ending in a colon is no headline: og:title is
        ("colon-heading.html", HEADLINE, []),
        # the kicker inside the <h1> classed "subtitle"
        ("kicker-subtitle.html", HEADLINE, []),
        # a Chinese page's "责任编辑： 李明" after a link, in the same element
        ("cjk-editor-byline.html", "港口码头因木桩腐烂关闭", ["李明"]),
        # credentials after the meta author's name ("MS, RDN"); a visible byline whose
        # name and "Updated:" date are run together in the page's text
        ("credentials-byline.html", HEADLINE, ["Ines Alvarez"]),
        # an itemprop author "By TOM REID NOVEMBER", the day in the next element
        ("byline-month.html", HEADLINE, ["TOM REID"]),
        # a Korean headline and the site's name in Latin letters after it
        ("latin-site-suffix.html", "항구 부두, 썩은 말뚝으로 폐쇄", []),
        # "Analysis by Name, Gazette Editor-at-large": the opening words and the job title go
        ("analysis-byline.html", HEADLINE, ["Tom Reid"]),
        # a promo's <h1>; the story's <h2> links to the page itself (href=""), no logo
        ("self-link-headline.html", HEADLINE, []),
        # a Korean story signed at its end, name and role on a line of their own
        # ("정다은 칼럼니스트 <a href="mailto:…">"), with no byline above
        ("korean-signoff.html", "항구 부두, 썩은 말뚝으로 폐쇄", ["정다은"]),
        # a Chinese wire story's reporters in its dateline ("电（记者张明、李华）"),
        # a photographer's credit ("新华社记者 王强 摄") above it
        ("zh-dateline-byline.html", "港口码头因木桩腐烂关闭", ["张明", "李华"]),
        # <h1 itemprop="headline"><small>Section</small><br/> Headline</h1>: a kicker by
        # its place (no class says so), which the <title> leaves out
        ("heading-lead-element.html", HEADLINE, []),
        # a CSS-in-JS <style> inside the <h1>, a kicker <span> and a screen reader's ": "
        ("heading-style-kicker.html", HEADLINE, []),
        # JSON-LD escaped twice, as HTML too: "In&eacute;s &Aacute;lvarez"
        ("jsonld-escaped-author.html", HEADLINE, ["Inés Álvarez", "Tom Reid"]),
        # a journal's authors with their degrees: "Tom Reid, PhD; Ines Alvarez, PhD"
        ("degree-byline.html", HEADLINE, ["Tom Reid", "Ines Alvarez"]),
    ],
)
def test_headline_and_byline_rules_reach_the_epub(
    tmp_path: Path, name: str, headline: str, authors: list[str]
) -> None:
    path = _copy(name, tmp_path)
    xhtml = _build_epub(path, tmp_path / "out")
    creators, title = _opf_metadata(tmp_path / "out" / f"{path.stem}.epub")
    assert title == headline
    assert creators == authors
    if headline == HEADLINE:
        text = plain(xhtml)
        assert FIRST in text and LAST in text
        assert "Posted by" not in text and "Harbour Notes" not in text


def test_text_modules_are_gathered_in_page_order(tmp_path: Path) -> None:
    """A story split over "text modules" between pictures and ads, of which the extractors
    read one: every paragraph in a container like it is read, in page order, and said so."""
    from lxml import html as lxml_html

    path = _copy("text-modules.html", tmp_path)
    expected = [
        " ".join(p.text_content().split())
        for p in lxml_html.parse(str(path)).getroot().xpath("//div[@class='text-text']/p")
    ]
    assert len(expected) == 15
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub", "--strict")
    assert result.returncode == 0, result.stderr
    assert "paragraphs were gathered from them in page order" in result.stderr
    assert "looks like page furniture" not in result.stderr
    epub = tmp_path / "out" / "text-modules.epub"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    text = plain(epub_xhtml(epub))
    positions = [text.find(paragraph) for paragraph in expected]
    assert -1 not in positions and positions == sorted(positions)


def test_ruby_readings_do_not_run_into_the_text(tmp_path: Path) -> None:
    """Furigana (<rt>, <rp>) over kanji, as easy-Japanese news sites print them: the
    headline and the text are the base text, without the readings run into it."""
    path = _copy("ruby-furigana.html", tmp_path)
    xhtml = _build_epub(path, tmp_path / "out")
    creators, title = _opf_metadata(tmp_path / "out" / f"{path.stem}.epub")
    assert title == "港の岸壁が閉鎖される"
    assert creators == []
    text = plain(xhtml)
    assert "北の岸壁が閉鎖されました。" in text
    assert "修理には少なくとも六週間かかると話しています。" in text
    assert "がんぺき" not in text and "みなと" not in text
