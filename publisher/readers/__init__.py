"""Readers: one module per input format, registered by file extension.

``read_article`` checks the input file, picks the reader for its extension,
lays the sidecar metadata and the caller's overrides over what the reader
found, and locates the article's image. Readers only read; they never clean
text (that is the normaliser's job).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.errors import ImageError, InputError
from publisher.files import ARTICLE, read_file
from publisher.model import Block, Figure, Metadata, RawArticle, map_blocks
from publisher.readers.images import find_image, inspect_image
from publisher.readers.sidecar import read_sidecar

if TYPE_CHECKING:
    from publisher.readers import wire

#: Inputs above this size are refused: an article is a few hundred kilobytes at
#: most, and a bigger file is almost always the wrong file (a dump, a binary).
MAX_INPUT_BYTES = ARTICLE.limit

#: A reader turns the bytes of one file into a raw article.
Reader = Callable[[bytes, Path, str | None], RawArticle]

#: The reader module of each file extension (each module's ``FILE_EXTENSIONS``;
#: tests/test_readers.py checks they agree). Named, not imported: a module is
#: imported when a file of its kind is read, so a .txt build does not load the
#: HTML, JSON, Markdown and wire readers (~0.03 s of a one-article build).
READER_MODULES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "jsonfile",
    ".xml": "wire",
}


def supported_extensions() -> tuple[str, ...]:
    """The file extensions publisher can read, e.g. ``('.txt', '.text')``."""
    return tuple(sorted(READER_MODULES))


def read_article(
    path: Path,
    *,
    overrides: Metadata | None = None,
    image: Path | None = None,
    encoding: str | None = None,
    strict: bool = False,
) -> RawArticle:
    """Read one article file, with its sidecar ``<stem>.toml`` and image.

    Metadata precedence: ``overrides`` (the command line) over the sidecar over
    what the reader found in the file. ``image`` (the command line) wins over
    the sidecar's ``image`` and over a picture named like the input.
    ``strict``: a web page whose text looks like page furniture (a menu, a
    footer) is refused instead of built with a warning.
    """
    reader = _reader_for(path)
    data = read_input_bytes(path)
    raw = reader(data, path, encoding)
    if strict:
        from publisher.readers.html import JUNK_WARNING

        junk = [w for w in raw.warnings if w.startswith(JUNK_WARNING)]
        if junk:
            raise InputError(
                f"{path}: {junk[0]}.",
                "Save the article's own page, or give its text as a .txt file "
                "(without --strict this is a warning).",
            )
    return _complete(raw, path, overrides, image)


def _complete(
    raw: RawArticle, path: Path, overrides: Metadata | None, image: Path | None
) -> RawArticle:
    """A reader's article with the sidecar and overrides laid over it, its pictures found."""
    metadata = (overrides or Metadata()).merged_over(read_sidecar(path).merged_over(raw.metadata))
    warned: list[str] = []
    found = find_image(path, image, metadata.image, warned)
    body = map_blocks(raw.body, lambda block: _inspect_figure(block, path, warned))
    return replace(
        raw, metadata=metadata, image=found, warnings=(*raw.warnings, *warned), body=body
    )


def package_of(path: Path) -> wire.Package | None:
    """The NewsML-G2 package an input is, or None when it is one article (or not XML).

    Read before building: a package builds a collection, not an article.
    """
    if READER_MODULES.get(path.suffix.lower()) != "wire":
        return None
    from publisher.readers import wire

    return wire.package_of(read_input_bytes(path), path)


def read_package_articles(
    package: wire.Package, *, overrides: Metadata | None = None
) -> tuple[RawArticle, ...]:
    """Every item of a package as an article, in the package's order.

    Each item gets the sidecar of the file it is in and the command line's
    metadata overrides; the package's own warnings go with its first item.
    """
    from publisher.readers import wire

    articles = []
    for number, item in enumerate(package.items):
        raw = wire.read_package_item(item.element, item.path)
        if number == 0 and package.warnings:
            raw = replace(raw, warnings=(*package.warnings, *raw.warnings))
        articles.append(_complete(raw, item.path, overrides, None))
    return tuple(articles)


def _inspect_figure(block: Block, path: Path, warned: list[str]) -> Block:
    """A body figure with its image file located (inside the article's folder) and inspected."""
    if not isinstance(block, Figure) or block.image is not None:
        return block
    folder = path.parent.resolve()
    candidate = (folder / block.src).resolve()
    if not candidate.is_relative_to(folder):
        raise ImageError(
            f"{path}: the image '{block.src}' is outside the article's folder.",
            "Put the image next to the article.",
        )
    return replace(block, image=inspect_image(candidate, warned))


def read_input_bytes(path: Path) -> bytes:
    """Return the bytes of a regular, readable, non-empty file of sane size (``files.ARTICLE``)."""
    data = read_file(path, ARTICLE)
    if not data.strip():
        raise InputError(f"{path} is empty.", "Give a file with a headline and paragraphs.")
    return data


def _reader_for(path: Path) -> Reader:
    module = READER_MODULES.get(path.suffix.lower())
    if module is None:
        known = ", ".join(supported_extensions())
        raise InputError(
            f"{path}: publisher cannot read '{path.suffix or 'extensionless'}' files.",
            f"Supported: {known}.",
        )
    reader: Reader = importlib.import_module(f"publisher.readers.{module}").read
    return reader
