"""The photo as each output needs it: a light screen copy and a right-sized print copy.

Both copies are made from the file the reader inspected, read only through the
sandbox (``read_allowed``), and both:

- apply the EXIF orientation, so the pixels stand the way the photographer saw them;
- carry no metadata at all: no EXIF (camera, GPS location), no XMP, no IPTC, no
  comments and no ICC profile. A photo with an ICC profile is converted to sRGB
  first, so its colours survive losing the profile;
- are deterministic: the same file gives the same bytes (baseline JPEG, fixed
  quality and encoder settings, no timestamps).

Formats: an opaque picture becomes a baseline JPEG, whatever it was (JPEG, PNG,
WebP, GIF); one with real transparency (some pixel not fully opaque) becomes a
PNG. An animated GIF or WebP becomes a still of its first frame: print needs a
still, EPUB readers are not required to animate, and an animation could not be
resized without re-encoding every frame.

``screen_copy`` (EPUB): long edge at most ``SCREEN_LONG_EDGE`` pixels (never
upsampled), JPEG quality ``SCREEN_QUALITY``: a few hundred KB.

``print_copy`` (PDF): at most ``PRINT_MAX_DPI`` at its placed width (downsampled
if more, never upsampled), JPEG quality ``PRINT_QUALITY``, and a warning when it
is under ``PRINT_MIN_DPI`` there.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import ImageError
from publisher.model import Image
from publisher.pillow import strict_decoding
from publisher.render.fetch import read_allowed

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

SCREEN_LONG_EDGE = 1600
SCREEN_QUALITY = 82
PRINT_QUALITY = 90
PRINT_MAX_DPI = 300
PRINT_MIN_DPI = 150
MM_PER_INCH = 25.4
#: The formats the reader accepts (publisher.readers.images.MEDIA_TYPES); kept
#: here too because a renderer does not import a reader.
_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
#: The reader's limit (publisher.readers.images.MAX_PIXELS), checked again in
#: case the file changed since it was inspected.
_MAX_PIXELS = 40_000_000


def screen_copy(
    image: Image, *, roots: Iterable[Path] | None = None, long_edge: int = SCREEN_LONG_EDGE
) -> tuple[bytes, str]:
    """Return the EPUB's copy of ``image`` as (bytes, media type).

    Oriented, stripped of metadata, long edge at most ``long_edge`` px (1600;
    never upsampled), JPEG at quality 82 unless it has transparency (then PNG).
    ``roots`` are the sandbox's allowed roots; by default only the image file
    itself is allowed.
    """
    return file_screen_copy(image.path, roots=roots, long_edge=long_edge)


def file_screen_copy(
    path: Path, *, roots: Iterable[Path] | None = None, long_edge: int = SCREEN_LONG_EDGE
) -> tuple[bytes, str]:
    """``screen_copy`` of any picture file (e.g. a supplied cover), checked like a photo."""
    picture = open_photo(path, roots)
    if max(picture.size) > long_edge:
        picture = _resized(picture, long_edge / max(picture.size))
    return _encode(picture, SCREEN_QUALITY, subsampling=2)


def print_copy(
    image: Image, placed_width_mm: float, *, roots: Iterable[Path] | None = None
) -> tuple[bytes, str, tuple[str, ...]]:
    """Return the PDF's copy of ``image`` printed ``placed_width_mm`` wide.

    The copy is at most 300 dpi at that width (downsampled if the photo has
    more pixels, never upsampled), oriented and stripped of metadata. The
    warnings say when the photo is under 150 dpi at that width.
    """
    if placed_width_mm <= 0:
        raise ValueError(f"placed width must be positive, not {placed_width_mm}")
    picture = open_photo(image.path, roots)
    inches = placed_width_mm / MM_PER_INCH
    most = round(inches * PRINT_MAX_DPI)
    if picture.width > most:
        picture = _resized(picture, most / picture.width)
    dpi = picture.width / inches
    notes: tuple[str, ...] = ()
    if dpi < PRINT_MIN_DPI:
        notes = (
            f"{image.path.name} is {dpi:.0f} dpi at its printed width of "
            f"{placed_width_mm:.0f} mm; print needs {PRINT_MIN_DPI} dpi or more",
        )
    data, media_type = _encode(picture, PRINT_QUALITY, subsampling=0)
    return data, media_type, notes


def pixel_size(data: bytes) -> tuple[int, int]:
    """Width and height of an encoded picture (a screen or print copy), in pixels.

    The copies are JPEG or PNG, whose size is in their first bytes; anything
    else is asked of Pillow.

    >>> pixel_size(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000780000004380806000000"))
    (1920, 1080)
    """
    size = _png_size(data) or _jpeg_size(data)
    if size is not None:
        return size
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as picture:
        return picture.size


# Read by hand rather than with Pillow: PIL.Image.open imports Pillow's image
# plugins (~25 ms), the largest part of a one-article EPUB whose cover comes
# from the cache. tests/test_photo.py checks these against Pillow.

#: JPEG start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC), which carry the size.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: JPEG markers without a length field (TEM, RST0–7, SOI, EOI).
_JPEG_BARE = frozenset({0x01, *range(0xD0, 0xDA)})


def _png_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's size from its IHDR chunk, or None if ``data`` is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """A JPEG's size from its start-of-frame segment, or None if none is found."""
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _JPEG_BARE:
            at += 2
            continue
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if marker in _JPEG_FRAMES:
            if at + 9 > len(data):
                return None
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            width = int.from_bytes(data[at + 7 : at + 9], "big")
            return (width, height) if width and height else None
        at += 2 + length
    return None


def open_photo(path: Path, roots: Iterable[Path] | None = None) -> PILImage:
    """Read ``path`` through the sandbox, decode and orient it: a fresh picture, no metadata.

    The result is RGB, RGBA (only with real transparency), L or LA, in sRGB.
    Raises ImageError naming the file when it cannot be read or decoded, is not
    JPEG, PNG, WebP or GIF, or has too many pixels.
    """
    from PIL import Image as PIL
    from PIL import ImageOps

    allowed = tuple(roots) if roots is not None else (path.resolve(),)
    try:
        data = read_allowed(path, allowed)
    except OSError as error:
        raise ImageError(
            f"The photo '{path}' cannot be read: {error.strerror}.",
            "Check the file exists and is readable, or remove the image from the article.",
        ) from error
    try:
        with warnings.catch_warnings(), strict_decoding():
            warnings.simplefilter("ignore", PIL.DecompressionBombWarning)
            with PIL.open(io.BytesIO(data), formats=list(_FORMATS)) as source:
                if source.width * source.height > _MAX_PIXELS:
                    raise ImageError(
                        f"{path} is {source.width}×{source.height} pixels, above the "
                        f"limit of {_MAX_PIXELS // 1_000_000} million.",
                        "Scale the photo down before publishing.",
                    )
                source.load()
                oriented = ImageOps.exif_transpose(source)
                picture = _srgb(oriented, source.info.get("icc_profile"))
    except ImageError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, PIL.DecompressionBombError) as exc:
        raise ImageError(
            f"{path} is not a readable JPEG, PNG, WebP or GIF image ({exc}).",
            "Re-export the photo as JPEG, or leave it out.",
        ) from None
    return picture


def _srgb(picture: PILImage, icc_profile: bytes | None) -> PILImage:
    """Return the pixels alone, in RGB(A) or L, converted to sRGB from any ICC profile."""
    from PIL import Image as PIL

    if picture.mode in ("P", "PA"):
        picture = picture.convert("RGBA")
    elif picture.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
    if icc_profile:
        picture = _to_srgb(picture, icc_profile)
    if picture.mode == "CMYK":
        picture = picture.convert("RGB")
    if picture.mode in ("RGBA", "LA"):
        alpha = picture.getchannel("A")
        if alpha.getextrema()[0] == 255:  # an alpha channel that hides nothing
            picture = picture.convert(picture.mode[:-1])
    # A new image from the raw pixels: nothing of the source's info (EXIF, XMP,
    # comments, text chunks, ICC) can follow it into the copy.
    return PIL.frombytes(picture.mode, picture.size, picture.tobytes())


def _to_srgb(picture: PILImage, icc_profile: bytes) -> PILImage:
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = ImageCms.createProfile("sRGB")
        mode = picture.mode
        out_mode = {"CMYK": "RGB", "L": "L", "LA": "LA"}.get(mode, mode)
        if mode in ("L", "LA"):
            return picture  # a grey profile: grey stays grey
        converted = ImageCms.profileToProfile(
            picture, source, target, outputMode=out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # an unusable profile: keep the pixels as they are
    return converted if converted is not None else picture


def _resized(picture: PILImage, scale: float) -> PILImage:
    from PIL import Image as PIL

    size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    return picture.resize(size, PIL.Resampling.LANCZOS)


def _encode(picture: PILImage, quality: int, *, subsampling: int) -> tuple[bytes, str]:
    """PNG with transparency, else baseline JPEG (4:2:0 chroma for screens, 4:4:4 for print)."""
    buffer = io.BytesIO()
    if picture.mode in ("RGBA", "LA"):
        picture.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue(), "image/png"
    picture.save(
        buffer,
        format="JPEG",
        quality=quality,
        optimize=True,
        progressive=False,
        subsampling=subsampling,
    )
    return buffer.getvalue(), "image/jpeg"
