"""Language detection with lingua, for articles whose metadata gives none.

lingua (a Rust library with Python bindings) is asked to choose only among the
languages publisher has rules for (``DETECTED_LANGUAGES``: quotes, spacing,
upper case, direction), in its low-accuracy mode (trigram models only). It
loads a model only for a language whose script the text uses, so a Latin-script
article loads five small models and an Arabic one three: a few milliseconds,
where py3langid, used before, unpacked a 70 MB model for 97 languages in half a
second. On short news texts (a headline and a first paragraph,
``tests/data/language_id/``) it is right as often as py3langid, or more often
(see the README's Performance section and ``tests/test_language_id.py``).

A text of at least ``CLD2_MIN_LETTERS`` letters (any article with a first
paragraph) is first given to CLD2 (pycld2: Chromium's compact detector, its
tables compiled in, so it answers in about 5 ms from a cold start); when it
names one of ``DETECTED_LANGUAGES`` and calls its answer reliable, that is the
answer. Loading lingua (a 100 MB library) and its five Latin-script models
takes ~0.14 s in a fresh process, more than all the rest of a one-article
EPUB's work. Shorter text (a headline alone), text CLD2 is unsure of and
languages outside the nine go to lingua, which is the more accurate on short
text: CLD2 took two of the 126 test headlines for English and Indonesian, and
agreed with lingua on all 256 longer texts it decided (real pages of the
extraction suites and the seeds; see the README).

Before either, the text's script is looked at (``script_language``): a
script written by one language, or by one language among those a newsroom
meets, decides alone. Han ideographs with Hiragana or Katakana are Japanese,
Han without kana Chinese, Hangul Korean; Greek, Thai, Georgian and Armenian
letters are el, th, ka and hy. Latin, Arabic and Hebrew text goes on to lingua.

An article in another language (or in a script several languages share, such
as Cyrillic or Devanagari) is labelled with the nearest of lingua's nine, so it
needs its language given (``--lang``, the sidecar or the metadata).
"""

from __future__ import annotations

import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["DEFAULT_LANGUAGE", "DETECTED_LANGUAGES", "detect_language", "script_language"]

DEFAULT_LANGUAGE = "en"

#: The languages detection chooses from (ISO 639-1): those with their own rules
#: in publisher (typography, Turkish casing, right-to-left layout). Persian,
#: Hebrew and Urdu are here so their texts are not taken for Arabic; their models
#: load only for text in their scripts.
DETECTED_LANGUAGES = ("en", "fr", "de", "es", "tr", "ar", "fa", "he", "ur")

#: Below this many letters a guess is not worth making.
MIN_LETTERS = 20

#: From this many letters CLD2 is asked first (a headline alone is shorter).
CLD2_MIN_LETTERS = 200

#: Enough text to be sure; more only costs time.
_SAMPLE = 2000

_LOCK = threading.Lock()

#: Scripts one language writes (of those a newsroom meets), by the first word of
#: the Unicode character name. Python's unicodedata has no Script property, and
#: the names' first word is the script for every letter these cover.
_SCRIPT_LANGUAGES = {
    "HANGUL": "ko",
    "GREEK": "el",
    "THAI": "th",
    "GEORGIAN": "ka",
    "ARMENIAN": "hy",
}
#: Name prefixes of Japanese kana (full and half width).
_KANA = ("HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA")


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the text's language; "en" when unsure.

    >>> detect_language("Le gouvernement a présenté mercredi son projet de loi sur les retraites.")
    'fr'
    >>> detect_language("Die Regierung hat am Montag neue Maßnahmen gegen Inflation beschlossen.")
    'de'
    >>> detect_language("OK"), detect_language("")
    ('en', 'en')
    """
    sample = text[:_SAMPLE]
    by_script = script_language(sample)
    if by_script is not None:
        return by_script
    letters = sum(char.isalpha() for char in sample)
    if letters < MIN_LETTERS:
        return DEFAULT_LANGUAGE
    if letters >= CLD2_MIN_LETTERS:
        decided = _cld2(sample)
        if decided is not None:
            return decided
    try:
        # lingua loads a language's model on first need; one thread at a time does.
        with _LOCK:
            language = _detector().detect_language_of(sample)
    except Exception:  # a broken install must not stop an article from building
        return DEFAULT_LANGUAGE
    if language is None:  # too close to call
        return DEFAULT_LANGUAGE
    return str(language.iso_code_639_1.name).lower()


def script_language(text: str) -> str | None:
    """The language the text's script tells alone, or None (Latin, Arabic, mixed...).

    Decided by the script of most of the letters: Han or kana with any kana is
    Japanese, Han alone Chinese, Hangul Korean (it may hold Han too); Greek,
    Thai, Georgian and Armenian are their languages.

    >>> script_language("深圳地铁新线开通"), script_language("京都市バス、急行路線を拡充へ")
    ('zh', 'ja')
    >>> script_language("부산 북항 재개발 공원 개방"), script_language("Αθήνα: νέο μετρό")
    ('ko', 'el')
    >>> script_language("Paris: new metro line"), script_language("محطة شمسية"), script_language("")
    (None, None, None)
    """
    scripts = Counter(map(_script_of, filter(str.isalpha, text)))
    if not scripts:
        return None
    script, _ = scripts.most_common(1)[0]
    if script in ("han", "kana"):
        return "ja" if scripts["kana"] else "zh"
    return _SCRIPT_LANGUAGES.get(script)


def _cld2(sample: str) -> str | None:
    """CLD2's answer if it is reliable and one of ``DETECTED_LANGUAGES``, else None."""
    try:
        import pycld2  # type: ignore[import-untyped]

        reliable, _, details = pycld2.detect(sample)
    except Exception:  # not installed, or text it cannot take: lingua decides
        return None
    code = str(details[0][1])
    return code if reliable and code in DETECTED_LANGUAGES else None


@lru_cache(maxsize=4096)
def _script_of(letter: str) -> str:
    """The script of a letter: "kana", "han" or the first word of its Unicode name.

    Kept per letter: an article uses a few dozen, and looking up names was most
    of the time a warm server spent telling the language.
    """
    name = unicodedata.name(letter, "")
    if name.startswith(_KANA):
        return "kana"
    if name.startswith("CJK ") and "IDEOGRAPH" in name:
        return "han"
    return name.split(" ", 1)[0]


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """lingua's detector for ``DETECTED_LANGUAGES``, built once per process (models load lazily)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
