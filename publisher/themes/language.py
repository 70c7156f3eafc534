"""Language-aware helpers for theme templates: direction, upper-casing, bylines, dates.

Registered in every theme's Jinja environment: the test ``rtl``
(``{% if lang is rtl %} dir="rtl"{% endif %}``) and the filter ``uppercase``
(``{{ article.metadata.section | uppercase(lang) }}``), the filter ``byline``
(``{{ article.metadata.authors | byline(lang) }}``: "By …", "Par … et …") and
the filter ``long_date`` (``{{ article.metadata.date | long_date(lang) }}``:
"20 février 2024", from CLDR through Babel).

Themes upper-case in the template, not with CSS ``text-transform``: Python's
``str.upper`` and many e-readers ignore the language, and Turkish and
Azerbaijani need dotted ``i`` → ``İ`` and dotless ``ı`` → ``I``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from functools import lru_cache

from publisher import cache

__all__ = ["RTL_LANGUAGES", "byline", "is_rtl", "long_date", "uppercase"]

#: Languages written right to left (ISO 639 codes), unless a script subtag says otherwise.
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ps", "sd", "ug", "ur", "yi"}
)
#: Script subtags (ISO 15924) of right-to-left scripts.
_RTL_SCRIPTS = frozenset({"arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "mand", "samr"})
#: Languages whose upper case of i is İ (CLDR's special casing).
_DOTTED_I_LANGUAGES = frozenset({"tr", "az", "crh"})
_DOTTED_UPPER = str.maketrans({"i": "İ", "ı": "I"})


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|T)")


def long_date(value: object, language: object = "en") -> str:
    """An ISO date as readers of ``language`` write it in full; other text unchanged.

    A date-time shows its day only (the ``<time>`` element keeps the exact value).

    >>> long_date("2024-02-20", "en"), long_date("2024-02-20", "en-GB")
    ('February 20, 2024', '20 February 2024')
    >>> long_date("2024-02-20", "fr"), long_date("2024-02-20T07:30:00+01:00", "de")
    ('20 février 2024', '20. Februar 2024')
    >>> long_date("Tuesday", "en"), long_date("2024-02-30", "en"), long_date("2024-02-20", "xx")
    ('Tuesday', '2024-02-30', '2024-02-20')
    """
    text = "" if value is None else str(value)
    match = _ISO_DAY.match(text.strip())
    if match is None:
        return text
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return text
    tag = str(language or "en").strip().replace("_", "-")
    # Importing Babel's dates and reading a locale's CLDR data cost a one-article
    # build ~40 ms for one string, so the string is kept on disk (publisher.cache).
    key = cache.digest("long-date", day.isoformat(), tag, _babel_version())
    stored = cache.load("dates", key)
    if stored is not None:
        return stored.decode("utf-8")
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date

    for candidate in (tag, _subtags(tag)[0]):
        try:
            written = str(format_date(day, format="long", locale=Locale.parse(candidate, sep="-")))
        except (UnknownLocaleError, ValueError):
            continue
        cache.store("dates", key, written.encode("utf-8"))
        return written
    return text


@lru_cache(maxsize=1)
def _babel_version() -> str:
    """Which Babel (and so which CLDR data) wrote a date: its files' place, size and time."""
    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return "none"
    found = os.stat(spec.origin)
    return f"{spec.origin}:{found.st_size}:{found.st_mtime_ns}"


def _subtags(language: str) -> list[str]:
    return language.strip().lower().replace("_", "-").split("-")


def is_rtl(language: object) -> bool:
    """Whether text in the BCP 47 ``language`` runs right to left.

    A script subtag decides when there is one (``az-Arab`` is, ``ku-Latn`` is not).

    >>> is_rtl("ar"), is_rtl("he-IL"), is_rtl("fa_IR"), is_rtl("ur"), is_rtl("en")
    (True, True, True, True, False)
    >>> is_rtl("az-Arab"), is_rtl("ar-Latn"), is_rtl("")
    (True, False, False)
    """
    if not isinstance(language, str) or not language.strip():
        return False
    primary, *rest = _subtags(language)
    scripts = [tag for tag in rest if len(tag) == 4 and tag.isalpha()]
    if scripts:
        return scripts[0] in _RTL_SCRIPTS
    return primary in RTL_LANGUAGES


def uppercase(text: object, language: str = "") -> str:
    """Upper-case ``text`` the way ``language`` does; Turkish and Azerbaijani keep the dot on i.

    >>> uppercase("İstanbul'da ışık ve iğne", "tr")
    "İSTANBUL'DA IŞIK VE İĞNE"
    >>> uppercase("Diyarbakır", "az-Latn"), uppercase("istanbul", "en")
    ('DİYARBAKIR', 'ISTANBUL')
    >>> uppercase("Straße", "de"), uppercase(None)
    ('STRASSE', '')
    """
    if text is None:
        return ""
    value = str(text)
    if language and _subtags(language)[0] in _DOTTED_I_LANGUAGES:
        value = value.translate(_DOTTED_UPPER)
    return value.upper()


#: The byline's label and the word before the last name, per language (English otherwise).
_BYLINE_WORDS = {
    "en": ("By", "and"),
    "fr": ("Par", "et"),
    "de": ("Von", "und"),
    "es": ("Por", "y"),
    "it": ("Di", "e"),
    "pt": ("Por", "e"),
    "nl": ("Door", "en"),
    "tr": ("", "ve"),
    "ar": ("بقلم", "و"),
}


#: Languages whose bylines are the names alone, joined by this separator.
_LISTED = {"zh": "、", "ja": "、", "ko": ", "}


def byline(names: object, language: str = "en") -> str:
    """The byline for ``names`` in ``language``: its label, then the names joined.

    >>> byline(["Jane Doe", "Ali Hassan"]), byline(["Ann", "Bo", "Cy"], "fr-CA")
    ('By Jane Doe and Ali Hassan', 'Par Ann, Bo et Cy')
    >>> byline(["Ayşe Yılmaz", "Can Öz"], "tr"), byline([], "de")
    ('Ayşe Yılmaz ve Can Öz', '')

    Chinese and Japanese list names with "、" and no label; Korean with commas.

    >>> byline(["王明", "李华"], "zh"), byline(["田中 花子"], "ja")
    ('王明、李华', '田中 花子')
    >>> byline(["김지훈", "이수진"], "ko")
    '김지훈, 이수진'
    """
    items = [str(name) for name in names] if isinstance(names, list | tuple) else [str(names)]
    items = [name for name in items if name.strip()]
    if not items:
        return ""
    primary = _subtags(language)[0] if language else "en"
    if primary in _LISTED:
        return _LISTED[primary].join(items)
    label, conjunction = _BYLINE_WORDS.get(primary, _BYLINE_WORDS["en"])
    joined = items[0]
    if len(items) > 1:
        joined = f"{'، ' if primary == 'ar' else ', '}".join(items[:-1])
        # Arabic writes "and" (و) joined to the next word.
        space = "" if primary == "ar" else " "
        joined = f"{joined} {conjunction}{space}{items[-1]}"
    return f"{label} {joined}" if label else joined
