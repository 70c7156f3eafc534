"""Hyphens in print: a source's hyphens stay searchable, line breaking's are soft.

Two parts. ``join_compound_hyphens``: no line break right after a hyphen-minus
inside a word. ``print_font``: the theme fonts as the PDF embeds them, where the
hyphen that line breaking adds gets a glyph of its own.

A PDF's text layer maps each glyph to text (``ToUnicode``), one mapping per
glyph. The theme's fonts draw hyphen-minus (U+002D) and the hyphen WeasyPrint
adds when it hyphenates a line (``hyphenate-character``, U+2010) with one and
the same glyph, so both came out of ``pdftotext`` as whichever was drawn first:
"Iran-backed" could not be found, and "coali-tion" could not be told from a
real compound. Here each font gets a copy of its hyphen glyph (``hyphen.break``)
for U+2010; the PDF finisher then maps that glyph to SOFT HYPHEN (U+00AD), which
text extractors and search drop to join the word (``pdf.soft_hyphens``).

Copying a glyph means rewriting the font (fontTools, a second or so per face),
so the result is kept on disk, named after the font's bytes, in the user's
cache folder; it is a function of those bytes alone, and rebuilt when missing.
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

#: The name of the added glyph, and what the cached files depend on besides the font.
HYPHEN_GLYPH = "hyphen.break"
_RECIPE = b"publisher print font 1: U+2010 -> copy of the hyphen-minus glyph\n"
HYPHEN = 0x2D
BREAK_HYPHEN = 0x2010


#: A hyphen-minus inside a word ("Iran-backed"), where a line may not break in print.
_COMPOUND_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
#: WORD JOINER: no break here, and nothing drawn or extracted.
_WORD_JOINER = "\u2060"


def join_compound_hyphens(root: Any) -> None:
    """Keep every line break away from a hyphen-minus inside a word, in the parsed ``root``.

    Text extractors take a hyphen-minus at the end of a line for hyphenation
    and drop it (poppler's ``pdftotext`` turns "well-" / "known" into
    "wellknown"), so a compound broken at its own hyphen could not be found as
    written. A WORD JOINER after such a hyphen keeps the compound's halves on
    one line; the halves still hyphenate (with soft hyphens, see ``print_fonts``).
    Only text is touched, never markup, attributes, styles or scripts.

    >>> from lxml import etree
    >>> root = etree.fromstring('<p xmlns="http://www.w3.org/1999/xhtml" id="a-b">x-y</p>')
    >>> join_compound_hyphens(root)
    >>> root.text.count("\u2060"), root.get("id")
    (1, 'a-b')
    """
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions keep their text
        if element.text and element.tag.rpartition("}")[2] not in ("style", "script"):
            element.text = _COMPOUND_HYPHEN.sub("-" + _WORD_JOINER, element.text)
        if element.tail:
            element.tail = _COMPOUND_HYPHEN.sub("-" + _WORD_JOINER, element.tail)


def print_font(data: bytes) -> bytes | None:
    """``data`` (an OpenType or TrueType font) with U+2010 on a copy of its hyphen glyph.

    None when the font needs nothing: no hyphen-minus, or U+2010 already drawn
    by a glyph of its own. Cached on disk by the font's bytes.
    """
    key = hashlib.sha256(_RECIPE + data).hexdigest()
    cached = _cache_folder() / f"{key}.font"
    try:
        found = cached.read_bytes()
    except OSError:
        found = None
    if found is not None:
        return found or None  # an empty file records "nothing to do"
    made = _with_break_hyphen(data)
    _store(cached, made or b"")
    return made


def _with_break_hyphen(data: bytes) -> bytes | None:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    # lazy: tables we do not touch are copied as they are; the timestamp is kept.
    font = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
    cmap = font.getBestCmap() or {}
    hyphen = cmap.get(HYPHEN)
    if hyphen is None or cmap.get(BREAK_HYPHEN) not in (None, hyphen):
        return None
    order = list(font.getGlyphOrder())
    if HYPHEN_GLYPH in order:
        return None
    if "CFF " in font:
        top = font["CFF "].cff.topDictIndex[0]
        strings = top.CharStrings
        strings.charStringsIndex.append(strings.charStringsIndex[strings.charStrings[hyphen]])
        strings.charStrings[HYPHEN_GLYPH] = len(strings.charStringsIndex) - 1
        top.charset.append(HYPHEN_GLYPH)
    elif "glyf" in font:
        font["glyf"][HYPHEN_GLYPH] = copy.deepcopy(font["glyf"][hyphen])
    else:
        return None  # CFF2 or bitmap fonts: left as they are
    font["hmtx"][HYPHEN_GLYPH] = font["hmtx"][hyphen]
    font.setGlyphOrder([*order, HYPHEN_GLYPH])
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[BREAK_HYPHEN] = HYPHEN_GLYPH
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "publisher" / "fonts"


def _store(path: Path, data: bytes) -> None:
    """Write ``path`` atomically; a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".font-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        return
