"""Every bad input the issue lists: a clear one-line error or clean output, never a
traceback, a hang, a partial file or lost text."""

from __future__ import annotations

import os
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, pdf_text, plain, run_cli
from conftest import SEED, run_epubcheck


def _png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


def assert_clean_failure(result: object, out: Path, *needles: str, code: int = 1) -> None:
    """One line on stderr naming the problem, the right exit code, no outputs, no debris."""
    assert result.returncode == code, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for needle in needles:
        assert needle in lines[0]
    if out.exists():
        assert list(out.iterdir()) == [], "a failed build left files behind"


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"  \n\t\n   \n", "is empty"),
        ("bom-only.txt", "\ufeff \n".encode(), "no text"),
        ("headline.txt", b"Only a headline\n", "no paragraphs"),
        ("image.txt", _png_bytes(), "PNG"),
    ],
)
def test_unusable_text(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", needle)


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli("build", tmp_path / "nope.txt", "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "no such file")


def test_directory_without_articles(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    result = run_cli("build", tmp_path / "folder", "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "no article files", code=2)


def test_directory_named_like_an_article(tmp_path: Path) -> None:
    (tmp_path / "story.txt").mkdir()
    result = run_cli("normalise", tmp_path / "story.txt")
    assert_clean_failure(result, tmp_path / "out", "is a folder")


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = run_cli("build", fifo, "-o", tmp_path / "out", timeout=60)
    assert_clean_failure(result, tmp_path / "out", "not a regular file")


def test_file_above_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Headline\n\n" + b"word " * (20 * 1024 * 1024 // 5))
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "above 5 MB are refused")


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "story.docx"
    path.write_bytes(b"PK\x03\x04")
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "cannot read '.docx' files")


def test_unwritable_output_folder(tmp_path: Path) -> None:
    # /sys refuses new folders even to root, so this holds in CI (which runs as root).
    result = run_cli("build", SEED, "-o", "/sys/publisher-out")
    assert_clean_failure(result, tmp_path / "none", "cannot create the output folder")


def test_output_folder_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    result = run_cli("build", SEED, "-o", target)
    assert_clean_failure(result, tmp_path / "none", "is a file, not a folder")
    assert target.read_text(encoding="utf-8") == "x"


def test_output_equal_to_input(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    shutil.copy(SEED, path)
    result = run_cli("build", path, "-o", path)
    assert_clean_failure(result, tmp_path / "none", "is a file, not a folder")
    # An output that is a link back to the input must not overwrite it either.
    out = tmp_path / "out"
    out.mkdir()
    (out / "story.epub").symlink_to(path)
    result = run_cli("build", path, "-o", out, "--format", "epub")
    assert result.returncode == 1 and "would overwrite the input" in result.stderr
    assert path.read_bytes() == SEED.read_bytes()


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    for args, needle in [
        (("--page-size", "Z9"), "is not a page size"),
        (("--bleed", "lots"), "is not a length"),
        (("--marks", "stars"), "is not a printer's mark"),
        (("--date", "tomorrow"), "is not a date"),
        (("--pdf-variant", "pdf/z-9"), "pdf/a-3b"),
    ]:
        result = run_cli("build", SEED, "-o", tmp_path / "out", *args)
        assert_clean_failure(result, tmp_path / "out", needle, code=2)


def test_bad_source_date_epoch(tmp_path: Path) -> None:
    result = run_cli("build", SEED, "-o", tmp_path / "out", env={"SOURCE_DATE_EPOCH": "soon"})
    assert_clean_failure(result, tmp_path / "out", "SOURCE_DATE_EPOCH", code=2)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run_cli("--debug", "build", tmp_path / "nope.txt", "-o", tmp_path / "out")
    assert result.returncode == 1 and "Traceback" in result.stderr


def _build_ok(tmp_path: Path, name: str, content: bytes, *formats: str) -> tuple[Path, str]:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out"
    args = [a for f in formats for a in ("--format", f)]
    result = run_cli("build", path, "-o", out, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out, result.stderr


def test_invalid_utf8_is_repaired_not_lost(tmp_path: Path) -> None:
    content = b"Prices rise\n\nA pint now costs " + b"\xa34 in London, up 10%.\n"
    out, _ = _build_ok(tmp_path, "pound.txt", content, "epub")
    assert "£4 in London" in epub_xhtml(out / "pound.epub")
    explain = run_cli("normalise", tmp_path / "pound.txt", "--explain")
    assert "byte 30" in explain.stdout


def test_mixed_encodings(tmp_path: Path) -> None:
    content = "Café talks\n\nThe café’s owner said ".encode() + "Zürich".encode("cp1252") + b".\n"
    out, _ = _build_ok(tmp_path, "mixed.txt", content, "epub")
    text = epub_xhtml(out / "mixed.epub")
    assert "café’s owner" in text and "Zürich" in text
    assert run_epubcheck(out / "mixed.epub").clean


def test_nul_and_control_characters(tmp_path: Path) -> None:
    content = b"Head\x00line\n\nBody\x07 with \x1b controls\x0c and\x00 NULs.\n"
    out, _ = _build_ok(tmp_path, "controls.txt", content, "epub", "pdf")
    assert run_epubcheck(out / "controls.epub").clean
    text = plain(epub_xhtml(out / "controls.epub"))
    assert "Headline" in text and "controls" in text and "NULs." in text


def test_markup_and_template_syntax_shown_literally(tmp_path: Path) -> None:
    body = "Hackers wrote <script>alert(1)</script> and <img src=x onerror=alert(2)> and {{ 7*7 }}."
    out, _ = _build_ok(tmp_path, "markup.txt", f"Markup test\n\n{body}\n".encode(), "epub", "pdf")
    xhtml = epub_xhtml(out / "markup.epub")
    assert "<script" not in xhtml and "<img src=x" not in xhtml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xhtml
    assert "{{ 7*7 }}" in xhtml and ">49<" not in xhtml
    pdf = plain(pdf_text(out / "markup.pdf"))
    assert "<script>alert(1)</script>" in pdf and "{{ 7*7 }}" in pdf
    assert run_epubcheck(out / "markup.epub").clean


def test_one_huge_word_renders_and_is_kept(tmp_path: Path) -> None:
    word = ("abcdefghij" * 8000)[:80000]
    content = f"Long word\n\nBefore {word} after.\n".encode()
    out, _ = _build_ok(tmp_path, "word.txt", content, "epub", "pdf")
    assert word in plain(epub_xhtml(out / "word.epub"))
    # Drop running heads ("Long word") and folios (digits): the word has neither.
    pdf = re.sub(r"\d+", "", plain(pdf_text(out / "word.pdf")).replace(" ", ""))
    assert word in pdf.replace("Longword", "")
    assert run_epubcheck(out / "word.epub").clean


def test_failure_keeps_earlier_good_output(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    shutil.copy(SEED, path)
    out = tmp_path / "out"
    assert run_cli("build", path, "-o", out, "--format", "epub").returncode == 0
    good = (out / "story.epub").read_bytes()
    path.write_bytes(b"Headline only\n")
    result = run_cli("build", path, "-o", out, "--format", "epub")
    assert result.returncode == 1
    assert (out / "story.epub").read_bytes() == good
    assert sorted(p.name for p in out.iterdir()) == ["story.epub"]


def test_missing_image_warns_but_keeps_caption(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    shutil.copy(SEED, path)
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0
    assert "warning:" in result.stderr and "no image found" in result.stderr
    assert "AFP File Photo" in epub_xhtml(tmp_path / "out" / "story.epub")
