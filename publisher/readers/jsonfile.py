"""The JSON reader: the article schema that ``publisher normalise --json`` prints.

So an article can go out as JSON and come back in::

    publisher normalise story.txt --json > story.json
    publisher build story.json

The layout is :mod:`publisher.serialise`'s (``schema_version`` "2.0"; "1.1",
without the ``body`` tree, and "1.0", without ``kinds`` either, are read too)::

    {"schema_version": "1.1", "headline": "...", "caption": "..." or null,
     "credit": "..." or null, "dateline": "..." or null, "paragraphs": ["...", ...],
     "kinds": ["p", "subhead", "bullet", ...],
     "body": [{"type": "paragraph", "content": [{"type": "text", "text": "..."}]}, ...],
     "metadata": {"authors": [...], "date": ..., "publisher": ..., "source": ...,
                  "section": ..., "language": ..., "identifier": ..., "rights": ...},
     "image": {"path": "photo.jpg", ...} or null, "changes": [...]}

Only ``schema_version``, ``headline`` and ``paragraphs`` are required; ``kinds``,
when given, has one of "p", "subhead", "quote", "bullet", "number" per paragraph.
``body``, when given, is the document tree and wins over ``paragraphs`` and
``kinds`` (which are then only its flat view); each node is checked, and an
error names its place (``body item 3, content item 2``). ``source``,
``encoding`` and ``changes`` describe the earlier run and are not read back. An
image ``path`` is relative to the JSON file's folder. A ``dateline`` that the
first paragraph does not start with (a date the normaliser took off) is put
back as the first paragraph, so normalising again finds it again; any other
dateline the text does not start with (a wire story's, named apart from its
text) is kept as the article's dateline.

An IPTC ninjs item (no ``schema_version``; a ``uri`` and ninjs fields) is read
by :mod:`publisher.readers.wire.ninjs` instead.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import (
    BLOCK_KINDS,
    BLOCK_TYPES,
    Block,
    Metadata,
    Paragraph,
    RawArticle,
    Text,
    plain_text,
)
from publisher.normalise.dateline import standalone_date
from publisher.readers.decode import decode
from publisher.readers.sidecar import metadata_from_mapping
from publisher.readers.values import value_problem
from publisher.readers.wire import is_ninjs, read_ninjs_article
from publisher.serialise import SCHEMA_VERSION, node_from_data

FILE_EXTENSIONS = (".json",)

#: Schema versions this reader understands.
SCHEMA_VERSIONS = ("1.0", "1.1", SCHEMA_VERSION)
_TOP_KEYS = (
    "schema_version",
    "source",
    "encoding",
    "headline",
    "caption",
    "credit",
    "dateline",
    "paragraphs",
    "kinds",
    "body",
    "metadata",
    "image",
    "changes",
)
_HINT = "Give JSON as 'publisher normalise --json' prints it."


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read an article in publisher's JSON schema from its bytes."""
    decoded = decode(data, encoding)
    text = decoded.text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{path} has no text, only whitespace.", _HINT)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path} is not valid JSON: {exc.msg} on line {exc.lineno}, column {exc.colno}.",
            _HINT,
        ) from None
    except RecursionError:
        raise InputError(f"{path} is not valid JSON: it is nested too deeply.", _HINT) from None
    except ValueError as exc:  # a number past Python's 4,300-digit limit
        raise InputError(
            f"{path} holds {value_problem(exc)}, which cannot be read.", _HINT
        ) from None
    try:
        # "\ud800" is valid JSON but no character: it could be neither printed nor written.
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end].encode("unicode-escape").decode("ascii")
        raise InputError(
            f"{path} holds the escape {bad}, half of a UTF-16 pair, which is no character.",
            "Remove it, or write the character itself.",
        ) from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: the JSON must be an object {{...}}, not a list or value.", _HINT)
    if is_ninjs(document):
        raw = read_ninjs_article(document, path, decoded.encoding, [])
        return replace(raw, changes=decoded.changes)
    article = _Fields(document, path)
    headline = article.text("headline", required=True) or ""
    if not headline.strip():
        raise InputError(f"{path} has no headline: 'headline' is empty.", _HINT)
    paragraphs = list(article.paragraphs())
    if not [p for p in paragraphs if p.strip()]:
        raise InputError(f"{path} has a headline but no paragraphs.", _HINT)
    kinds = article.kinds(len(paragraphs))
    body = article.body()
    dateline = article.text("dateline")
    first = plain_text(body[:1]) if body else paragraphs[0]
    given = None  # a dateline the wire format named apart from the text
    # standalone_date is a pure function of the normaliser's: the same test
    # decides what it took off, so reading here agrees with it.
    off_text = bool(dateline and dateline.strip() and not first.startswith(dateline))
    if off_text and dateline and standalone_date(dateline) is None:
        given, dateline = dateline, None
    if dateline and dateline.strip() and not first.startswith(dateline):
        paragraphs.insert(0, dateline)
        kinds = ["p", *kinds] if kinds else []
        body = (Paragraph((Text(dateline),)), *body) if body else ()
    metadata = article.metadata()
    return RawArticle(
        source=path,
        headline=headline,
        caption=article.text("caption"),
        paragraphs=tuple(paragraphs),
        metadata=metadata,
        encoding=decoded.encoding,
        changes=decoded.changes,
        credit=article.text("credit"),
        kinds=tuple(kinds),
        body=body,
        dateline=given,
    )


class _Fields:
    """Typed access to the JSON object's fields, each error naming the field."""

    def __init__(self, document: dict[str, Any], path: Path) -> None:
        self.document = document
        self.path = path
        unknown = [key for key in document if key not in _TOP_KEYS]
        if unknown:
            raise InputError(
                f"{path}: unknown field '{unknown[0]}'.", f"Known fields: {', '.join(_TOP_KEYS)}."
            )
        version = document.get("schema_version")
        if version is None:
            raise InputError(
                f"{path}: 'schema_version' is missing; this is not a publisher article.",
                f"{_HINT} An IPTC ninjs item needs its 'uri' and 'type' (or '$schema').",
            )
        if version not in SCHEMA_VERSIONS:
            raise InputError(
                f"{path}: unknown schema_version {json.dumps(version)}.",
                f"This publisher reads schema_version {', '.join(SCHEMA_VERSIONS)}; "
                "update publisher, or export the article again with this version.",
            )
        for key in ("source", "encoding"):
            self.text(key)
        if not isinstance(document.get("changes", []), list):
            raise InputError(f"{path}: 'changes' must be a list.", _HINT)

    def text(self, key: str, *, required: bool = False) -> str | None:
        """A string field, or None when it is null or absent (unless required)."""
        value = self.document.get(key)
        if value is None:
            if required:
                raise InputError(f"{self.path}: '{key}' is missing.", _HINT)
            return None
        if not isinstance(value, str):
            raise InputError(f"{self.path}: '{key}' must be text, not {_kind(value)}.", _HINT)
        return value

    def paragraphs(self) -> list[str]:
        value = self.document.get("paragraphs")
        if value is None:
            raise InputError(f"{self.path}: 'paragraphs' is missing.", _HINT)
        if not isinstance(value, list):
            raise InputError(
                f"{self.path}: 'paragraphs' must be a list of texts, not {_kind(value)}.", _HINT
            )
        for number, item in enumerate(value, 1):
            if not isinstance(item, str):
                raise InputError(
                    f"{self.path}: 'paragraphs' item {number} must be text, not {_kind(item)}.",
                    _HINT,
                )
        return value

    def body(self) -> tuple[Block, ...]:
        """The document tree (schema 2.0), or () when the field is absent."""
        value = self.document.get("body")
        if value is None:
            return ()
        if not isinstance(value, list):
            raise InputError(f"{self.path}: 'body' must be a list of blocks.", _HINT)
        blocks = []
        for number, item in enumerate(value, 1):
            try:
                node = node_from_data(item, f"body item {number}")
            except ValueError as error:
                raise InputError(f"{self.path}: {error}.", _HINT) from None
            if not isinstance(node, BLOCK_TYPES):
                raise InputError(
                    f"{self.path}: body item {number} is a {node.kind}, not a block.", _HINT
                )
            blocks.append(node)
        return tuple(blocks)

    def kinds(self, count: int) -> list[str]:
        """The paragraphs' kinds: one per paragraph, or [] when the field is absent."""
        value = self.document.get("kinds")
        if value is None:
            return []
        known = ", ".join(sorted(BLOCK_KINDS))
        if not isinstance(value, list) or len(value) != count:
            raise InputError(
                f"{self.path}: 'kinds' must be a list with one kind per paragraph ({count}).",
                f"Kinds are {known}; or leave 'kinds' out.",
            )
        for number, item in enumerate(value, 1):
            if item not in BLOCK_KINDS:
                raise InputError(
                    f"{self.path}: 'kinds' item {number} is {json.dumps(item)}, not a kind.",
                    f"Kinds are {known}.",
                )
        return value

    def metadata(self) -> Metadata:
        value = self.document.get("metadata")
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise InputError(f"{self.path}: 'metadata' must be an object, not {_kind(value)}.")
        known = {k: v for k, v in value.items() if v is not None}
        metadata = metadata_from_mapping(known, f"{self.path}: metadata")
        image = self.document.get("image")
        if image is None:
            return metadata
        if not isinstance(image, dict) or not isinstance(image.get("path"), str):
            raise InputError(
                f"{self.path}: 'image' must be null or an object with a 'path' text.", _HINT
            )
        return Metadata(image=image["path"]).merged_over(metadata)


def _kind(value: object) -> str:
    """The JSON name of a value's type, for error messages.

    >>> _kind(3), _kind([1]), _kind(None), _kind(True)
    ('a number', 'a list', 'null', 'true/false')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text"
