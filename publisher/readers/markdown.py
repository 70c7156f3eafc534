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

The body is parsed with markdown-it-py (CommonMark, tables, strikethrough,
footnotes, ``~sub~`` and ``^sup^``) into the document tree (``RawArticle.body``,
see ``publisher.readers.mdtree``): emphasis, links, code, lists nested to any
depth, tables, block quotes, section breaks and footnotes keep what they are.
The headline's markup is rendered to plain text (``A *rich* test`` reads
"A rich test"). Raw HTML is sanitised with nh3 and contributes its text only:
``<script>`` and ``<style>`` contents are dropped, with a warning. The first
paragraph that is only a local image names the article's photo (its alt text
is the caption when none is given) unless the front matter names one; every
other local image is a figure in the body, captioned by its title or alt text.
Images are only ever files inside the article's folder.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from publisher.errors import InputError
from publisher.model import Heading, Metadata, RawArticle, flatten, plain_text
from publisher.readers.decode import decode
from publisher.readers.mdtree import build, inline_markup_text
from publisher.readers.sidecar import KNOWN_KEYS, metadata_from_mapping
from publisher.readers.values import value_problem

FILE_EXTENSIONS = (".md", ".markdown")

_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
#: Front-matter keys that are not metadata.
_TEXT_KEYS = ("title", "headline", "caption", "credit")


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
    body = build(body_text, path, want_headline="title" not in texts, want_image=not metadata.image)
    headline = inline_markup_text(texts["title"]) if "title" in texts else body.headline
    if not headline:
        raise InputError(
            f"{path} has no headline.",
            "Add 'title:' to the front matter or start the article with a '# Headline' line.",
        )
    blocks = body.blocks
    first = blocks[0] if blocks else None
    if isinstance(first, Heading) and plain_text(first.content) == headline:
        blocks = blocks[1:]  # the title repeated as the first heading
    flat = flatten(tuple(blocks))
    if not flat:
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
        paragraphs=tuple(text for text, _ in flat),
        metadata=metadata,
        encoding=decoded.encoding,
        changes=decoded.changes,
        credit=texts.get("credit"),
        warnings=tuple(dict.fromkeys((*warnings, *body.warnings))),
        kinds=tuple(kind for _, kind in flat),
        body=tuple(blocks),
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
