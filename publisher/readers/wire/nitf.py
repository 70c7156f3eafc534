"""NITF 3.x (IPTC's News Industry Text Format): one story with its metadata.

What is read (any NITF namespace, or none)::

    head/title                     the headline when body.head has no hl1
    head/docdata/doc-id@id-string  identifier
    head/docdata/date.issue@norm   date (else head/pubdata@date.publication)
    head/docdata/doc.copyright     rights ("© YEAR HOLDER"), else a copyrite element
    head/pubdata@name              publisher
    @xml:lang, @baselang           language (on nitf, head or body)
    body.head/hedline/hl1          headline; hedline/hl2 a standfirst paragraph
    body.head/byline               authors (its byttl job title left out)
    body.head/dateline             dateline (location and story.date)
    body.content                   the text: p, hl2 (a subheading), block, ul/ol,
                                   table, em, a...; media with media-caption and
                                   media-producer are figures

The body goes through the same tree builder as web pages (``htmltree``), so
emphasis, links, lists and tables survive. The first picture is the article's
photo (see ``common.to_raw``); a picture whose file is not local (a remote
``source``, an agency's picture id) is left out with a warning and its
caption stays in the text where the picture was, so no word is lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publisher.model import Block, Emph, Figure, Metadata, Paragraph, Text
from publisher.readers.htmlbody import html_to_tree
from publisher.readers.wire.common import (
    Story,
    authors_from_byline,
    descendants,
    kid,
    kids,
    language_tag,
    local_picture,
    squash,
    text_of,
    wire_date,
)
from publisher.readers.wire.safexml import local_name

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: NITF elements that are HTML elements under another name.
_RENAME = {"hl2": "h2", "block": "div", "nitf-table": "table", "note": "blockquote"}


def read_nitf(root: Any, path: Path, warnings: list[str]) -> Story:
    """The story of an ``<nitf>`` element (a whole file, or inline in NewsML-G2)."""
    head = kid(root, "head")
    body = kid(root, "body")
    body_head = kid(body, "body.head")
    hedline = kid(body_head, "hedline")
    headline = text_of(kid(hedline, "hl1")) or text_of(kid(head, "title"))
    blocks: list[Block] = [
        Paragraph((Emph((Text(text_of(hl2)),)),)) for hl2 in kids(hedline, "hl2") if text_of(hl2)
    ]
    content = kid(body, "body.content")
    if content is not None:
        blocks.extend(body_blocks(content, path, warnings))
    return Story(
        headline=headline,
        blocks=tuple(blocks),
        metadata=_metadata(root, head, body, path, warnings),
        dateline=text_of(kid(body_head, "dateline")) or None,
    )


def byline_authors(byline: Any) -> tuple[str, ...]:
    """The authors of an NITF ``byline``: its ``person`` elements, else its text without byttl."""
    if byline is None:
        return ()
    people = [text_of(p) for p in descendants(byline, "person") if text_of(p)]
    if people:
        return tuple(people)
    parts = [byline.text or ""]
    for child in byline:
        if local_name(child) != "byttl":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return authors_from_byline("".join(parts))


def body_blocks(content: Any, path: Path, warnings: list[str]) -> list[Block]:
    """The blocks of ``body.content`` (or a ``block``): text through htmltree, media as figures."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    blocks: list[Block] = []
    pending: list[str] = [_escape(content.text)]

    def flush() -> None:
        fragment = "".join(pending)
        pending.clear()
        if fragment.strip():
            blocks.extend(html_to_tree(fragment, path, None, warnings))

    for child in content:
        name = local_name(child)
        if name == "media":
            flush()
            blocks.extend(_media(child, path, warnings))
        elif name == "block":
            flush()
            blocks.extend(body_blocks(child, path, warnings))
        elif name:
            html = _as_html(child)
            pending.append(etree.tostring(html, encoding="unicode", with_tail=False))
        pending.append(_escape(child.tail))
    flush()
    return blocks


def _as_html(element: Any) -> Any:
    """A copy of an NITF element with plain HTML names (no namespace, hl2 -> h2...)."""
    import copy

    html = copy.deepcopy(element)
    for node in html.iter():
        name = local_name(node)
        if name:
            node.tag = _RENAME.get(name, name)
        for attribute in list(node.attrib):
            if attribute.startswith("{"):
                del node.attrib[attribute]
    return html


def _escape(text: str | None) -> str:
    from html import escape

    return escape(text or "", quote=False)


def _media(media: Any, path: Path, warnings: list[str]) -> list[Block]:
    """A ``media`` element: a figure when its picture is a local file, else its caption."""
    caption_element = kid(media, "media-caption")
    caption = _inlines(caption_element, path, warnings)
    credit = text_of(kid(media, "media-producer")) or None
    kind = (media.get("media-type") or "image").lower()
    references = list(kids(media, "media-reference"))
    if kind in ("image", "photo", "graphic", "picture"):
        # One media element may list several renditions: warn only when none is local.
        tried: list[str] = []
        for reference in references:
            source = reference.get("source") or reference.get("data-location")
            src = local_picture(source, path, tried, "the picture")
            if src:
                alt = squash(reference.get("alternate-text"))
                return [Figure(src, alt or text_of(caption_element), caption, credit)]
        warnings.extend(tried[:1])
    else:
        warnings.append(f"a {kind} media element was left out (publisher prints pictures only)")
    text = caption + ((Text(f" ({credit})"),) if credit else ())
    return [Paragraph(text)] if caption else []


def _inlines(element: Any, path: Path, warnings: list[str]) -> tuple[Any, ...]:
    """The inline content of a caption, emphasis and links kept."""
    from lxml import etree

    if element is None:
        return ()
    html = _as_html(element)
    html.tag = "p"
    fragment = etree.tostring(html, encoding="unicode", with_tail=False)
    blocks = html_to_tree(fragment, path, None, warnings)
    return tuple(node for b in blocks if isinstance(b, Paragraph) for node in b.content)


def _metadata(root: Any, head: Any, body: Any, path: Path, warnings: list[str]) -> Metadata:
    docdata = kid(head, "docdata")
    pubdata = kid(head, "pubdata")
    issue = kid(docdata, "date.issue")
    date = wire_date(issue.get("norm") if issue is not None else None, "date.issue", warnings)
    if date is None and pubdata is not None:
        date = wire_date(pubdata.get("date.publication"), "pubdata date.publication", warnings)
    doc_id = kid(docdata, "doc-id")
    copyright_element = kid(docdata, "doc.copyright")
    rights = None
    if copyright_element is not None:
        holder, year = copyright_element.get("holder"), copyright_element.get("year")
        rights = squash(f"© {year or ''} {holder or ''}") if holder or year else None
    if rights is None:
        rights = next((text_of(c) for c in descendants(root, "copyrite") if text_of(c)), None)
    language = None
    for element in (root, head, body):
        if element is not None and language is None:
            value = element.get(XML_LANG) or element.get("baselang")
            language = language_tag(value, "the NITF language", warnings)
    return Metadata(
        authors=byline_authors(kid(body, "body.head", "byline")),
        date=date,
        publisher=squash(pubdata.get("name")) or None if pubdata is not None else None,
        language=language,
        identifier=squash(doc_id.get("id-string")) or None if doc_id is not None else None,
        rights=rights,
    )
