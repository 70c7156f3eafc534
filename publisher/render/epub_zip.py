"""The EPUB's zip container: the same bytes Python's zipfile writes, with compression kept.

zipfile deflates every entry it is handed and cannot take bytes deflated
before. A warm server's EPUBs share their dozen font subsets (and a rebuilt
article its cover), and deflating them again was a third of a warm EPUB's
time. So this writer deflates through a small per-process memo and lays out
the zip itself, exactly as zipfile lays out ``writestr`` into a seekable file
(PKWARE's APPNOTE: local headers, the central directory, its end record; no
zip64, data descriptors, extra fields or comments). ``tests/test_render_epub.py``
checks that its bytes are zipfile's, entry for entry.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from functools import lru_cache

from publisher import cache
from publisher.errors import RenderError

__all__ = ["LEVEL", "write_zip"]

#: Without zip64 (which no EPUB needs), a zip holds at most this many entries and bytes.
_MAX_ENTRIES, _MAX_BYTES = 0xFFFF, 0xFFFFFFFF
_TOO_BIG_HINT = "Split the collection into smaller books, or use smaller pictures."
#: zlib's level. Level 9 took twice as long as 6 on a one-article EPUB (~30 ms
#: against ~13 ms, most of it the embedded fonts) for 0.2% fewer bytes.
LEVEL = 6
#: Entries from this size on are deflated through the memo (fonts, pictures);
#: smaller ones (the XHTML, OPF, CSS) change with every article and deflate fast.
_MEMO_FROM = 4096
_CACHE_KIND = "deflated"
_VERSION = 20  # "version made by" and "needed to extract": 2.0, deflate
_UNIX = 3
_REGULAR_FILE = 0o100644 << 16  # -rw-r--r--
_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def write_zip(
    entries: Iterable[tuple[str, bytes]],
    date_time: tuple[int, int, int, int, int, int],
    stored: frozenset[str] = frozenset(),
) -> bytes:
    """A zip of ``entries`` (name, bytes) in their order, each dated ``date_time``.

    Names in ``stored`` are stored as they are (the EPUB's mimetype); the rest
    are deflated at ``LEVEL``.
    """
    year, month, day, hour, minute, second = date_time
    dos_time = hour << 11 | minute << 5 | second // 2
    dos_date = (year - 1980) << 9 | month << 5 | day
    body = bytearray()
    directory = bytearray()
    count = 0
    for name, data in entries:
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_NAME
        if name in stored:
            method, crc, packed = 0, zlib.crc32(data), data
        else:
            method = 8
            crc, packed = _deflated(data) if len(data) >= _MEMO_FROM else _deflate(data)
        offset = len(body)
        if count == _MAX_ENTRIES or offset + len(packed) + len(encoded) + 30 > _MAX_BYTES:
            raise RenderError(
                f"The EPUB would hold more than {_MAX_ENTRIES:,} files or 4 GB.", _TOO_BIG_HINT
            )
        head = (method, dos_time, dos_date, crc, len(packed), len(data), len(encoded))
        body += _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, *head, 0)
        body += encoded
        body += packed
        directory += _CENTRAL.pack(
            b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, *head, 0, 0, 0, 0,
            _REGULAR_FILE, offset,
        )  # fmt: skip
        directory += encoded
        count += 1
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)


def _deflate(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate at ``LEVEL``) of ``data``, as zipfile computes them."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


@lru_cache(maxsize=32)
def _deflated(data: bytes) -> tuple[int, bytes]:
    """``_deflate``, kept for the same bytes: in the process (a few MB at most: 32
    fonts or pictures) and in the disk cache (``publisher.cache``), so that a
    one-article build does not deflate the theme's font subsets again (~10 ms)."""
    key = cache.digest("deflate", str(LEVEL), zlib.ZLIB_RUNTIME_VERSION, data)
    stored = cache.load(_CACHE_KIND, key)
    if stored is not None and len(stored) >= 4:
        return int.from_bytes(stored[:4], "big"), stored[4:]
    crc, packed = _deflate(data)
    cache.store(_CACHE_KIND, key, crc.to_bytes(4, "big") + packed)
    return crc, packed
