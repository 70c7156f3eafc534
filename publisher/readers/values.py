"""Checks shared by the sidecar and the command line for metadata values."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid

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


def check_identifier(value: str, where: str, error: type[PublisherError] = InputError) -> str:
    """Return an identifier EPUBCheck accepts: not blank, and a ``urn:uuid:`` holds a real UUID.

    EPUBCheck rejects an empty ``dc:identifier`` and warns (OPF-085) about a
    ``urn:uuid:`` whose UUID is malformed, so both are refused here.

    >>> check_identifier(" urn:uuid:0B6F7F0E-6D0C-4F6A-9D41-3C2C7B2D9A10 ", "x")
    'urn:uuid:0b6f7f0e-6d0c-4f6a-9d41-3c2c7b2d9a10'
    >>> check_identifier("isbn:9780000000002", "x")
    'isbn:9780000000002'
    >>> check_identifier("urn:uuid:not-a-uuid", "--id")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.InputError: --id: 'urn:uuid:not-a-uuid' is not a valid urn:uuid: ...
    """
    text = value.strip()
    if not text or not text.isprintable():
        raise error(
            f"{where}: the identifier {value!r} is blank or holds control characters.",
            "Give a real identifier (e.g. urn:uuid:... or an ISBN), or leave it out to derive one.",
        )
    if text.lower().startswith("urn:uuid:"):
        try:
            return f"urn:uuid:{uuid.UUID(text[len('urn:uuid:') :])}"
        except ValueError:
            raise error(
                f"{where}: '{value}' is not a valid urn:uuid: the part after it is not a UUID.",
                "Write urn:uuid: and 32 hex digits (python -c 'import uuid; print(uuid.uuid4())').",
            ) from None
    return text


def has_visible(text: str) -> bool:
    """Whether ``text`` has a character that prints: a letter, digit, punctuation or symbol.

    >>> has_visible("\u200b\u2060 \u00ad"), has_visible("\u200b1"), has_visible("…")
    (False, True, True)
    """
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def value_problem(exc: ValueError) -> str:
    """Say in words why a parser refused a value (Python's message when it has no better).

    >>> value_problem(ValueError("Exceeds the limit (4300 digits) for integer string conversion"))
    'a number longer than 4,300 digits'
    """
    if "integer string conversion" in str(exc):
        return "a number longer than 4,300 digits"
    return str(exc).rstrip(".")
