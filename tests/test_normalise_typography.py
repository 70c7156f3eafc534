"""Typography against other projects' smart-punctuation suites, and our own cases.

The suites (CommonMark's smart_punct.txt and markdown-it-py's typographer and
smartquotes fixtures) live beside the repository in shared/testsuites and are
read from there, never copied in. Only cases whose input is plain prose are
used: Markdown syntax (emphasis, links, code, HTML, escapes, entities) is not
ours to interpret.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from publisher.normalise import normalise_text
from publisher.normalise.typography import (
    dashes,
    ellipses,
    french_spacing,
    no_break_spaces,
    smart_quotes,
)

SUITES = Path(__file__).resolve().parents[2] / "shared" / "testsuites" / "typography"
#: Characters that make an input Markdown rather than prose.
MARKUP = set("*[`<\\&_")

# Where our deliberate choices differ from a suite: input -> (our output, why).
EM_DASH = "AP style: two hyphens are an em dash, not an en dash (en dash only in 1990--2000)"
RUNS = "runs of four or more hyphens are rules, not dashes: left as typed"
UNPAIRED = (
    "an unpaired straight double quote is curled by its side (CommonMark's choice), "
    "never left straight; an unpaired single quote is an apostrophe"
)
DOTS = "only three dots make an ellipsis; other dots and !?, runs are the writer's"
REPLACEMENTS = "not smart punctuation: (c), (tm), +- and repeated !?, are left as typed"
DEVIATIONS: dict[str, tuple[str, str]] = {
    "two--": ("two—", EM_DASH),
    "en--en": ("en—en", EM_DASH),
    "en -- en": ("en — en", EM_DASH),
    "four----": ("four----", RUNS),
    "five-----": ("five-----", RUNS),
    "six------": ("six------", RUNS),
    "seven-------": ("seven-------", RUNS),
    "eight--------": ("eight--------", RUNS),
    "nine---------": ("nine---------", RUNS),
    "thirteen-------------.": ("thirteen-------------.", RUNS),
    "--markdownit -- super--": ("—markdownit — super—", EM_DASH),
    "markdownit--awesome": ("markdownit—awesome", EM_DASH),
    "1 -- -- 3": ("1 — — 3", EM_DASH),
    "'foo \"bar' baz\"": ("‘foo “bar’ baz”", UNPAIRED),
    '"foo "bar \'baz"': ("“foo “bar ’baz”", UNPAIRED),
    '"Monitor 21"" and "Monitor""': ('“Monitor 21"” and “Monitor””', UNPAIRED),
    "test.. test... test..... test?..... test!....": (
        "test.. test… test….. test?….. test!….",
        DOTS,
    ),
    "!!!!!! ???? ,,": ("!!!!!! ???? ,,", REPLACEMENTS),
    "!... ?... ,... !!!!!!.... ????.... ,,...": ("!… ?… ,… !!!!!!…. ????…. ,,…", DOTS),
    "(c)": ("(c)", REPLACEMENTS),
    "(C)": ("(C)", REPLACEMENTS),
    "(c) (C)": ("(c) (C)", REPLACEMENTS),
    "(r) (R)": ("(r) (R)", REPLACEMENTS),
    "(tm) (TM)": ("(tm) (TM)", REPLACEMENTS),
    "+-5": ("+-5", REPLACEMENTS),
}


def _suites_folder() -> Path:
    if not SUITES.is_dir():
        pytest.skip(f"the typography test suites are missing: expected them in {SUITES}")
    return SUITES


def _commonmark_cases(text: str) -> list[tuple[str, str]]:
    fence = "`" * 32
    pattern = re.compile(rf"^{fence} example\n(.*?)^\.\n(.*?)^{fence}$", re.M | re.S)
    return [(m.group(1), m.group(2)) for m in pattern.finditer(text)]


def _markdown_it_cases(text: str) -> list[tuple[str, str]]:
    lines = text.split("\n")
    cases, i = [], 0
    while i < len(lines):
        if lines[i] == ".":
            j = lines.index(".", i + 1)
            k = lines.index(".", j + 1)
            cases.append(("\n".join(lines[i + 1 : j]) + "\n", "\n".join(lines[j + 1 : k]) + "\n"))
            i = k + 1
        else:
            i += 1
    return cases


def _prose_pairs(source: str, expected: str) -> list[tuple[str, str]]:
    """(line, expected line) pairs of a case whose input is plain prose.

    A field is one paragraph to us, so a suite's soft line break is a space;
    each line of a case is checked on its own (no case quotes across lines).
    """
    if MARKUP & set(source):
        return []
    paragraphs = [p for p in re.split(r"\n\s*\n", source) if p.strip()]
    outputs = re.findall(r"<p>(.*?)</p>", expected, re.S)
    if len(paragraphs) != len(outputs):
        return []
    pairs = []
    for paragraph, output in zip(paragraphs, outputs, strict=True):
        lines, wanted = paragraph.strip().split("\n"), html.unescape(output).split("\n")
        if len(lines) != len(wanted):
            lines, wanted = [" ".join(lines)], [" ".join(wanted)]
        pairs += [
            (" ".join(a.split()), " ".join(b.split())) for a, b in zip(lines, wanted, strict=True)
        ]
    return pairs


def suite_cases() -> list[tuple[str, str, str]]:
    """(suite, input line, expected output) for every prose case."""
    folder = _suites_folder()
    readers = {
        "cmark_smart_punct.txt": _commonmark_cases,
        "markdown-it-py_typographer.md": _markdown_it_cases,
        "markdown-it-py_smartquotes.md": _markdown_it_cases,
    }
    cases = []
    for name, reader in readers.items():
        for source, expected in reader((folder / name).read_text(encoding="utf-8")):
            cases += [(name, line, output) for line, output in _prose_pairs(source, expected)]
    return cases


def test_the_suites_give_prose_cases() -> None:
    cases = suite_cases()
    assert len(cases) >= 25, cases
    assert {name for name, _, _ in cases} == {
        "cmark_smart_punct.txt",
        "markdown-it-py_typographer.md",
        "markdown-it-py_smartquotes.md",
    }


def test_smart_punctuation_suites() -> None:
    failures = []
    used = set()
    for name, source, expected in suite_cases():
        if source in DEVIATIONS:
            used.add(source)
            expected = DEVIATIONS[source][0]
        got = normalise_text(source, "en")
        if got != expected:
            failures.append(f"{name}: {source!r} -> {got!r}, expected {expected!r}")
    assert not failures, "\n".join(failures)
    assert used == set(DEVIATIONS), f"deviations no suite case uses: {set(DEVIATIONS) - used}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('She said "it\'s fine" -- and left.', "She said “it’s fine” — and left."),
        ("In the '90s, rock 'n' roll was 'dead'.", "In the ’90s, rock ’n’ roll was ‘dead’."),
        ("'Twas the night; 'em all.", "’Twas the night; ’em all."),
        ('The team—"we won"—cheered.', "The team—“we won”—cheered."),
        ('He wrote: ("quoted") and ["bracketed"].', "He wrote: (“quoted”) and [“bracketed”]."),
        ("\"Outer 'inner' outer,\" she said.", "“Outer ‘inner’ outer,” she said."),
        ("He is 5'11\" and 6' tall.", "He is 5'11\" and 6' tall."),
        ('A 65" screen.', 'A 65" screen.'),
        ('"I was 21" he said.', "“I was 21” he said."),
        ("Visit https://example.com/a--b... or www.x.org/q?a=1--2", None),
        ('Mail jane.doe@example.com -- or `don\'t "touch"` this.', None),
        ("Iraq - the country - agreed.", "Iraq — the country — agreed."),
        ("Won 3 - 1 in 1990--2000.", "Won 3 - 1 in 1990–2000."),
        ("Wait ... what...", "Wait … what…"),
        ("On Nov. 1, No. 5 ran 10 km at 5 % on p. 12.", None),
        ("The users' stuff and the 70's.", "The users’ stuff and the 70’s."),
    ],
)
def test_english_typography(source: str, expected: str | None) -> None:
    got = normalise_text(source, "en")
    if expected is None:  # protected parts must come out as they went in
        for part in re.findall(r"https?://\S+|www\.\S+|\S+@\S+|`[^`]*`", source):
            assert part in got
    else:
        assert got == expected


def test_no_break_spaces() -> None:
    got = normalise_text("On Nov. 1, No. 5 ran 10 km at 5 % on p. 12, said Mr. Smith.")
    assert got == (
        "On Nov.\u00a01, No.\u00a05 ran 10\u00a0km at 5\u00a0% on p.\u00a012, said Mr.\u00a0Smith."
    )
    assert no_break_spaces("5 in a row") == "5 in a row"  # "in" is not a unit here


def test_french() -> None:
    got = normalise_text('Il a dit "non" : vraiment ? Oui!', "fr")
    assert got == "Il a dit «\u202fnon\u202f»\u00a0: vraiment\u202f? Oui\u202f!"
    assert normalise_text("«Bonjour»", "fr-CA") == "«\u202fBonjour\u202f»"
    assert french_spacing("À 12:30 précises") == "À 12:30 précises"


def test_german() -> None:
    assert normalise_text("Er sagte \"'Nein' ist nein\".", "de") == "Er sagte „‚Nein‘ ist nein“."
    assert normalise_text('"Grüezi"', "de-CH") == "«Grüezi»"


def test_other_languages_get_english_quotes() -> None:
    assert normalise_text('Dedi ki "evet".', "tr") == "Dedi ki “evet”."


def test_each_fix_leaves_its_own_output_alone() -> None:
    text = "He said \"it's 5 km\" -- on Nov. 1 ... 'really'. A - b."
    for fix in (dashes, ellipses, smart_quotes, no_break_spaces, french_spacing):
        once = fix(text)
        assert fix(once) == once, fix.__name__


def test_a_huge_word_does_not_hang() -> None:
    word = ("abcdefghij" * 8000)[:80000]
    for tricky in (word, word + "@", "'" + word, word + "'s", "http://" + word, "1" * 80000 + "'"):
        assert re.sub(r"\W", "", normalise_text(tricky)) == re.sub(r"\W", "", tricky)
