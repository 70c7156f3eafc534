"""Bytes to text: find the encoding, repair stray bytes, refuse binary files.

Articles arrive as UTF-8 (with or without a byte-order mark), as UTF-16 with a
BOM, or from old archives in Windows-1252. A common archive fault is UTF-8 text
with a few Latin-1/cp1252 bytes pasted in (a lone ``0xA3`` for "£"): each such
byte is repaired on its own and logged as a Change, so nothing is lost or
silently altered. Every step is linear in the size of the input.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from publisher.errors import DecodeError, UsageError
from publisher.model import Change

__all__ = ["Decoded", "decode", "looks_binary", "repair_byte", "text_codec"]


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text, the encoding that was used, and any repairs made."""

    text: str
    encoding: str
    changes: tuple[Change, ...] = ()


# Longest marks first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: What a file is when its first bytes are these (checked in order).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"PK\x07\x08", "a ZIP archive"),
)

#: C0 control bytes that never occur in text (tab, LF, CR and form feed do).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\x0c")
_HIGH_BYTES = bytes(range(0x80, 0x100))

#: One well-formed multi-byte UTF-8 sequence (RFC 3629, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)

#: surrogateescape turns each undecodable byte 0xNN into U+DCNN.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

#: With no valid UTF-8 sequence at all, this many high bytes make a legacy file.
_LEGACY_MIN_HIGH_BYTES = 5

_TEXT_HINT = "Give a plain-text article (a .txt file saved from an editor)."


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode an article's bytes, repairing what can be repaired.

    >>> decode("Café".encode()).text, decode("Café".encode()).encoding
    ('Café', 'utf-8')
    >>> decode(b"\\xef\\xbb\\xbfHi").text, decode(b"\\xef\\xbb\\xbfHi").encoding
    ('Hi', 'utf-8-sig')
    >>> decode("Hi".encode("utf-16")).text
    'Hi'
    >>> fixed = decode(b"Costs \\xa34")
    >>> fixed.text, fixed.encoding, fixed.changes[0].where
    ('Costs £4', 'utf-8+cp1252-repairs', 'byte 6')
    >>> decode(b"caf\\xe9 cr\\xe8me br\\xfbl\\xe9e \\xe0 la fa\\xe7on").encoding
    'cp1252'
    >>> decode(b"x", "no-such-codec")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    publisher.errors.UsageError: 'no-such-codec' is not a text encoding ...
    """
    kind = looks_binary(data)
    if kind is not None:
        raise DecodeError(f"The input does not look like a text article: {kind}.", _TEXT_HINT)
    if encoding is not None:
        return _decode_strictly(data, encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            if name == "utf-8-sig":
                return _decode_utf8(data[len(bom) :], "utf-8-sig")
            return _decode_strictly(data, name)
    return _decode_utf8(data, "utf-8")


def looks_binary(data: bytes) -> str | None:
    """Say what kind of non-text file ``data`` looks like, or None for text.

    A few stray control bytes (NULs from a broken export) are text with
    faults, which the normaliser removes; a high share of them is a binary file.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n....")
    'it looks like a PNG image'
    >>> looks_binary(b"Head\\x00line and a few NULs\\x00 in good text.") is None
    True
    >>> looks_binary(bytes(range(256)) * 4)
    'it holds many control bytes, like a binary file'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16/32 text is full of NULs by design
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "it looks like a WebP image"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if kind == "a ZIP archive":
                kind = _zip_kind(data)
            return f"it looks like {kind}"
    if not data:
        return None
    controls = (len(data) - len(data.translate(None, _CONTROL_BYTES))) / len(data)
    if controls > 0.10:
        return "it holds many control bytes, like a binary file"
    if controls > 0.02:
        high = (len(data) - len(data.translate(None, _HIGH_BYTES))) / len(data)
        if high > 0.20 and _UTF8_MULTIBYTE.search(data) is None:
            return "it holds many control bytes, like a binary file"
    return None


def repair_byte(byte: int) -> str:
    """The character a stray byte stands for: cp1252, else Latin-1.

    >>> repair_byte(0xA3), repair_byte(0x80), repair_byte(0x81)
    ('£', '€', '\\x81')
    """
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252
        return bytes([byte]).decode("latin-1")


def _zip_kind(data: bytes) -> str:
    head = data[:4096]
    if b"mimetypeapplication/epub+zip" in head:
        return "an EPUB book"
    if b"word/" in head:
        return "a Word (DOCX) document"
    return "a ZIP archive"


#: Codecs Python calls text encodings that no document is written in: they
#: turn escapes or host names into text, or are placeholders that always fail.
_NOT_DOCUMENT_ENCODINGS = frozenset(
    ("punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7")
)


def text_codec(label: str) -> str | None:
    """Python's name for a text encoding a document can be written in, else None.

    Python's codec registry also holds bytes-to-bytes and str-to-str codecs
    (base64, zlib, rot13...) that ``bytes.decode`` refuses with LookupError.

    >>> text_codec("Windows-1252"), text_codec("rot13"), text_codec("base64"), text_codec("nope")
    ('cp1252', None, None, None)
    """
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_DOCUMENT_ENCODINGS:
        return None
    return info.name


def _decode_strictly(data: bytes, encoding: str) -> Decoded:
    name = text_codec(encoding)
    if name is None:
        raise UsageError(
            f"'{encoding}' is not a text encoding publisher can read articles in.",
            "Use a name like utf-8, utf-16, cp1252 or latin-1, or leave the encoding out.",
        )
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"The input is not valid {name}: the byte at offset {exc.start} "
            f"(0x{data[exc.start]:02X}) cannot be decoded.",
            "Check the encoding, or leave it out to let publisher detect it.",
        ) from None
    except UnicodeError as exc:  # e.g. UTF-16 with an odd number of bytes
        raise DecodeError(f"The input is not valid {name}: {exc}.", _TEXT_HINT) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, name)


def _decode_utf8(data: bytes, name: str) -> Decoded:
    try:
        return Decoded(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if high >= _LEGACY_MIN_HIGH_BYTES and _UTF8_MULTIBYTE.search(data) is None:
        text = "".join(repair_byte(b) if b >= 0x80 else chr(b) for b in data)
        change = Change(
            rule="decode-legacy",
            where="whole file",
            before="not UTF-8",
            after=f"decoded as cp1252 ({high} non-ASCII bytes)",
        )
        return Decoded(text, "cp1252", (change,))
    return _repair_stray_bytes(data, name)


def _repair_stray_bytes(data: bytes, name: str) -> Decoded:
    """Decode UTF-8, repairing each undecodable byte as cp1252 (linear time)."""
    escaped = data.decode("utf-8", errors="surrogateescape")
    changes: list[Change] = []
    parts: list[str] = []
    offset = 0  # byte offset of escaped[position]
    position = 0
    for match in _ESCAPED_BYTE.finditer(escaped):
        start = match.start()
        clean = escaped[position:start]
        parts.append(clean)
        offset += len(clean.encode("utf-8"))
        byte = ord(match.group()) - 0xDC00
        repaired = repair_byte(byte)
        parts.append(repaired)
        changes.append(Change("decode-stray-byte", f"byte {offset}", f"0x{byte:02X}", repaired))
        offset += 1
        position = start + 1
    parts.append(escaped[position:])
    return Decoded("".join(parts), f"{name}+cp1252-repairs", tuple(changes))
