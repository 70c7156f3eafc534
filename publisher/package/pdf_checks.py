"""PDF defects veraPDF does not catch (or that need no Java to catch): our own checks.

Each was a defect a real client found in publisher's PDFs (issue 11); the
renderer is fixed and tested, and these checks make ``publisher check`` and
``publisher verify`` fail if one comes back:

- ``PDF-IMAGE-INTERPOLATE``: an image of a PDF that claims PDF/A or PDF/X
  asks viewers to smooth it (``/Interpolate true``), which PDF/A (ISO
  19005-2/3 6.2.8) and PDF/X forbid. veraPDF catches it too, for PDF/A, but
  only where Java runs;
- ``PDF-HYPHEN-TEXT``: a font maps a glyph to U+2010 HYPHEN in its ToUnicode,
  so a hyphen-minus drawn with that glyph extracts as U+2010 and
  ``pdftotext x.pdf - | grep Iran-backed`` finds nothing (publisher maps the
  line-break hyphen's own glyph to SOFT HYPHEN, ``render/print_hyphens.py``);
- ``PDF-RTL-TEXT``: right-to-left text in a structure element without
  ``/ActualText`` (itself or an ancestor): read in tag order, its words come
  out reversed (``render/pdf_tags.py``);
- ``PDF-LANG``: a structure element whose text is mostly right-to-left script
  while its language (``/Lang``, inherited from its ancestors and the catalog)
  is not a right-to-left language: the part's language was lost.

The text of each marked-content sequence is read with pdfium (``pypdfium2``,
a dependency already), the structure tree with pikepdf.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf

from publisher.package.report import Problem

#: Languages written right to left.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
_TO_HYPHEN = re.compile(rb"<[0-9a-fA-F]+>\s*<2010>")
_MAX_DEPTH = 256
#: Elements checked for language and ActualText at most (a hostile tree can be huge).
_MAX_ELEMENTS = 200_000


def check_pdf_content(
    pdf: pikepdf.Pdf, path: Path, label: str, *, claims: tuple[str, ...]
) -> list[Problem]:
    """Our checks on an open PDF; ``claims`` are the PDF/A or PDF/X variants it claims."""
    problems = []
    if claims:  # a PDF that claims neither may ask for smoothing
        problems += [Problem(label, m, "PDF-IMAGE-INTERPOLATE") for m in _interpolated(pdf)]
    problems += [Problem(label, m, "PDF-HYPHEN-TEXT") for m in _hyphen_maps(pdf)]
    if isinstance(pdf.Root.get("/StructTreeRoot"), pikepdf.Dictionary):
        import pypdfium2 as pdfium

        try:
            texts = marked_texts(path)
        except (pdfium.PdfiumError, OSError) as error:
            message = f"pdfium cannot read the PDF's text to check its tags: {error}"
            return [*problems, Problem(label, message, "PDF-UNREADABLE")]
        problems += [Problem(label, m, code) for code, m in _tagged_text(pdf, texts)]
    return problems


def _interpolated(pdf: pikepdf.Pdf) -> Iterator[str]:
    count = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if obj.get("/Subtype") == pikepdf.Name.Image and bool(obj.get("/Interpolate", False)):
            count += 1
    if count:
        yield (
            f"{count} image(s) ask viewers to smooth them (/Interpolate true), which PDF/A "
            "and PDF/X forbid"
        )


def _hyphen_maps(pdf: pikepdf.Pdf) -> Iterator[str]:
    seen: set[str] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        cmap = obj.get("/ToUnicode")
        if not isinstance(cmap, pikepdf.Stream):
            continue
        try:
            data = cmap.read_bytes()
        except pikepdf.PdfError:
            continue  # an unreadable stream is veraPDF's and the structure check's news
        if _TO_HYPHEN.search(data):
            name = str(obj.get("/BaseFont", "(unnamed)")).removeprefix("/")
            if name not in seen:
                seen.add(name)
                yield (
                    f"font {name} extracts a glyph as U+2010 HYPHEN: a hyphen-minus drawn "
                    "with it is not found by search (a line-break hyphen must extract as "
                    "U+00AD SOFT HYPHEN, a real one as '-')"
                )


def marked_texts(path: Path) -> dict[tuple[int, int], str]:
    """The text of every marked-content sequence, by (page index, MCID), read by pdfium.

    Text objects are in content-stream order, so a sequence's text is in the
    order its glyphs are drawn (visual order for right-to-left text).
    """
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    texts: dict[tuple[int, int], str] = {}
    document = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                for n in range(raw.FPDFPage_CountObjects(page.raw)):
                    obj = raw.FPDFPage_GetObject(page.raw, n)
                    if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_TEXT:
                        continue
                    mcid = raw.FPDFPageObj_GetMarkedContentID(obj)
                    if mcid < 0:
                        continue
                    size = raw.FPDFTextObj_GetText(obj, textpage.raw, None, 0)
                    if size <= 2:
                        continue
                    buffer = ctypes.create_string_buffer(size)
                    target = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
                    raw.FPDFTextObj_GetText(obj, textpage.raw, target, size)
                    text = buffer.raw[: size - 2].decode("utf-16-le", "replace")
                    texts[(index, mcid)] = texts.get((index, mcid), "") + text
            finally:
                textpage.close()
                page.close()
    finally:
        document.close()
    return texts


def _rtl_share(text: str) -> float:
    """The share of the letters in ``text`` that are right-to-left (Arabic, Hebrew...)."""
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return 0.0
    return sum(unicodedata.bidirectional(c) in ("R", "AL") for c in letters) / len(letters)


def _tagged_text(pdf: pikepdf.Pdf, texts: dict[tuple[int, int], str]) -> Iterator[tuple[str, str]]:
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    root = pdf.Root.StructTreeRoot
    catalog_lang = str(pdf.Root.get("/Lang", "")).strip()
    lost_lang = missing_actual = 0
    first_lang = first_actual = ""
    seen: set[tuple[int, int]] = set()
    todo: list[tuple[Any, str, bool, Any, int]] = [(root.get("/K"), catalog_lang, False, None, 0)]
    while todo and len(seen) < _MAX_ELEMENTS:
        node, lang, actual, page, depth = todo.pop()
        if depth > _MAX_DEPTH:
            continue
        if isinstance(node, pikepdf.Array):
            todo.extend((kid, lang, actual, page, depth + 1) for kid in node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        lang = str(node.get("/Lang", "")).strip() or lang
        actual = actual or "/ActualText" in node
        page = node.get("/Pg", page)
        own = "".join(_own_texts(node.get("/K"), page, pages, texts))
        if own.strip():
            rtl = _rtl_share(own)
            if rtl > 0 and not actual:
                missing_actual += 1
                first_actual = first_actual or own
            if rtl > 0.5 and lang.split("-")[0].lower() not in RTL_LANGUAGES:
                lost_lang += 1
                first_lang = first_lang or f"{own!r} is marked {lang or 'no language'!r}"
        kids = node.get("/K")
        children = kids if isinstance(kids, pikepdf.Array) else [kids]
        todo.extend((kid, lang, actual, page, depth + 1) for kid in children)
    if missing_actual:
        yield (
            "PDF-RTL-TEXT",
            f"{missing_actual} structure element(s) hold right-to-left text without "
            f"/ActualText, so it extracts reversed in tag order (first: {first_actual[:40]!r})",
        )
    if lost_lang:
        yield (
            "PDF-LANG",
            f"{lost_lang} structure element(s) of right-to-left text carry another language "
            f"(/Lang) or none (first: {first_lang[:80]})",
        )


def _own_texts(
    kids: Any, page: Any, pages: dict[tuple[int, int], int], texts: dict[tuple[int, int], str]
) -> Iterator[str]:
    """The text of the marked content an element owns directly (not its child elements)."""
    items = kids if isinstance(kids, pikepdf.Array) else [kids]
    for kid in items:
        where = page
        if isinstance(kid, int) and not isinstance(kid, bool):
            mcid = kid
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == pikepdf.Name.MCR:
            where = kid.get("/Pg", page)
            mcid = int(kid.get("/MCID", -1))
        else:
            continue
        if isinstance(where, pikepdf.Dictionary) and where.objgen in pages:
            yield texts.get((pages[where.objgen], mcid), "")
