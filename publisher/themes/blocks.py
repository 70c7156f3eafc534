"""The template filter ``grouped``: an article's blocks as the runs a template writes.

A template cannot look ahead, so list items are gathered here: consecutive
bullets become one ``<ul>``, consecutive numbered items one ``<ol>``,
consecutive quoted paragraphs one ``<blockquote>``. A list item's marker
("• ", "3. ") is taken off its text; a number becomes the item's ``value``,
so a list split by a nested one still counts right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["grouped"]

_NUMBER = re.compile(r"^(\d{1,9})[.)]\s+")
#: Kinds that gather into one element when they follow each other.
_RUNS = frozenset(("bullet", "number", "quote"))


def grouped(blocks: Iterable[tuple[str, str]]) -> list[tuple[str, list[tuple[int | None, str]]]]:
    """Group (text, kind) blocks into (kind, [(value, text), ...]) runs.

    >>> grouped([("Intro", "p"), ("• A", "bullet"), ("• B", "bullet"), ("3. C", "number"),
    ...          ("Said", "quote"), ("Heard", "quote"), ("Next", "subhead"), ("End", "p")])
    ... # doctest: +NORMALIZE_WHITESPACE
    [('p', [(None, 'Intro')]), ('bullet', [(None, 'A'), (None, 'B')]), ('number', [(3, 'C')]),
     ('quote', [(None, 'Said'), (None, 'Heard')]), ('subhead', [(None, 'Next')]),
     ('p', [(None, 'End')])]
    """
    runs: list[tuple[str, list[tuple[int | None, str]]]] = []
    for text, kind in blocks:
        value: int | None = None
        if kind == "bullet":
            text = text.removeprefix("• ")
        elif kind == "number" and (match := _NUMBER.match(text)):
            value, text = int(match.group(1)), text[match.end() :]
        if runs and kind in _RUNS and runs[-1][0] == kind:
            runs[-1][1].append((value, text))
        else:
            runs.append((kind, [(value, text)]))
    return runs
