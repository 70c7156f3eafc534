"""What a theme's EPUB stylesheets may refer to: nothing outside the book.

An EPUB carries its files inside it; a stylesheet that points elsewhere
(``url(http://…)``, ``url(file:///etc/passwd)``, ``@import "x.css"``, a
relative ``url(fonts/x.woff)`` the book does not hold) makes an EPUB that
EPUBCheck rejects, or one that reaches the network when it is read. So the
EPUB's stylesheets are read with tinycss2 (WeasyPrint's own CSS tokenizer:
comments, escapes such as ``u\\72l(`` and strings are understood as a reader
would) and every reference except an embedded ``data:`` URL is refused. A
stylesheet with no ``url``, ``import``, ``image-set``, ``src`` or backslash
outside its comments cannot refer to anything and is not parsed (``may_refer``),
so an EPUB build does not import tinycss2 for the built-in themes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from publisher.errors import ThemeError

__all__ = ["check_epub_css", "css_references"]

#: Comments (dropped) and strings (kept, so a "/*" inside one starts no comment).
_COMMENT_OR_STRING = re.compile(
    r"""("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|/\*.*?(?:\*/|\Z)""", re.DOTALL
)
#: What any reference needs outside comments; an escape (``u\72l``) could hide one.
_MAY_REFER = re.compile(r"url|import|image-set|src|\\", re.IGNORECASE)
#: Functions whose string arguments are URLs.
_URL_FUNCTIONS = frozenset(("url", "src", "image-set", "-webkit-image-set"))


def css_references(css: str) -> list[str]:
    """Every URL a stylesheet refers to (``url()``, ``@import``, ``image-set()``), in order.

    >>> css_references('@import "a.css"; p { background: u\\\\72l(http://x/y.png) }')
    ['a.css', 'http://x/y.png']
    >>> css_references('/* url(no) */ p { color: red; content: "url(no)" }')
    []
    """
    import tinycss2  # type: ignore[import-untyped]

    return list(_references(tinycss2.parse_stylesheet(css)))


def _references(nodes: Iterable[Any], in_url_function: bool = False) -> Iterator[str]:
    previous_import = False
    for node in nodes:
        kind = getattr(node, "type", "")
        if kind == "url" or (kind == "string" and (in_url_function or previous_import)):
            yield node.value
        elif kind == "at-rule":
            if node.lower_at_keyword == "import":
                yield from _references(node.prelude, in_url_function=True)
            else:
                yield from _references(node.prelude)
            yield from _references(node.content or ())
        elif kind == "qualified-rule":
            yield from _references(node.prelude)
            yield from _references(node.content)
        elif kind == "function":
            yield from _references(node.arguments, node.lower_name in _URL_FUNCTIONS)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _references(node.content)
        if kind not in ("whitespace", "comment"):
            previous_import = kind == "at-keyword" and node.lower_value == "import"


def _keep_strings(match: re.Match[str]) -> str:
    return match.group(1) or " "


def may_refer(css: str) -> bool:
    """Whether a stylesheet could refer to a file: a quick test before a full parse.

    >>> may_refer("/* no url() here */ p { color: red }"), may_refer("p { b: u\\\\72l(x) }")
    (False, True)
    >>> may_refer('p { content: "/*" } h1 { background: url(x) } p { content: "*/" }')
    True
    """
    return bool(_MAY_REFER.search(_COMMENT_OR_STRING.sub(_keep_strings, css)))


def check_epub_css(css: bytes, name: str) -> None:
    """Raise ThemeError if the EPUB stylesheet ``name`` refers to anything but a ``data:`` URL.

    >>> check_epub_css(b"p { background: url(data:image/png;base64,AAAA) }", "epub.css")
    >>> check_epub_css(b"p { background: url(file:///etc/passwd) }", "epub.css")
    Traceback (most recent call last):
    publisher.errors.ThemeError: The theme's epub.css refers to file:///etc/passwd, outside the EPUB; it is refused. Remove that rule: an EPUB stylesheet may refer only to data: URLs (fonts come from [fonts] in theme.toml).
    """  # noqa: E501
    text = css.decode("utf-8", "replace")
    # Most stylesheets cannot refer to anything: tinycss2 (imported only with
    # WeasyPrint otherwise) is loaded only for those that might.
    if not may_refer(text):
        return
    outside = [ref for ref in css_references(text) if not ref.strip().lower().startswith("data:")]
    if outside:
        shown = ", ".join(outside[:3]) + (
            f" and {len(outside) - 3} more" if len(outside) > 3 else ""
        )
        raise ThemeError(
            f"The theme's {name} refers to {shown}, outside the EPUB; it is refused.",
            "Remove that rule: an EPUB stylesheet may refer only to data: URLs "
            "(fonts come from [fonts] in theme.toml).",
        )
