"""Bytes to text: encodings, BOMs, stray-byte repairs, legacy files, binary refusal."""

from __future__ import annotations

import codecs
import time

import pytest

from publisher.errors import DecodeError, UsageError
from publisher.model import Change
from publisher.readers.decode import Decoded, decode

TEXT = "Café talks: “quotes” — and £4 in Zürich.\n"


def test_plain_utf8() -> None:
    assert decode(TEXT.encode()) == Decoded(TEXT, "utf-8", ())


def test_ascii_is_utf8() -> None:
    assert decode(b"Plain text.\n").encoding == "utf-8"


def test_utf8_with_bom_loses_the_bom() -> None:
    decoded = decode(codecs.BOM_UTF8 + TEXT.encode())
    assert decoded.text == TEXT and decoded.encoding == "utf-8-sig"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    decoded = decode(bom + TEXT.encode(codec))
    assert decoded.text == TEXT and decoded.encoding == "utf-16" and decoded.changes == ()


def test_utf32_with_bom() -> None:
    decoded = decode(TEXT.encode("utf-32"))
    assert decoded.text == TEXT and decoded.encoding == "utf-32"


def test_broken_utf16_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode(codecs.BOM_UTF16_LE + b"a\x00b")  # odd length


def test_given_encoding_is_used_strictly() -> None:
    assert decode("Zürich".encode("cp1252"), "cp1252") == Decoded("Zürich", "cp1252", ())
    assert decode("Zürich".encode("latin-1"), "Latin-1").encoding == "iso8859-1"
    assert decode(codecs.BOM_UTF8 + b"Hi", "utf-8").text == "Hi"


def test_given_encoding_undecodable_names_the_offset() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b"Prices \xa3 up", "utf-8")
    assert "offset 7" in caught.value.message and "0xA3" in caught.value.message
    assert caught.value.hint


def test_unknown_codec_is_a_usage_error_with_a_hint() -> None:
    with pytest.raises(UsageError) as caught:
        decode(b"Hi", "klingon-8")
    assert "klingon-8" in caught.value.message
    assert "utf-8" in caught.value.hint and caught.value.exit_code == 2


def test_stray_latin1_byte_in_utf8_is_repaired_and_logged() -> None:
    content = b"Prices rise\n\nA pint now costs " + b"\xa34 in London, up 10%.\n"
    decoded = decode(content)
    assert decoded.text == "Prices rise\n\nA pint now costs £4 in London, up 10%.\n"
    assert decoded.encoding == "utf-8+cp1252-repairs"
    assert decoded.changes == (Change("decode-stray-byte", "byte 30", "0xA3", "£"),)


def test_mixed_encodings_offsets_count_bytes_not_characters() -> None:
    content = "Café’s owner: ".encode() + "Zürich".encode("cp1252") + b" \x80 \x81"
    decoded = decode(content)
    assert decoded.text == "Café’s owner: Zürich € \x81"
    offset = len("Café’s owner: Z".encode())
    assert [(c.where, c.before, c.after) for c in decoded.changes] == [
        (f"byte {offset}", "0xFC", "ü"),
        (f"byte {offset + 6}", "0x80", "€"),
        (f"byte {offset + 8}", "0x81", "\x81"),  # undefined in cp1252: Latin-1
    ]


def test_utf8_bom_with_stray_bytes() -> None:
    decoded = decode(codecs.BOM_UTF8 + "é ".encode() + b"\xe9")
    assert decoded.text == "é é" and decoded.encoding == "utf-8-sig+cp1252-repairs"
    assert decoded.changes[0].where == "byte 3"  # offsets after the BOM


def test_whole_legacy_file_is_cp1252_with_one_change() -> None:
    text = "Le café crème coûte 4 € à Zürich — «très cher».\n"
    decoded = decode(text.encode("cp1252"))
    assert decoded.text == text and decoded.encoding == "cp1252"
    assert [c.rule for c in decoded.changes] == ["decode-legacy"]


def test_repairs_are_linear_on_a_5_mb_file() -> None:
    chunk = "Ünïcode text ".encode() + b"\xa3 " + b"plain ascii words " * 3
    data = chunk * (5 * 1024 * 1024 // len(chunk))
    start = time.perf_counter()
    decoded = decode(data)
    assert time.perf_counter() - start < 10  # quadratic would take minutes
    assert len(decoded.changes) == data.count(b"\xa3")
    assert decoded.text.count("£") == len(decoded.changes)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PNG, "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"GIF87a\x01\x00", "GIF image"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP image"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF document"),
        (
            b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 20 + b"mimetypeapplication/epub+zip",
            "EPUB",
        ),
        (b"PK\x03\x04\x14\x00" + b"\x00" * 24 + b"word/document.xml", "Word (DOCX)"),
        (b"PK\x03\x04\x14\x00" + b"\x00" * 24 + b"data.csv", "ZIP archive"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (bytes(range(256)) * 16, "binary file"),
        (b"\x00\x01\x02\x03ELF" * 100, "binary file"),
    ],
)
def test_binary_input_is_refused(data: bytes, kind: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(data)
    assert "does not look like a text article" in caught.value.message
    assert kind in caught.value.message
    assert "plain-text article" in caught.value.hint


def test_binary_is_refused_even_with_an_encoding() -> None:
    with pytest.raises(DecodeError):
        decode(PNG, "latin-1")


def test_a_few_stray_nuls_are_not_refused() -> None:
    content = b"Head\x00line\n\nBody\x07 with \x1b controls\x0c and\x00 NULs.\n"
    assert decode(content).text == content.decode()
    long_text = b"A good paragraph of text. " * 200 + b"\x00\x00\x00"
    assert decode(long_text).text.endswith("\x00\x00\x00")
