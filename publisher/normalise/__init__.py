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

Then ``caption-credit`` and ``caption-end`` on the caption, ``dateline`` on the
first paragraph, and ``empty-paragraph`` for paragraphs that held only
invisible characters. ``where`` counts paragraphs as they were in the input.
"""

from __future__ import annotations

import difflib
import hashlib
import uuid
from dataclasses import replace

from publisher.model import Article, Change, RawArticle
from publisher.normalise.caption import split_credit, tidy_caption_end
from publisher.normalise.dateline import news_dateline, standalone_date
from publisher.normalise.fixes import (
    fix_mojibake,
    normalise_unicode,
    normalise_whitespace,
    remove_invisibles,
)
from publisher.normalise.language import DEFAULT_LANGUAGE, detect_language
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
#: Longer fields are excerpted by their common prefix and suffix only: a full
#: diff of a huge paragraph would cost more than the whole normalisation.
_DIFF_LIMIT = 3000
_EXCERPT_LIMIT = 120


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
    ['smart-quotes', 'caption-credit', 'dashes', 'ellipses', 'dateline']
    """
    changes: list[Change] = list(raw.changes)
    fields = [("headline", raw.headline)]
    if raw.caption is not None:
        fields.append(("caption", raw.caption))
    fields += [(f"paragraph {n}", text) for n, text in enumerate(raw.paragraphs, 1)]

    cleaned = [(where, _apply(CHARACTER_FIXES, text, where, changes)) for where, text in fields]
    language = raw.metadata.language
    if not language:
        body = [text for where, text in cleaned if where != "caption"]
        language = detect_language(" ".join(body))
    typography = typography_fixes(language)
    # Fields are kept in the order they came, so the change log reads top to bottom.
    texts: dict[str, str] = {}
    credit: str | None = None
    for where, text in cleaned:
        text = _apply(typography, text, where, changes)
        if where == "caption":
            text, credit = _split_caption(text, changes)
        texts[where] = text

    caption = texts.get("caption")
    paragraphs = [(where, texts[where]) for where, _ in fields if where.startswith("paragraph")]
    kept: list[tuple[str, str]] = []
    for where, text in paragraphs:
        if text:
            kept.append((where, text))
        else:
            before = _excerpt(raw.paragraphs[int(where.split()[1]) - 1], "")[0]
            changes.append(Change("empty-paragraph", where, before, ""))
    dateline, date = _find_dateline(kept, changes)

    metadata = raw.metadata
    final = tuple(text for _, text in kept)
    headline = texts["headline"]
    metadata = replace(
        metadata,
        language=language,
        identifier=metadata.identifier or content_identifier(headline, final),
        date=metadata.date or date,
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


def _split_caption(caption: str, changes: list[Change]) -> tuple[str, str | None]:
    rest, credit = split_credit(caption)
    if credit is not None:
        before = caption[len(rest) :].strip()
        tail = rest[-_CONTEXT:]
        changes.append(Change("caption-credit", "caption", f"{tail} {before}", f"credit: {credit}"))
    if rest:
        tidied = tidy_caption_end(rest)
        if tidied != rest:
            changes.append(Change("caption-end", "caption", *_excerpt(rest, tidied)))
        rest = tidied
    return rest, credit


def _find_dateline(
    paragraphs: list[tuple[str, str]], changes: list[Change]
) -> tuple[str | None, str | None]:
    """Find the dateline; remove a standalone date paragraph (never the only one)."""
    if not paragraphs:
        return None, None
    where, first = paragraphs[0]
    date = standalone_date(first)
    if date is not None and len(paragraphs) > 1:
        del paragraphs[0]
        changes.append(Change("dateline", where, first, f"dateline: {first} (date {date})"))
        return first, date
    dateline = news_dateline(first)
    if dateline is not None:
        changes.append(Change("dateline", where, _excerpt(first, "")[0], f"dateline: {dateline}"))
    return dateline, None


def _excerpt(before: str, after: str) -> tuple[str, str]:
    """The changed parts of ``before`` and ``after``, each with a little context.

    >>> _excerpt("Iraq's talks began on Monday and ended on Friday with a deal...",
    ...          "Iraq’s talks began on Monday and ended on Friday with a deal…")
    ("Iraq's talks bega |  with a deal...", 'Iraq’s talks bega |  with a deal…')
    """
    if not after:
        return _clip(before), ""
    if max(len(before), len(after)) <= _DIFF_LIMIT:
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        groups = _merge(
            [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
        )
    else:
        prefix = _common_prefix(before, after)
        suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
        groups = [(prefix, len(before) - suffix, prefix, len(after) - suffix)]
    parts_before = [_around(before, i1, i2) for i1, i2, _, _ in groups]
    parts_after = [_around(after, j1, j2) for _, _, j1, j2 in groups]
    return _clip(" | ".join(parts_before)), _clip(" | ".join(parts_after))


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


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection on slices (fast for long strings)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low
