"""No output that fails its own validation is written with exit 0.

The issue's cases: a headline of invisible characters only, ``--id " "``,
``--id urn:uuid:not-a-uuid`` (see test_hostile_options.py for the identifier)
and a theme whose ``epub.css`` holds ``url(http://…)`` or
``url(file:///etc/passwd)``. Each is refused before writing; what is written
instead passes EPUBCheck.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEED, run_epubcheck

from publisher.themes.css import css_references

BODY = "\n\nThe first paragraph of the story, long enough to be one.\n\nA second paragraph.\n"


def _one_error(result: object, code: int, needle: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert needle in lines[0], lines[0]


@pytest.mark.parametrize(
    "headline", ["\u200b", "\u200b\u200b\u200b", "\u2060\u200d\u00ad", "\u200b \u200b"]
)
def test_a_headline_of_invisible_characters_is_refused(tmp_path: Path, headline: str) -> None:
    story = tmp_path / "in" / "story.txt"
    story.parent.mkdir()
    story.write_text(headline + BODY, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", story, "-o", out, "-f", "epub", "--lang", "en")
    _one_error(result, 1, "the headline has no visible characters")
    assert not out.exists() or list(out.iterdir()) == []


def test_text_of_invisible_characters_only_is_refused(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("A headline\n\n\u200b\u200b\n\n\u2060\n", encoding="utf-8")
    result = run_cli("build", story, "-o", tmp_path / "out", "-f", "epub", "--lang", "en")
    _one_error(result, 1, "no paragraph has visible text")


def test_a_collection_title_of_invisible_characters_is_refused(tmp_path: Path) -> None:
    result = run_cli("build", SEED, "-o", tmp_path / "out", "--collection", "\u200b\u200b")
    _one_error(result, 2, "--collection needs a title")


def _css_theme(folder: Path, epub_css: str, name: str = "epub.css") -> Path:
    (folder / "css").mkdir(parents=True)
    (folder / "theme.toml").write_text('extends = "default"\n')
    (folder / "css" / name).write_text(epub_css)
    return folder


@pytest.mark.parametrize(
    ("css", "shown"),
    [
        ("@font-face { font-family: X; src: url(http://example.com/x.woff); }", "http://"),
        ("html { background: url(file:///etc/passwd); }", "file:///etc/passwd"),
        ('@import "https://example.com/evil.css";\n', "https://example.com/evil.css"),
        ("@import url(../../secret.css);\n", "../../secret.css"),
        ("p { background: u\\72l(http://example.com/escaped.png) }", "escaped.png"),
        ('p { background: image-set("http://example.com/a.png" 1x) }', "a.png"),
        ("@media screen { p { background: url(//example.com/b.png) } }", "//example.com"),
        ("p { background: url(fonts/missing.woff) }", "fonts/missing.woff"),
    ],
)
def test_an_epub_css_referring_outside_the_book_is_a_theme_error(
    tmp_path: Path, css: str, shown: str
) -> None:
    theme = _css_theme(tmp_path / "theme", css)
    out = tmp_path / "out"
    result = run_cli("build", SEED, "-o", out, "-f", "epub", "--lang", "en", "--theme", theme)
    _one_error(result, 1, "The theme's epub.css refers to")
    assert shown in result.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_base_css_is_checked_too_since_the_epub_carries_it(tmp_path: Path) -> None:
    theme = _css_theme(
        tmp_path / "theme", "body { background: url(file:///etc/passwd) }", "base.css"
    )
    result = run_cli("build", SEED, "-o", tmp_path / "out", "-f", "epub", "--theme", theme)
    _one_error(result, 1, "The theme's base.css refers to file:///etc/passwd")


def test_invisible_characters_around_a_headline_and_data_urls_in_css_build_clean(
    tmp_path: Path,
) -> None:
    # One EPUBCheck run for two cases that must build: a headline with U+200B
    # around visible words, and a theme CSS whose only url() is an embedded data: URL
    # (url() in comments and strings is not a reference).
    story = tmp_path / "story.txt"
    story.write_text("\u200bBreaking\u200b news" + BODY, encoding="utf-8")
    pixel = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
        "PchI7wAAAABJRU5ErkJggg=="
    )
    css = (
        "/* url(http://example.com/in-a-comment.png) */\n"
        f"hr {{ background: url(data:image/png;base64,{pixel}); }}\n"
        'p::after { content: "url(http://example.com/in-a-string)"; }\n'
    )
    theme = _css_theme(tmp_path / "theme", css)
    result = run_cli(
        "build", story, "-o", tmp_path / "out", "-f", "epub", "--lang", "en", "--theme", theme
    )
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "story.epub"
    with zipfile.ZipFile(epub) as book:
        assert "data:image/png" in book.read("EPUB/css/epub.css").decode()
        assert "Breaking" in book.read("EPUB/content.opf").decode()
    report = run_epubcheck(epub)
    assert report.clean, report.messages


def test_css_references_understands_css() -> None:
    assert css_references('@import url("a.css") screen; p { b: url( "b.png" ) }') == [
        "a.css",
        "b.png",
    ]
    assert css_references('p { content: "@import x"; --u: "url(x)" }') == []
