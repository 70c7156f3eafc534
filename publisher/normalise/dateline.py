"""Datelines: a date on its own as the first paragraph, or "CITY (AGENCY) —" opening it.

A standalone date ("Friday, August 21, 2015") is furniture, not prose: it
moves to ``Article.dateline`` and gives the article its date. A news dateline
("BAGHDAD (AFP) — ...") is part of the sentence, so it is only noted; the
paragraph keeps every word, in order.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["news_dateline", "standalone_date"]

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_DATES = (
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}\.?", re.IGNORECASE),  # Aug. 21, 2015
    re.compile(rf"{_WEEKDAY}{_DAY}\.?\s+{_MONTH},?\s+{_YEAR}\.?", re.IGNORECASE),  # 21 August 2015
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),  # 2015-08-21
)


def standalone_date(paragraph: str) -> str | None:
    """The ISO date of a paragraph that is nothing but a date, else None.

    >>> standalone_date("Friday, August 21, 2015"), standalone_date("21 August 2015")
    ('2015-08-21', '2015-08-21')
    >>> standalone_date("2015-08-21"), standalone_date("Aug.\\u00a021, 2015")
    ('2015-08-21', '2015-08-21')
    >>> standalone_date("February 30, 2015"), standalone_date("August 21, 2015, was hot.")
    (None, None)
    """
    text = paragraph.strip()
    if len(text) > 40:
        return None
    for pattern in _DATES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        month = match.group("month")
        number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        if number is None:
            continue
        try:
            return dt.date(int(match.group("year")), number, int(match.group("day"))).isoformat()
        except ValueError:
            return None
    return None


_CAPS = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.-]+"
_NEWS_DATELINE = re.compile(
    rf"(?P<dateline>{_CAPS}(?:[ \u00a0]{_CAPS}){{0,3}}"  # BAGHDAD, NEW YORK
    r"(?:,[ \u00a0][^—–()\s][^—–()]{0,30}?)?"  # , Nov. 1 / , Ill.
    r"(?:[ \u00a0]\([^()]{1,30}\))?)"  # (AFP)
    r"[ \u00a0]?(?:[—–]|--?)[ \u00a0]"
)


def news_dateline(paragraph: str) -> str | None:
    """The news dateline opening a paragraph ("BAGHDAD (AFP)"), else None.

    >>> news_dateline("BAGHDAD (AFP) — Iraq said on Thursday...")
    'BAGHDAD (AFP)'
    >>> news_dateline("WASHINGTON — The U.S..."), news_dateline("PARIS, Nov. 1 (Reuters) — ...")
    ('WASHINGTON', 'PARIS, Nov. 1 (Reuters)')
    >>> news_dateline("The U.S. and Iraq agreed — for now.") is None
    True
    """
    match = _NEWS_DATELINE.match(paragraph[:160])
    return match.group("dateline") if match else None
