"""The article as JSON: what `publisher normalise --json` prints.

The layout is versioned with ``schema_version`` so archives can read it back.
Version 1.1 added ``kinds`` (what each paragraph is: "p", "subhead", "quote",
"bullet" or "number"); 1.0 documents, without it, are still read.
"""

from __future__ import annotations

import json
from typing import Any

from publisher.model import Article, Change

SCHEMA_VERSION = "1.1"


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
