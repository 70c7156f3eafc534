"""What ``/docs`` and ``/openapi.json`` say beyond FastAPI's own schema.

FastAPI's docs page loads Swagger UI from a CDN; this one is plain HTML made
from the OpenAPI schema, so nothing loads from the network.
"""

from __future__ import annotations

from typing import Any

from publisher import __version__
from publisher.serve.uploads import BODY_TYPES

#: The request body of the routes that take an article (they read it themselves).
ARTICLE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["article"],
                    "properties": {
                        "article": {
                            "type": "string",
                            "format": "binary",
                            "description": "The article: .txt, .md, .html or .json (its "
                            "name's extension picks the reader).",
                        },
                        "photo": {"type": "string", "format": "binary"},
                        "sidecar": {
                            "type": "string",
                            "format": "binary",
                            "description": "The article's metadata, as in <stem>.toml.",
                        },
                    },
                }
            },
            **{
                media: {"schema": {"type": "string"}}
                for media in BODY_TYPES
                if media != "application/json"
            },
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def docs_page(schema: dict[str, Any]) -> str:
    """A self-contained page listing the routes and their parameters (no script, no CDN)."""
    from html import escape

    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            params = "".join(
                f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}): "
                f"{escape(p.get('description', ''))}</li>"
                for p in operation.get("parameters", [])
            )
            body = operation.get("requestBody", {}).get("content", {})
            bodies = ", ".join(escape(k) for k in body)
            form = body.get("multipart/form-data", {}).get("schema", {}).get("properties", {})
            if form:
                bodies += " (form fields: " + ", ".join(escape(k) for k in form) + ")"
            rows.append(
                f"<section><h2><code>{method.upper()} {escape(path)}</code></h2>"
                f"<p>{escape(operation.get('summary', ''))}</p>"
                + (f"<p>Body: {bodies}</p>" if bodies else "")
                + (f"<ul>{params}</ul>" if params else "")
                + "</section>"
            )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>publisher API</title><link rel='stylesheet' href='/assets/preview.css'></head>"
        f"<body class='docs'><h1>publisher {escape(__version__)} API</h1>"
        "<p>The OpenAPI schema: <a href='/openapi.json'>/openapi.json</a>. "
        'Errors are JSON: <code>{"error": ..., "hint": ...}</code>.</p>'
        + "".join(rows)
        + "</body></html>"
    )
