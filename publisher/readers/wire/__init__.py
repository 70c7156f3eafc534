"""Wire formats: NITF 3.x and NewsML-G2 (``.xml``, told apart by the root element) and
IPTC ninjs (``.json``, told apart from publisher's own JSON inside the JSON reader).

Every XML file is parsed by ``safexml.parse_xml``: no entity is expanded, no
DTD loaded, nothing fetched. A NewsML-G2 package (a ``packageItem``, or a
``newsMessage`` with several items) is a collection, not an article: the
command line builds it with ``publisher.collection`` (see ``package_of``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import RawArticle
from publisher.readers.wire.common import Story, kid, kids, to_raw
from publisher.readers.wire.newsml import Package, read_news_item, read_package
from publisher.readers.wire.ninjs import is_ninjs, read_ninjs
from publisher.readers.wire.nitf import read_nitf
from publisher.readers.wire.safexml import local_name, parse_xml

FILE_EXTENSIONS = (".xml",)
#: The root elements an ``.xml`` input may have.
ROOTS = ("nitf", "newsItem", "packageItem", "newsMessage")

__all__ = [
    "FILE_EXTENSIONS",
    "ROOTS",
    "Package",
    "is_ninjs",
    "package_of",
    "read",
    "read_ninjs_article",
    "read_package_item",
]


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read one wire story (NITF, or a NewsML-G2 newsItem) from an ``.xml`` file."""
    root = parse_xml(data, path)
    name = local_name(root)
    warnings: list[str] = []
    story: Story
    if name == "nitf":
        story = read_nitf(root, path, warnings)
    elif name == "newsItem":
        story = read_news_item(root, path, warnings)
    elif name in ("packageItem", "newsMessage"):
        single = _single_item(root)
        if single is None:
            raise InputError(
                f"{path} is a NewsML-G2 package ({name}), a collection of articles.",
                f"Build it on its own ('publisher build {path.name}') or with --collection.",
            )
        story = read_news_item(single, path, warnings)
    else:
        raise InputError(
            f"{path}: the XML's root element is <{name}>; publisher reads "
            f"{', '.join(f'<{r}>' for r in ROOTS)}.",
            "Give an NITF or NewsML-G2 file.",
        )
    return to_raw(story, path, root.getroottree().docinfo.encoding or "utf-8", warnings)


def _single_item(root: Any) -> Any:
    """The one newsItem of a newsMessage that holds one and no package, else None."""
    if local_name(root) != "newsMessage":
        return None
    item_set = kid(root, "itemSet")
    items = list(kids(item_set, "newsItem"))
    if len(items) == 1 and kid(item_set, "packageItem") is None:
        return items[0]
    return None


def package_of(data: bytes, path: Path) -> Package | None:
    """The package an ``.xml`` input holds, or None when it is one article (or not XML)."""
    root = parse_xml(data, path)
    if local_name(root) not in ("packageItem", "newsMessage") or _single_item(root) is not None:
        return None
    return read_package(root, path)


def read_package_item(element: Any, path: Path) -> RawArticle:
    """One item of a package as an article."""
    warnings: list[str] = []
    return to_raw(read_news_item(element, path, warnings), path, "utf-8", warnings)


def read_ninjs_article(
    document: dict[str, Any], path: Path, encoding: str, warnings: list[str]
) -> RawArticle:
    """A ninjs item (already parsed from JSON) as an article."""
    return to_raw(read_ninjs(document, path, warnings), path, encoding, warnings)
