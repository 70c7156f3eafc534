"""The plain-text reader: headline, caption, paragraphs.

Layout of a plain-text article::

    Headline on the first non-blank line
    Photo caption directly under it (no blank line between), ending in a credit (AFP)

    First paragraph.

    Second paragraph.

Paragraphs are separated by blank lines (lines holding only whitespace count as
blank; runs of them are one break). Two other layouts are common in archives
and handled too: one paragraph per line with no blank lines, and hard-wrapped
text (lines of 60-80 characters) that must be joined back into paragraphs.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from publisher.errors import InputError
from publisher.model import RawArticle
from publisher.readers.decode import decode

FILE_EXTENSIONS = (".txt", ".text")

#: Hard-wrapped text is wrapped at 60-80 characters. Blocks whose longest line
#: is outside these bounds are one paragraph per line.
_MIN_WRAP_WIDTH = 45
_MAX_WRAP_WIDTH = 100
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read a plain-text article from its bytes."""
    decoded = decode(data, encoding)
    headline, caption, paragraphs = split_article(decoded.text)
    if not headline:
        raise InputError(
            f"{path} has no text, only whitespace.", "Give a file with a headline and paragraphs."
        )
    if not paragraphs:
        raise InputError(
            f"{path} has a headline but no paragraphs.",
            "Add the article's text under the headline, separated by a blank line.",
        )
    return RawArticle(
        source=path,
        headline=headline,
        caption=caption,
        paragraphs=paragraphs,
        encoding=decoded.encoding,
        changes=decoded.changes,
    )


def split_article(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Split article text into headline, caption and paragraphs.

    >>> split_article("Title\\nCaption (AP)\\n\\n\\nOne.\\n \\nTwo.")
    ('Title', 'Caption (AP)', ('One.', 'Two.'))
    >>> split_article("Title\\n\\nOne.")
    ('Title', None, ('One.',))
    """
    lines = [line.rstrip() for line in _LINE_BREAKS.split(text)]
    lines = ["" if not line.strip() else line for line in lines]
    start = next((i for i, line in enumerate(lines) if line), None)
    if start is None:
        return "", None, ()
    headline = lines[start].strip()
    rest = lines[start + 1 :]
    caption = None
    if rest and rest[0]:
        caption = rest[0].strip()
        rest = rest[1:]
    paragraphs: list[str] = []
    for block in _blocks(rest):
        paragraphs.extend(unwrap(block))
    return headline, caption, tuple(paragraphs)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group non-blank lines into blocks separated by blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def unwrap(lines: list[str]) -> list[str]:
    """Turn one block of lines into paragraphs.

    A line ends a paragraph when the first word of the next line would have
    fitted on it: a wrapping editor would have put it there, so the break was
    meant. This tells hard-wrapped prose (join the lines) from one paragraph
    per line (keep them apart) without guessing from punctuation.

    >>> unwrap(["The U.S. and Iraq agreed to establish a committee to",
    ...         "start talks, Baghdad said."])
    ['The U.S. and Iraq agreed to establish a committee to start talks, Baghdad said.']
    >>> unwrap(["First paragraph on its own line.", "Second paragraph on its own line."])
    ['First paragraph on its own line.', 'Second paragraph on its own line.']
    """
    lines = [line.strip() for line in lines]
    width = max(len(line) for line in lines)
    if len(lines) == 1 or not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return lines
    paragraphs: list[str] = []
    current = lines[0]
    for previous, line in itertools.pairwise(lines):
        first_word = line.split(" ", 1)[0]
        if len(previous) + 1 + len(first_word) <= width:
            paragraphs.append(current)
            current = line
        elif current.endswith("-") and current[-2:-1].isalpha():
            current += line  # a word split by the wrapping: keep the hyphen, drop the break
        else:
            current = f"{current} {line}"
    paragraphs.append(current)
    return paragraphs
