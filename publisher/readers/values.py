"""Checks shared by the sidecar and the command line for metadata values."""

from __future__ import annotations

import datetime as dt
import re

from publisher.errors import InputError, PublisherError

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def check_date(value: str, where: str, error: type[PublisherError] = InputError) -> str:
    """Return an ISO 8601 date or date-time, or raise naming ``where``.

    >>> check_date("2015-08-21", "x"), check_date("2015-08-21T10:00:00+02:00", "x")
    ('2015-08-21', '2015-08-21T10:00:00+02:00')
    """
    text = value.strip()
    try:
        if "T" in text or " " in text:
            dt.datetime.fromisoformat(text)
        else:
            dt.date.fromisoformat(text)
    except ValueError:
        raise error(
            f"{where}: '{value}' is not a date.", "Write it as YYYY-MM-DD, e.g. 2015-08-21."
        ) from None
    return text


def check_language(value: str, where: str, error: type[PublisherError] = InputError) -> str:
    """Return a BCP 47 language tag such as ``en`` or ``pt-BR``, or raise.

    >>> check_language("pt-BR", "x")
    'pt-BR'
    """
    text = value.strip()
    if not _LANGUAGE.match(text):
        raise error(
            f"{where}: '{value}' is not a language tag.", "Use a code such as en, fr or de-CH."
        )
    return text


def value_problem(exc: ValueError) -> str:
    """Say in words why a parser refused a value (Python's message when it has no better).

    >>> value_problem(ValueError("Exceeds the limit (4300 digits) for integer string conversion"))
    'a number longer than 4,300 digits'
    """
    if "integer string conversion" in str(exc):
        return "a number longer than 4,300 digits"
    return str(exc).rstrip(".")
