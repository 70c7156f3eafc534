"""A request's files, written into a fresh temporary folder under names the server chooses.

Only the extension of an uploaded file's name is used, and only when it is
one publisher reads; the file is saved as ``article<ext>`` (``photo<ext>``,
``article.toml``). Nothing else from the request is ever joined to a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from publisher.errors import ImageError, InputError, UsageError

#: Article formats by the request's Content-Type, when the article is the whole body.
BODY_TYPES = {
    "application/json": ".json",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/html": ".html",
}


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: the name the client gave (for its extension only) and its bytes."""

    filename: str
    data: bytes


def extension_of(filename: str) -> str:
    """The lower-case extension of a client's file name, whatever folders it pretends to have.

    >>> extension_of("../../etc/passwd"), extension_of("C:\\\\news\\\\Story.TXT")
    ('', '.txt')
    """
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def write_uploads(
    folder: Path, article: Upload, photo: Upload | None, sidecar: Upload | None
) -> tuple[Path, Path | None]:
    """Save the files into ``folder``; return the article's path and the photo's (or None)."""
    from publisher.readers import supported_extensions
    from publisher.readers.images import IMAGE_EXTENSIONS

    ext = extension_of(article.filename)
    if ext not in supported_extensions():
        raise InputError(
            f"article{ext}: publisher cannot read '{ext or 'extensionless'}' files.",
            f"Supported: {', '.join(supported_extensions())}.",
        )
    article_path = folder / f"article{ext}"
    article_path.write_bytes(article.data)
    photo_path = None
    if photo is not None:
        photo_ext = extension_of(photo.filename)
        if photo_ext not in IMAGE_EXTENSIONS:
            raise ImageError(
                f"photo{photo_ext}: not a picture publisher can print.",
                f"Send a JPEG, PNG, WebP or GIF named with one of {', '.join(IMAGE_EXTENSIONS)}.",
            )
        photo_path = folder / f"photo{photo_ext}"
        photo_path.write_bytes(photo.data)
    if sidecar is not None:
        if extension_of(sidecar.filename) not in ("", ".toml"):
            raise UsageError("the sidecar must be a TOML file.", "Send the article's .toml file.")
        (folder / "article.toml").write_bytes(sidecar.data)
    return article_path, photo_path
