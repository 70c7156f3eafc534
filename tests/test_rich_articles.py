"""Rich articles end to end: a Markdown article with emphasis, links, a table, a body
photo, footnotes, code, sub/superscript, a nested list and a section break, built
through the real command line and compared, element by element, with what pandoc
makes of the same file."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import pdf_fonts_embedded, run_cli, struct_elements
from conftest import run_epubcheck
from lxml import etree
from PIL import Image as PILImage

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}

CODE = "def seats(votes):\n    return  round(votes / 1000)\n\n# a blank line above"
RICH = f"""---
title: Election results, with sources
image: photo.jpg
caption: Voters queue in the rain.
credit: AFP
---

The *Daily Planet* reports **record** turnout, citing the [electoral
commission](https://example.org/results "Official results") and
[a second source](https://example.com/poll).[^1] He said *"it's over*" and left...

| Party | Seats | Share |
|:------|------:|:-----:|
| Blue  | 120   | 41 %  |
| Green | *98*  | 33 %  |

![Counting the ballots](chart.png "Ballots counted overnight")

Water is H~2~O; the hall holds 10^3^ people. Call `count()` to tally.

- Turnout rose
  - in cities
  - in villages
- Spoilt ballots fell

3. third item
4. fourth item

***

```python
{CODE}
```

> The people have spoken, ***finally***.

Recount requested.[^2]

[^1]: Figures as of midnight.
[^2]: By the *Green* party.
"""


def make_rich(folder: Path) -> Path:
    """The rich article with its photo and a body picture, in ``folder``."""
    PILImage.new("RGB", (320, 200), (40, 90, 160)).save(folder / "photo.jpg", quality=85)
    PILImage.new("RGB", (300, 180), (160, 90, 40)).save(folder / "chart.png")
    source = folder / "rich.md"
    source.write_text(RICH, encoding="utf-8")
    return source


def _body_counts(root: etree._Element, text_scope: etree._Element) -> Counter[str]:
    """Count the rich elements inside ``text_scope`` (notes found anywhere in ``root``)."""
    counts: Counter[str] = Counter()
    notes = [e for e in root.iter() if e.get(EPUB_TYPE) == "footnote"]
    counts["footnote"] = len(notes)
    for element in text_scope.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.removeprefix(XHTML)
        in_note = any(
            a.get(EPUB_TYPE) in ("footnote", "footnotes") for a in element.iterancestors()
        )
        if tag in ("em", "strong", "sup", "sub", "pre", "img"):
            counts[tag] += 1
        elif tag == "a" and (element.get("href") or "").startswith("http"):
            counts["external link"] += 1
        elif tag in ("th", "td"):
            counts["table cell"] += 1
        elif tag == "li" and element.get(EPUB_TYPE) != "footnote" and not in_note:
            counts["list item"] += 1
            counts["nested list"] += sum(
                1 for child in element if child.tag in (f"{XHTML}ul", f"{XHTML}ol")
            )
        elif tag == "code" and element.getparent().tag != f"{XHTML}pre":
            counts["inline code"] += 1
        elif tag == "hr" and not in_note:
            counts["section break"] += 1
    return counts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(source, EPUB, PDF) of the rich article, built once through the CLI."""
    folder = tmp_path_factory.mktemp("rich")
    source = make_rich(folder)
    result = run_cli("build", source, "-o", folder / "out", env=EPOCH)
    assert result.returncode == 0, result.stderr
    return source, folder / "out" / "rich.epub", folder / "out" / "rich.pdf"


def _article_root(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as book:
        return etree.fromstring(book.read("EPUB/article.xhtml"))


def test_the_epub_has_every_rich_element_and_passes_epubcheck(
    built: tuple[Path, Path, Path],
) -> None:
    _, epub, _ = built
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    # DAISY Ace too: footnotes, tables, figures and links raise no violation.
    checked = run_cli("check", "--accessibility", epub, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    root = _article_root(epub)
    text = root.find(f".//{XHTML}div[@class='text']")
    assert text is not None
    counts = _body_counts(root, root.find(f".//{XHTML}article"))
    assert counts["footnote"] == 2 and counts["external link"] == 2
    assert counts["table cell"] == 9 and counts["nested list"] == 1
    # Code blocks keep their line breaks and spaces, exactly.
    pre = text.find(f".//{XHTML}pre")
    assert pre is not None and "".join(pre.itertext()) == CODE
    # ...and are set in the embedded monospace face (a book without code carries none).
    with zipfile.ZipFile(epub) as book:
        assert "EPUB/fonts/SourceCodePro-wght-.ttf" in book.namelist()
    # Quotes pair across the emphasis; the table's header cells are column headers.
    assert "He said <em>“it’s over</em>” and left…" in etree.tostring(text, encoding="unicode")
    assert {th.get("scope") for th in text.iter(f"{XHTML}th")} == {"col"}
    # Footnotes link both ways.
    refs = [a for a in text.iter(f"{XHTML}a") if a.get(EPUB_TYPE) == "noteref"]
    assert [a.get("href") for a in refs] == ["#fn-1", "#fn-2"]
    backs = [a.get("href") for a in root.iter(f"{XHTML}a") if a.get("role") == "doc-backlink"]
    assert backs == ["#fnref-1", "#fnref-2"]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_the_epub_has_as_many_rich_elements_as_pandoc_makes(
    built: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    source, epub, _ = built
    theirs = tmp_path / "pandoc.epub"
    subprocess.run(
        ["pandoc", "-f", "markdown", "-t", "epub3", str(source), "-o", str(theirs)],
        cwd=source.parent,
        check=True,
        capture_output=True,
        timeout=120,
    )
    pandoc_counts: Counter[str] = Counter()
    with zipfile.ZipFile(theirs) as book:
        for name in book.namelist():
            if re.fullmatch(r"EPUB/text/ch\d+\.xhtml", name):
                chapter = etree.fromstring(book.read(name))
                pandoc_counts += _body_counts(chapter, chapter)
    root = _article_root(epub)
    # The article's text and its notes (the header and lead photo are not in pandoc's body).
    ours = _body_counts(root, root.find(f".//{XHTML}div[@class='text']"))
    notes = _body_counts(root, root.find(f".//{XHTML}section[@class='footnotes']"))
    ours += Counter({k: v for k, v in notes.items() if k != "footnote"})
    source_breaks = len(re.findall(r"^\*\*\*$", source.read_text(), re.M))
    for kind in (
        "em", "strong", "external link", "table cell", "list item", "nested list", "footnote",
        "img", "pre", "inline code", "sup", "sub",
    ):  # fmt: skip
        assert ours[kind] == pandoc_counts[kind], (kind, ours, pandoc_counts)
    assert ours["section break"] >= source_breaks >= 1


def test_the_pdf_links_embeds_italic_and_mono_and_keeps_code_lines(
    built: tuple[Path, Path, Path],
) -> None:
    _, _, pdf_path = built
    assert pdf_fonts_embedded(pdf_path) == []
    with pikepdf.open(pdf_path) as pdf:
        uris = [
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if annot.get("/Subtype") == "/Link" and "/A" in annot and "/URI" in annot.A
        ]
        fonts = {
            str(font.get("/BaseFont"))
            for page in pdf.pages
            for _, font in page.resources.get("/Font", {}).items()
        }
    assert sorted(uris) == ["https://example.com/poll", "https://example.org/results"]
    assert any("Italic" in name for name in fonts), fonts
    assert any("Bold" in name and "It" in name for name in fonts), fonts  # bold italic
    assert any("Source-Code-Pro" in name for name in fonts), fonts
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    lines = [line.strip() for line in layout.splitlines()]
    # The code block's lines stay lines, in order; the footnotes print as notes.
    assert "def seats(votes):" in lines
    assert any(line.startswith("return") and "round(votes / 1000)" in line for line in lines)
    assert any(line.startswith("1. Figures as of midnight.") for line in lines)


def test_json_round_trip_gives_byte_identical_books(tmp_path: Path) -> None:
    source = make_rich(tmp_path)
    printed = run_cli("normalise", source, "--json", env=EPOCH)
    assert printed.returncode == 0, printed.stderr
    assert '"schema_version": "2.0"' in printed.stdout
    (tmp_path / "rich.json").write_text(printed.stdout, encoding="utf-8")
    for name in ("rich.md", "rich.json"):
        result = run_cli("build", tmp_path / name, "-o", tmp_path / f"from-{name}", env=EPOCH)
        assert result.returncode == 0, result.stderr
    for suffix in (".epub", ".pdf"):
        from_md = (tmp_path / "from-rich.md" / f"rich{suffix}").read_bytes()
        from_json = (tmp_path / "from-rich.json" / f"rich{suffix}").read_bytes()
        assert from_md == from_json, suffix


def test_a_theme_can_print_link_urls(tmp_path: Path) -> None:
    source = make_rich(tmp_path)
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.toml").write_text("[print]\nlink_urls = true\n", encoding="utf-8")
    result = run_cli("build", source, "-o", tmp_path / "out", "--format", "pdf", "--theme", theme)
    assert result.returncode == 0, result.stderr
    layout = subprocess.run(
        ["pdftotext", str(tmp_path / "out" / "rich.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The URL may wrap at its slashes: compare without white space.
    assert "<https://example.com/poll>" in re.sub(r"\s+", "", layout)


def test_a_broken_print_option_is_one_clean_error(tmp_path: Path) -> None:
    source = make_rich(tmp_path)
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "theme.toml").write_text('[print]\nlink_urls = "yes"\n', encoding="utf-8")
    result = run_cli("build", source, "-o", tmp_path / "out", "--theme", theme)
    assert result.returncode != 0
    assert result.stderr.startswith("error: [print]") and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "rich.epub").exists()


def test_plain_text_lists_and_entities(tmp_path: Path) -> None:
    source = tmp_path / "wire.txt"
    source.write_text(
        "Jos&#233; Garc&iacute;a wins the vote\n\n"
        "The count ended at midnight, officials said.\n\n"
        "Key results:\n- Blue: 120 seats\n- Green: 98 seats,\n  up from 80\n\n"
        "1. Count the votes\n2. Certify them\n",
        encoding="utf-8",
    )
    result = run_cli("build", source, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "wire.epub"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    root = _article_root(epub)
    headline = root.find(f".//{XHTML}h1")
    assert headline is not None and headline.text == "José García wins the vote"
    bullets = [" ".join("".join(li.itertext()).split()) for li in root.iter(f"{XHTML}li")]
    assert bullets == ["Blue: 120 seats", "Green: 98 seats, up from 80", "Count the votes",
                       "Certify them"]  # fmt: skip
    assert len(list(root.iter(f"{XHTML}ul"))) == 1 and len(list(root.iter(f"{XHTML}ol"))) == 1
    printed = run_cli("normalise", source, "--json")
    assert printed.returncode == 0, printed.stderr
    assert '"rule": "html-entities"' in printed.stdout and '"where": "line 1"' in printed.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[{"type": "blink"}]', 'body item 1: unknown type "blink"'),
        ('[{"type": "text", "text": "x"}]', "body item 1 is a text, not a block"),
        (
            '[{"type": "paragraph", "content": [{"type": "table", "header": [], "body": []}]}]',
            "a table cannot stand inside a line of text",
        ),
        ('[{"type": "heading", "level": 9, "content": []}]', "not a valid heading"),
        ('{"type": "paragraph"}', "'body' must be a list of blocks"),
    ],
)
def test_a_bad_json_tree_is_one_clean_error(tmp_path: Path, body: str, message: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(
        f'{{"schema_version": "2.0", "headline": "H", "paragraphs": ["x"], "body": {body}}}',
        encoding="utf-8",
    )
    result = run_cli("build", source, "-o", tmp_path / "out")
    assert result.returncode in (1, 2), result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_a_web_page_keeps_figures_tables_and_absolute_links(tmp_path: Path) -> None:
    PILImage.new("RGB", (300, 180), (160, 90, 40)).save(tmp_path / "chart.png")
    PILImage.new("RGB", (320, 200), (40, 90, 160)).save(tmp_path / "photo.jpg")
    page = tmp_path / "page.html"
    page.write_text(
        """<!DOCTYPE html><html lang="en"><head><title>Vote</title>
<link rel="canonical" href="https://news.example/politics/vote.html"></head>
<body><article><h1>The vote is counted</h1>
<figure><img src="photo.jpg" alt="Voters"><figcaption>Voters queue.</figcaption></figure>
<p>The <em>Daily Planet</em> cites <a href="/results">the results</a> and
<a href="https://other.example/poll">a poll</a>; turnout was <strong>high</strong>.</p>
<p>Officials counted through the night in every district of the capital, they said.</p>
<figure><img src="chart.png" alt="Seats chart"><figcaption>Seats won
<span class="credit">Planet graphics</span></figcaption></figure>
<table><caption>Results</caption><thead><tr><th>Party</th><th align="right">Seats</th></tr>
</thead><tbody><tr><td>Blue</td><td align="right">120</td></tr></tbody></table>
<p>More counting is expected on Monday, when the last ballots arrive by post.</p>
</article></body></html>""",
        encoding="utf-8",
    )
    result = run_cli("build", page, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "page.epub"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    root = _article_root(epub)
    text = root.find(f".//{XHTML}div[@class='text']")
    assert text is not None
    hrefs = [a.get("href") for a in text.iter(f"{XHTML}a")]
    assert hrefs == ["https://news.example/results", "https://other.example/poll"]
    assert [e.text for e in text.iter(f"{XHTML}em")] == ["Daily Planet"]
    figure = text.find(f".//{XHTML}figure")
    assert figure is not None and figure.find(f"{XHTML}img") is not None
    caption = " ".join("".join(figure.find(f"{XHTML}figcaption").itertext()).split())
    assert caption == "Seats won Planet graphics"
    cells = ["".join(c.itertext()) for c in text.iter(f"{XHTML}th", f"{XHTML}td")]
    assert cells == ["Party", "Seats", "Blue", "120"]
    assert text.find(f".//{XHTML}caption") is not None


def test_a_collection_keeps_rich_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    make_rich(folder)
    (folder / "plain.txt").write_text(
        "A plain story\n\nIt has one paragraph, and no markup at all.\n", encoding="utf-8"
    )
    result = run_cli("build", folder, "--collection", "Digest", "-o", tmp_path / "out", env=EPOCH)
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "digest.epub"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
        texts = "".join(book.read(n).decode() for n in names if n.endswith(".xhtml"))
    assert any("figure-" in name for name in names)
    assert texts.count('epub:type="footnote"') == 2 and "<table " in texts
    with pikepdf.open(tmp_path / "out" / "digest.pdf") as pdf:
        uris = {
            str(annot.A.URI)
            for page in pdf.pages
            for annot in page.get("/Annots", [])
            if "/A" in annot and "/URI" in annot.A
        }
    assert {"https://example.com/poll", "https://example.org/results"} <= uris


def test_a_theme_that_overrides_the_body_writes_the_tree_with_the_macros(tmp_path: Path) -> None:
    source = make_rich(tmp_path)
    templates = tmp_path / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "body.xhtml").write_text(
        '{% import "document.xhtml" as document with context %}'
        "{% set ids = namespace(heading=0, notes='') %}"
        '<article id="article"><h1 class="headline house">{{ article.headline }}</h1>'
        '<div class="text">{{ document.blocks(article.content, ids) }}</div>'
        "{{ document.footnotes(article.footnotes, ids) }}</article>",
        encoding="utf-8",
    )
    result = run_cli(
        "build", source, "-o", tmp_path / "out", "--format", "epub", "--theme", tmp_path / "theme"
    )
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "rich.epub"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    root = _article_root(epub)
    assert root.find(f".//{XHTML}h1[@class='headline house']") is not None
    counts = _body_counts(root, root)
    assert counts["table cell"] == 9 and counts["footnote"] == 2 and counts["pre"] == 1


def test_deep_inline_markup_keeps_its_text_and_builds(tmp_path: Path) -> None:
    inner = "deep words"
    for level in range(150):
        inner = f"<b>{inner}</b>" if level % 2 else f"<i>{inner}</i>"
    page = tmp_path / "deep.html"
    page.write_text(
        f"<html><body><h1>Deep</h1><p>Start. {inner} end.</p>"
        "<p>Another paragraph with enough words for readability to keep it.</p></body></html>",
        encoding="utf-8",
    )
    result = run_cli("build", page, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    root = _article_root(tmp_path / "out" / "deep.epub")
    assert "Start. deep words end." in " ".join("".join(root.itertext()).split())


def test_a_json_tree_nested_too_deep_is_one_clean_error(tmp_path: Path) -> None:
    node = '{"type": "text", "text": "deep"}'
    for _ in range(80):
        node = f'{{"type": "emph", "content": [{node}]}}'
    source = tmp_path / "deep.json"
    source.write_text(
        '{"schema_version": "2.0", "headline": "H", "paragraphs": ["x"], '
        f'"body": [{{"type": "paragraph", "content": [{node}]}}]}}',
        encoding="utf-8",
    )
    result = run_cli("build", source, "-o", tmp_path / "out")
    assert result.returncode in (1, 2) and "nested more than 60 deep" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_body_picture_captioned_by_its_alt_text_is_not_read_twice(tmp_path: Path) -> None:
    """``![Ballots](chart.png)`` has only its alt text, which becomes the caption: the EPUB
    leaves alt empty (the figcaption names the figure), the tagged PDF keeps it as Alt."""
    PILImage.new("RGB", (300, 180), (160, 90, 40)).save(tmp_path / "chart.png")
    source = tmp_path / "count.md"
    source.write_text(
        "# The count\n\nOfficials counted all night.\n\n![Ballots counted overnight](chart.png)\n"
        '\n![Seats chart](chart.png "Seats won by each party")\n',
        encoding="utf-8",
    )
    result = run_cli("build", source, "-o", tmp_path / "out", "--pdf-variant", "pdf/ua-1")
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "count.epub"
    report = run_epubcheck(epub)
    assert (report.fatals, report.errors, report.warnings) == (0, 0, 0), report.messages
    figures = _article_root(epub).iter(f"{XHTML}figure")
    pairs = [
        (f.find(f"{XHTML}img").get("alt"), "".join(f.find(f"{XHTML}figcaption").itertext()))
        for f in figures
    ]
    assert pairs == [
        ("", "Ballots counted overnight."),
        ("Seats chart", "Seats won by each party"),
    ]
    with pikepdf.open(tmp_path / "out" / "count.pdf") as pdf:
        alts = sorted(
            str(element.get("/Alt"))
            for element in struct_elements(pdf)
            if element.get("/S") == "/Figure"
        )
    assert [alt.rstrip(".") for alt in alts] == ["Ballots counted overnight", "Seats chart"]
