"""The sandbox: renderers read only allowed files, never the network, and say what they refused."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import pdf_text, sample_article

from publisher.config import PdfOptions
from publisher.errors import SandboxError
from publisher.render.epub import render_epub
from publisher.render.fetch import (
    REASON,
    allowed_roots,
    is_allowed,
    read_allowed,
    sandboxed_url_fetcher,
)
from publisher.render.pdf import render_pdf
from publisher.themes import DEFAULT_THEME, load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
LEAK = "SENTINEL-LEAKED"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the sandbox opened a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """An article folder, a user theme and, beside them, files that must never be read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    # Each outside file would put LEAK into the PDF's text if it were read.
    leak_css = f'body::after {{ content: "{LEAK}"; }}\n'
    (outside / "secret.css").write_text(leak_css)
    (outside / "imported.css").write_text(leak_css)
    (outside / "linked.css").write_text(leak_css)
    article = sample_article(tmp_path / "work" / "article")
    theme = tmp_path / "work" / "theme"
    (theme / "css").mkdir(parents=True)
    (theme / "templates").mkdir()
    # work/theme/css/../../../outside/secret.css == outside/secret.css
    (theme / "css" / "print.css").write_text(
        f'@import url("file://{outside}/imported.css");\n'
        '@font-face { font-family: "Evil"; src: url(http://example.com/x.woff); }\n'
        "html { background: url(file:///etc/passwd); }\n"
        "h1 { background: url(../../../outside/secret.css); }\n"
        'body::before { content: "inside"; }\n'
    )
    # A theme stylesheet that is a symlink to a file outside.
    (theme / "css" / "epub.css").symlink_to(outside / "linked.css")
    body = (DEFAULT_THEME / "templates" / "body.xhtml").read_text()
    (theme / "templates" / "body.xhtml").write_text(
        body.replace("</article>", f'<img alt="" src="file://{outside}/other.png"/></article>')
    )
    return {"outside": outside, "theme": theme, "article": article.source.parent}


def test_is_allowed_resolves_dot_dot_and_symlinks(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret").write_text("x")
    (root / "link").symlink_to(outside / "secret")
    (root / "inside").write_text("ok")
    assert is_allowed(root / "inside", [root.resolve()])
    assert not is_allowed(root / ".." / "outside" / "secret", [root.resolve()])
    assert not is_allowed(root / "link", [root.resolve()])
    assert read_allowed(root / "inside", [root.resolve()]) == b"ok"
    with pytest.raises(SandboxError, match="blocked"):
        read_allowed(root / "link", [root.resolve()])


def test_allowed_roots_are_the_article_theme_package_fonts_and_image(tmp_path: Path) -> None:
    article = sample_article(tmp_path / "a")
    theme = load_theme(None)
    roots = allowed_roots(article, theme)
    assert article.source.parent.resolve() in roots
    assert DEFAULT_THEME in roots
    assert article.image is not None and article.image.path.resolve() in roots
    assert all(any(face.path.is_relative_to(r) for r in roots) for face in theme.fonts)


def test_the_fetcher_refuses_and_records_without_any_access(tmp_path: Path) -> None:
    (tmp_path / "ok.css").write_text("p {}")
    fetcher = sandboxed_url_fetcher([tmp_path])
    refused = [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        f"file://{tmp_path}/../escape.css",
        "file://evil.example.com/share/x.css",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="blocked"):
            fetcher.fetch(url)
    assert fetcher.sandbox.blocked == tuple(refused)
    assert fetcher.sandbox.warnings[0] == f"blocked http://example.com/x.png: {REASON}"
    response = fetcher.fetch((tmp_path / "ok.css").as_uri())
    assert response.read() == b"p {}" and response.content_type == "text/css"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_a_pdf_reads_nothing_outside_and_names_every_blocked_url(
    layout: dict[str, Path],
) -> None:
    article = sample_article(layout["article"])
    theme = load_theme(layout["theme"])
    rendered = render_pdf(article, theme, PdfOptions(), build_time=BUILD_TIME)
    text = pdf_text(rendered.data)
    assert LEAK not in text
    assert "inside" in text  # the user's print.css was applied
    warnings = "\n".join(rendered.warnings)
    outside = layout["outside"]
    for url in (
        f"file://{outside}/imported.css",
        "http://example.com/x.woff",
        "file:///etc/passwd",
        f"file://{outside}/secret.css",
        f"file://{outside}/other.png",
    ):
        assert f"blocked {url}: {REASON}" in rendered.warnings, (url, warnings)


def test_an_epub_does_not_package_a_stylesheet_from_outside(layout: dict[str, Path]) -> None:
    article = sample_article(layout["article"])
    with pytest.raises(SandboxError, match=r"epub\.css"):
        render_epub(article, load_theme(layout["theme"]), build_time=BUILD_TIME)


def test_an_image_outside_the_folder_is_the_only_outside_file_read(tmp_path: Path) -> None:
    # The reader located the image and the user named it: that one file is allowed,
    # its neighbours are not.
    elsewhere = sample_article(tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "secret.css").write_text(f'body::after {{ content: "{LEAK}"; }}')
    theme_dir = tmp_path / "theme"
    (theme_dir / "css").mkdir(parents=True)
    (theme_dir / "css" / "print.css").write_text(
        f'@import url("file://{tmp_path}/elsewhere/secret.css");'
    )
    article = replace(sample_article(tmp_path / "article", image=False), image=elsewhere.image)
    rendered = render_pdf(article, load_theme(theme_dir), PdfOptions(), build_time=BUILD_TIME)
    assert LEAK not in pdf_text(rendered.data)
    assert rendered.warnings == (f"blocked file://{tmp_path}/elsewhere/secret.css: {REASON}",)
    epub = render_epub(article, load_theme(None), build_time=BUILD_TIME)
    assert epub.warnings == () and b"images/photo.jpg" in epub.data
