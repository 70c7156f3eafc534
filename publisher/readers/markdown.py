"""The Markdown reader: YAML front matter for metadata, CommonMark for the body.

Layout of a Markdown article::

    ---
    title: US, Iraq to hold meeting on future of coalition forces
    authors: [Jane Doe, Ali Hassan]
    date: 2024-01-25
    image: photo.jpg
    caption: U.S. Army soldiers queue to board a plane.
    credit: AFP
    ---

    The U.S. and Iraq agreed to establish a committee...

Front-matter keys: ``title`` or ``headline`` (without one, the first ``# heading``
is the headline), ``caption``, ``credit``, and the sidecar's metadata keys
(``authors`` or ``author``, ``date``, ``image``, ``language`` or ``lang``,
``section``, ``publisher``, ``source`` or ``url``, ``identifier`` or ``id``,
``rights``, ``order``), checked exactly as the sidecar checks them. Other keys
a CMS writes (``tags``, ``slug``, ``draft``, ``layout``...) are left out with a
warning; a key that looks like a misspelt known one (``autor``) is an error
that names the key meant.

The body is parsed with markdown-it-py (CommonMark). Every block becomes a
paragraph of plain text with its kind (``RawArticle.kinds``): subheadings,
list items ("• " or "1. " kept in the text, nested lists one level) and quoted
paragraphs keep what they are; emphasis and links keep their text. Raw HTML is
sanitised with nh3 and contributes its text only: ``<script>`` and ``<style>``
contents are dropped, with a warning. A paragraph that is only a local image
names the article's photo (its alt text is the caption when none is given).
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import Metadata, RawArticle
from publisher.readers.decode import decode
from publisher.readers.html import dropped_markup, html_to_blocks, html_to_text, local_image
from publisher.readers.sidecar import KNOWN_KEYS, metadata_from_mapping
from publisher.readers.values import value_problem

FILE_EXTENSIONS = (".md", ".markdown")

_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
#: markdown-it's nesting limit (a list or quote is two levels). Its default, 20,
#: silently drops the text of a list ten deep and everything after it.
MAX_NESTING = 100
#: Front-matter keys that are not metadata.
_TEXT_KEYS = ("title", "headline", "caption", "credit")


@dataclass
class _Body:
    """What walking the token stream found."""

    paragraphs: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    headline: str | None = None
    image: str | None = None
    image_alt: str | None = None
    warnings: list[str] = field(default_factory=list)
    want_image: bool = True


def read(data: bytes, path: Path, encoding: str | None = None) -> RawArticle:
    """Read a Markdown article from its bytes."""
    decoded = decode(data, encoding)
    if not decoded.text.strip(" \t\r\n\ufeff"):
        raise InputError(
            f"{path} has no text, only whitespace.", "Give a file with a headline and paragraphs."
        )
    front, body_text, body_line = split_front_matter(decoded.text, path)
    warnings: list[str] = []
    texts, metadata = _front_matter_values(front, path, warnings)
    body = _walk(body_text, path, want_headline="title" not in texts, want_image=not metadata.image)
    headline = texts.get("title") or body.headline
    if not headline:
        raise InputError(
            f"{path} has no headline.",
            "Add 'title:' to the front matter or start the article with a '# Headline' line.",
        )
    paragraphs, kinds = body.paragraphs, body.kinds
    if paragraphs and paragraphs[0] == headline:
        paragraphs, kinds = paragraphs[1:], kinds[1:]  # the title repeated as the first heading
    if not paragraphs:
        raise InputError(
            f"{path} has a headline but no paragraphs.",
            f"Add the article's text after the front matter (line {body_line} on).",
        )
    caption = texts.get("caption")
    if body.image:
        metadata = Metadata(image=body.image).merged_over(metadata)
        caption = caption or body.image_alt
    return RawArticle(
        source=path,
        headline=headline,
        caption=caption,
        paragraphs=tuple(paragraphs),
        metadata=metadata,
        encoding=decoded.encoding,
        changes=decoded.changes,
        credit=texts.get("credit"),
        warnings=tuple(dict.fromkeys((*warnings, *body.warnings))),
        kinds=tuple(kinds),
    )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return the front matter as a mapping, the body, and the body's first line number.

    >>> split_front_matter("---\\ntitle: Hi\\n---\\nBody\\n", Path("a.md"))
    ({'title': 'Hi'}, 'Body\\n', 4)
    >>> split_front_matter("# Hi\\n\\nBody\\n", Path("a.md"))
    ({}, '# Hi\\n\\nBody\\n', 1)
    """
    import yaml  # type: ignore[import-untyped,unused-ignore]

    opening = _FRONT_MATTER_OPEN.match(text)
    if opening is None:
        return {}, text.removeprefix("\ufeff"), 1
    closing = _FRONT_MATTER_CLOSE.search(text, opening.end())
    if closing is None:
        raise InputError(
            f"{path}: the front matter opened by '---' on line 1 is never closed.",
            "End it with a line holding only '---'.",
        )
    block = text[opening.end() : closing.start()]
    after = text[closing.end() :].removeprefix("\n")
    body_line = text.count("\n", 0, closing.end()) + 2
    try:
        front = yaml.load(block, Loader=_front_matter_loader())  # a SafeLoader subclass
    except RecursionError:
        raise InputError(
            f"{path}: the front matter is nested too deeply.", "Give flat 'key: value' lines."
        ) from None
    except ValueError as exc:  # a number past Python's 4,300-digit limit
        raise InputError(
            f"{path}: the front matter holds {value_problem(exc)}, which cannot be read.",
            "Quote long numbers, or remove the value.",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" on line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise InputError(
            f"{path}: the front matter is not valid YAML{line}: {problem}.",
            "Fix the front matter; quote values that hold a ':'.",
        ) from None
    if front is None:
        front = {}
    if not isinstance(front, dict) or not all(isinstance(k, str) for k in front):
        raise InputError(
            f"{path}: the front matter must be 'key: value' lines.",
            "For example 'title: The headline'.",
        )
    return front, after, body_line


def _front_matter_loader() -> type:
    """A SafeLoader that keeps dates as the text written (``2024-02-30`` included).

    PyYAML turns ``2024-02-30`` into a date and raises ValueError; as text it
    reaches ``check_date``, which says which key is wrong and how to write it.
    """
    import yaml  # type: ignore[import-untyped,unused-ignore]

    class FrontMatterLoader(yaml.SafeLoader):  # type: ignore[misc,name-defined,unused-ignore]
        pass

    FrontMatterLoader.add_constructor(
        "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str
    )
    return FrontMatterLoader


def _front_matter_values(
    front: dict[str, Any], path: Path, warnings: list[str]
) -> tuple[dict[str, str], Metadata]:
    where = f"{path} front matter"
    known = (*_TEXT_KEYS, *KNOWN_KEYS)
    unused = []
    for key in [k for k in front if k not in known]:
        meant = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
        if meant:
            raise InputError(
                f"{where}: unknown key '{key}'; did you mean '{meant[0]}'?",
                f"Known keys: {', '.join(known)}.",
            )
        unused.append(key)
        del front[key]
    if unused:
        warnings.append(
            f"front matter {'keys' if len(unused) > 1 else 'key'} "
            f"{', '.join(repr(k) for k in unused)} not used (publisher reads "
            f"{', '.join(known)})"
        )
    texts: dict[str, str] = {}
    for key in _TEXT_KEYS:
        if key not in front:
            continue
        value = front[key]
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(
                f"{where}: '{key}' must be text.", "Quote it if it looks like a number."
            )
        if value.strip():
            texts["title" if key == "headline" else key] = value.strip()
    rest = {k: v for k, v in front.items() if k not in _TEXT_KEYS and v is not None}
    if "language" in rest and "lang" in rest:
        del rest["lang"]
    return texts, metadata_from_mapping(rest, where)


def _walk(text: str, path: Path, *, want_headline: bool, want_image: bool) -> _Body:
    """Turn the Markdown body into plain-text blocks (one per paragraph, item, heading)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).parse(text)
    if tokens and max(token.level for token in tokens) >= MAX_NESTING - 1:
        # markdown-it stops parsing at maxNesting and drops the rest without a word.
        raise InputError(
            f"{path} nests lists or quotes more than {MAX_NESTING // 2} levels deep; "
            "text past that point would be lost.",
            "Flatten the nesting.",
        )
    found = _Body(want_image=want_image)
    prefixes: list[str] = []  # list-item markers waiting for the item's first block
    quotes = 0  # how deep in block quotes
    heading = ""  # the tag of the heading being read, e.g. "h2"
    for token in tokens:
        kind = token.type
        outer = "quote" if quotes else "p"
        if kind == "list_item_open":
            ordered = token.markup not in ("-", "*", "+")
            prefixes.append(f"{token.info}{token.markup} " if ordered else "• ")
        elif kind == "list_item_close":
            prefixes.pop()
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = token.tag
        elif kind == "heading_close":
            heading = ""
        elif kind == "inline":
            headline = want_headline and heading == "h1" and found.headline is None
            block = "subhead" if heading else outer
            _inline_block(token, found, prefixes, path, headline, block)
        elif kind in ("fence", "code_block"):
            _add(found, prefixes, token.content.rstrip("\n"), outer)
        elif kind == "html_block":
            found.warnings.extend(dropped_markup(token.content))
            for paragraph, html_kind in html_to_blocks(token.content):
                _add(found, prefixes, paragraph, outer if html_kind == "p" else html_kind)
    return found


def _inline_block(
    token: Any, found: _Body, prefixes: list[str], path: Path, is_headline: bool, kind: str
) -> None:
    children = token.children or []
    images = [child for child in children if child.type == "image"]
    if len(children) == 1 and images and found.want_image and not found.image:
        image = images.pop()
        local = local_image(str(image.attrGet("src") or ""), path, found.warnings)
        if local is not None:
            found.image = local
            found.image_alt = str(image.attrGet("title") or "") or image.content.strip() or None
            return
    for image in images:  # not the photo: its alt text stays in the text
        _unused_image(str(image.attrGet("src") or ""), path, found.warnings)
    fragment = _inline_html(children)
    if "<" in fragment:
        found.warnings.extend(dropped_markup(fragment))
        text = html_to_text(fragment)
    else:
        text = html.unescape(fragment)
    text = text.strip()
    if not text:
        return
    if is_headline:
        found.headline = text
        return
    _add(found, prefixes, text, kind)


def _unused_image(src: str, path: Path, warnings: list[str]) -> None:
    if local_image(src, path, warnings) is not None:
        warnings.append(f"the image {src} was left out (one photo per article is used)")


def _inline_html(children: list[Any]) -> str:
    """Inline tokens as an HTML fragment: text escaped, raw HTML kept for nh3 to sanitise."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(html.escape(child.content, quote=False))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "html_inline":
            parts.append(child.content)
        elif child.type == "image":
            parts.append(html.escape(child.content, quote=False))  # its alt text
    return "".join(parts)


def _add(found: _Body, prefixes: list[str], text: str, kind: str) -> None:
    """Add a block; the first block of a list item is the item, with its marker."""
    if prefixes and prefixes[-1]:
        kind = "bullet" if prefixes[-1] == "• " else "number"
        text = prefixes[-1] + text
        prefixes[-1] = ""
    found.paragraphs.append(text)
    found.kinds.append(kind)
