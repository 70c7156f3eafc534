"""What the wire readers share: element look-ups, bylines, dates, pictures, the article."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from publisher.errors import InputError
from publisher.model import (
    Block,
    Figure,
    Metadata,
    Paragraph,
    RawArticle,
    Text,
    flatten,
    plain_text,
)
from publisher.readers.images import IMAGE_EXTENSIONS
from publisher.readers.values import check_date, check_language
from publisher.readers.wire.safexml import local_name

_SPACE = re.compile(r"\s+")
_BY = re.compile(r"^\s*(?:by|par|von|av|door|di|por)\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bog\b|\boch\b)\s*")
#: ISO 8601 dates as agencies write them, basic (20210516T090004) or extended.
_DATE = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


def squash(text: str | None) -> str:
    """Text with its white space runs made single spaces, trimmed.

    >>> squash("  Fed to\\n   halt ")
    'Fed to halt'
    """
    return _SPACE.sub(" ", text or "").strip()


def kids(element: Any, *names: str) -> Iterator[Any]:
    """The child elements of ``element`` with one of ``names`` (any namespace)."""
    if element is None:
        return
    for child in element:
        if local_name(child) in names:
            yield child


def kid(element: Any, *path: str) -> Any:
    """The first element down ``path`` (one local name per level), or None."""
    for name in path:
        element = next(kids(element, name), None)
        if element is None:
            return None
    return element


def descendants(element: Any, name: str) -> Iterator[Any]:
    """Every element below ``element`` named ``name`` (any namespace), in document order."""
    for node in element.iter():
        if node is not element and local_name(node) == name:
            yield node


def text_of(element: Any) -> str:
    """All the text inside ``element``, white space squashed ('' for None)."""
    if element is None:
        return ""
    return squash("".join(element.itertext()))


def authors_from_byline(byline: str) -> tuple[str, ...]:
    """The names in a byline: "By A and B" -> (A, B); job titles are left to the caller.

    >>> authors_from_byline("By Paulo Santalucia and Frances d'Emilio")
    ('Paulo Santalucia', "Frances d'Emilio")
    >>> authors_from_byline("NTB-AFP-DPA")
    ('NTB-AFP-DPA',)
    """
    text = _BY.sub("", squash(byline)).strip(" ,;")
    return tuple(name for name in (n.strip(" ,;") for n in _SEPARATORS.split(text)) if name)


def wire_date(value: str | None, where: str, warnings: list[str]) -> str | None:
    """An agency's date as ISO 8601 (basic ``20210516T090004`` made extended), or None.

    >>> wire_date("20210516T090004", "x", []), wire_date("2013-07-09T10:37:00Z", "x", [])
    ('2021-05-16T09:00:04', '2013-07-09T10:37:00+00:00')
    >>> wire_date("2010-10-20", "x", [])
    '2010-10-20'
    """
    text = squash(value)
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        warnings.append(f"{where} '{text}' is not an ISO 8601 date; it was not used")
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    iso = f"{year}-{month}-{day}"
    if hour is not None:
        iso += f"T{hour}:{minute}:{second or '00'}"
        if zone == "Z":
            iso += "+00:00"
        elif zone:
            digits = zone[1:].replace(":", "")
            iso += f"{zone[0]}{digits[:2]}:{digits[2:4] or '00'}"
    try:
        return check_date(iso, where)
    except InputError:
        warnings.append(f"{where} '{text}' is not a real date; it was not used")
        return None


def language_tag(value: str | None, where: str, warnings: list[str]) -> str | None:
    """A BCP 47 tag, or None (with a warning) when ``value`` is not one."""
    text = squash(value)
    if not text:
        return None
    try:
        return check_language(text, where)
    except InputError:
        warnings.append(f"{where} '{text}' is not a language tag; it was not used")
        return None


def local_picture(href: str | None, path: Path, warnings: list[str], what: str) -> str | None:
    """``href`` as a picture file inside the input's folder, or None with a warning.

    Nothing is ever fetched: a remote picture (http, https, any scheme but a
    relative path) is left out and said so; so is a file that is missing,
    outside the folder or not a JPEG, PNG, WebP or GIF by its name.
    """
    src = (href or "").strip()
    if not src:
        return None
    shown = src if len(src) <= 70 else src[:67] + "..."
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith(("/", "//")):
        warnings.append(f"{what} {shown} is not a local file; it was left out (nothing is fetched)")
        return None
    folder = path.parent.resolve()
    candidate = (folder / unquote(parts.path)).resolve()
    if not candidate.is_relative_to(folder):
        warnings.append(f"{what} {shown} is outside the file's folder; it was left out")
        return None
    if not candidate.is_file():
        warnings.append(f"{what} {shown} was not found next to {path.name}; it was left out")
        return None
    if candidate.suffix.lower() not in IMAGE_EXTENSIONS:
        warnings.append(f"{what} {shown} is not a JPEG, PNG, WebP or GIF; it was left out")
        return None
    return candidate.relative_to(folder).as_posix()


def plain_paragraphs(text: str) -> tuple[Block, ...]:
    """Plain text as paragraphs: split at blank lines, else at line ends."""
    text = text.replace("\r\n", "\n").strip()
    parts = re.split(r"\n\s*\n", text) if "\n\n" in text else text.split("\n")
    return tuple(Paragraph((Text(squash(p)),)) for p in parts if squash(p))


@dataclass(frozen=True, slots=True)
class Story:
    """What a wire reader found, before it becomes a RawArticle."""

    headline: str
    blocks: tuple[Block, ...]
    metadata: Metadata
    dateline: str | None = None


def to_raw(story: Story, path: Path, encoding: str, warnings: list[str]) -> RawArticle:
    """The RawArticle of a story: its first picture is the article's photo.

    The first figure of the body (its file already found locally) becomes the
    article's photo, with its caption and credit; later figures stay where
    they are. A story that is only a picture keeps it as a figure, so its
    caption is the text.
    """
    headline = squash(story.headline)
    if not headline:
        raise InputError(
            f"{path} has no headline.", "The wire file must carry its headline (hl1, headline)."
        )
    blocks = story.blocks
    metadata = story.metadata
    caption = credit = None
    first = next((i for i, b in enumerate(blocks) if isinstance(b, Figure)), None)
    rest = blocks[:first] + blocks[first + 1 :] if first is not None else blocks
    if first is not None and flatten(rest) and not metadata.image:
        figure = blocks[first]
        assert isinstance(figure, Figure)
        blocks = rest
        metadata = Metadata(image=figure.src).merged_over(metadata)
        caption = plain_text(figure.caption) or figure.alt or None
        credit = figure.credit
    flat = flatten(blocks)
    if not flat:
        raise InputError(
            f"{path} has a headline but no text.",
            "The wire file's text (NITF body.content, NewsML-G2 inlineXML, ninjs body) is empty.",
        )
    return RawArticle(
        source=path,
        headline=headline,
        caption=caption,
        paragraphs=tuple(text for text, _ in flat),
        metadata=metadata,
        encoding=encoding,
        credit=credit,
        warnings=tuple(dict.fromkeys(warnings)),
        kinds=tuple(kind for _, kind in flat),
        body=blocks,
        dateline=squash(story.dateline) or None,
    )
