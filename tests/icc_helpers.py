"""A tiny but valid ICC v2 CMYK printer profile, for the PDF/X tests.

Real printing-condition profiles (FOGRA39, GRACoL...) cannot be redistributed
here, so the tests make their own: LittleCMS (through Pillow) and WeasyPrint
read it as a CMYK output ('prtr') profile. Its colours are crude on purpose.
"""

from __future__ import annotations

import struct
from pathlib import Path

DESCRIPTION = "Test CMYK (publisher tests)"


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _text_description(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    return (
        b"desc"
        + b"\0" * 4
        + struct.pack(">I", len(ascii_))
        + ascii_
        + struct.pack(">II", 0, 0)
        + struct.pack(">HB", 0, 0)
        + b"\0" * 67
    )


def _text(text: str) -> bytes:
    return b"text" + b"\0" * 4 + text.encode("ascii") + b"\0"


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def _lut8(inputs: int, outputs: int, clut: bytes) -> bytes:
    identity = b"".join(_s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
    ramp = bytes(range(256))
    return (
        b"mft1"
        + b"\0" * 4
        + bytes([inputs, outputs, 2, 0])
        + identity
        + ramp * inputs
        + clut
        + ramp * outputs
    )


def cmyk_profile(description: str = DESCRIPTION) -> bytes:
    """The profile's bytes: header, tag table, desc/cprt/wtpt and 2-point A2B0/B2A0/gamt LUTs."""
    # CMYK -> Lab at the 16 corners of the CMYK cube: ink darkens and tints.
    a2b = bytearray()
    for c in (0, 1):
        for m in (0, 1):
            for y in (0, 1):
                for k in (0, 1):
                    lightness = 100 * (1 - 0.85 * k) * (1 - 0.25 * (c + m + y))
                    a = 60 * (m - c) * (1 - k)
                    b = 60 * (y - (c + m) / 2) * (1 - k)
                    a2b += bytes([round(lightness * 255 / 100), round(a + 128), round(b + 128)])
    # Lab -> CMYK at the 8 corners of the Lab cube: dark means black ink.
    b2a = bytearray()
    for lightness in (0, 1):
        for a in (0, 1):
            for b in (0, 1):
                k = 0 if lightness else 255
                b2a += bytes([0, 255 if a else 0, 255 if b else 0, k])
    gamut = bytes(8)
    tags = [
        (b"desc", _text_description(description)),
        (b"cprt", _text("No copyright, use freely")),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"A2B0", _lut8(4, 3, bytes(a2b))),
        (b"B2A0", _lut8(3, 4, bytes(b2a))),
        (b"gamt", _lut8(3, 1, gamut)),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = bytearray(struct.pack(">I", len(tags))), bytearray()
    for signature, data in tags:
        data = _pad(data)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"prtr"
        + b"CMYK"
        + b"Lab "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 4 * 4
        + b"\0" * 8
        + struct.pack(">I", 0)
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 4
        + b"\0" * 44
    )
    assert len(header) == 128, len(header)
    return header + bytes(table) + bytes(body)


def write_cmyk_profile(folder: Path, name: str = "printer.icc") -> Path:
    """Write the test profile into ``folder`` and return its path."""
    path = folder / name
    path.write_bytes(cmyk_profile())
    return path
