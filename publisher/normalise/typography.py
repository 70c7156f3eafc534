"""Typography: curly quotes, dashes, ellipses and no-break spaces, language-aware.

Every fix here is a pure ``str -> str`` function (quotes take the language's
``QuoteStyle`` too; ``typography_fixes`` binds it). URLs, e-mail addresses,
`backtick-quoted text` and measurements in feet and inches (5'11", 6') are
protected: no fix changes a character inside them.

Quotes are paired the way CommonMark and markdown-it pair them: a straight
quote can open when it is not followed by a space, and can close when it is not
preceded by one; a closer is matched with the nearest opener of the same kind.
Where that leaves a quote unpaired, a single quote is an apostrophe and a
double quote opens or closes by its side (a quotation that runs on into the
next paragraph has no closing quote, by convention).
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "QuoteStyle",
    "cjk_quotes",
    "dashes",
    "ellipses",
    "french_spacing",
    "no_break_spaces",
    "protected_spans",
    "quote_style",
    "smart_quotes",
    "typography_fixes",
]

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: French ; ! ? and inside « »
APOSTROPHE = "’"


@dataclass(frozen=True, slots=True)
class QuoteStyle:
    """The marks a language uses for outer (double) and inner (single) quotes."""

    double_open: str
    double_close: str
    single_open: str
    single_close: str


ENGLISH = QuoteStyle("“", "”", "‘", "’")
FRENCH = QuoteStyle(f"«{NNBSP}", f"{NNBSP}»", "“", "”")
GERMAN = QuoteStyle("„", "“", "‚", "‘")
SWISS = QuoteStyle("«", "»", "‹", "›")  # de-CH: guillemets, no spaces
#: Spanish, as the RAE recommends: angular quotes first, English quotes inside
#: (« … “ … ” … »), no spaces. Arabic and Persian news use the same guillemets.
ANGULAR = QuoteStyle("«", "»", "“", "”")
#: Japanese, and Chinese written in traditional characters: corner brackets.
CORNER = QuoteStyle("「", "」", "『", "』")
#: Languages written without spaces between words, whose quotes are paired in order.
CJK_LANGUAGES = frozenset({"zh", "ja", "ko"})


def quote_style(language: str) -> QuoteStyle:
    """The quote marks for a BCP 47 language tag; English marks for the rest.

    >>> quote_style("de-DE").double_open, quote_style("fr").double_open
    ('„', '«\\u202f')
    >>> quote_style("de-CH") == SWISS, quote_style("tr") == ENGLISH
    (True, True)
    >>> quote_style("es-MX") == ANGULAR, quote_style("ar") == ANGULAR
    (True, True)
    >>> quote_style("ja") == CORNER, quote_style("zh-Hant") == CORNER, quote_style("zh") == ENGLISH
    (True, True, True)
    """
    tag = language.lower().replace("_", "-")
    primary = tag.split("-", 1)[0]
    if primary == "de" and tag.endswith("-ch"):
        return SWISS
    if primary == "ja" or (primary == "zh" and ("-hant" in tag or tag[3:] in ("tw", "hk", "mo"))):
        return CORNER
    styles = {"fr": FRENCH, "de": GERMAN, "es": ANGULAR, "ar": ANGULAR, "fa": ANGULAR}
    return styles.get(primary, ENGLISH)


# Linear-time by construction: every repeated part is possessive or anchored by
# a lookbehind, so a long run of word characters is scanned once, not once per
# start. Each pattern runs only when a character it needs is in the text.
_CODE = re.compile(r"`[^`]*+`")  # `code`
# A URL ends at whitespace or any quotation mark, straight or typographic, so
# quotes around a URL are still curled (and curling them cannot move its end).
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"'`«»“”‘’„‚‹›]++")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
_DIGIT_QUOTE = re.compile(r"\d'")
_MEASUREMENT = re.compile(
    r"(?<![\w.])\d++(?:\.\d++)?+'(?:\s?\d++(?:\.\d++)?+\"?+|(?![\w']))"  # 5'11", 6'
)


@functools.lru_cache(maxsize=8)
def protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Start and end of each part of ``text`` that typography must not touch.

    >>> t = "See https://x.org/a--b, `a -- b`, me@x.org and 5'11\\"."
    >>> [t[a:b] for a, b in protected_spans(t)]
    ['https://x.org/a--b,', '`a -- b`', 'me@x.org', '5\\'11"']
    """
    spans: list[tuple[int, int]] = []
    if "`" in text:
        spans += [m.span() for m in _CODE.finditer(text)]
    if "//" in text or "www." in text:
        spans += [m.span() for m in _URL.finditer(text)]
    if "@" in text:
        spans += [m.span() for m in _EMAIL.finditer(text)]
    if "'" in text and _DIGIT_QUOTE.search(text):
        spans += [m.span() for m in _MEASUREMENT.finditer(text)]
    if not spans:
        return ()
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:  # a URL inside `code` is one protected part
        if start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _inside(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a protected span (spans are sorted)."""
    i = bisect.bisect_right(spans, (start, sys.maxsize)) - 1  # last span starting <= start
    if i >= 0 and spans[i][1] > start:
        return True
    return i + 1 < len(spans) and spans[i + 1][0] < end


def _sub_outside(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str) -> str:
    """``pattern.sub(repl, text)``, leaving matches that touch a protected span."""
    spans = protected_spans(text)
    if not spans:
        return pattern.sub(repl, text)

    def guarded(match: re.Match[str]) -> str:
        if _inside(spans, match.start(), match.end()):
            return match.group()
        return repl(match)

    return pattern.sub(guarded, text)


_ELLIPSIS = re.compile(r"\.\.\.")


def ellipses(text: str) -> str:
    """Three dots become an ellipsis; the spaces around them stay as they were.

    >>> ellipses("timeline ... and to begin...")
    'timeline … and to begin…'
    >>> ellipses("Wait....")
    'Wait….'
    """
    if "..." not in text:
        return text
    return _sub_outside(_ELLIPSIS, lambda m: "…", text)


_DASHES = re.compile(r"(?<!-)-{2,3}(?!-)|(?<=\S )-(?= \S)")


def _dash(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if match.group() == "-":  # spaced: "word - word"
        if text[start - 2].isdigit() and text[end + 1].isdigit():
            return "-"  # 3 - 1 is a score: keep it
        return "—"
    between_digits = start > 0 and text[start - 1].isdigit() and end < len(text)
    between_digits = between_digits and text[end].isdigit()
    if match.group() == "--" and between_digits:
        return "–"  # 1990--2000 is a range
    return "—"


def dashes(text: str) -> str:
    """``--`` and ``---`` become an em dash, as does a spaced hyphen between words.

    AP style: one kind of dash for a break in a sentence, the em dash, with the
    spaces the writer typed. Two hyphens between digits are a range (en dash);
    longer runs of hyphens are rules, not dashes, and stay.

    >>> dashes("Iraq -- and Syria - agreed---today; 1990--2000; 3 - 1; ----; a - - b")
    'Iraq — and Syria — agreed—today; 1990–2000; 3 - 1; ----; a — — b'
    """
    if "--" not in text and " - " not in text:
        return text
    return _sub_outside(_DASHES, _dash, text)


@functools.lru_cache(maxsize=1024)
def _is_punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


#: Apostrophes that start a word: '90s, 'tis, 'twas, 'em, rock 'n' roll.
_ELISION = re.compile(r"'(?:\d\d(?!\d)|(?:tis|twas|em|cause|til|n')\b|n\b(?=' ))", re.IGNORECASE)


def smart_quotes(text: str, style: QuoteStyle = ENGLISH) -> str:
    """Straight quotes and apostrophes become curly ones, paired and nested.

    >>> smart_quotes("\\"'Shelob' is my name,\\" said the spider's friend in the '90s.")
    '“‘Shelob’ is my name,” said the spider’s friend in the ’90s.'
    >>> smart_quotes("rock 'n' roll, (\\"quoted\\") and 5'11\\" tall")
    'rock ’n’ roll, (“quoted”) and 5\\'11" tall'
    >>> smart_quotes('"Bonjour"', FRENCH) == "«\\u202fBonjour\\u202f»"
    True
    """
    if "'" not in text and '"' not in text:
        return text
    spans = protected_spans(text)
    chars = list(text)
    openers: list[tuple[int, bool]] = []  # (position, is_single)
    unpaired: list[tuple[int, bool]] = []
    size = len(text)
    for match in re.finditer("['\"]", text):
        i = match.start()
        if spans and _inside(spans, i, i + 1):
            continue
        single = text[i] == "'"
        last = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < size else " "
        if single and not last.isalnum() and _ELISION.match(text, i):
            chars[i] = APOSTROPHE
            continue
        last_space, next_space = last.isspace(), after.isspace()
        last_punct, next_punct = _is_punct(last), _is_punct(after)
        can_open = not next_space and (not next_punct or last_space or last_punct)
        can_close = not last_space and (not last_punct or next_space or next_punct)
        if not single and last.isdigit() and (after == '"' or not _has(openers, single=False)):
            continue  # 21" is inches, unless it closes an open quotation
        if can_open and can_close:  # inside a word, or between punctuation
            can_open, can_close = last_punct, next_punct
        if not can_open and not can_close:
            if single:
                chars[i] = APOSTROPHE
            continue
        if can_close:
            for j in range(len(openers) - 1, -1, -1):
                position, kind = openers[j]
                if kind == single:
                    chars[position] = style.single_open if single else style.double_open
                    chars[i] = style.single_close if single else style.double_close
                    unpaired.extend(openers[j + 1 :])
                    del openers[j:]
                    break
            else:
                if not can_open:
                    chars[i] = APOSTROPHE if single else style.double_close
                    continue
        if can_open and chars[i] == text[i]:
            openers.append((i, single))
    for position, single in unpaired + openers:
        chars[position] = APOSTROPHE if single else style.double_open
    return "".join(chars)


def _has(openers: list[tuple[int, bool]], *, single: bool) -> bool:
    return any(kind == single for _, kind in openers)


_ABBREVIATION_NUMBER = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Nos|Nr|p|pp|Fig|Figs|Vol|Vols"
    r"|Art|Arts|Ch|Chap|Sec|Para|Ed|Ps)\. (?=\d)"
)
_HONORIFIC = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Lt|Col|Capt|Sgt|Maj|Adm|Rev|Hon|Pres|St)\. (?=[A-Z])"
)
_NUMBER_UNIT = re.compile(
    r"(?<=\d) (?=(?:%|‰|°[CF]?|(?:mm|cm|km|m|kg|mg|g|t|l|ml|mi|mph|km/h|ft|lb|lbs|oz|ha|sq"
    r"|kW|MW|GW|kWh|MWh|GWh|TWh|Hz|kHz|MHz|GHz|kB|KB|MB|GB|TB|bn|°C|°F)(?!\w)))"
)


def no_break_spaces(text: str) -> str:
    """No-break spaces where a line must not break: "Nov. 1", "Mr. Smith", "5 km", "10 %".

    >>> no_break_spaces("On Nov. 1, Mr. Smith ran 5 km; No. 5 is 10 % up, p. 12.").split(" ")
    ['On', 'Nov.\\xa01,', 'Mr.\\xa0Smith', 'ran', '5\\xa0km;', 'No.\\xa05', 'is', '10\\xa0%',
     'up,', 'p.\\xa012.']
    """
    if " " not in text:
        return text
    for pattern in (_ABBREVIATION_NUMBER, _HONORIFIC, _NUMBER_UNIT):
        text = _sub_outside(pattern, lambda m: m.group()[:-1] + NBSP, text)
    return text


_FRENCH_BEFORE = re.compile(r"(?<=[\w»)\]”’…])[ \u00a0\u202f]?(?=[;:!?]+(?:\s|$|[»”’)\]]))")
_GUILLEMET_OPEN = re.compile(r"«[ \u00a0\u202f]?")
_GUILLEMET_CLOSE = re.compile(r"[ \u00a0\u202f]?»")


def french_spacing(text: str) -> str:
    """French spacing: a no-break space before ; : ! ? and inside « ».

    Narrow no-break space (U+202F) before ; ! ? and inside guillemets, a full
    no-break space (U+00A0) before the colon, as the Imprimerie nationale has it.

    >>> french_spacing("Quoi ? Il a dit «non»: vraiment!") == (
    ...     "Quoi\\u202f? Il a dit «\\u202fnon\\u202f»\\u00a0: vraiment\\u202f!")
    True
    >>> french_spacing("À 12:30, voir https://x.fr?a=1!")
    'À 12:30, voir https://x.fr?a=1!'
    """
    if not any(mark in text for mark in ";:!?«»"):
        return text

    def before(match: re.Match[str]) -> str:
        return NBSP if match.string[match.end()] == ":" else NNBSP

    text = _sub_outside(_FRENCH_BEFORE, before, text)
    text = _GUILLEMET_OPEN.sub(f"«{NNBSP}", text)
    return _GUILLEMET_CLOSE.sub(f"{NNBSP}»", text)


#: A named, pure text fix.
Fix = Callable[[str], str]


def cjk_quotes(text: str, style: QuoteStyle = ENGLISH) -> str:
    """Pair straight double quotes in order (open, close, ...) for text without word spaces.

    ``smart_quotes`` tells an opening quote by the space before it, which
    Chinese, Japanese and Korean text does not have; there a quote is paired
    with the next one. A paragraph with an odd number of them is left alone.

    >>> cjk_quotes('李女士说："以前要换乘两次。"她表示')
    '李女士说：“以前要换乘两次。”她表示'
    >>> cjk_quotes('担当者は"改善を続けたい"と話した。', CORNER), cjk_quotes('"一')
    ('担当者は「改善を続けたい」と話した。', '"一')
    """
    parts = text.split('"')
    if len(parts) % 2 == 0:
        return text
    marks = (style.double_open, style.double_close)
    return parts[0] + "".join(marks[i % 2] + part for i, part in enumerate(parts[1:]))


def typography_fixes(language: str) -> list[tuple[str, Fix]]:
    """The typography fixes for a language, in the order they run, with their names.

    >>> [name for name, _ in typography_fixes("fr-CA")]
    ['dashes', 'ellipses', 'smart-quotes', 'no-break-spaces', 'french-spacing']
    >>> [name for name, _ in typography_fixes("ja")]
    ['dashes', 'ellipses', 'cjk-quotes', 'no-break-spaces']
    """
    style = quote_style(language)
    quotes: tuple[str, Fix] = ("smart-quotes", functools.partial(smart_quotes, style=style))
    if language.lower().replace("_", "-").split("-", 1)[0] in CJK_LANGUAGES:
        quotes = ("cjk-quotes", functools.partial(cjk_quotes, style=style))
    fixes: list[tuple[str, Fix]] = [
        ("dashes", dashes),
        ("ellipses", ellipses),
        quotes,
        ("no-break-spaces", no_break_spaces),
    ]
    if language.lower().split("-", 1)[0].split("_", 1)[0] == "fr":
        fixes.append(("french-spacing", french_spacing))
    return fixes
