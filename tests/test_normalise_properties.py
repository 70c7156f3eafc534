"""Properties of the normaliser, checked on generated articles with hypothesis.

1. Never lose text: the word characters of the input (headline, caption,
   paragraphs) come out in the same order (headline, caption, credit, a removed
   dateline, paragraphs).
2. Idempotent: normalising the output again changes no text and logs no text fix.
3. Only characters XML 1.0 allows come out, with no line breaks inside a field.

Mojibake repair is out of scope here: the generated text avoids the characters
ftfy's encoding repair works on (Ã, Â, â, most C1 controls), and each case
``assume``s that ftfy leaves it alone, so every property holds from the first
fix on. Mojibake is tested with examples in test_normalise.py. Credit labels
("Photo:", "Image:") are dropped by design and never generated here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import ftfy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from publisher.model import Article, Metadata, RawArticle
from publisher.normalise import normalise, normalise_text, text_fixes
from publisher.normalise.fixes import remove_invisibles

TOKENS = [
    *"abcxyzAIQ019 .,;:!?()[]-'\"`@/%&<>{}*\\_\u00a0\u202f\t\n\r",
    *"\x00\x07\x0b\x0c\x1b\x7f\x81\x8d\ud800\udfff\ufeff\ufffe\uffff\u200b\u200c\u200d",
    *"\u202a\u202e\u2066\u2069\u2028\u2029éüßçñ’‘“”«»„—–…ﬁ漢字αβжз😀",
    "Iraq's", "the '90s", "rock 'n' roll", "...", "--", "---", " - ", "Nov. 1", "Mr. Smith",
    "5 km", "10 %", "5'11\"", "6'", "http://x.org/a--b", "www.y.com", "jane@x.org",
    "`code 'x'`", "BAGHDAD (AFP) — ", "WASHINGTON - ", "PARIS, Nov. 1 (Reuters) -- ",
    "Cafe\u0301", "word", "  ", "<script>", "{{ 7*7 }}",
]  # fmt: skip
CREDITS = ["", " (AFP File Photo)", " (AP)", " (Reuters)", " — Reuters", " (AP Photo/Jane Doe)"]
LANGUAGES = ["en", "fr", "de", "de-CH", "tr", None]

fields = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


@st.composite
def raw_articles(draw: st.DrawFn) -> RawArticle:
    headline = draw(fields)
    caption = draw(st.none() | fields.map(lambda c: c))
    if caption is not None:
        caption += draw(st.sampled_from(CREDITS))
    paragraphs = tuple(draw(st.lists(fields, min_size=1, max_size=4)))
    date = draw(st.sampled_from([None, "Friday, August 21, 2015", "2015-08-21"]))
    if date is not None:
        paragraphs = (date, *paragraphs)
    for text in (headline, caption or "", *paragraphs):
        # ftfy must have nothing to repair, also once invisible characters are out
        # (removing them can join two halves of real-looking mojibake: "é\u202a”‘").
        assume(ftfy.fix_encoding(text) == text)
        visible = remove_invisibles(text)
        assume(ftfy.fix_encoding(visible) == visible)
    language = draw(st.sampled_from(LANGUAGES))
    return RawArticle(Path("story.txt"), headline, caption, paragraphs, Metadata(language=language))


def words(*texts: str | None) -> str:
    return "".join(re.findall(r"\w", unicodedata.normalize("NFC", "".join(t or "" for t in texts))))


def removed_dateline(raw: RawArticle, article: Article) -> str | None:
    """The dateline, if it was a paragraph of its own that normalising took out."""
    first = normalise_text(raw.paragraphs[0], article.language)
    if article.dateline is None or article.dateline != first:
        return None
    return None if article.paragraphs[:1] == (first,) else article.dateline


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(raw_articles())
def test_never_loses_text(raw: RawArticle) -> None:
    article = normalise(raw)
    before = words(raw.headline, raw.caption, *raw.paragraphs)
    after = words(
        article.headline,
        article.caption,
        article.credit,
        removed_dateline(raw, article),
        *article.paragraphs,
    )
    assert before == after


@SETTINGS
@given(raw_articles())
def test_idempotent(raw: RawArticle) -> None:
    article = normalise(raw)
    again = normalise(
        RawArticle(
            article.source,
            article.headline,
            article.caption,
            article.paragraphs,
            article.metadata,
        )
    )
    assert (again.headline, again.caption, again.paragraphs) == (
        article.headline,
        article.caption,
        article.paragraphs,
    )
    text_rules = {name for name, _ in text_fixes(article.language)} | {"caption-end"}
    assert [c for c in again.changes if c.rule in text_rules] == []
    assert again.metadata == article.metadata


FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\u200b\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


@SETTINGS
@given(raw_articles())
def test_only_allowed_characters(raw: RawArticle) -> None:
    article = normalise(raw)
    for text in (article.headline, article.caption, article.credit, *article.paragraphs):
        if text is not None:
            assert not FORBIDDEN.search(text), repr(text)
            assert text == text.strip(" ") and "  " not in text
            assert unicodedata.is_normalized("NFC", text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_comes_out_clean_and_stable(text: str) -> None:
    """Arbitrary Unicode (ftfy may repair it): clean output, and a second pass is a no-op."""
    raw = RawArticle(Path("a.txt"), text, None, (text,), Metadata(language="en"))
    article = normalise(raw)
    for field in (article.headline, *article.paragraphs):
        assert not FORBIDDEN.search(field)
    again = normalise(
        RawArticle(Path("a.txt"), article.headline, None, article.paragraphs, article.metadata)
    )
    assert (again.headline, again.paragraphs) == (article.headline, article.paragraphs)
