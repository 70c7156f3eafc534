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

Two conventions of wire copy are read too: lines starting with ``- `` or ``* ``
are bulleted list items and lines starting with ``1. `` (up to three digits)
numbered ones (a following line without a marker continues the item); and
HTML entities left in the text (``Jos&#233;``, ``&amp;``) are decoded, each
line that had one logged as an ``html-entities`` change.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

from publisher.errors import InputError
from publisher.model import Change, RawArticle
from publisher.readers.decode import decode

FILE_EXTENSIONS = (".txt", ".text")

#: Hard-wrapped text is wrapped at 60-80 characters. Blocks whose longest line
#: is outside these bounds are one paragraph per line.
_MIN_WRAP_WIDTH = 45
_MAX_WRAP_WIDTH = 100
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")
#: A list item's marker at the start of a line: "- ", "* " or "12. ".
_LIST_MARKER = re.compile(r"^(?:[-*]|(?P<number>\d{1,3})\.)[ \t]+(?=\S)")
#: An HTML entity: named (&eacute;), decimal (&#233;) or hexadecimal (&#xE9;).
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read a plain-text article from its bytes."""
    decoded = decode(data, encoding)
    text, entity_changes = decode_entities(decoded.text)
    headline, caption, blocks = split_blocks(text)
    paragraphs = tuple(text for text, _ in blocks)
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
        changes=(*decoded.changes, *entity_changes),
        kinds=tuple(kind for _, kind in blocks) if any(k != "p" for _, k in blocks) else (),
    )


def decode_entities(text: str) -> tuple[str, tuple[Change, ...]]:
    """Decode HTML entities left in plain text; log each line that had one.

    >>> text, changes = decode_entities("Jos&#233; said AT&amp;T &c.")
    >>> text, [(c.rule, c.where) for c in changes]
    ('José said AT&T &c.', [('html-entities', 'line 1')])
    """
    if "&" not in text:
        return text, ()
    changes: list[Change] = []
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if not _ENTITY.search(line):
            continue
        decoded = _ENTITY.sub(lambda m: html.unescape(m.group(0)), line)
        if decoded != line:
            changes.append(Change("html-entities", f"line {number}", line[:120], decoded[:120]))
            lines[number - 1] = decoded
    return "\n".join(lines), tuple(changes)


def split_blocks(text: str) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
    """Split article text into headline, caption and (paragraph, kind) blocks.

    List items keep a "• " or "3. " marker in their text (``RawArticle.kinds``).

    >>> split_blocks("Title\\n\\nIntro.\\n- one\\n- two\\n  more\\n\\n1. first")
    ... # doctest: +NORMALIZE_WHITESPACE
    ('Title', None, (('Intro.', 'p'), ('• one', 'bullet'), ('• two more', 'bullet'),
                     ('1. first', 'number')))
    """
    headline, caption, lines = _headline_and_rest(text)
    blocks: list[tuple[str, str]] = []
    for block in _blocks(lines):
        blocks.extend(_list_or_paragraphs(block))
    return headline, caption, tuple(blocks)


def _list_or_paragraphs(lines: list[str]) -> list[tuple[str, str]]:
    """A block of lines as paragraphs, or as list items where lines start with a marker."""
    if not any(_LIST_MARKER.match(line.strip()) for line in lines):
        return [(paragraph, "p") for paragraph in unwrap(lines)]
    found: list[tuple[str, str]] = []
    before: list[str] = []
    for line in (line.strip() for line in lines):
        marker = _LIST_MARKER.match(line)
        if marker is None and not found:
            before.append(line)
            continue
        if before:
            found[:0] = [(paragraph, "p") for paragraph in unwrap(before)]
            before = []
        if marker is None:
            text, kind = found[-1]
            found[-1] = (f"{text} {line}", kind)
        elif marker.group("number"):
            found.append((f"{marker.group('number')}. {line[marker.end() :]}", "number"))
        else:
            found.append((f"• {line[marker.end() :]}", "bullet"))
    return found


def split_article(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    """Split article text into headline, caption and paragraphs.

    >>> split_article("Title\\nCaption (AP)\\n\\n\\nOne.\\n \\nTwo.")
    ('Title', 'Caption (AP)', ('One.', 'Two.'))
    >>> split_article("Title\\n\\nOne.")
    ('Title', None, ('One.',))
    """
    headline, caption, rest = _headline_and_rest(text)
    paragraphs: list[str] = []
    for block in _blocks(rest):
        paragraphs.extend(unwrap(block))
    return headline, caption, tuple(paragraphs)


def _headline_and_rest(text: str) -> tuple[str, str | None, list[str]]:
    """The headline, the caption under it (or None), and the lines after them."""
    lines = [line.rstrip() for line in _LINE_BREAKS.split(text)]
    lines = ["" if not line.strip() else line for line in lines]
    start = next((i for i, line in enumerate(lines) if line), None)
    if start is None:
        return "", None, []
    headline = lines[start].strip()
    rest = lines[start + 1 :]
    caption = None
    if rest and rest[0]:
        caption = rest[0].strip()
        rest = rest[1:]
    return headline, caption, rest


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
