"""The article as JSON: what `publisher normalise --json` prints.

The layout is versioned with ``schema_version`` so archives can read it back.
Version 1.1 added ``kinds`` (what each paragraph is: "p", "subhead", "quote",
"bullet" or "number"); 1.0 documents, without it, are still read. Version 2.0
added ``body``, the document tree: a list of blocks, each an object with its
``type`` (the node's ``kind``: "paragraph", "heading", "table"...) and its
fields, inlines the same way (``{"type": "emph", "content": [...]}``).
``paragraphs`` and ``kinds`` stay, as the tree's flat plain-text view.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from publisher.model import (
    BLOCK_TYPES,
    INLINE_TYPES,
    NODE_TYPES,
    Article,
    Block,
    Change,
    Figure,
    Inline,
)

SCHEMA_VERSION = "2.0"
#: How deep a tree read from JSON may nest (Markdown's limit, 50 lists deep, fits).
MAX_TREE_DEPTH = 60
#: Node fields that hold inline content, blocks, lists of blocks, and table rows.
_INLINE_FIELDS = frozenset(("content", "attribution", "caption"))
_BLOCK_FIELDS = frozenset(("blocks",))
_BLOCK_LIST_FIELDS = frozenset(("items", "notes"))
_ROW_FIELDS = frozenset(("header", "body"))


def change_to_dict(change: Change) -> dict[str, str]:
    """One change-log entry as a plain dict."""
    return {
        "rule": change.rule,
        "where": change.where,
        "before": change.before,
        "after": change.after,
    }


def article_to_dict(article: Article) -> dict[str, Any]:
    """The normalised article and its change log as plain JSON-ready data."""
    meta = article.metadata
    image = article.image
    return {
        "schema_version": SCHEMA_VERSION,
        "source": article.source.name,
        "encoding": article.encoding,
        "headline": article.headline,
        "caption": article.caption,
        "credit": article.credit,
        "dateline": article.dateline,
        "paragraphs": list(article.paragraphs),
        "kinds": [kind for _, kind in article.blocks],
        "body": [node_to_data(block) for block in article.content],
        "metadata": {
            "authors": list(meta.authors),
            "date": meta.date,
            "publisher": meta.publisher,
            "source": meta.source,
            "section": meta.section,
            "language": meta.language,
            "identifier": meta.identifier,
            "rights": meta.rights,
        },
        "image": None
        if image is None
        else {
            "path": image.path.name,
            "media_type": image.media_type,
            "width": image.width,
            "height": image.height,
        },
        "changes": [change_to_dict(c) for c in article.changes],
    }


def article_to_json(article: Article) -> str:
    """The article as pretty, stable JSON text (keys in a fixed order, UTF-8)."""
    return json.dumps(article_to_dict(article), ensure_ascii=False, indent=2) + "\n"


def node_to_data(node: Block | Inline) -> dict[str, Any]:
    """One node of the document tree as plain JSON-ready data (``type`` first).

    A figure's inspected image is not written: its ``src`` finds it again.

    >>> from publisher.model import Emph, Link, Text
    >>> node_to_data(Link((Emph((Text("a"),)),), "https://x.org"))  # doctest: +NORMALIZE_WHITESPACE
    {'type': 'link', 'content': [{'type': 'emph', 'content': [{'type': 'text', 'text': 'a'}]}],
     'url': 'https://x.org', 'title': None}
    """
    data: dict[str, Any] = {"type": node.kind}
    for name in (f.name for f in dataclasses.fields(node)):
        value = getattr(node, name)
        if name == "image" and isinstance(node, Figure):
            continue
        if name in _INLINE_FIELDS or name in _BLOCK_FIELDS:
            data[name] = [node_to_data(child) for child in value]
        elif name in _BLOCK_LIST_FIELDS:
            data[name] = [[node_to_data(child) for child in item] for item in value]
        elif name in _ROW_FIELDS:
            data[name] = [[[node_to_data(n) for n in cell] for cell in row] for row in value]
        elif isinstance(value, tuple):
            data[name] = list(value)
        else:
            data[name] = value
    return data


def node_from_data(data: object, where: str = "body") -> Any:
    """A node of the document tree from ``node_to_data``'s data.

    Raises ValueError naming the place (``body item 3, content item 2``) and
    the problem when the data is not a node.

    >>> node_from_data({"type": "emph", "content": [{"type": "text", "text": "a"}]})
    Emph(content=(Text(text='a'),))
    >>> node_from_data({"type": "blink"}, "body item 1")
    Traceback (most recent call last):
    ValueError: body item 1: unknown type "blink"
    """
    if where.count(" item ") > MAX_TREE_DEPTH:
        raise ValueError(f"{where}: the tree is nested more than {MAX_TREE_DEPTH} deep")
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ValueError(f"{where}: must be an object with a 'type'")
    cls = NODE_TYPES.get(data["type"])
    if cls is None:
        raise ValueError(f"{where}: unknown type {json.dumps(data['type'])}")
    fields = [f.name for f in dataclasses.fields(cls)]
    unknown = [key for key in data if key != "type" and key not in fields]
    if unknown:
        raise ValueError(f"{where}: unknown field '{unknown[0]}' for a {data['type']}")
    values: dict[str, Any] = {}
    for name in fields:
        if name not in data:
            continue  # the dataclass default, or a TypeError below when required
        values[name] = _field_from_data(name, data[name], f"{where}, {name}")
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: not a valid {data['type']} ({error})") from None


def _inline(data: object, where: str) -> Inline:
    node = node_from_data(data, where)
    if not isinstance(node, INLINE_TYPES):
        raise ValueError(f"{where}: a {node.kind} cannot stand inside a line of text")
    return node


def _block(data: object, where: str) -> Block:
    node = node_from_data(data, where)
    if not isinstance(node, BLOCK_TYPES):
        raise ValueError(f"{where}: a {node.kind} is not a block")
    return node


def _field_from_data(name: str, value: object, where: str) -> Any:
    if name in _INLINE_FIELDS:
        return tuple(_inline(c, f"{where} item {n}") for n, c in _items(value, where))
    if name in _BLOCK_FIELDS:
        return tuple(_block(c, f"{where} item {n}") for n, c in _items(value, where))
    if name in _BLOCK_LIST_FIELDS:
        return tuple(
            tuple(_block(c, f"{where} {i} item {n}") for n, c in _items(item, where))
            for i, item in _items(value, where)
        )
    if name in _ROW_FIELDS:
        return tuple(
            tuple(
                tuple(_inline(x, f"{where} row {r} cell {c}") for _, x in _items(cell, where))
                for c, cell in _items(row, where)
            )
            for r, row in _items(value, where)
        )
    if name == "alignment":
        aligned = tuple(value for _, value in _items(value, where))
        if not all(a in (None, "left", "center", "right") for a in aligned):
            raise ValueError(f"{where}: each must be null, left, center or right")
        return aligned
    if name in ("number", "level", "start"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{where}: must be a whole number")
        return value
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: must be text or null")
    if name in ("text", "src", "url", "alt") and value is None:
        raise ValueError(f"{where}: must be text")
    return value


def _items(value: object, where: str) -> list[tuple[int, Any]]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list")
    return list(enumerate(value, 1))
