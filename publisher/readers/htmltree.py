"""Parse HTML with lxml without losing text to deep nesting.

libxml2 stops building the tree 256 elements deep and silently drops the rest
of the page (every paragraph after the deep part). With ``huge_tree`` the limit
is 2,048; past that the page is refused with an error instead of cut short.
The parsed tree is then flattened below ``FLAT_DEPTH``: deeper elements lose
their tags and keep their text, so later steps (readability re-parses the page
with lxml's default limit; the block walker recurses) never meet deep trees.
"""

from __future__ import annotations

import re
from typing import Any

from publisher.errors import InputError

#: libxml2's depth limit with XML_PARSE_HUGE; deeper pages are refused.
MAX_DEPTH = 2048
#: Deeper elements are unwrapped (text kept). Well under libxml2's default 256,
#: which readability's own parser applies, and Python's recursion limit.
FLAT_DEPTH = 160


#: Characters XML 1.0 forbids: lxml refuses them in any text it is given to set.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> tuple[str, int]:
    """``text`` without the characters XML cannot hold, and how many were removed.

    A control character in a page is a fault of the export, and the normaliser
    would remove it anyway; lxml accepts it while parsing, then fails on it
    when the tree is changed.

    >>> xml_safe("a\x08b\uffffc\td")
    ('abc\td', 2)
    >>> xml_safe("a&#xFFFF;b&#8;c&#233;")
    ('abc&#233;', 2)
    """
    cleaned, count = _NOT_XML.subn("", text)
    # A character reference (&#xFFFF;) becomes the same character once parsed.
    kept = _CHAR_REF.sub(_drop_non_xml_ref, cleaned)
    return kept, count + len(_CHAR_REF.findall(cleaned)) - len(_CHAR_REF.findall(kept))


#: Numeric character references, decimal or hexadecimal, with or without ";".
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _drop_non_xml_ref(match: re.Match[str]) -> str:
    """A reference to a character XML forbids, removed; any other kept as written."""
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa else int(decimal)
    if code == 0 or (code <= 0x10FFFF and _NOT_XML.match(chr(code))):
        return ""
    return match.group(0)


def parse_document(text: str, where: str) -> tuple[Any, int]:
    """Parse a whole page; return its root and how many deep elements were flattened."""
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

    parser = lxml_html.HTMLParser(huge_tree=True)
    root = lxml_html.document_fromstring(text, parser=parser)
    _check_depth(parser, where)
    return root, flatten(root)


def parse_fragment(text: str, where: str) -> Any:
    """Parse an HTML fragment into one ``<div>`` holding it, flattened like a page."""
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

    parser = lxml_html.HTMLParser(huge_tree=True)
    root = lxml_html.fragment_fromstring(xml_safe(text)[0], create_parent="div", parser=parser)
    _check_depth(parser, where)
    flatten(root)
    return root


def flatten(root: Any, limit: int = FLAT_DEPTH) -> int:
    """Make the tree under ``root`` at most ``limit`` deep, keeping every text.

    First, nested wrappers that change nothing (``<div><div>...</div></div>``,
    no text between them) are merged, which keeps every paragraph apart; then
    any element still too deep is unwrapped, its text joining its parent's.
    Returns how many elements were unwrapped that way.

    >>> from lxml import html
    >>> root = html.fromstring("<div><div><div><p>One</p></div></div><p>Two</p></div>")
    >>> flatten(root, 2), html.tostring(root, encoding="unicode")
    (0, '<div><div><p>One</p></div><p>Two</p></div>')
    >>> root = html.fromstring("<div><b><i><b><i>deep</i></b></i></b> end</div>")
    >>> flatten(root, 2), html.tostring(root, encoding="unicode")
    (2, '<div><b><i>deep</i></b> end</div>')
    """
    if _depth(root) <= limit:
        return 0
    _merge_wrappers(root)
    if _depth(root) <= limit:
        return 0
    deep = _deeper_than(root, limit)
    for element in reversed(deep):  # innermost first
        element.drop_tag()
    return len(deep)


def _depth(root: Any) -> int:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest - 1


def _deeper_than(root: Any, limit: int) -> list[Any]:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    found = []
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        if depth > limit + 1 and isinstance(element.tag, str):
            found.append(element)
    return found


def _merge_wrappers(root: Any) -> None:
    """Unwrap an element that is its parent's only content and has the parent's tag."""
    merge = []
    for element in root.iter():
        parent = element.getparent()
        if (
            parent is not None
            and parent is not root
            and isinstance(element.tag, str)
            and element.tag == parent.tag
            and len(parent) == 1
            and not (parent.text or "").strip()
            and not (element.tail or "").strip()
        ):
            merge.append(element)
    for element in reversed(merge):
        parent = element.getparent()
        if not element.attrib:
            element.drop_tag()
        elif not parent.attrib:  # keep the class or id that furniture removal looks at
            parent.drop_tag()


def _check_depth(parser: Any, where: str) -> None:
    for entry in parser.error_log:
        if "Excessive depth" in entry.message:
            raise InputError(
                f"{where}: the HTML nests elements more than {MAX_DEPTH} deep; "
                "text after that point would be lost.",
                "Save the page again from a browser, or give the article as plain text.",
            )
