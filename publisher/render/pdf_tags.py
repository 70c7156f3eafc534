"""What WeasyPrint's PDF tagging leaves out, added while it tags and finished before writing.

WeasyPrint builds the structure tree from its boxes (``weasyprint.pdf.tags``)
but drops three things a tagged PDF (PDF/UA-1, WCAG) needs:

- **Language of parts.** Only the catalog gets ``/Lang``; an element with its
  own ``lang`` (an article of a collection, a contents entry) gets nothing, so
  a screen reader reads Arabic with an English voice. Here each structure
  element made for an element with ``lang`` gets ``/Lang``.
- **Running heads and folios.** The content of margin boxes is marked with
  MCIDs whose structure elements hang nowhere in the tree ("orphan
  NonStruct"). Here that content becomes ``/Artifact`` (``/Pagination``,
  ``/Header`` or ``/Footer``) and leaves the ParentTree.
- **Right-to-left text in tag order.** Glyphs of RTL text are drawn in visual
  order, so text read in structure order comes out reversed. Here each
  structure element holding RTL text carries its logical text as
  ``/ActualText``. On the element, not on the marked content: poppler
  (``pdftotext``) applies marked-content ActualText and then reorders it
  again as if it were visual, which reversed words that were right before.

Why a wrapper around a private function: the structure tree is built by
``weasyprint.pdf.tags._build_box_tree``, one call per box, and only there are a
box, its structure element and its MCIDs known together; rebuilding that walk
after the fact would copy WeasyPrint's rules. The wrapper only observes and
adds keys; when WeasyPrint has no such function it does nothing (and the tests
of language, artifacts and ActualText fail, so an upgrade cannot pass silently).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class TagNotes:
    """What the wrapper saw while WeasyPrint tagged one document (mutable, one render only)."""

    #: Page number by the identity of the page's tags dictionary (shared by its streams).
    pages: dict[int, int] = field(default_factory=dict)
    #: (page, MCID) of margin-box content -> the artifact's subtype (Header, Footer or "").
    margins: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (page, MCID) of every marked text run -> (its logical text, whether it is RTL).
    texts: dict[tuple[int, int], tuple[str, bool]] = field(default_factory=dict)


@contextmanager
def recording_tags() -> Iterator[TagNotes]:
    """Wrap WeasyPrint's structure-tree builder inside the block; yield what it records.

    Element languages are set as the tree is built; ``finish_tags`` (in the
    PDF finisher) applies the rest. Not thread-safe: it patches a module.
    """
    from weasyprint.pdf import tags as weasy_tags

    notes = TagNotes()
    original = getattr(weasy_tags, "_build_box_tree", None)
    if original is None:
        yield notes
        return

    def build(box: Any, parent: Any, pdf: Any, page: int, nums: Any, *rest: Any) -> Iterator[Any]:
        tags = rest[-1] if rest else None
        if isinstance(tags, dict):
            notes.pages[id(tags)] = page
            _note_texts(box, tags, page, notes)
        margin = type(box).__name__ == "MarginBox"
        before = set(nums) if margin else set()
        own = getattr(box, "element", None) is not None and box.element_tag not in ("html", "body")
        for element in original(box, parent, pdf, page, nums, *rest):
            lang = _lang(box.element) if own else None
            if lang and "Lang" not in element:
                element["Lang"] = _pdf_string(lang)
            yield element
        if margin:
            keyword = str(getattr(box, "at_keyword", ""))
            kind = "Header" if "top" in keyword else "Footer" if "bottom" in keyword else ""
            for mcid in set(nums) - before:
                notes.margins[(page, mcid)] = kind

    weasy_tags._build_box_tree = build
    try:
        yield notes
    finally:
        weasy_tags._build_box_tree = original


def finish_tags(pdf: Any, notes: TagNotes) -> None:
    """Turn margin content into artifacts and give RTL text its ActualText (a finisher step)."""
    import pydyf  # type: ignore[import-untyped]

    if notes.margins:
        for obj in pdf.objects:
            tags = getattr(obj, "_tags", None)
            if tags is None or id(tags) not in notes.pages:
                continue
            page, items = notes.pages[id(tags)], obj.stream
            for index, item in enumerate(items):
                if not isinstance(item, dict) or "MCID" not in item or index == 0:
                    continue
                kind = notes.margins.get((page, int(item["MCID"])))
                if kind is not None:
                    items[index - 1] = "/Artifact"
                    subtype = {"Subtype": f"/{kind}"} if kind else {}
                    items[index] = pydyf.Dictionary({"Type": "/Pagination", **subtype})
    parent_tree = _parent_tree(pdf)
    if parent_tree is None:
        return
    by_element: dict[int, list[tuple[int, int]]] = {}
    for page, refs in parent_tree:
        for mcid in range(len(refs)):
            if (page, mcid) in notes.margins:
                refs[mcid] = "null"  # the content is an artifact now
            elif refs[mcid] != "null":
                by_element.setdefault(_number(refs[mcid]), []).append((page, mcid))
    for number, keys in by_element.items():
        runs = [notes.texts[key] for key in keys if key in notes.texts]
        if any(rtl for _, rtl in runs):
            pdf.objects[number]["ActualText"] = _pdf_string("".join(text for text, _ in runs))


def _parent_tree(pdf: Any) -> list[tuple[int, Any]] | None:
    """The ParentTree's per-page arrays (index = MCID), as (page, array) pairs."""
    root = pdf.catalog.get("StructTreeRoot")
    if root is None:
        return None
    tree = pdf.objects[_number(root)]
    nums = pdf.objects[_number(tree["ParentTree"])]["Nums"]
    pairs = []
    for position in range(0, len(nums) - 1, 2):
        if isinstance(nums[position + 1], list):  # an annotation's entry is a reference
            pairs.append((int(nums[position]), nums[position + 1]))
    return pairs


def _note_texts(box: Any, tags: dict[Any, Any], page: int, notes: TagNotes) -> None:
    """Record the text runs among ``box``'s children before WeasyPrint takes their MCIDs."""
    for child in getattr(box, "children", ()) or ():
        runs = child.children if type(child).__name__ == "LineBox" else [child]
        for text_box in runs:
            if type(text_box).__name__ != "TextBox" or text_box not in tags:
                continue
            text = str(getattr(text_box, "text", ""))
            rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
            notes.texts[(page, int(tags[text_box]["mcid"]))] = (text, rtl)


def _lang(element: Any) -> str | None:
    value = element.get("lang") or element.get(_XML_LANG)
    return str(value).strip() or None if value is not None else None


def _pdf_string(text: str) -> Any:
    import pydyf

    return pydyf.String(text)


def _number(reference: Any) -> int:
    value = reference if isinstance(reference, bytes) else str(reference).encode()
    return int(value.split()[0])
