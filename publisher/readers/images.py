"""Locate and inspect an article's photo.

Where the image comes from, first match wins: ``--image PATH`` on the command
line, the sidecar's ``image`` (relative to the input's folder and inside it),
or a file named like the input with a .jpg, .jpeg, .png or .webp extension.
"""

from __future__ import annotations

from pathlib import Path

from publisher.errors import ImageError
from publisher.model import Image

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")
#: Pillow format name -> media type, for the formats an EPUB reader must show.
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Refuse images above this many pixels (Pillow's bomb warning starts at ~89 Mpx).
MAX_PIXELS = 40_000_000


def find_image(source: Path, explicit: Path | None, from_sidecar: str | None) -> Image | None:
    """Return the article's image, or None when it has none."""
    if explicit is not None:
        return inspect_image(explicit)
    folder = source.parent
    if from_sidecar:
        candidate = (folder / from_sidecar).resolve()
        if not candidate.is_relative_to(folder.resolve()):
            raise ImageError(
                f"{source}: the sidecar's image '{from_sidecar}' is outside the article's folder.",
                "Put the image next to the article, or give it with --image.",
            )
        return inspect_image(folder / from_sidecar)
    for ext in IMAGE_EXTENSIONS:
        for candidate in (source.with_suffix(ext), source.with_suffix(ext.upper())):
            if candidate.is_file():
                return inspect_image(candidate)
    return None


def inspect_image(path: Path) -> Image:
    """Open and fully decode an image so a broken file fails here, not mid-render."""
    from PIL import Image as PILImage

    if not path.is_file():
        raise ImageError(f"{path}: no such image file.", "Check the image path.")
    try:
        with PILImage.open(path, formats=list(MEDIA_TYPES)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{path} is {width}×{height} pixels, above the limit of "
                    f"{MAX_PIXELS // 1_000_000} million.",
                    "Scale the photo down before publishing.",
                )
            img.load()
            fmt = str(img.format)
    except ImageError:
        raise
    except PILImage.DecompressionBombError:
        raise ImageError(f"{path} is too large to open safely.", "Scale it down.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(
            f"{path} is not a readable JPEG, PNG or WebP image ({exc}).",
            "Re-export the photo, or leave it out.",
        ) from None
    return Image(path=path, media_type=MEDIA_TYPES[fmt], width=width, height=height)
