"""The sidecar: optional metadata in ``<stem>.toml`` next to the input.

Example ``article.toml``::

    authors = ["Jane Doe", "John Roe"]
    date = 2015-08-21
    publisher = "Daily Sabah"
    source = "https://www.example.com/news/1"
    section = "World"
    language = "en"
    identifier = "urn:uuid:..."
    rights = "© 2015 Daily Sabah"
    image = "photo.jpg"
    order = 3              # position in a collection (else the order given)
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.files import SIDECAR, read_file
from publisher.model import Metadata
from publisher.readers.values import check_date, check_identifier, check_language, value_problem

_KEYS = ("authors", "date", "publisher", "source", "section", "language", "identifier", "rights")
_ALIASES = {"author": "authors", "lang": "language", "id": "identifier", "url": "source"}
KNOWN_KEYS = (*_KEYS, "image", "order", *_ALIASES)


def sidecar_path(path: Path) -> Path:
    """The sidecar file that belongs to an input file."""
    return path.with_suffix(".toml")


def read_sidecar(path: Path) -> Metadata:
    """Return the metadata of the input's sidecar, or empty metadata if it has none."""
    toml_path = sidecar_path(path)
    if toml_path == path or not os.path.lexists(toml_path):
        return Metadata()
    # Checked before it is read: inside the article's folder, a regular file, at most 5 MB.
    data_bytes = read_file(
        toml_path,
        SIDECAR,
        (path.parent,),
        root_name="the article's folder",
        outside_hint="Put the sidecar itself next to the article, not a link to it.",
    )
    try:
        data = tomllib.loads(data_bytes.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{toml_path}: cannot be read ({exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{toml_path} is not valid TOML: {exc}.", "Fix the sidecar or remove it."
        ) from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number; arrays nested deep
        problem = (
            "it is nested too deeply"
            if isinstance(exc, RecursionError)
            else f"it holds {value_problem(exc)}"
        )
        raise InputError(
            f"{toml_path} cannot be read: {problem}.", "Fix the sidecar or remove it."
        ) from None
    return metadata_from_mapping(data, str(toml_path))


def metadata_from_mapping(data: dict[str, Any], where: str) -> Metadata:
    """Build metadata from a sidecar's table, checking every key and value."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = _ALIASES.get(key, key)
        if name not in (*_KEYS, "image", "order"):
            known = ", ".join(KNOWN_KEYS)
            raise InputError(f"{where}: unknown key '{key}'.", f"Known keys: {known}.")
        values[name] = _value(name, value, where)
    return Metadata(**values)


def _value(name: str, value: Any, where: str) -> Any:
    if name == "authors":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(a, str) for a in items):
            raise InputError(f"{where}: 'authors' must be a name or a list of names.")
        return tuple(a.strip() for a in items if a.strip())
    if name == "order":
        if not isinstance(value, int) or isinstance(value, bool):
            raise InputError(f"{where}: 'order' must be a whole number.")
        return value
    if name == "date":
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise InputError(f"{where}: 'date' must be a date such as 2015-08-21.")
        return check_date(value, where)
    if not isinstance(value, str):
        raise InputError(f"{where}: '{name}' must be text.")
    if name == "language":
        return check_language(value, where)
    if name == "identifier" and value.strip():
        return check_identifier(value, where)
    return value.strip() or None
