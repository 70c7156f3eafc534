"""The normaliser: RawArticle -> Article through small, named, pure fixes.

Each text field (headline, caption, each paragraph) goes through the text
fixes in order; every fix that changes a field is recorded as a Change with an
excerpt of what it changed. Then the caption's credit is split off, a dateline
is found, and the metadata is completed (language, identifier, date).

Order of the text fixes, by rule name:

1. ``mojibake`` -- ftfy's encoding repair only (never quotes, dashes, ligatures)
2. ``remove-invisibles`` -- controls, stray BOMs, bidi controls, zero-width spaces
3. ``unicode-nfc`` -- composed characters
4. ``whitespace`` -- one line, single spaces, trimmed
5. ``dashes``, ``ellipses``, ``smart-quotes``, ``no-break-spaces`` and, for French,
   ``french-spacing`` -- typography for the article's language

The body is the document tree: each block's text (a paragraph, a heading, a
table cell, a caption, a footnote) goes through the same fixes as one string,
so quotes pair across emphasis and links; inline code, code blocks and URLs
are never changed (``publisher.normalise.tree``, which also says how ``where``
names each place: ``paragraph 3``, ``table 1, row 2, cell 1``, ``footnote 2``).

Then ``caption-credit`` and ``caption-end`` on the caption, ``dateline`` on the
first paragraph (when the body opens with one), and ``empty-paragraph`` for
paragraphs that held only invisible characters. ``where`` counts paragraphs as
they were in the input.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace

from publisher.model import Article, Block, Change, Paragraph, RawArticle, flatten, plain_text
from publisher.normalise.caption import (
    clean_credit,
    credit_name,
    split_credit,
    tidy_caption_end,
)
from publisher.normalise.dateline import news_dateline, standalone_date
from publisher.normalise.fixes import (
    fix_mojibake,
    normalise_unicode,
    normalise_whitespace,
    remove_invisibles,
)
from publisher.normalise.language import DEFAULT_LANGUAGE, detect_language
from publisher.normalise.tree import rewrite_blocks
from publisher.normalise.typography import Fix, typography_fixes

__all__ = [
    "CHARACTER_FIXES",
    "content_identifier",
    "normalise",
    "normalise_text",
    "text_fixes",
]

#: The language-independent fixes, in order, with their rule names.
CHARACTER_FIXES: tuple[tuple[str, Fix], ...] = (
    ("mojibake", fix_mojibake),
    ("remove-invisibles", remove_invisibles),
    ("unicode-nfc", normalise_unicode),
    ("whitespace", normalise_whitespace),
)

#: Characters of unchanged text shown on each side of a change.
_CONTEXT = 12
_EXCERPT_LIMIT = 120
#: How far ahead to look for the text to line up again after a difference,
#: and how many equal characters count as lined up; regions shown per change.
_WINDOW = 16
_ANCHOR = 4
_MAX_REGIONS = 4


def text_fixes(language: str) -> list[tuple[str, Fix]]:
    """Every text fix for a language, in the order they run.

    >>> [name for name, _ in text_fixes("en")]  # doctest: +NORMALIZE_WHITESPACE
    ['mojibake', 'remove-invisibles', 'unicode-nfc', 'whitespace',
     'dashes', 'ellipses', 'smart-quotes', 'no-break-spaces']
    """
    return [*CHARACTER_FIXES, *typography_fixes(language)]


def normalise_text(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Run every text fix on one field (no change log).

    >>> normalise_text('He said "it\\'s the 90s... -- or was it?"  ')
    'He said “it’s the 90s… — or was it?”'
    """
    for _, fix in text_fixes(language):
        text = fix(text)
    return text


def normalise(raw: RawArticle) -> Article:
    """Clean a raw article's text and complete its metadata; log every change.

    >>> from pathlib import Path
    >>> raw = RawArticle(Path("a.txt"), 'Iraq\\'s "plan"', "Troops. (AFP)", ("BAGHDAD -- Hi...",))
    >>> article = normalise(raw)
    >>> article.headline, article.caption, article.credit, article.dateline
    ('Iraq’s “plan”', 'Troops.', 'AFP', 'BAGHDAD')
    >>> article.paragraphs, article.metadata.language
    (('BAGHDAD — Hi…',), 'en')
    >>> [c.rule for c in article.changes]  # doctest: +NORMALIZE_WHITESPACE
    ['smart-quotes', 'dashes', 'ellipses', 'caption-credit', 'dateline']
    """
    changes: list[Change] = list(raw.changes)
    fields = [("headline", raw.headline)]
    if raw.caption is not None:
        fields.append(("caption", raw.caption))
    if raw.credit is not None:
        fields.append(("credit", raw.credit))

    cleaned = [(where, _clean_characters(text, where, changes)) for where, text in fields]

    def removed(where: str, text: str) -> None:
        changes.append(Change("empty-paragraph", where, _excerpt(text, "")[0], ""))

    body = rewrite_blocks(
        raw.content, lambda text, where: _clean_characters(text, where, changes), removed
    )
    language = raw.metadata.language
    if not language:
        headline = next(text for where, text in cleaned if where == "headline")
        language = detect_language(" ".join((headline, *(t for t, _ in flatten(body)))))
    typography = typography_fixes(language)
    # Fields are kept in the order they came, so the change log reads top to bottom.
    texts = {where: _apply(typography, text, where, changes) for where, text in cleaned}
    body = rewrite_blocks(
        body, lambda text, where: _apply(typography, text, where, changes), removed
    )
    caption, credit = _split_caption(texts.get("caption", ""), texts.get("credit"), changes)
    # Tidying the caption's end gives its last quote new neighbours: typeset again.
    caption = _apply(typography, caption, "caption", changes)
    # A dateline opens the text: a subheading or list item is not one. A wire
    # format names its dateline apart from the text: then that one is used.
    dateline: str | None
    date: str | None
    if raw.dateline and raw.dateline.strip():
        given = _clean_characters(raw.dateline.strip(), "dateline", changes)
        dateline, date = _apply(typography, given, "dateline", changes), None
    else:
        dateline, date, body = _find_dateline(body, changes)

    flat = flatten(body)
    final = tuple(text for text, _ in flat)
    kinds = tuple(kind for _, kind in flat)
    headline = texts["headline"]
    metadata = replace(
        raw.metadata,
        language=language,
        identifier=raw.metadata.identifier or content_identifier(headline, final),
        date=raw.metadata.date or date,
    )
    return Article(
        source=raw.source,
        headline=headline,
        caption=caption or None,
        credit=credit,
        dateline=dateline,
        paragraphs=final,
        metadata=metadata,
        image=raw.image,
        encoding=raw.encoding,
        changes=tuple(changes),
        warnings=raw.warnings,
        kinds=kinds if any(k != "p" for k in kinds) else (),
        body=body,
    )


def content_identifier(headline: str, paragraphs: tuple[str, ...]) -> str:
    """A ``urn:uuid:`` that depends only on the text: the same article, the same id.

    >>> content_identifier("Title", ("One.",)) == content_identifier("Title", ("One.",))
    True
    >>> content_identifier("Title", ("One.",))[:9]
    'urn:uuid:'
    """
    content = "\n\n".join((headline, *paragraphs)).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(content).hexdigest()
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'urn:sha256:{digest}')}"


def _apply(fixes: tuple[tuple[str, Fix], ...] | list[tuple[str, Fix]], text: str, where: str,
           changes: list[Change]) -> str:  # fmt: skip
    for name, fix in fixes:
        fixed = fix(text)
        if fixed != text:
            changes.append(Change(name, where, *_excerpt(text, fixed)))
            text = fixed
    return text


def _clean_characters(text: str, where: str, changes: list[Change]) -> str:
    """The character fixes, repeated (at most thrice) until none changes anything.

    Removing a control character can join two halves of mojibake that ftfy
    could not see as one ("Â\\x1f\\x91"): a second round repairs it, so that
    normalising twice gives what normalising once gave.
    """
    for _ in range(3):
        before = len(changes)
        text = _apply(CHARACTER_FIXES, text, where, changes)
        if len(changes) == before:
            break
    return text


def _split_caption(
    caption: str, given: str | None, changes: list[Change]
) -> tuple[str, str | None]:
    """Split every trailing credit off the caption, then tidy its end.

    A credit the reader found itself (``given``) comes last; one that repeats a
    credit split off the caption is not repeated.
    """
    credits: list[str] = []
    rest, credit = split_credit(caption)
    while credit is not None:  # "... (AP) (AFP)": both are credits
        removed = caption[len(rest) :].strip()
        changes.append(
            Change(
                "caption-credit", "caption", f"{rest[-_CONTEXT:]} {removed}", f"credit: {credit}"
            )
        )
        credits.insert(0, credit)
        caption = rest
        rest, credit = split_credit(caption)
    if caption:
        tidied = tidy_caption_end(caption)
        if tidied != caption:
            changes.append(Change("caption-end", "caption", *_excerpt(caption, tidied)))
        caption = tidied
    if given:
        cleaned = clean_credit(given)
        if cleaned != given:
            changes.append(Change("credit-label", "credit", given, cleaned))
        if credit_name(cleaned).casefold() not in {credit_name(c).casefold() for c in credits}:
            credits.append(cleaned)
    return caption, "; ".join(credits) or None


def _find_dateline(
    body: tuple[Block, ...], changes: list[Change]
) -> tuple[str | None, str | None, tuple[Block, ...]]:
    """Find the dateline in the first paragraph; remove a standalone date (never the only block).

    Returns the dateline, the date it gives (standalone dates only) and the body.
    """
    first = body[0] if body else None
    if not isinstance(first, Paragraph):
        return None, None, body
    where = "paragraph 1"
    text = plain_text(first.content)
    date = standalone_date(text)
    if date is not None and len(body) > 1:
        changes.append(Change("dateline", where, text, f"dateline: {text} (date {date})"))
        return text, date, body[1:]
    dateline = news_dateline(text)
    if dateline is not None:
        changes.append(Change("dateline", where, _excerpt(text, "")[0], f"dateline: {dateline}"))
    return dateline, None, body


def _excerpt(before: str, after: str) -> tuple[str, str]:
    """The changed parts of ``before`` and ``after``, each with a little context.

    >>> _excerpt("Iraq's talks began on Monday and ended on Friday with a deal...",
    ...          "Iraq’s talks began on Monday and ended on Friday with a deal…")
    ("Iraq's talks bega |  with a deal...", 'Iraq’s talks bega |  with a deal…')
    """
    if not after:
        return _clip(before), ""
    groups, more = _diff_regions(before, after)
    groups = _merge(groups)
    parts_before = [_around(before, i1, i2) for i1, i2, _, _ in groups]
    parts_after = [_around(after, j1, j2) for _, _, j1, j2 in groups]
    if more:
        parts_before.append("…")
        parts_after.append("…")
    return _clip(" | ".join(parts_before)), _clip(" | ".join(parts_after))


def all_diff_regions(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Every differing region (a start, a end, b start, b end) of two strings, in order.

    >>> all_diff_regions("It's -- he said -- there...", "It’s — he said — there…")
    [(2, 7, 2, 6), (16, 18, 15, 16), (24, 27, 22, 23)]
    """
    return _diff_regions(a, b, None)[0]


def _diff_regions(
    a: str, b: str, limit: int | None = _MAX_REGIONS
) -> tuple[list[tuple[int, int, int, int]], bool]:
    """The first ``limit`` differing regions of two strings, and whether more follow.

    Fixes make small local edits, so after each difference the strings line up
    again within a few characters; the cost is proportional to the distance
    covered, never quadratic, even on a 5 MB paragraph.
    """
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    while True:
        common = _common_run(a, i, b, j)
        i, j = i + common, j + common
        if i >= len(a) and j >= len(b):
            return regions, False
        if len(regions) == limit:
            return regions, True
        shift = _resync(a, i, b, j)
        if shift is None:  # a long difference: it runs to the common suffix
            tail = _common_run(a[i:][::-1], 0, b[j:][::-1], 0)
            regions.append((i, len(a) - tail, j, len(b) - tail))
            return regions, False
        regions.append((i, i + shift[0], j, j + shift[1]))
        i, j = i + shift[0], j + shift[1]


def _resync(a: str, i: int, b: str, j: int) -> tuple[int, int] | None:
    """The smallest skips (in a, in b) after which the strings agree again."""
    for total in range(1, 2 * _WINDOW + 1):
        for skip_a in range(max(0, total - _WINDOW), min(total, _WINDOW) + 1):
            skip_b = total - skip_a
            x, y = i + skip_a, j + skip_b
            if x > len(a) or y > len(b):
                continue
            if a[x : x + _ANCHOR] == b[y : y + _ANCHOR]:
                return skip_a, skip_b
    return None


def _common_run(a: str, i: int, b: str, j: int) -> int:
    """How many characters a[i:] and b[j:] share at their start.

    Galloping then bisecting on slices: the cost follows the length of the run.
    """
    limit = min(len(a) - i, len(b) - j)
    step = 16
    low = 0
    while step < limit and a[i + low : i + step] == b[j + low : j + step]:
        low, step = step, step * 2
    high = min(step, limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[i + low : i + middle] == b[j + low : j + middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _merge(groups: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Join changes whose contexts would overlap, so each excerpt reads as one."""
    merged: list[tuple[int, int, int, int]] = []
    for group in groups:
        if merged and group[0] - merged[-1][1] <= 2 * _CONTEXT:
            merged[-1] = (merged[-1][0], group[1], merged[-1][2], group[3])
        else:
            merged.append(group)
    return merged


def _around(text: str, start: int, end: int) -> str:
    return text[max(0, start - _CONTEXT) : end + _CONTEXT]


def _clip(text: str) -> str:
    return text if len(text) <= _EXCERPT_LIMIT else text[: _EXCERPT_LIMIT - 1] + "…"
