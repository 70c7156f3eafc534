"""NewsML-G2: a ``newsItem`` is an article; a ``packageItem`` or a ``newsMessage`` a collection.

A newsItem's metadata comes from ``contentMeta`` (``headline``; ``creator``
names the authors, a photographer's being the picture's credit; ``located``
the dateline; the first ``subject`` name the section; ``language@tag``),
``rightsInfo`` (``copyrightNotice``, else the ``copyrightHolder``), the item's
``guid`` (identifier), ``itemMeta`` (``firstCreated``, else ``contentCreated``,
else ``versionCreated``, is the date; the ``provider``'s name the publisher).
Its text is ``contentSet/inlineXML``: NITF (read as NITF files are, whose
byline, dateline and headline fill what contentMeta leaves out) or XHTML
(through the web-page tree builder); ``inlineData`` as plain text. A
``remoteContent`` whose ``href`` is a picture file next to the XML is the
article's photo, with the ``description`` of role ``drol:caption`` as its
caption and the ``creditline`` (else the photographer) as its credit; remote
pictures are never fetched. A picture item without text is its picture and
caption.

A package lists items by ``itemRef`` (through its ``groupSet``, groups in
order from the root group); each is found in the same ``newsMessage`` by its
``guid``, else in the file its ``href`` names next to the package, else in
the ``.xml`` files of the package's folder. A newsMessage without a package
is a collection of its newsItems in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import Block, Figure, Metadata, Paragraph, Text
from publisher.readers.htmlbody import html_to_tree
from publisher.readers.wire.common import (
    Story,
    descendants,
    kid,
    kids,
    language_tag,
    local_picture,
    plain_paragraphs,
    text_of,
    wire_date,
)
from publisher.readers.wire.nitf import XML_LANG, read_nitf
from publisher.readers.wire.safexml import local_name

_PHOTOGRAPHER = ("crol:photographer", "photographer")


@dataclass(frozen=True, slots=True)
class PackageItem:
    """One item of a package: the file it is in, and its element."""

    path: Path
    element: Any


@dataclass(frozen=True, slots=True)
class Package:
    """A NewsML-G2 package: its title, date, identifier and items in reading order."""

    title: str
    date: str | None
    identifier: str | None
    items: tuple[PackageItem, ...]
    warnings: tuple[str, ...] = ()


def read_news_item(item: Any, path: Path, warnings: list[str]) -> Story:
    """The story of a ``newsItem`` element."""
    content_meta = kid(item, "contentMeta")
    item_meta = kid(item, "itemMeta")
    content_set = kid(item, "contentSet")
    nitf = next(descendants(content_set, "nitf"), None) if content_set is not None else None
    inner = read_nitf(nitf, path, warnings) if nitf is not None else None
    blocks = list(inner.blocks) if inner else _other_body(item, path, warnings)
    creators = list(kids(content_meta, "creator"))
    photographers = [c for c in creators if (c.get("role") or "") in _PHOTOGRAPHER]
    writers = [text_of(kid(c, "name")) for c in creators if c not in photographers]
    picture = _picture(item, content_meta, photographers, path, warnings)
    if picture is not None:
        blocks.insert(0, picture)
    elif not blocks:
        caption = _caption(content_meta)
        blocks = [Paragraph((Text(caption),))] if caption else []
    metadata = Metadata(
        authors=tuple(w for w in writers if w),
        date=_date(item_meta, content_meta, warnings),
        publisher=text_of(kid(item_meta, "provider", "name")) or None,
        section=next(
            (
                text_of(kid(s, "name"))
                for s in kids(content_meta, "subject")
                if text_of(kid(s, "name"))
            ),
            None,
        ),
        language=_language(item, content_meta, warnings),
        identifier=(item.get("guid") or "").strip() or None,
        rights=_rights(kid(item, "rightsInfo")),
    )
    if inner is not None:
        metadata = metadata.merged_over(inner.metadata)
    located = text_of(kid(kid(content_meta, "located"), "name"))
    return Story(
        headline=_headline(content_meta) or (inner.headline if inner else ""),
        blocks=tuple(blocks),
        metadata=metadata,
        dateline=located or (inner.dateline if inner else None),
    )


def _headline(content_meta: Any) -> str:
    headlines = list(kids(content_meta, "headline"))
    main = [h for h in headlines if (h.get("role") or "hld:main") in ("hld:main", "main")]
    return text_of((main or headlines or [None])[0])


def _caption(content_meta: Any) -> str:
    descriptions = list(kids(content_meta, "description"))
    captions = [d for d in descriptions if (d.get("role") or "") in ("drol:caption", "caption")]
    return text_of((captions or descriptions or [None])[0])


def _other_body(item: Any, path: Path, warnings: list[str]) -> list[Block]:
    """The text of an item whose inlineXML is XHTML, or whose inlineData is plain text."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    content_set = kid(item, "contentSet")
    for inline in kids(content_set, "inlineXML"):
        body = next(descendants(inline, "body"), None)
        holder = body if body is not None else inline
        parts = [etree.tostring(_plain_copy(c), encoding="unicode") for c in holder]
        fragment = (holder.text or "") + "".join(parts)
        if fragment.strip():
            return list(html_to_tree(fragment, path, None, warnings))
    for data in kids(content_set, "inlineData"):
        if (data.text or "").strip():
            return list(plain_paragraphs(data.text))
    return []


def _plain_copy(element: Any) -> Any:
    """A copy of an XHTML element without namespaces, so the HTML builder knows its tags."""
    import copy

    plain = copy.deepcopy(element)
    for node in plain.iter():
        if isinstance(node.tag, str):
            node.tag = local_name(node)
    return plain


def _picture(
    item: Any, content_meta: Any, photographers: list[Any], path: Path, warnings: list[str]
) -> Figure | None:
    """The item's picture, when a remoteContent's href is a picture file next to the XML."""
    remotes = list(kids(kid(item, "contentSet"), "remoteContent"))
    pictures = [r for r in remotes if (r.get("contenttype") or "image/").startswith("image/")]
    if not pictures:
        return None
    local_warnings: list[str] = []
    src = next(
        (s for r in pictures if (s := local_picture(r.get("href"), path, local_warnings,
                                                     "the picture"))),
        None,
    )  # fmt: skip
    if src is None:
        warnings.extend(local_warnings[:1])
        return None
    caption = _caption(content_meta)
    credit = text_of(kid(content_meta, "creditline")) or next(
        (text_of(kid(p, "name")) for p in photographers if text_of(kid(p, "name"))), None
    )
    headline = _headline(content_meta)
    return Figure(src, caption or headline, (Text(caption),) if caption else (), credit)


def _date(item_meta: Any, content_meta: Any, warnings: list[str]) -> str | None:
    for element, name in ((item_meta, "firstCreated"), (content_meta, "contentCreated"),
                          (item_meta, "versionCreated")):  # fmt: skip
        value = text_of(kid(element, name))
        if value:
            return wire_date(value, name, warnings)
    return None


def _language(item: Any, content_meta: Any, warnings: list[str]) -> str | None:
    tag = next((lang.get("tag") for lang in kids(content_meta, "language")), None)
    return language_tag(tag or item.get(XML_LANG), "the NewsML-G2 language", warnings)


def _rights(rights_info: Any) -> str | None:
    notice = text_of(kid(rights_info, "copyrightNotice"))
    if notice:
        return notice
    holder = text_of(kid(rights_info, "copyrightHolder", "name"))
    return f"© {holder}" if holder else None


def read_package(root: Any, path: Path) -> Package:
    """The package of a ``packageItem`` or a ``newsMessage`` (its items found, in order)."""
    from publisher.readers import read_input_bytes
    from publisher.readers.wire.safexml import parse_xml

    warnings: list[str] = []
    if local_name(root) == "newsMessage":
        item_set = kid(root, "itemSet")
        in_message = [PackageItem(path, i) for i in kids(item_set, "newsItem")]
        package = next(kids(item_set, "packageItem"), None)
    else:
        in_message, package = [], root
    if package is None:
        return Package(path.stem, None, None, tuple(in_message))
    by_guid = {item.element.get("guid"): item for item in in_message}
    items: list[PackageItem] = []
    folder_items: dict[str, PackageItem] | None = None
    for ref in _item_refs(package):
        residref, href = ref.get("residref"), ref.get("href")
        found = by_guid.get(residref)
        if found is None and href and not href.startswith(("http:", "https:", "/")):
            candidate = (path.parent / href).resolve()
            if candidate.is_relative_to(path.parent.resolve()) and candidate.is_file():
                root_of = parse_xml(read_input_bytes(candidate), candidate)
                if local_name(root_of) == "newsItem":
                    found = PackageItem(candidate, root_of)
        if found is None:
            if folder_items is None:
                folder_items = _items_in_folder(path)
            found = folder_items.get(residref or "")
        if found is None:
            warnings.append(f"the package's item {residref or href} was not found; it was left out")
        elif found not in items:
            items.append(found)
    if not items:
        raise InputError(
            f"{path} is a NewsML-G2 package, but none of its items were found.",
            "Put the newsItem files it refers to (by guid) next to it.",
        )
    content_meta = kid(package, "contentMeta")
    item_meta = kid(package, "itemMeta")
    title = _headline(content_meta) or text_of(kid(item_meta, "title")) or path.stem
    date = _date(item_meta, content_meta, warnings)
    guid = (package.get("guid") or "").strip() or None
    return Package(title, date[:10] if date else None, guid, tuple(items), tuple(warnings))


def _item_refs(package: Any) -> list[Any]:
    """The package's itemRefs in reading order: groups from the root group down."""
    group_set = kid(package, "groupSet")
    if group_set is None:
        return list(kids(package, "itemRef"))
    groups = {g.get("id"): g for g in kids(group_set, "group")}
    seen: set[str] = set()

    def walk(group: Any) -> list[Any]:
        refs: list[Any] = []
        for child in group:
            name = local_name(child)
            if name == "itemRef":
                refs.append(child)
            elif name == "groupRef" and child.get("idref") in groups:
                idref = child.get("idref")
                if idref not in seen:
                    seen.add(idref)
                    refs.extend(walk(groups[idref]))
        return refs

    root_id = group_set.get("root")
    start = groups.get(root_id) if root_id else next(iter(groups.values()), None)
    return walk(start) if start is not None else []


def _items_in_folder(path: Path) -> dict[str, PackageItem]:
    """The newsItems of the other ``.xml`` files in the package's folder, by guid."""
    from publisher.errors import PublisherError
    from publisher.readers import read_input_bytes
    from publisher.readers.wire.safexml import parse_xml

    found: dict[str, PackageItem] = {}
    for candidate in sorted(path.parent.glob("*.xml")):
        if candidate.resolve() == path.resolve():
            continue
        try:
            root = parse_xml(read_input_bytes(candidate), candidate)
        except PublisherError:
            continue
        if local_name(root) == "newsItem" and root.get("guid"):
            found.setdefault(root.get("guid"), PackageItem(candidate, root))
    return found
