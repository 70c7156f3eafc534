"""The normaliser on the seed and on hand-made articles: fixes, change log, metadata."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SEED

from publisher.model import Article, Change, Metadata, RawArticle
from publisher.normalise import content_identifier, normalise, normalise_text, text_fixes
from publisher.normalise.caption import split_credit, tidy_caption_end
from publisher.normalise.dateline import news_dateline, standalone_date
from publisher.normalise.language import detect_language
from publisher.readers import read_article

SOURCE = Path("story.txt")


def raw(*paragraphs: str, headline: str = "Headline", caption: str | None = None,
        **metadata: str) -> RawArticle:  # fmt: skip
    return RawArticle(SOURCE, headline, caption, paragraphs, Metadata(**metadata))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed() -> Article:
    return normalise(read_article(SEED))


def test_seed_headline_caption_and_credit(seed: Article) -> None:
    assert seed.headline == "US, Iraq to hold meeting on future of coalition forces"
    assert seed.credit == "AFP File Photo"
    assert seed.caption is not None and seed.caption.endswith("on Nov.\u00a01, 2011.")
    assert "(AFP" not in seed.caption


def test_seed_typography(seed: Article) -> None:
    assert "“a specific and clear timeline … and to begin" in seed.paragraphs[1]
    assert "coalition’s) advisers on Iraqi soil,”" in seed.paragraphs[1]
    assert any("Iraq’s" in p for p in seed.paragraphs)
    assert not any("'" in p or '"' in p for p in seed.paragraphs)


def test_seed_metadata_and_change_log(seed: Article) -> None:
    assert seed.metadata.language == "en"
    assert seed.metadata.identifier and seed.metadata.identifier.startswith("urn:uuid:")
    assert len(seed.paragraphs) == 10 and seed.dateline is None
    rules = {(c.rule, c.where) for c in seed.changes}
    assert {("caption-credit", "caption"), ("smart-quotes", "paragraph 2")} <= rules
    assert ("ellipses", "paragraph 2") in rules and ("no-break-spaces", "caption") in rules
    for change in seed.changes:
        assert len(change.before) <= 120 and len(change.after) <= 120  # excerpts, not paragraphs


def test_changes_are_excerpts_with_context() -> None:
    long = "Filler words come first here. " * 10 + 'He said "yes" today.' + " More." * 20
    article = normalise(raw(long, language="en"))
    [change] = [c for c in article.changes if c.rule == "smart-quotes"]
    assert change.where == "paragraph 1"
    assert '"yes"' in change.before and "“yes”" in change.after
    assert len(change.before) < 60


def test_decoding_changes_come_first() -> None:
    decoding = Change("decode-stray-byte", "byte 3", "0xA3", "£")
    article = normalise(replace(raw("It's £4.", language="en"), changes=(decoding,)))
    assert article.changes[0] == decoding and article.changes[1].rule == "smart-quotes"


def test_rule_names_in_order() -> None:
    assert [name for name, _ in text_fixes("fr")] == [
        "mojibake", "remove-invisibles", "unicode-nfc", "whitespace",
        "dashes", "ellipses", "smart-quotes", "no-break-spaces", "french-spacing",
    ]  # fmt: skip


def test_mojibake_repaired_but_quotes_dashes_ligatures_kept() -> None:
    assert normalise_text("The cafÃ© â€” open") == "The café — open"
    kept = "“Curly” ‘quotes’ — dashes, ﬁ ligatures, ＡＢＣ width"
    assert normalise_text(kept) == kept


def test_invisibles_removed_joiners_kept_then_nfc() -> None:
    text = "\ufeffHe\x00ad\x07line\u200b \u202eevil\u202c \u2066iso\u2069 \x85\x81\ufffe\uffff"
    assert normalise_text(text) == "Headline evil iso …"
    assert normalise_text("a\udc80b") == "ab"  # lone surrogate
    keep = "👩\u200d🚀 می\u200cخواهم"
    assert normalise_text(keep) == keep
    assert normalise_text("Cafe\u0301") == "Caf\u00e9"


def test_whitespace_one_paragraph_per_field() -> None:
    assert normalise_text("  Two\r\nlines\rand\ta   tab\u2028 \x0b\x0c ") == "Two lines and a tab"
    assert normalise_text("keep\u00a0no-break") == "keep\u00a0no-break"


def test_no_forbidden_characters_in_output() -> None:
    nasty = "".join(chr(c) for c in range(0x20)) + "\x7f\x80\x9f\ud800\ufffe\uffff\u202e\u200b"
    article = normalise(raw(f"A {nasty} Z", headline=nasty + "H", caption=nasty + "C"))
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
    for text in (article.headline, article.caption or "", *article.paragraphs):
        assert not forbidden.search(text) and "\n" not in text and "\t" not in text


def test_markup_passes_through_literally() -> None:
    body = "Hackers wrote <script>alert(1)</script> and <img src=x> and {{ 7*7 }}."
    article = normalise(raw(body, headline="<b>{{ 7*7 }}</b>", language="en"))
    assert article.paragraphs == (body,)
    assert article.headline == "<b>{{ 7*7 }}</b>"


def test_a_paragraph_of_invisibles_is_dropped_and_logged() -> None:
    article = normalise(raw("One.", "\x00\u200b", "Two.", language="en"))
    assert article.paragraphs == ("One.", "Two.")
    assert ("empty-paragraph", "paragraph 2") in {(c.rule, c.where) for c in article.changes}


@pytest.mark.parametrize(
    ("caption", "rest", "credit"),
    [
        ("On Nov. 1, 2011. (AFP File Photo)", "On Nov. 1, 2011.", "AFP File Photo"),
        ("Troops queue (AFP)", "Troops queue", "AFP"),
        ("Troops queue. (Reuters)", "Troops queue.", "Reuters"),
        ("A rally. (AP Photo/Jane Doe)", "A rally.", "AP Photo/Jane Doe"),
        ("A rally. Photo: AP", "A rally.", "Photo: AP"),
        ("The mural. Image: Nick Moreau.", "The mural.", "Image: Nick Moreau"),
        ("The mural. Photo by Jane Doe", "The mural.", "Photo by Jane Doe"),
        ("The mural. Credit: City Archives", "The mural.", "Credit: City Archives"),
        ("Fans celebrate in Rome — Reuters", "Fans celebrate in Rome", "Reuters"),
        ("The mayor (left) in 2011", "The mayor (left) in 2011", None),
        ("A view of the city (2011)", "A view of the city (2011)", None),
        ("Soldiers — in Baghdad", "Soldiers — in Baghdad", None),
    ],
)  # fmt: skip
def test_split_credit(caption: str, rest: str, credit: str | None) -> None:
    assert split_credit(caption) == (rest, credit)


def test_caption_end_tidied_and_credit_logged() -> None:
    article = normalise(raw("Text.", caption="Troops queue ,  (AFP)", language="en"))
    assert (article.caption, article.credit) == ("Troops queue.", "AFP")
    rules = [c.rule for c in article.changes if c.where == "caption"]
    assert rules == ["whitespace", "caption-credit", "caption-end"]
    assert tidy_caption_end("Done..") == "Done." and tidy_caption_end("Why ?") == "Why?"


def test_caption_that_is_only_a_credit() -> None:
    article = normalise(raw("Text.", caption="(AFP)", language="en"))
    assert (article.caption, article.credit) == (None, "AFP")


@pytest.mark.parametrize(
    "date",
    [
        "Friday, August 21, 2015",
        "21 August 2015",
        "2015-08-21",
        "Aug. 21, 2015",
        "Fri, Aug 21, 2015",
    ],
)
def test_standalone_date_becomes_the_dateline(date: str) -> None:
    article = normalise(raw(date, "BAGHDAD (AFP) — Talks began.", language="en"))
    assert article.dateline == normalise_text(date)
    assert article.paragraphs == ("BAGHDAD (AFP) — Talks began.",)
    assert article.metadata.date == "2015-08-21"
    assert any(c.rule == "dateline" and c.where == "paragraph 1" for c in article.changes)


def test_given_date_wins_and_a_lone_date_paragraph_stays() -> None:
    article = normalise(raw("2015-08-21", "Text.", date="2020-01-01", language="en"))
    assert article.metadata.date == "2020-01-01" and article.dateline == "2015-08-21"
    alone = normalise(raw("2015-08-21", language="en"))
    assert alone.paragraphs == ("2015-08-21",)


@pytest.mark.parametrize(
    ("paragraph", "dateline"),
    [
        ("BAGHDAD (AFP) — Iraq said on Thursday it would talk.", "BAGHDAD (AFP)"),
        ("WASHINGTON — The Pentagon said.", "WASHINGTON"),
        ("PARIS, Nov. 1 (Reuters) - France said.", "PARIS, Nov.\u00a01 (Reuters)"),
        ("NEW YORK (AP) -- Stocks rose.", "NEW YORK (AP)"),
        ("The U.S. and Iraq agreed — for now.", None),
        ("US officials — all of them — agreed.", None),
    ],
)
def test_news_dateline_noted_text_kept(paragraph: str, dateline: str | None) -> None:
    article = normalise(raw(paragraph, language="en"))
    assert article.dateline == dateline
    assert article.paragraphs == (normalise_text(paragraph),)
    assert article.metadata.date is None


def test_date_helpers_directly() -> None:
    assert standalone_date("Sept. 3, 2019") == "2019-09-03"
    assert standalone_date("Smarch 3, 2019") is None
    assert news_dateline("ANKARA — x") == "ANKARA"


def test_language_given_detected_or_english() -> None:
    french = "Le gouvernement a présenté mercredi son projet de loi sur la réforme des retraites."
    assert normalise(raw(french, headline="Retraites")).metadata.language == "fr"
    assert normalise(raw(french, language="de-CH")).metadata.language == "de-CH"
    assert normalise(raw("Hi.", headline="OK")).metadata.language == "en"
    assert detect_language("12345 67890 !!! ???") == "en"


def test_detected_french_gets_french_typography() -> None:
    french = 'Le ministre a dit "nous verrons" mercredi, devant les députés de la majorité.'
    article = normalise(raw(french, headline="Retraites : la réforme"))
    assert "«\u202fnous verrons\u202f»" in article.paragraphs[0]
    assert article.headline == "Retraites\u00a0: la réforme"


def test_identifier_given_or_derived_deterministically() -> None:
    one = normalise(raw("Text one.", language="en"))
    two = normalise(raw("Text  one.", language="en"))  # same text once normalised
    other = normalise(raw("Text two.", language="en"))
    assert one.metadata.identifier == two.metadata.identifier != other.metadata.identifier
    assert one.metadata.identifier == content_identifier("Headline", ("Text one.",))
    given = normalise(raw("Text one.", language="en", identifier="urn:isbn:123"))
    assert given.metadata.identifier == "urn:isbn:123"


def test_other_metadata_and_fields_pass_through() -> None:
    base = raw("Text.", language="en", publisher="Daily Sabah", source="https://x.org")
    article = normalise(replace(base, encoding="cp1252"))
    assert (
        article.metadata.publisher == "Daily Sabah" and article.metadata.source == "https://x.org"
    )
    assert article.encoding == "cp1252" and article.source == SOURCE


def test_one_huge_word_is_kept() -> None:
    word = ("abcdefghij" * 8000)[:80000]
    article = normalise(raw(f"Before {word} after.", headline=word, caption=word, language="en"))
    assert article.paragraphs == (f"Before {word} after.",)
    assert article.headline == word and article.caption == word + "."


def test_a_5_mb_article_normalises() -> None:
    paragraph = "He said \"it's 5 km\" -- on Nov. 1 ... in Iraq's north. " * 40
    paragraphs = tuple(paragraph for _ in range(5 * 1024 * 1024 // len(paragraph)))
    article = normalise(raw(*paragraphs, language="en"))
    assert len(article.paragraphs) == len(paragraphs)
    assert article.paragraphs[0].startswith("He said “it’s 5\u00a0km” — on Nov.\u00a01 … in Iraq’s")
    one_field = normalise(raw(paragraph * 100, language="en"))  # one 600 kB paragraph
    assert [c.rule for c in one_field.changes] == [
        "whitespace", "dashes", "ellipses", "smart-quotes", "no-break-spaces",
    ]  # fmt: skip


def _words(text: str) -> str:
    return "".join(re.findall(r"\w", unicodedata.normalize("NFC", text)))


def test_seed_keeps_every_word(seed: Article) -> None:
    source = read_article(SEED)
    before = [source.headline, source.caption or "", *source.paragraphs]
    after = [seed.headline, seed.caption or "", seed.credit or "", *seed.paragraphs]
    # the credit's parentheses go, its words stay; nothing else moves
    assert _words("".join(before)) == _words("".join(after))


def test_several_trailing_credits_are_all_split() -> None:
    article = normalise(raw("Text.", caption="Boats. (AP) (AFP)", language="en"))
    assert (article.caption, article.credit) == ("Boats.", "AP; AFP")


def test_a_credit_given_by_the_reader_is_cleaned_and_kept() -> None:
    given = replace(
        raw("Text.", caption="Boats at dawn", language="en"), credit="Photo: Mark Lewis."
    )
    article = normalise(given)
    assert (article.caption, article.credit) == ("Boats at dawn.", "Photo: Mark Lewis")
    assert ("credit-label", "credit") in {(c.rule, c.where) for c in article.changes}
    both = replace(raw("Text.", caption="Boats. (AFP)", language="en"), credit="AFP")
    assert normalise(both).credit == "AFP"  # the same credit twice is one credit
    other = replace(raw("Text.", caption="Boats. (AFP)", language="en"), credit="(Jane Doe)")
    assert normalise(other).credit == "AFP; Jane Doe"
    labelled = replace(raw("Text.", caption="Boats. Photo: AP", language="en"), credit="AP")
    assert normalise(labelled).credit == "Photo: AP"  # one credit, with and without its label


def test_a_link_is_not_a_credit() -> None:
    assert split_credit("Details — http://x.org/a/b") == ("Details — http://x.org/a/b", None)


def test_reader_warnings_pass_through() -> None:
    article = normalise(
        replace(raw("Text.", language="en"), warnings=("a remote image was left out",))
    )
    assert article.warnings == ("a remote image was left out",)


def test_kinds_follow_their_paragraphs() -> None:
    given = replace(
        raw("PARIS -- Opening words.", "\u200b", "Next", "• item", "Said."),
        kinds=("subhead", "p", "subhead", "bullet", "quote"),
    )
    article = normalise(given)
    # The empty paragraph went, its kind with it; a subheading is never a dateline.
    assert article.blocks == (
        ("PARIS — Opening words.", "subhead"),
        ("Next", "subhead"),
        ("• item", "bullet"),
        ("Said.", "quote"),
    )
    assert article.dateline is None
    assert normalise(raw("One.", "Two.")).kinds == ()  # all plain: no kinds at all


def test_kinds_must_match_the_paragraphs() -> None:
    with pytest.raises(ValueError, match="2 kinds for 1 paragraphs"):
        replace(raw("One."), kinds=("p", "p"))
    with pytest.raises(ValueError, match="unknown paragraph kinds"):
        replace(raw("One."), kinds=("aside",))
