"""Parse untrusted XML safely: no entities expanded, no DTD loaded, nothing fetched.

Wire files come from outside the newsroom, so the parser is lxml's with
``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``
(lxml is already a dependency; defusedxml would only wrap the same switches).
After parsing, a document that declares entities (``<!ENTITY ...>``: XXE,
"billion laughs") or points at an external DTD is refused with one message:
publisher never needs either, and a file that has them is either hostile or
not a wire story.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NoReturn

from publisher.errors import InputError

#: An entity declaration in an ASCII-compatible encoding (UTF-16 ones are caught after parsing).
_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s\"'>]{1,40})")
_HINT = "Give the agency's NITF, NewsML-G2 or ninjs file as delivered."


def parse_xml(data: bytes, path: Path) -> Any:
    """The root element of ``data``, parsed without entities, DTDs or network access."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    # Entities are refused before parsing too: libxml2 stops a "billion laughs"
    # on its own, but with a message about amplification nobody understands.
    declared = _ENTITY.findall(data)
    if declared:
        _refuse_entities(path, [name.decode("ascii", "replace") for name in declared])
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        reason = str(exc.msg if hasattr(exc, "msg") else exc).split(" (<string>")[0]
        raise InputError(f"{path} is not well-formed XML: {reason}.", _HINT) from None
    if root is None:
        raise InputError(f"{path} is not well-formed XML: it has no root element.", _HINT)
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    entities = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
    if entities:
        _refuse_entities(path, entities)
    if docinfo.system_url or docinfo.public_id:
        shown = docinfo.system_url or docinfo.public_id
        raise InputError(
            f"{path} points at an external DTD ({shown}); publisher never loads one.",
            "Remove the <!DOCTYPE ...> line; wire formats need none.",
        )
    return root


def _refuse_entities(path: Path, names: list[str]) -> NoReturn:
    raise InputError(
        f"{path} declares XML entities ({', '.join(names[:3])}); publisher never "
        "expands them (they can read local files or blow up in size).",
        "Remove the <!DOCTYPE ...> declarations; wire formats need none.",
    )


def local_name(element: Any) -> str:
    """An element's tag without its namespace; '' for comments and the like.

    >>> from lxml import etree
    >>> local_name(etree.fromstring('<a xmlns="urn:x"/>'))
    'a'
    """
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
