"""The normaliser on the document tree: fixes see a block's whole text across inline
elements, never touch code or URLs, log each place by name, and lose no word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_normalise_properties import TOKENS, words
from test_normalise_typography import DEVIATIONS, suite_cases

from publisher.model import (
    Block,
    BulletList,
    Code,
    CodeBlock,
    Emph,
    Figure,
    FootnoteRef,
    Footnotes,
    Heading,
    Inline,
    Link,
    Metadata,
    Paragraph,
    RawArticle,
    Strong,
    Table,
    Text,
    plain_text,
)
from publisher.normalise import normalise
from publisher.normalise.fixes import remove_invisibles


def _raw(*body: Block, language: str | None = "en") -> RawArticle:
    return RawArticle(
        Path("a.md"), "Headline", None, (), Metadata(language=language), body=tuple(body)
    )


def _splits(text: str) -> list[tuple[Inline, ...]]:
    """``text`` cut into runs at every position: plain then emphasised, and three-way."""
    cuts: list[tuple[Inline, ...]] = []
    for i in range(1, len(text)):
        cuts.append((Text(text[:i]), Emph((Text(text[i:]),))))
    third = max(1, len(text) // 3)
    cuts.append(
        (Text(text[:third]), Strong((Text(text[third : 2 * third]),)), Text(text[2 * third :]))
    )
    cuts.append((Link((Text(text[:third]),), "https://x.org/a--b"), Text(text[third:])))
    return cuts


def test_smart_punctuation_suites_across_inline_elements() -> None:
    failures = []
    for name, source, expected in suite_cases():
        wanted = DEVIATIONS[source][0] if source in DEVIATIONS else expected
        for content in _splits(source):
            article = normalise(_raw(Paragraph(content)))
            got = plain_text(article.body[0].content) if article.body else ""
            if got != wanted:
                failures.append(f"{name}: {content!r} -> {got!r}, expected {wanted!r}")
    assert not failures, "\n".join(failures[:20])


def test_quotes_pair_across_emphasis_and_links() -> None:
    article = normalise(
        _raw(
            Paragraph((Text("He said "), Emph((Text('"yes'),)), Text('" and left...'))),
            Paragraph((Link((Text("'Quoted'"),), "https://x.org/it's--here"), Text(" -- ok"))),
        )
    )
    first, second = article.body
    assert first == Paragraph((Text("He said "), Emph((Text("“yes"),)), Text("” and left…")))
    assert second == Paragraph(
        (Link((Text("‘Quoted’"),), "https://x.org/it's--here"), Text(" — ok"))
    )


def test_code_is_never_changed_and_quotes_pair_around_it() -> None:
    code = 'x = "a" -- b...'
    article = normalise(
        _raw(
            Paragraph((Text('Run "'), Code(code), Text('" now.'), FootnoteRef(1))),
            CodeBlock('print("hi")  --  ...\n    indented'),
            Footnotes(((Paragraph((Text('A "note"'),)),),)),
        )
    )
    paragraph, block, notes = article.body
    assert paragraph == Paragraph((Text("Run “"), Code(code), Text("” now."), FootnoteRef(1)))
    assert block == CodeBlock('print("hi")  --  ...\n    indented')
    assert notes == Footnotes(((Paragraph((Text("A “note”"),)),),))


def test_every_fix_names_its_place_in_the_tree() -> None:
    cell = (Text('"Blue"'),)
    article = normalise(
        _raw(
            Paragraph((Text("One."),)),
            Heading(2, (Text("Votes..."),)),
            Paragraph((Text("It's"),)),
            BulletList(((Paragraph((Text("a -- b"),)),), (Paragraph((Text("c..."),)),))),
            Table((((Text("Party"),), (Text("Seats"),)),), ((cell, (Text("1"),)),)),
            Figure("chart.png", "A 'chart'", (Text("Seats -- won"),)),
            Figure("two.png", "", (Text("It's 2"),)),
            Footnotes(((Paragraph((Text("x"),)),), (Paragraph((Text("Said..."),)),))),
        )
    )
    places = {(c.rule, c.where) for c in article.changes}
    assert {
        ("ellipses", "heading 1"),
        ("smart-quotes", "paragraph 2"),
        ("dashes", "list 1, item 1"),
        ("ellipses", "list 1, item 2"),
        ("smart-quotes", "table 1, row 2, cell 1"),
        ("dashes", "caption of figure 1"),
        ("smart-quotes", "alt text of figure 1"),
        ("smart-quotes", "caption of figure 2"),
        ("ellipses", "footnote 2"),
    } <= places, places


def test_an_empty_paragraph_is_removed_and_logged() -> None:
    article = normalise(_raw(Paragraph((Text("One."),)), Paragraph((Emph((Text("\u200b"),)),))))
    assert article.body == (Paragraph((Text("One."),)),)
    assert ("empty-paragraph", "paragraph 2") in {(c.rule, c.where) for c in article.changes}


# --- No word is ever lost: generated trees ----------------------------------------

text_runs = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join)


def _inlines(depth: int) -> st.SearchStrategy[tuple[Inline, ...]]:
    leaf: st.SearchStrategy[Inline] = st.one_of(
        text_runs.map(Text), text_runs.map(Code), st.just(FootnoteRef(1))
    )
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=4).map(tuple)
    inner = _inlines(depth - 1)
    node: st.SearchStrategy[Inline] = st.one_of(
        leaf,
        inner.map(Emph),
        inner.map(Strong),
        inner.map(lambda content: Link(content, "https://x.org/a--b")),
    )
    return st.lists(node, min_size=1, max_size=4).map(tuple)


inlines = _inlines(2)
blocks: st.SearchStrategy[Block] = st.one_of(
    inlines.map(Paragraph),
    inlines.map(lambda content: Heading(3, content)),
    st.lists(inlines.map(lambda c: (Paragraph(c),)), min_size=1, max_size=3).map(
        lambda items: BulletList(tuple(items))
    ),
    st.lists(st.lists(inlines, min_size=2, max_size=2).map(tuple), min_size=1, max_size=2).map(
        lambda rows: Table(rows[0:1], tuple(rows[1:]))
    ),
    inlines.map(lambda c: Footnotes(((Paragraph(c),),))),
)


def _texts(nodes: tuple[Block, ...]) -> str:
    """The tree's text in reading order, code included."""
    return plain_text(nodes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(blocks, min_size=1, max_size=4).map(tuple))
def test_no_word_of_a_generated_tree_is_lost(body: tuple[Block, ...]) -> None:
    import ftfy

    text = _texts(body)
    # As in test_normalise_properties: ftfy must have nothing to repair.
    assume(ftfy.fix_encoding(text) == text)
    visible = remove_invisibles(text)
    assume(ftfy.fix_encoding(visible) == visible)
    article = normalise(_raw(*body))
    # A paragraph that was only a date became the dateline: its words moved there.
    moved = next(
        (c.before for c in article.changes if c.rule == "dateline" and "(date " in c.after), ""
    )
    assert words(text) == words(moved) + words(_texts(article.body))
