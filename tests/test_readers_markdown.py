"""The Markdown reader: front matter, CommonMark body, sanitised raw HTML; on real files
and through the real command line."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, pdf_fonts_embedded, plain, run_cli
from conftest import pdf_text, run_epubcheck
from PIL import Image as PILImage
from test_bad_inputs import assert_clean_failure

from publisher.errors import InputError
from publisher.model import Figure
from publisher.readers import read_article
from publisher.readers.markdown import read, split_front_matter

DATA = Path(__file__).parent / "data" / "readers"
SAMPLE = DATA / "cms-article.md"

#: The sample's body, block by block, as the reader must return it.
SAMPLE_PARAGRAPHS = (
    "YORK — Flood defences along the River Ouse held overnight as the water peaked just "
    "below the level that swamped the city centre in 2015, officials said on Saturday.",
    "The Environment Agency said the barrier at Foss had been closed for 36 hours and that "
    "pumps moved more than 30 tonnes of water a second into the Ouse. Its latest update "
    "warned that rain was still falling upstream.",
    "What residents were told",
    "Residents of low-lying streets were asked to:",
    "• move valuables upstairs,",
    "• keep the emergency number 0345 988 1188 to hand, and",
    "• check on elderly neighbours.",
    '"We have been here before, and this time we were ready," said council leader Claire Douglas.',
    "Some readers saw broken embeds in the original page, and styled text that should keep "
    "its words.",
    "Correction: an earlier version of this article gave the wrong date for the 2015 floods.",
    "1. The barrier was built in 1987.",
    "2. It was upgraded in 2023.",
    "The agency expects levels to fall by Monday.",
)


def make_photo(folder: Path, name: str = "photo.jpg") -> Path:
    """A small real JPEG, made with Pillow."""
    path = folder / name
    PILImage.new("RGB", (64, 48), (40, 90, 160)).save(path, quality=85)
    return path


def copy_sample(sample: Path, folder: Path, *, photo: bool = True) -> Path:
    """The sample in ``folder``, with the photo it names when ``photo``."""
    target = folder / sample.name
    shutil.copy(sample, target)
    if photo:
        make_photo(folder)
    return target


def build_and_check(path: Path, out: Path) -> dict[str, object]:
    """Build ``path`` through the CLI; check the EPUB and PDF; return the normalised JSON.

    EPUBCheck must report 0 errors and 0 warnings, every PDF font must be
    embedded, and the PDF's text must hold the headline and every paragraph.
    """
    result = run_cli("build", path, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    normalised = run_cli("normalise", path, "--json")
    assert normalised.returncode == 0, normalised.stderr
    article: dict[str, object] = json.loads(normalised.stdout)
    epub = out / f"{path.stem}.epub"
    pdf = out / f"{path.stem}.pdf"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    assert pdf_fonts_embedded(pdf) == []
    headline = str(article["headline"])
    # Hyphens are dropped on both sides: a word hyphenated at a line end may come
    # out of the PDF's text layer with a plain "-".
    text = _unhyphenated(pdf_text(pdf.read_bytes(), furniture=(headline,)))
    paragraphs = article["paragraphs"]
    kinds = article["kinds"]
    assert isinstance(paragraphs, list) and paragraphs
    assert isinstance(kinds, list) and len(kinds) == len(paragraphs)
    for paragraph, kind in [(headline, "p"), *zip(paragraphs, kinds, strict=True)]:
        if kind in ("bullet", "number"):  # the marker is the list's, drawn apart from the text
            paragraph = re.sub(r"^(• |\d+[.)] )", "", str(paragraph))
        assert _unhyphenated(str(paragraph)) in text, paragraph
    xhtml = epub_xhtml(epub)
    with zipfile.ZipFile(epub) as book:
        body = book.read("EPUB/article.xhtml").decode()
    assert len(re.findall(r"<li[ >]", body)) == kinds.count("bullet") + kinds.count("number")
    assert body.count('<h2 class="subhead"') == kinds.count("subhead")
    for paragraph in paragraphs:
        assert plain(str(paragraph)).split(" ")[-1] in plain(xhtml)
    return article


def _unhyphenated(text: str) -> str:
    return plain(text).replace("-", "")


def assert_no_active_content(xhtml: str) -> None:
    """No script, event handler, style attribute or stray link reached the EPUB's XHTML."""
    lowered = xhtml.lower()
    for needle in ("<script", "onerror", "onclick", "onload", "alert(", '<link rel="x'):
        assert needle not in lowered, needle
    assert "steal()" not in xhtml and "color:red" not in xhtml


# --- the reader on the sample -------------------------------------------------------


def test_sample_front_matter_and_body(tmp_path: Path) -> None:
    raw = read_article(copy_sample(SAMPLE, tmp_path))
    assert raw.headline == "Flood defences hold as river peaks in York"
    assert raw.caption == "Volunteers stack sandbags along the River Ouse in York on Saturday."
    assert raw.credit == "Reuters"
    meta = raw.metadata
    assert meta.authors == ("Jane Doe", "Ali Hassan")
    assert (meta.date, meta.language, meta.section) == ("2024-02-03", "en", "UK")
    assert meta.publisher == "The Northern Ledger"
    assert meta.source == "https://news.example.com/uk/york-floods"
    assert meta.identifier == "urn:uuid:0b6c4a5e-5f1d-4bb0-9a53-8d2f8f6f0a11"
    assert meta.rights == "© 2024 The Northern Ledger"
    assert raw.image is not None and raw.image.path == tmp_path / "photo.jpg"
    assert raw.paragraphs == SAMPLE_PARAGRAPHS


def test_sample_raw_html_is_text_only(tmp_path: Path) -> None:
    raw = read_article(copy_sample(SAMPLE, tmp_path))
    everything = " ".join(raw.paragraphs)
    assert "alert" not in everything and "<" not in everything and "steal" not in everything
    assert any("<script>" in w and "never shown or run" in w for w in raw.warnings)
    assert any("<img>" in w for w in raw.warnings)


def _md(tmp_path: Path, text: str, name: str = "story.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_headline_from_the_first_heading(tmp_path: Path) -> None:
    raw = read_article(_md(tmp_path, "# Storm hits coast\n\nWaves *topped* the wall.\n"))
    assert raw.headline == "Storm hits coast"
    assert raw.paragraphs == ("Waves topped the wall.",)
    assert raw.caption is None and raw.credit is None and raw.image is None


def test_title_repeated_as_heading_is_not_a_paragraph(tmp_path: Path) -> None:
    raw = read_article(_md(tmp_path, "---\ntitle: Storm\n---\n# Storm\n\nWaves.\n\n# Later\n"))
    assert raw.headline == "Storm"
    assert raw.paragraphs == ("Waves.", "Later")


def test_the_first_h1_is_the_headline_wherever_it_is(tmp_path: Path) -> None:
    raw = read_article(_md(tmp_path, "Intro text.\n\n# Heading\n\nMore.\n\n# Second\n"))
    assert raw.headline == "Heading"
    assert raw.paragraphs == ("Intro text.", "More.", "Second")
    with pytest.raises(InputError, match="has no headline"):
        read(b"Just text.\n\n## Not a headline\n", tmp_path / "y.md", None)


def test_image_paragraph_names_the_photo(tmp_path: Path) -> None:
    make_photo(tmp_path, "boats.png")
    text = "# Harbour\n\n![Boats in the harbour](boats.png)\n\nThe harbour reopened.\n"
    raw = read_article(_md(tmp_path, text))
    assert raw.image is not None and raw.image.path.name == "boats.png"
    assert raw.caption == "Boats in the harbour"
    assert raw.paragraphs == ("The harbour reopened.",)


def test_other_images_are_figures_in_the_body(tmp_path: Path) -> None:
    make_photo(tmp_path, "a.png")
    make_photo(tmp_path, "b.png")
    text = "---\ntitle: T\nimage: a.png\n---\n![Second photo](b.png)\n\nText ![c](c.png).\n"
    raw = read_article(_md(tmp_path, text))
    assert raw.image is not None and raw.image.path.name == "a.png"
    assert raw.caption is None
    figure = raw.body[0]
    assert isinstance(figure, Figure) and figure.src == "b.png" and figure.alt == "Second photo"
    assert figure.image is not None and figure.image.width == 64  # inspected
    assert raw.paragraphs == ("Second photo", "Text c.")
    assert any("c.png was not found" in w for w in raw.warnings)


def test_remote_image_is_left_out_with_a_warning(tmp_path: Path) -> None:
    text = "# Harbour\n\n![Boats](https://example.com/boats.jpg)\n\nReopened.\n"
    raw = read_article(_md(tmp_path, text))
    assert raw.image is None
    assert raw.paragraphs == ("Boats", "Reopened.")  # the alt text is kept, not lost
    assert any("remote image" in w for w in raw.warnings)


def test_code_quote_nested_list_and_entities(tmp_path: Path) -> None:
    text = (
        "# T\n\n> Quoted *words*\n> go on.\n\n- one\n  - nested\n- two\n\n"
        "3) three\n\n```\nx = 1\n```\n\nAT&amp;T &lt;b&gt; 5 < 6\n"
    )
    raw = read_article(_md(tmp_path, text))
    assert raw.paragraphs == (
        "Quoted words go on.",
        "• one",
        "• nested",
        "• two",
        "3. three",
        "x = 1",
        "AT&T <b> 5 < 6",
    )
    assert raw.kinds == ("quote", "bullet", "bullet", "bullet", "number", "p", "p")


def test_structure_reaches_the_epub_and_the_pdf(tmp_path: Path) -> None:
    import pikepdf

    text = (
        "# Night buses extended\n\nThe council voted on Tuesday.\n\n## What changes\n\n"
        "- Buses run later\n- Trams too\n\nThe plan:\n\n3. Trial\n4. Review\n\n"
        "> It is the biggest change in twenty years.\n>\n> Said twice.\n\n"
        "- Loose item\n\n  Its second paragraph.\n\nThe end.\n"
    )
    path = _md(tmp_path, text)
    article = build_and_check(path, tmp_path / "out")
    assert article["kinds"] == [
        "p", "subhead", "bullet", "bullet", "p", "number", "number", "quote", "quote",
        "bullet", "p", "p",
    ]  # fmt: skip
    with zipfile.ZipFile(tmp_path / "out" / f"{path.stem}.epub") as book:
        body = book.read("EPUB/article.xhtml").decode()
        nav = book.read("EPUB/nav.xhtml").decode()
    # The contents list the subheading under the headline.
    assert re.search(
        r'<a href="article.xhtml">Night buses extended</a>\s*<ol>\s*<li>\s*'
        r'<a href="article.xhtml#subhead-1">What changes</a>',
        nav,
    )
    block = body[body.index('<div class="text">') : body.index("</div>")]
    assert re.sub(r"\s+", "", block) == re.sub(
        r"\s+",
        "",
        '<div class="text"><p>The council voted on Tuesday.</p>'
        '<h2 class="subhead" id="subhead-1">What changes</h2>'
        "<ul><li>Buses run later</li><li>Trams too</li></ul>"
        '<p>The plan:</p><ol start="3"><li>Trial</li><li>Review</li></ol>'
        "<blockquote><p>It is the biggest change in twenty years.</p><p>Said twice.</p>"
        "</blockquote><ul><li><p>Loose item</p><p>Its second paragraph.</p></li></ul>"
        "<p>The end.</p>",
    )
    with pikepdf.open(tmp_path / "out" / f"{path.stem}.pdf") as pdf, pdf.open_outline() as outline:
        (top,) = outline.root
        assert top.title == "Night buses extended"
        assert [item.title for item in top.children] == ["What changes"]


def test_inline_script_text_is_dropped(tmp_path: Path) -> None:
    raw = read_article(_md(tmp_path, "# T\n\nBefore <script>alert(1)</script> after.\n"))
    assert raw.paragraphs == ("Before after.",)
    assert any("<script>" in w for w in raw.warnings)


def test_split_front_matter_counts_lines(tmp_path: Path) -> None:
    front, body, line = split_front_matter("---\na: 1\n\nb: 2\n...\nText\n", tmp_path / "a.md")
    assert front == {"a": 1, "b": 2}
    assert (body, line) == ("Text\n", 6)


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: a: b\n", "not valid YAML on line 2"),
        ("title: ok\ndate: [2024\n", "not valid YAML on line"),
        ("autor: typo\n", "unknown key 'autor'; did you mean 'author'"),
        ("Title: Capitalised\n", "unknown key 'Title'; did you mean 'title'"),
        ("date: yesterday\n", "'yesterday' is not a date"),
        ("language: english please\n", "is not a language tag"),
        ("authors: 3\n", "'authors' must be"),
        ("title: 2024\n", "'title' must be text"),
        ("- a list\n", "must be 'key: value' lines"),
    ],
)
def test_bad_front_matter(tmp_path: Path, front: str, message: str) -> None:
    path = _md(tmp_path, f"---\n{front}---\n\nBody text.\n")
    with pytest.raises(InputError, match=message):
        read_article(path)


def test_a_cms_front_matter_key_is_left_out_with_a_warning(tmp_path: Path) -> None:
    front = "title: Harbour reopens\ntags: [port, economy]\nslug: harbour\ndraft: false\n"
    path = _md(tmp_path, f"---\n{front}---\n\nBody text.\n")
    raw = read_article(path)
    assert raw.headline == "Harbour reopens"
    (warning,) = [w for w in raw.warnings if "front matter" in w]
    assert warning.startswith("front matter keys 'tags', 'slug', 'draft' not used")
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "'tags', 'slug', 'draft' not used" in result.stderr


def test_unclosed_front_matter(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="never closed"):
        read_article(_md(tmp_path, "---\ntitle: T\n\nBody text.\n"))


# --- through the command line --------------------------------------------------------


def test_build_sample(tmp_path: Path) -> None:
    path = copy_sample(SAMPLE, tmp_path)
    article = build_and_check(path, tmp_path / "out")
    assert len(article["paragraphs"]) == len(SAMPLE_PARAGRAPHS)  # type: ignore[arg-type]
    xhtml = epub_xhtml(tmp_path / "out" / "cms-article.epub")
    assert_no_active_content(xhtml)
    assert "photo.jpg" in xhtml or ".jpg" in xhtml
    for words in ("What residents were told", "move valuables upstairs", "styled text"):
        assert words in plain(xhtml)


def test_build_sample_credit_and_warnings(tmp_path: Path) -> None:
    path = copy_sample(SAMPLE, tmp_path)
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert "<script> element was dropped" in result.stderr
    assert "Reuters" in epub_xhtml(tmp_path / "out" / "cms-article.epub")


BAD_INPUTS = [
    ("empty.md", b"", "is empty"),
    ("blank.md", b" \n\t\n  \n", "is empty"),
    ("bom-only.md", "\ufeff \n".encode(), "no text"),
    ("no-headline.md", b"Just a paragraph and no heading.\n", "has no headline"),
    ("no-body.md", b"---\ntitle: Only a title\n---\n", "no paragraphs"),
    ("heading-only.md", b"# Only a heading\n", "no paragraphs"),
    ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML on line"),
]


@pytest.mark.parametrize(("name", "content", "needle"), BAD_INPUTS)
def test_unusable_markdown(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", needle)


def test_binary_renamed_md_is_refused(tmp_path: Path) -> None:
    make_photo(tmp_path, "x.png")
    (tmp_path / "x.png").rename(tmp_path / "x.md")
    result = run_cli("build", tmp_path / "x.md", "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "PNG")


def test_invalid_utf8_markdown_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "pound.md"
    path.write_bytes(b"# Prices rise\n\nA pint now costs \xa34 in London.\n")
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert "£4 in London" in epub_xhtml(tmp_path / "out" / "pound.epub")
    explain = run_cli("normalise", path, "--explain")
    assert "decode-stray-byte" in explain.stdout
