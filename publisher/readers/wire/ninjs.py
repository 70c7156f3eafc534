"""IPTC ninjs 1.x and 2.x (news in JSON): one story, its pictures from local files.

Told apart from publisher's own JSON (which has ``schema_version``) by its
fields: a ``uri`` and either a ``$schema`` or ``standard`` naming ninjs, or a
ninjs ``type`` (text, picture, composite...) with a ninjs headline or body
field. What is read::

    headline, headline_*, headlines[]       the headline (role "main" first)
    body_xhtml, body_html, bodies[]         the text: HTML/XHTML through the web-page
                                            tree builder, else body_text as paragraphs
    byline (1.x), by (2.x)                  authors ("By A and B" -> A, B)
    located                                 dateline
    firstcreated, versioncreated            date (the first one given)
    language, uri                           language, identifier
    copyrightnotice, usageterms,            rights (the first one given)
    copyrightholder
    associations                            pictures: a rendition's href that is a file
                                            next to the JSON; caption description_text,
                                            descriptions[] or headline(s); credit byline,
                                            by, creditline or copyrightholder

Pictures are never fetched: an association whose renditions are all remote
is left out with a warning. The first local picture is the article's photo;
the others follow the text as figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import Block, Figure, Heading, Metadata, Text, plain_text
from publisher.readers.htmlbody import html_to_tree
from publisher.readers.wire.common import (
    Story,
    authors_from_byline,
    language_tag,
    local_picture,
    plain_paragraphs,
    squash,
    wire_date,
)

#: Item types of ninjs 1.x and 2.x.
TYPES = frozenset(
    ("text", "audio", "video", "picture", "graphic", "composite", "component", "event")
)
_HEADLINE_FIELDS = ("headline", "headlines", "body_text", "body_html", "body_xhtml", "bodies")
_HINT = "Give a ninjs 1.x or 2.x item with a 'headline' (1.x) or 'headlines' (2.x)."


def is_ninjs(document: dict[str, Any]) -> bool:
    """Whether a JSON object is a ninjs item (and not publisher's own schema).

    >>> is_ninjs({"uri": "http://x/1", "type": "text", "headline": "Hi"})
    True
    >>> is_ninjs({"schema_version": "2.0", "headline": "Hi"})
    False
    """
    if "schema_version" in document or not isinstance(document.get("uri"), str):
        return False
    named = " ".join(
        str(document.get(key, "")) for key in ("$schema", "standard", "profile")
    ).lower()
    if "ninjs" in named:
        return True
    has_text = any(key in document or key.startswith("headline_") for key in _HEADLINE_FIELDS)
    return document.get("type") in TYPES and has_text


def read_ninjs(document: dict[str, Any], path: Path, warnings: list[str]) -> Story:
    """The story of a ninjs item."""
    headline = _headline(document)
    if not headline:
        raise InputError(f"{path} is a ninjs item without a headline.", _HINT)
    blocks = list(_body(document, path, warnings))
    first = blocks[0] if blocks else None
    if isinstance(first, Heading) and plain_text(first.content) == headline:
        blocks = blocks[1:]  # the headline repeated in the HTML body
    pictures = _pictures(document, path, warnings)
    is_picture = document.get("type") in ("picture", "graphic") and "renditions" in document
    if not blocks and not (is_picture and pictures):  # a picture item's text is its caption
        description = _text(document.get("description_text")) or _role_value(
            document.get("descriptions")
        )
        blocks = list(plain_paragraphs(description)) if description else []
    byline = _text(document.get("byline")) or _text(document.get("by"))
    date = None
    for key in ("firstcreated", "contentcreated", "versioncreated"):
        date = date or wire_date(_text(document.get(key)), key, warnings)
    rights = next(
        (_text(document.get(k)) for k in ("copyrightnotice", "usageterms")
         if _text(document.get(k))),
        None,
    )  # fmt: skip
    holder = _text(document.get("copyrightholder"))
    metadata = Metadata(
        authors=authors_from_byline(byline) if byline else (),
        date=date,
        language=language_tag(_text(document.get("language")), "the ninjs language", warnings),
        identifier=_text(document.get("uri")) or None,
        rights=rights or (f"© {holder}" if holder else None),
    )
    return Story(
        headline=headline,
        blocks=(*pictures[:1], *blocks, *pictures[1:]),
        metadata=metadata,
        dateline=_text(document.get("located")) or None,
    )


def _text(value: Any) -> str:
    return squash(value) if isinstance(value, str) else ""


def _role_value(entries: Any, prefer: tuple[str, ...] = ("main",)) -> str:
    """The value of a 2.x list of {role, value}: the preferred role's, else the first's."""
    if not isinstance(entries, list):
        return ""
    usable = [e for e in entries if isinstance(e, dict) and isinstance(e.get("value"), str)]
    chosen = [e for e in usable if e.get("role") in prefer] or usable
    return str(chosen[0]["value"]) if chosen else ""


def _headline(document: dict[str, Any]) -> str:
    if _text(document.get("headline")):
        return _text(document.get("headline"))
    listed = squash(_role_value(document.get("headlines")))
    if listed:
        return listed
    extra = sorted(k for k in document if k.startswith("headline_"))
    return next((_text(document[k]) for k in extra if _text(document[k])), "")


def _body(document: dict[str, Any], path: Path, warnings: list[str]) -> tuple[Block, ...]:
    """The text: the first HTML or XHTML body, else the first plain one."""
    html: list[str] = []
    plain: list[str] = []
    for key in ("body_xhtml", "body_html", "body_richtext"):
        if isinstance(document.get(key), str):
            html.append(document[key])
    bodies = document.get("bodies")
    if isinstance(bodies, list):
        for body in bodies:
            if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                continue
            kind = str(body.get("contenttype") or "")
            (html if "html" in kind else plain if "plain" in kind or not kind else []).append(
                body["value"]
            )
    for key in ("body_text", *sorted(k for k in document if k.startswith("body_"))):
        if isinstance(document.get(key), str) and key not in ("body_xhtml", "body_html"):
            (html if "<p" in document[key] else plain).append(document[key])
    for fragment in html:
        blocks = html_to_tree(_inner_body(fragment), path, None, warnings)
        if blocks:
            return blocks
    return next((plain_paragraphs(text) for text in plain if text.strip()), ())


def _inner_body(fragment: str) -> str:
    """What is inside a whole document's ``<body>``, or the fragment as it is."""
    if "<body" not in fragment.lower():
        return fragment
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

    from publisher.readers.htmltree import parse_document, xml_safe

    document, _ = parse_document(xml_safe(fragment)[0], "the ninjs body")
    body = document.find("body")
    if body is None:
        return fragment
    parts = [lxml_html.tostring(child, encoding="unicode") for child in body]
    return (body.text or "") + "".join(parts)


def _pictures(document: dict[str, Any], path: Path, warnings: list[str]) -> list[Figure]:
    """The associations that are pictures with a local rendition, as figures."""
    associations = document.get("associations")
    entries: list[tuple[str, Any]] = []
    if document.get("type") in ("picture", "graphic") and "renditions" in document:
        entries.append(("of this item", document))  # a picture item is its own picture
    if isinstance(associations, dict):  # 1.x: keyed by name
        entries += [(str(k), v) for k, v in associations.items()]
    elif isinstance(associations, list):  # 2.x: a list with names
        entries += [(str(a.get("name", i + 1)) if isinstance(a, dict) else "", a)
                    for i, a in enumerate(associations)]  # fmt: skip
    figures: list[Figure] = []
    for name, item in entries:
        if not isinstance(item, dict) or item.get("type") not in ("picture", "graphic", None):
            continue
        src = None
        found: list[str] = []
        for href in _rendition_hrefs(item.get("renditions")):
            src = local_picture(href, path, found, f"the picture '{name}'")
            if src:
                break
        if src is None:
            shown = name if name == "of this item" else f"'{name}'"
            warnings.append(
                f"the picture {shown} has no rendition next to {path.name}; it was left out "
                "(nothing is fetched)"
            )
            continue
        caption = (
            _text(item.get("description_text"))
            or squash(_role_value(item.get("descriptions"), ("caption", "text", "main")))
            or _headline(item)
        )
        credit = next(
            (_text(item.get(k)) for k in ("creditline", "byline", "by", "copyrightholder")
             if _text(item.get(k))),
            None,
        )  # fmt: skip
        figures.append(Figure(src, caption, (Text(caption),) if caption else (), credit))
    return figures


def _rendition_hrefs(renditions: Any) -> list[str]:
    if isinstance(renditions, dict):
        values = list(renditions.values())
    elif isinstance(renditions, list):
        values = renditions
    else:
        return []
    return [r["href"] for r in values if isinstance(r, dict) and isinstance(r.get("href"), str)]
