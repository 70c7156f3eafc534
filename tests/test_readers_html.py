"""The web-page reader: a saved news page with navigation, ads, comments, a lead figure
with a local photo and a remote image; on real files and through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, plain, run_cli
from test_bad_inputs import assert_clean_failure
from test_readers_markdown import (
    assert_no_active_content,
    build_and_check,
    copy_sample,
    make_photo,
)

from publisher.errors import InputError
from publisher.readers import read_article
from publisher.readers.html import block_texts, decode_page, local_image

DATA = Path(__file__).parent / "data" / "readers"
SAMPLE = DATA / "news-page.html"

SAMPLE_PARAGRAPHS = (
    "SUNDERLAND — Commuters face at least four months of delays after engineers closed the "
    "Wear Bridge on Wednesday, having found cracks in two of its steel bearings.",
    "The city council said the bridge, which carries about 40,000 vehicles a day, would stay "
    "closed to all traffic until the bearings are replaced. Buses will be diverted through "
    "the city centre, adding up to 25 minutes to some journeys.",
    "Diversions in place",
    "Drivers were told to use the Queen Alexandra Bridge or the A19, and to allow extra time "
    "at peak hours. The council listed the changes:",
    "• Route 16 buses run via the Queen Alexandra Bridge.",
    "• The park-and-ride at Stadium Way stays open.",
    "• Cyclists may use the footbridge at St Peter’s.",
    "The diversion routes around the closed bridge.",
    "“Safety has to come first, and we will reopen the bridge as soon as it is safe to do "
    "so,” said council leader Graeme Miller.",
    "Local businesses said the closure would hurt trade in the weeks before the summer "
    "festival, which draws more than 100,000 visitors to the city.",
    "The bridge was opened in 1929 and last refurbished in 2009.",
)

#: Page furniture that must not reach the article.
FURNITURE = (
    "Advertisement",
    "Sponsored",
    "mortgage",
    "Related stories",
    "Comments",
    "never fixes anything",
    "All rights reserved",
    "Privacy",
    "Sport",
    "dataLayer",
    "tracking",
    "loadComments",
)


def test_sample_metadata_figure_and_body(tmp_path: Path) -> None:
    raw = read_article(copy_sample(SAMPLE, tmp_path))
    assert raw.headline == "Bridge closure: commuters face months of delays"
    assert (
        raw.caption == "Barriers block the approach to the Wear Bridge in Sunderland on Wednesday."
    )
    assert raw.credit == "Photo: Mark Lewis"
    meta = raw.metadata
    assert meta.authors == ("Priya Natarajan",)
    assert meta.date == "2024-04-18T07:30:00+01:00"
    assert (meta.language, meta.section, meta.publisher) == (
        "en-GB",
        "Transport",
        "The Daily Courier",
    )
    assert meta.source == "https://courier.example.com/news/bridge-closure"
    assert meta.image == "photo.jpg"
    assert raw.image is not None and raw.image.path == tmp_path / "photo.jpg"
    assert raw.paragraphs == SAMPLE_PARAGRAPHS


def test_sample_leaves_out_furniture_and_remote_images(tmp_path: Path) -> None:
    raw = read_article(copy_sample(SAMPLE, tmp_path))
    everything = " ".join((raw.headline, raw.caption or "", *raw.paragraphs))
    for words in FURNITURE:
        assert words not in everything, words
    assert raw.warnings == (
        "the remote image https://courier.example.com/images/map.png was left out "
        "(nothing is downloaded)",
    )


def _page(tmp_path: Path, body: str, head: str = "", name: str = "page.html") -> Path:
    path = tmp_path / name
    html = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    path.write_text(html, encoding="utf-8")
    return path


TEXT = "<p>The first paragraph of the story is here and long enough to count as text.</p>"


def test_headline_visible_h1_when_the_meta_titles_agree(tmp_path: Path) -> None:
    head = "<title>From title</title>"
    assert read_article(_page(tmp_path, TEXT, head)).headline == "From title"
    h1 = f"<h1>From <em>h1</em></h1>{TEXT}"
    assert read_article(_page(tmp_path, h1, head)).headline == "From h1"
    # the page's own headline, not the search-engine variant in og:title
    og = '<meta property="og:title" content="Quake hits coast, officials say">'
    shown = f"<h1>Quake hits the coast</h1>{TEXT}"
    assert read_article(_page(tmp_path, shown, og)).headline == "Quake hits the coast"
    # an <h1> that is the site's logo is not the headline
    logo = f"<h1>The Daily Courier</h1>{TEXT}"
    assert read_article(_page(tmp_path, logo, og)).headline == "Quake hits coast, officials say"


def test_byline_and_time(tmp_path: Path) -> None:
    body = (
        '<h1>T</h1><div class="story-byline byline">By Jane Doe and Ali Hassan</div>'
        f'<time datetime="2023-05-01">1 May</time>{TEXT}'
    )
    raw = read_article(_page(tmp_path, body))
    assert raw.metadata.authors == ("Jane Doe", "Ali Hassan")
    assert raw.metadata.date == "2023-05-01"
    assert all("Jane Doe" not in p for p in raw.paragraphs)


def test_rel_author_links(tmp_path: Path) -> None:
    body = f'<h1>T</h1><p>By <a rel="author" href="/a">Jane Doe</a></p>{TEXT}'
    assert read_article(_page(tmp_path, body)).metadata.authors == ("Jane Doe",)


def test_bad_page_date_and_language_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "p.html"
    path.write_text(
        '<html lang="english please"><head><meta property="article:published_time" '
        f'content="yesterday"></head><body><h1>T</h1>{TEXT}</body></html>',
        encoding="utf-8",
    )
    raw = read_article(path)
    assert raw.metadata.date is None and raw.metadata.language is None
    assert len(raw.warnings) == 2


def test_credit_left_in_caption_for_the_normaliser(tmp_path: Path) -> None:
    make_photo(tmp_path, "p.png")
    body = (
        f'<h1>T</h1><figure><img src="p.png"><figcaption>Boats. (AFP)</figcaption></figure>{TEXT}'
    )
    raw = read_article(_page(tmp_path, body))
    assert (raw.caption, raw.credit) == ("Boats. (AFP)", None)
    assert raw.image is not None and raw.image.path.name == "p.png"


@pytest.mark.parametrize(
    ("src", "warning"),
    [
        ("https://example.com/a.jpg", "remote image"),
        ("http://example.com/a.jpg", "remote image"),
        ("//cdn.example.com/a.jpg", "remote image"),
        ("data:image/png;base64," + "A" * 5000, "embedded data: image"),
        ("file:///etc/passwd", "remote image"),
        ("../outside.jpg", "outside the page's folder"),
        ("missing.jpg", "was not found"),
    ],
)
def test_images_that_are_left_out(tmp_path: Path, src: str, warning: str) -> None:
    inner = tmp_path / "in"
    inner.mkdir()
    make_photo(tmp_path, "outside.jpg")
    warnings: list[str] = []
    assert local_image(src, inner / "page.html", warnings) is None
    assert len(warnings) == 1 and warning in warnings[0]
    assert len(warnings[0]) < 200


def test_local_image_in_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "page_files").mkdir()
    make_photo(tmp_path / "page_files", "my photo.jpg")
    warnings: list[str] = []
    found = local_image("page_files/my%20photo.jpg?v=2", tmp_path / "page.html", warnings)
    assert (found, warnings) == ("page_files/my photo.jpg", [])


def test_decode_by_meta_charset_and_bom(tmp_path: Path) -> None:
    assert decode_page(b'<meta charset="iso-8859-1"><p>na\xefve').text.endswith("naïve")
    assert decode_page(b"\xef\xbb\xbf<p>caf\xc3\xa9").text == "<p>café"
    legacy = (
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>\x93q\x94'
    )
    assert decode_page(legacy).text.endswith("“q”")
    repaired = decode_page(b'<meta charset="utf-8"><p>\xa34 caf\xc3\xa9')
    assert repaired.text.endswith("£4 café") and repaired.changes
    assert decode_page(b'<meta charset="no-such"><p>caf\xc3\xa9').text.endswith("café")


def test_block_texts_keeps_every_word() -> None:
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(
        "<div>loose <b>text</b><p>one <a href='x'>link</a></p>tail<ol start='4'><li>four</li>"
        "<li>five</li></ol><pre>a\n  b</pre><!-- comment --><script>x()</script>end</div>"
    )
    assert block_texts(root) == [
        ("loose text", "p"),
        ("one link", "p"),
        ("tail", "p"),
        ("4. four", "number"),
        ("5. five", "number"),
        ("a\n  b", "p"),
        ("end", "p"),
    ]


def test_block_texts_keeps_what_each_block_is() -> None:
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(
        "<div><h2>Next <i>steps</i></h2><ul><li><p>Loose item</p><p>its second paragraph</p></li>"
        "<li>Tight item<ul><li>nested</li></ul></li><li></li></ul>"
        "<blockquote><p>Said one.</p><p>Said two.</p></blockquote><p>After.</p></div>"
    )
    assert block_texts(root) == [
        ("Next steps", "subhead"),
        ("• Loose item", "bullet"),  # the marker goes on the item's first text, not alone
        ("its second paragraph", "p"),
        ("• Tight item", "bullet"),
        ("• nested", "bullet"),
        ("Said one.", "quote"),
        ("Said two.", "quote"),
        ("After.", "p"),
    ]


def test_page_without_article_element_uses_readability(tmp_path: Path) -> None:
    body = (
        '<div id="menu"><a href="/">Home</a> <a href="/x">World</a></div>'
        "<div id='story'><h1>Wildfire contained</h1>"
        + "".join(
            f"<p>Paragraph {n} of the wildfire story, with enough words in it to be the body, "
            "as firefighters worked through the night.</p>"
            for n in range(1, 6)
        )
        + "</div><div class='comments'><p>First!</p></div>"
    )
    raw = read_article(_page(tmp_path, body))
    assert raw.headline == "Wildfire contained"
    assert len(raw.paragraphs) == 5 and raw.paragraphs[0].startswith("Paragraph 1 ")
    assert not any("First!" in p or "Home" in p for p in raw.paragraphs)


def test_xhtml_and_xml_declaration(tmp_path: Path) -> None:
    path = tmp_path / "x.xhtml.htm"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
        f'xml:lang="fr"><head><title>Titre</title></head><body>{TEXT}</body></html>',
        encoding="utf-8",
    )
    raw = read_article(path)
    assert (raw.headline, raw.metadata.language) == ("Titre", "fr")


# --- through the command line --------------------------------------------------------


def test_build_sample(tmp_path: Path) -> None:
    path = copy_sample(SAMPLE, tmp_path)
    article = build_and_check(path, tmp_path / "out")
    assert len(article["paragraphs"]) == len(SAMPLE_PARAGRAPHS)  # type: ignore[arg-type]
    xhtml = epub_xhtml(tmp_path / "out" / "news-page.epub")
    assert_no_active_content(xhtml)
    assert "evil.example.com" not in xhtml and "courier.example.com/images" not in xhtml
    text = plain(xhtml)
    for words in FURNITURE:
        assert words not in text, words
    assert "Barriers block the approach" in text


def test_build_sample_credit_and_warnings(tmp_path: Path) -> None:
    path = copy_sample(SAMPLE, tmp_path)
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert "remote image https://courier.example.com/images/map.png" in result.stderr
    assert "Mark Lewis" in epub_xhtml(tmp_path / "out" / "news-page.epub")


BAD_INPUTS = [
    ("empty.html", b"", "is empty"),
    ("blank.htm", b" \n\t\n  \n", "is empty"),
    ("bom-only.html", "\ufeff \n".encode(), "no text"),
    (
        "no-headline.html",
        b"<html><body><p>Text without any title.</p></body></html>",
        "no headline",
    ),
    (
        "no-body.html",
        b"<html><head><title>Only a title</title></head><body></body></html>",
        "no article text",
    ),
    (
        "only-nav.html",
        b"<title>T</title><nav><a href='/'>Home</a></nav><footer>(c)</footer>",
        "no article text",
    ),
    ("only-script.html", b"<title>T</title><script>alert(1)</script>", "no article text"),
]


@pytest.mark.parametrize(("name", "content", "needle"), BAD_INPUTS)
def test_unusable_page(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", needle)


def test_binary_renamed_html_is_refused(tmp_path: Path) -> None:
    make_photo(tmp_path, "x.jpg")
    (tmp_path / "x.jpg").rename(tmp_path / "x.html")
    result = run_cli("build", tmp_path / "x.html", "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "JPEG")


def test_invalid_utf8_page_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "pound.html"
    path.write_bytes(b"<title>Prices rise</title><p>A pint now costs \xa34 in London.</p>")
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert "£4 in London" in epub_xhtml(tmp_path / "out" / "pound.epub")
    explain = run_cli("normalise", path, "--explain")
    assert "decode-stray-byte" in explain.stdout


def test_tag_soup_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "soup.html"
    path.write_bytes(b"<title>Soup</title><p>Unclosed <b>bold <i>and <p>next</div></span>")
    raw = read_article(path)
    assert raw.headline == "Soup"
    assert " ".join(raw.paragraphs) == "Unclosed bold and next"


def test_no_headline_error_is_clear(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no headline \(no og:title, <h1> or <title>\)"):
        read_article(_page(tmp_path, TEXT))


def _modules(*texts: str, article: bool = True) -> str:
    """A page whose story is split over "text modules" (as magazine sites build it)."""
    modules = "".join(
        f'<div class="module module--text"><div class="text"><p>{t}</p></div></div>' for t in texts
    )
    return f"<article>{modules}</article>" if article else modules


_PROSE = [
    f"Paragraph {n} of the interview goes on about the harbour, the quay and the piles "
    "that rotted below the waterline, at some length, as interviews do." * 2
    for n in range(8)
]


def test_a_body_that_leaves_out_most_paragraphs_like_its_own_is_partial() -> None:
    from lxml import html

    from publisher.readers.html import _paragraphs, looks_partial

    doc = html.fromstring(f"<html><body>{_modules(*_PROSE)}</body></html>")
    paragraphs = _paragraphs(doc)
    one = [(_PROSE[0], "paragraph")]
    assert looks_partial(one, paragraphs)  # one module of eight read
    assert looks_partial([(p, "paragraph") for p in _PROSE[:6]], paragraphs) is None


def test_other_articles_on_the_page_do_not_make_a_body_partial() -> None:
    """A page listing several stories, each its own <article>: the first read whole is whole."""
    from lxml import html

    from publisher.readers.html import _paragraphs, looks_partial

    stories = "".join(_modules(p) for p in _PROSE)  # eight articles of one paragraph
    doc = html.fromstring(f"<html><body>{stories}</body></html>")
    assert looks_partial([(_PROSE[0], "paragraph")], _paragraphs(doc)) is None
    # Teasers and comments sit elsewhere on the page, so they do not count either.
    aside = "".join(f'<div class="comment"><p>{p.upper()}</p></div>' for p in _PROSE)
    doc = html.fromstring(f"<html><body>{_modules(_PROSE[0])}{aside}</body></html>")
    assert looks_partial([(_PROSE[0], "paragraph")], _paragraphs(doc)) is None
