"""Text fixes on the document tree: every text run, named by its place in the tree.

A fix sees the whole text of a block at once (a paragraph, a heading, a table
cell, a caption), not run by run, so quotes pair across inline boundaries: in
``He said *"yes*"`` the opening quote is inside the emphasis and the closing
one outside. The block's runs are joined, the fix runs on the joined text, and
the result is cut back into runs where the old run boundaries map to (see
``split_runs``). Inline code, line breaks and footnote references stand in the
joined text as one placeholder character each and are never changed; a link's
URL is not text and is never changed either. Code blocks are verbatim.

Places (``where``) read like this: ``paragraph 3``, ``heading 1``,
``list 2, item 1`` (``, paragraph 2`` for an item's later paragraphs),
``quote 1, paragraph 1``, ``attribution of quote 1``, ``table 1, row 2, cell 1``
(header rows count first), ``caption of table 1``, ``caption of figure 2``,
``alt text of figure 2``, ``footnote 2``. Paragraphs outside lists, quotes and
footnotes are counted in reading order.
"""

from __future__ import annotations

import difflib
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from publisher.model import (
    Block,
    BlockQuote,
    BulletList,
    Code,
    Figure,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    LineBreak,
    Link,
    OrderedList,
    Paragraph,
    Table,
    Text,
    plain_text,
)

#: Stands for an inline node whose text no fix may change (code, a line break,
#: a footnote reference) in a block's joined text. U+FFFC OBJECT REPLACEMENT
#: CHARACTER means exactly that, and no fix removes or moves it.
PLACEHOLDER = "\ufffc"

#: A fix of one block's joined text: (text, where) -> fixed text.
TextFix = Callable[[str, str], str]
#: Called with (rule, where, text) when a paragraph is removed because it became empty.
Removed = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """A Text run (its text) or an unchangeable node (None)."""

    text: str | None


def rewrite_blocks(blocks: tuple[Block, ...], fix: TextFix, removed: Removed) -> tuple[Block, ...]:
    """The tree with ``fix`` applied to the text of every block; empty paragraphs removed.

    ``removed(where, text)`` is called for each paragraph that held only
    invisible characters or spaces and is left out.

    >>> from publisher.model import Emph
    >>> fix = lambda text, where: text.replace('"', "“", 1).replace('"', "”", 1)
    >>> rewrite_blocks((Paragraph((Text('He said '), Emph((Text('"yes'),)), Text('"'))),),
    ...                fix, print)  # doctest: +NORMALIZE_WHITESPACE
    (Paragraph(content=(Text(text='He said '), Emph(content=(Text(text='“yes'),)),
                        Text(text='”'))),)
    """
    return _Rewriter(fix, removed).blocks(blocks, "")


class _Rewriter:
    def __init__(self, fix: TextFix, removed: Removed) -> None:
        self.fix = fix
        self.removed = removed
        self.counts: Counter[str] = Counter()

    def number(self, kind: str) -> int:
        self.counts[kind] += 1
        return self.counts[kind]

    def blocks(self, blocks: tuple[Block, ...], inside: str) -> tuple[Block, ...]:
        """Rewrite ``blocks``; ``inside`` names their container ("" at the top)."""
        out: list[Block] = []
        paragraphs = 0
        for block in blocks:
            if isinstance(block, Paragraph):
                paragraphs += 1
                if not inside:
                    where = f"paragraph {self.number('paragraph')}"
                elif paragraphs == 1 and not inside.startswith("quote"):
                    where = inside
                else:
                    where = f"{inside}, paragraph {paragraphs}"
                content = self.inlines(block.content, where)
                if _is_empty(content):
                    self.removed(where, plain_text(block.content))
                    continue
                out.append(Paragraph(content))
            else:
                new = self.block(block, inside)
                if new is not None:
                    out.append(new)
        return tuple(out)

    def block(self, block: Block, inside: str) -> Block | None:
        prefix = f"{inside}, " if inside else ""
        if isinstance(block, Heading):
            return replace(
                block, content=self.inlines(block.content, f"heading {self.number('heading')}")
            )
        if isinstance(block, BlockQuote):
            name = f"quote {self.number('quote')}"
            blocks = self.blocks(block.blocks, prefix + name)
            attribution = self.inlines(block.attribution, f"attribution of {name}")
            return BlockQuote(blocks, attribution) if blocks else None
        if isinstance(block, BulletList | OrderedList):
            name = f"list {self.number('list')}"
            items = tuple(
                self.blocks(item, f"{name}, item {number}")
                for number, item in enumerate(block.items, 1)
            )
            kept = tuple(item for item in items if item)
            return replace(block, items=kept) if kept else None
        if isinstance(block, Table):
            name = f"table {self.number('table')}"
            rows = [
                tuple(
                    self.inlines(cell, f"{name}, row {r}, cell {c}")
                    for c, cell in enumerate(row, 1)
                )
                for r, row in enumerate((*block.header, *block.body), 1)
            ]
            header = tuple(rows[: len(block.header)])
            caption = self.inlines(block.caption, f"caption of {name}")
            return replace(
                block, header=header, body=tuple(rows[len(block.header) :]), caption=caption
            )
        if isinstance(block, Figure):
            name = f"figure {self.number('figure')}"
            caption = self.inlines(block.caption, f"caption of {name}")
            alt = self.fix(block.alt, f"alt text of {name}") if block.alt else block.alt
            return replace(block, caption=caption, alt=alt)
        if isinstance(block, Footnotes):
            notes = tuple(
                self.blocks(note, f"footnote {number}")
                for number, note in enumerate(block.notes, 1)
            )
            return Footnotes(notes)
        return block  # code blocks are verbatim; section breaks hold no text

    def inlines(self, content: tuple[Inline, ...], where: str) -> tuple[Inline, ...]:
        """``content`` with its text fixed as one string, cut back into the same runs."""
        if not content:
            return content
        leaves = _leaves(content)
        joined = "".join(PLACEHOLDER if leaf.text is None else leaf.text for leaf in leaves)
        if len(leaves) == 1 and leaves[0].text is not None:
            return _rebuild(content, iter([self.fix(joined, where)]))
        fixed = self.fix(joined, where)
        texts = split_runs(leaves, joined, fixed)
        if texts is None:  # a fix moved a placeholder: fix run by run instead
            texts = [self.fix(leaf.text, where) for leaf in leaves if leaf.text is not None]
        return _rebuild(content, iter(texts))


def _is_empty(content: tuple[Inline, ...]) -> bool:
    return not plain_text(content) and not _has_objects(content)


def _has_objects(content: tuple[Inline, ...]) -> bool:
    return any(leaf.text is None for leaf in _leaves(content))


def _leaves(content: tuple[Inline, ...]) -> list[_Leaf]:
    """The text runs and unchangeable nodes of ``content``, in reading order."""
    leaves: list[_Leaf] = []
    for node in content:
        if isinstance(node, Text):
            leaves.append(_Leaf(node.text))
        elif isinstance(node, Code | LineBreak | FootnoteRef):
            leaves.append(_Leaf(None))
        else:
            leaves.extend(_leaves(node.content))
    return leaves


def _rebuild(content: tuple[Inline, ...], texts: object) -> tuple[Inline, ...]:
    """``content`` with each Text run's text taken in turn from the iterator ``texts``."""
    out: list[Inline] = []
    for node in content:
        if isinstance(node, Text):
            text = next(texts)  # type: ignore[call-overload]
            if text:
                out.append(Text(text))
        elif isinstance(node, Code | LineBreak | FootnoteRef):
            out.append(node)
        elif isinstance(node, Link):
            out.append(replace(node, content=_rebuild(node.content, texts)))
        else:
            out.append(replace(node, content=_rebuild(node.content, texts)))
    return tuple(out)


def split_runs(leaves: list[_Leaf], joined: str, fixed: str) -> list[str] | None:
    """Cut ``fixed`` (the fixed ``joined``) back into one text per Text leaf.

    Between placeholders, each old run boundary is carried over to ``fixed``
    through the differing regions of the two strings: a boundary in unchanged
    text keeps its place; one at the edge of a change keeps the change on the
    side it was on. Every character of ``fixed`` lands in exactly one run, so
    nothing is lost. None when the placeholders did not survive the fix.

    >>> leaves = [_Leaf('say "a'), _Leaf('..."')]
    >>> split_runs(leaves, 'say "a..."', "say “a…”")
    ['say “a', '…”']
    """
    old_segments = joined.split(PLACEHOLDER)
    new_segments = fixed.split(PLACEHOLDER)
    if len(old_segments) != len(new_segments):
        return None
    texts: list[str] = []
    index = 0
    for old, new in zip(old_segments, new_segments, strict=True):
        # The Text leaves of this segment, up to the next placeholder.
        lengths: list[int] = []
        while index < len(leaves) and leaves[index].text is not None:
            lengths.append(len(leaves[index].text or ""))
            index += 1
        index += 1  # the placeholder
        if not lengths:
            continue
        cuts = _map_offsets(old, new, _running_sums(lengths[:-1]))
        bounds = [0, *cuts, len(new)]
        texts.extend(new[a:b] for a, b in itertools.pairwise(bounds))
    return texts


def _running_sums(lengths: list[int]) -> list[int]:
    sums, total = [], 0
    for length in lengths:
        total += length
        sums.append(total)
    return sums


def _map_offsets(old: str, new: str, offsets: list[int]) -> list[int]:
    """Where each offset into ``old`` (ascending) falls in ``new``, never going backwards."""
    regions = _regions(old, new)
    mapped: list[int] = []
    for offset in offsets:
        shift = 0
        position = None
        for i1, i2, j1, j2 in regions:
            if offset <= i1:
                break
            if offset < i2:  # inside a change: as far in as the new text allows
                position = j1 + min(offset - i1, j2 - j1)
                break
            shift = j2 - i2
        if position is None:
            position = offset + shift
        position = max(min(position, len(new)), mapped[-1] if mapped else 0)
        mapped.append(position)
    return mapped


#: Up to this many characters, differences are found exactly (difflib, quadratic
#: at worst); longer texts use the normaliser's linear, coarser regions.
_EXACT_DIFF_LIMIT = 4000


def _regions(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """The differing regions of ``old`` and ``new`` (old start, old end, new start, new end)."""
    if len(old) + len(new) > _EXACT_DIFF_LIMIT:
        from publisher.normalise import all_diff_regions

        return all_diff_regions(old, new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
