"""Locate and inspect an article's photo.

Where the image comes from, first match wins: ``--image PATH`` on the command
line, the sidecar's ``image`` (relative to the input's folder and inside it),
or a file named like the input with a .jpg, .jpeg, .png, .webp or .gif extension.

Inspection opens the file with Pillow restricted to JPEG, PNG, WebP and GIF,
refuses images above ``MAX_PIXELS`` before decoding them, then decodes the
whole file so a truncated or corrupt photo fails here, with one message naming
the file, and not halfway through a render. ``Image.width``/``height`` are the
size as displayed: a photo whose EXIF orientation turns it a quarter turn
(orientations 5-8) has its width and height swapped, as after
``ImageOps.exif_transpose``.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from publisher.errors import ImageError
from publisher.files import PHOTO, read_file
from publisher.model import Image
from publisher.pillow import CORRUPT_EXIF, strict_decoding

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
#: Pillow format name -> media type: the only formats publisher opens.
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
#: Refuse images above this many pixels: a 40 Mpx photo is 7700×5200, more than any
#: page needs, and decoding it takes ~120 MB. Pillow's own bomb warning starts at ~89 Mpx.
MAX_PIXELS = 40_000_000
#: No side may be longer: a 1×39,000,000 strip is under ``MAX_PIXELS`` but takes
#: 25 s and 2.4 GB to decode and lay out. 20,000 pixels is 1.7 m at 300 dpi.
MAX_SIDE = 20_000
#: EXIF tag 274 (Orientation); values 5-8 turn the picture a quarter turn.
EXIF_ORIENTATION = 0x0112
_QUARTER_TURNS = (5, 6, 7, 8)


def find_image(
    source: Path,
    explicit: Path | None,
    from_sidecar: str | None,
    warned: list[str] | None = None,
) -> Image | None:
    """Return the article's image, or None when it has none.

    What is wrong but usable (corrupt EXIF) is appended to ``warned``.
    """
    if explicit is not None:
        return inspect_image(explicit, warned)
    folder = source.parent
    if from_sidecar:
        try:
            os.fsencode(from_sidecar)
        except UnicodeEncodeError:  # a lone surrogate from a JSON or YAML escape
            raise ImageError(
                f"{source}: the image {from_sidecar!a} is not a usable file name.",
                "Name the picture file as it is on disk.",
            ) from None
        candidate = (folder / from_sidecar).resolve()
        if not candidate.is_relative_to(folder.resolve()):
            raise ImageError(
                f"{source}: the sidecar's image '{from_sidecar}' is outside the article's folder.",
                "Put the image next to the article, or give it with --image.",
            )
        return inspect_image(folder / from_sidecar, warned, folders=(folder,))
    for ext in IMAGE_EXTENSIONS:
        for candidate in (source.with_suffix(ext), source.with_suffix(ext.upper())):
            # lexists: a link to a picture elsewhere is found, then refused (not skipped).
            if os.path.lexists(candidate):
                return inspect_image(candidate, warned, folders=(folder,))
    return None


def inspect_image(
    path: Path, warned: list[str] | None = None, *, folders: tuple[Path, ...] | None = None
) -> Image:
    """Open and fully decode an image so a broken file fails here, not mid-render.

    Raises ImageError naming ``path`` for a missing file, one outside
    ``folders`` after resolving symlinks (a photo found beside the article must
    really be there; None: a path the user named), a format other than JPEG,
    PNG, WebP or GIF, more than ``MAX_PIXELS`` pixels, or a truncated or
    corrupt file.
    """
    from PIL import Image as PILImage

    data = read_file(
        path,
        PHOTO,
        folders,
        root_name="the article's folder",
        outside_hint="Copy the picture into the article's folder, or name it with --image.",
    )
    try:
        with warnings.catch_warnings(record=True) as caught, strict_decoding():
            # Above ~89 Mpx Pillow warns; we refuse far below that, so the warning is noise.
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            warnings.filterwarnings("always", message=CORRUPT_EXIF, category=UserWarning)
            with PILImage.open(io.BytesIO(data), formats=list(MEDIA_TYPES)) as img:
                width, height = img.size
                check_pixels(str(path), width, height)
                img.load()
                fmt = str(img.format)
                orientation = img.getexif().get(EXIF_ORIENTATION, 1)
    except ImageError:
        raise
    except PILImage.DecompressionBombError:
        raise ImageError(
            f"{path} has too many pixels to open safely "
            f"(the limit is {MAX_PIXELS // 1_000_000} million).",
            "Scale the photo down before publishing.",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(
            f"{path} is not a readable JPEG, PNG, WebP or GIF image ({exc}).",
            "Re-export the photo as JPEG, or leave it out.",
        ) from None
    if warned is not None and any(CORRUPT_EXIF in str(w.message) for w in caught):
        warned.append(f"{path.name} has corrupt EXIF data; its camera details were ignored")
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return Image(path=path, media_type=MEDIA_TYPES[fmt], width=width, height=height)


def check_pixels(name: str, width: int, height: int) -> None:
    """Raise ImageError when an image of ``width``×``height`` is above ``MAX_PIXELS``.

    >>> check_pixels("a.jpg", 4000, 3000)
    >>> check_pixels("big.jpg", 10000, 8000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.ImageError: big.jpg is 10000×8000 pixels (80 million), above the limit ...
    """
    if max(width, height) > MAX_SIDE:
        raise ImageError(
            f"{name} is {width}×{height} pixels, longer than {MAX_SIDE:,} pixels on a side.",
            "Scale or crop the photo before publishing (3000 pixels on the long edge is plenty).",
        )
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"{name} is {width}×{height} pixels ({width * height // 1_000_000} million), "
            f"above the limit of {MAX_PIXELS // 1_000_000} million.",
            "Scale the photo down before publishing (3000 pixels on the long edge is plenty).",
        )
