"""Inputs that used to end in exit 3 ("this is a bug"): each is now one error line,
exit 1 or 2, and no output; or, where the input is fine, no text is lost."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, plain, run_cli
from conftest import SEED

from publisher.errors import InputError, PublisherError, UsageError
from publisher.readers import read_article

BODY = "Headline of the story\n\nThe first paragraph of the story, long enough to count.\n"


def one_error_line(result: object, code: int, *needles: str) -> str:
    """Assert the run failed with ``code`` and exactly one ``error:`` line; return it."""
    assert result.returncode == code, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    lines = [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib", "uu", "punycode", "idna"])
def test_non_text_codecs_are_usage_errors(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "story.txt"
    path.write_text(BODY)
    with pytest.raises(UsageError, match="not a text encoding"):
        read_article(path, encoding=codec)


def test_non_text_codec_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(BODY)
    result = run_cli("build", path, "-o", tmp_path / "out", "--encoding", "rot13")
    one_error_line(result, 2, "'rot13' is not a text encoding")
    assert not (tmp_path / "out" / "story.epub").exists()


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib", "punycode", "uu"])
def test_meta_charset_naming_a_non_text_codec_is_ignored(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        f'<html><head><meta charset="{codec}"><title>Title</title></head>'
        "<body><h1>Title</h1><p>Café paragraph of the page, with enough words.</p></body></html>",
        encoding="utf-8",
    )
    raw = read_article(path)
    assert raw.paragraphs == ("Café paragraph of the page, with enough words.",)


@pytest.mark.parametrize(
    ("front", "needle"),
    [
        ("date: 2024-13-01", "'2024-13-01' is not a date"),
        ("date: 2024-02-30", "'2024-02-30' is not a date"),
        ("order: " + "9" * 5000, "longer than 4,300 digits"),
        ("tags: " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)
def test_front_matter_values_that_broke_the_reader(tmp_path: Path, front: str, needle: str) -> None:
    path = tmp_path / "story.md"
    path.write_text(f"---\ntitle: Headline\n{front}\n---\n\nThe body paragraph.\n")
    with pytest.raises(InputError, match=needle):
        read_article(path)


def test_front_matter_date_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: Headline\ndate: 2024-02-30\n---\n\nThe body paragraph.\n")
    one_error_line(run_cli("normalise", path), 1, "2024-02-30", "YYYY-MM-DD")


def test_huge_number_in_sidecar_and_json(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(BODY)
    (tmp_path / "story.toml").write_text("order = " + "9" * 5000 + "\n")
    with pytest.raises(InputError, match="longer than 4,300 digits"):
        read_article(story)
    document = tmp_path / "doc.json"
    document.write_text(
        '{"schema_version": "1.1", "headline": "H", "paragraphs": ["p"], '
        '"metadata": {"order": ' + "9" * 5000 + "}}"
    )
    with pytest.raises(InputError, match="longer than 4,300 digits"):
        read_article(document)


def test_lone_surrogate_in_a_front_matter_image_name_is_refused(tmp_path: Path) -> None:
    """Found by the fuzzer: the path lookup raised UnicodeEncodeError (exit 3)."""
    path = tmp_path / "story.md"
    path.write_text('---\ntitle: Head\nimage: "a\\ud800.jpg"\n---\n\nSome text here.\n')
    one_error_line(run_cli("normalise", path), 1, "not a usable file name")


def test_lone_surrogate_in_json_is_refused_by_build_and_normalise(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"schema_version": "1.1", "headline": "H\\ud800", "paragraphs": ["p"]}')
    one_error_line(run_cli("normalise", "--json", path), 1, "\\ud800")
    out = tmp_path / "out"
    one_error_line(run_cli("build", path, "-o", out, "-f", "epub"), 1, "\\ud800")
    assert not (out / "doc.epub").exists()
    # A proper pair is one character and is read.
    path.write_text('{"schema_version": "1.1", "headline": "H\\ud83d\\ude00", "paragraphs": ["p"]}')
    assert read_article(path).headline == "H\U0001f600"


def test_file_named_like_an_option_gets_one_line(tmp_path: Path) -> None:
    (tmp_path / "-x.txt").write_text(BODY)
    line = one_error_line(run_cli("build", "-x.txt", cwd=tmp_path), 2, "No such option")
    assert "./-NAME" in line
    result = run_cli("build", "-f", "epub", "--", "-x.txt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "-x.epub").is_file()


def test_usage_mistakes_are_one_line(tmp_path: Path) -> None:
    one_error_line(run_cli("build"), 2, "Missing argument")
    one_error_line(run_cli("build", SEED, "--jobs", "many"), 2, "--jobs")
    one_error_line(run_cli("frobnicate"), 2, "No such command")


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_long_thin_png_is_refused_before_decoding(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text(BODY)
    (tmp_path / "story.png").write_bytes(_png_header(1, 39_000_000))
    result = run_cli("build", story, "-o", tmp_path / "out", "-f", "epub", timeout=20)
    one_error_line(result, 1, "1×39000000", "on a side")
    assert not (tmp_path / "out" / "story.epub").exists()


def test_corrupt_exif_is_one_warning_not_pillow_text(tmp_path: Path) -> None:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Camera"
    Image.new("RGB", (64, 48), "red").save(tmp_path / "story.jpg", exif=exif.tobytes())
    data = bytearray((tmp_path / "story.jpg").read_bytes())
    start = data.find(b"Exif\x00\x00") + 14
    data[start : start + 26] = b"\xff" * 26  # the IFD's entry count and first entry
    (tmp_path / "story.jpg").write_bytes(bytes(data))
    (tmp_path / "story.txt").write_text(BODY)
    result = run_cli("build", tmp_path / "story.txt", "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert "UserWarning" not in result.stderr and "TiffImagePlugin" not in result.stderr
    assert "story.jpg has corrupt EXIF data" in result.stderr
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines())


PARAGRAPHS = [
    f"Paragraph {n} of the story, with enough words in it to count as text." for n in range(8)
]


@pytest.mark.parametrize("tag", ["div", "span", "section"])
def test_deeply_nested_html_loses_no_text(tmp_path: Path, tag: str) -> None:
    p = [f"<p>{text}</p>" for text in PARAGRAPHS]
    deep = 300
    body = (
        p[0]
        + f"<{tag}>" * deep
        + p[1]
        + "<div><blockquote>" * 150
        + p[2]
        + "</blockquote></div>" * 150
        + p[3]
        + f"</{tag}>" * deep
        + "".join(p[4:])
    )
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>Headline</title></head><body>{body}</body></html>")
    raw = read_article(path)
    text = " ".join(raw.paragraphs)
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    result = run_cli("build", path, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    book = plain(epub_xhtml(tmp_path / "out" / "page.epub"))
    for paragraph in PARAGRAPHS:
        assert paragraph in book


def test_deeply_nested_markdown_html_loses_no_text(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    deep = "<div><section>" * 200 + PARAGRAPHS[1] + "</section></div>" * 200
    path.write_text(f"# Headline\n\n{PARAGRAPHS[0]}\n\n{deep}\n\n{PARAGRAPHS[2]}\n")
    text = " ".join(read_article(path).paragraphs)
    for paragraph in PARAGRAPHS[:3]:
        assert paragraph in text


def test_html_deeper_than_libxml2_can_go_is_an_error_not_a_cut(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    nest = "<div><span>" * 2000
    path.write_text(
        f"<html><head><title>T</title></head><body><p>{PARAGRAPHS[0]}</p>{nest}x</body></html>"
    )
    with pytest.raises(PublisherError, match="more than 2048 deep"):
        read_article(path)


@pytest.mark.parametrize("bad", ["\x08", "\x00", "\uffff", "\x1b[31m", "&#xFFFF;", "&#8;"])
def test_control_characters_in_html_body_text(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        f"<html><head><title>Title</title></head><body><h1>Title</h1>{bad}"
        f"<p>One{bad} paragraph of the page.</p><p>Two {bad}more words here.</p></body></html>",
        encoding="utf-8",
    )
    raw = read_article(path)
    assert [p.replace(" ", "") for p in raw.paragraphs] == [
        "Oneparagraphofthepage.",
        "Twomorewordshere.",
    ] or "[31m" in bad
    result = run_cli("normalise", "--json", path)
    assert result.returncode == 0, result.stderr


def test_deeply_nested_markdown_lists_lose_no_text(tmp_path: Path) -> None:
    """markdown-it's default limit (20 levels) dropped a list ten deep and all after it."""
    path = tmp_path / "story.md"
    items = "".join("  " * depth + f"- item {depth}\n" for depth in range(30))
    path.write_text(f"# Headline\n\n{items}\nThe last paragraph.\n")
    text = " ".join(read_article(path).paragraphs)
    assert all(f"item {depth}" in text for depth in range(30))
    assert "The last paragraph." in text


@pytest.mark.parametrize(
    "body", ["> " * 5000 + "deep", "".join("  " * d + "- x\n" for d in range(200))]
)
def test_markdown_nested_past_the_limit_is_an_error_not_a_cut(tmp_path: Path, body: str) -> None:
    path = tmp_path / "story.md"
    path.write_text(f"# Headline\n\nFirst.\n\n{body}\n\nThe last paragraph.\n")
    with pytest.raises(InputError, match="levels deep"):
        read_article(path)
