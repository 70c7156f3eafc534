"""WeasyPrint's finisher: what the PDF gets after layout and before it is written.

- the BleedBox (trim + the requested bleed, which WeasyPrint clamps) and, for
  PDF/X, a ``DefaultRGB`` so the RGB painted is ICC-based;
- PDF/A-3 associated files listed once, and the random XMP DocumentID replaced
  by one derived from the article and build time (reproducible bytes);
- conformance fixes veraPDF asked for: no image interpolation in any standard
  variant (ISO 19005 6.2.8), bare CFF fonts and one ``dc:creator`` for PDF/A-1,
  no conformance level for PDF/A-4;
- the text layer: line-breaking hyphens extract as SOFT HYPHEN (``print_hyphens``);
- the tagging ``pdf_tags`` recorded: artifacts, ActualText.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from publisher.config import PdfOptions
from publisher.render.pdf_tags import TagNotes, finish_tags


def conform_metadata(document: Any, options: PdfOptions) -> None:
    """Adjust the document's metadata where a PDF variant needs it, before it is written.

    PDF/A-1 (ISO 19005-1 6.7.3) wants exactly one ``dc:creator``, equal to the
    Info dictionary's Author; WeasyPrint writes one per author and joins them
    with ", " for Author, so several authors become that one joined name.
    """
    authors = document.metadata.authors
    if options.variant in ("pdf/a-1a", "pdf/a-1b") and len(authors) > 1:
        document.metadata.authors = [", ".join(authors)]


def pdf_finisher(
    bleed: float, digest: bytes, options: PdfOptions | None = None, notes: TagNotes | None = None
) -> Any:
    """WeasyPrint's finisher: boxes, metadata and conformance fixes on the PDF before writing.

    ``notes`` are what ``pdf_tags.recording_tags`` saw while the tree was built.
    """

    def finish(document: Any, pdf: Any) -> None:
        if notes is not None:
            finish_tags(pdf, notes)
        for obj in pdf.objects:
            if isinstance(obj, dict) and obj.get("Type") == "/Page" and "TrimBox" in obj:
                left, bottom, right, top = (float(v) for v in obj["TrimBox"])
                m_left, m_bottom, m_right, m_top = (float(v) for v in obj["MediaBox"])
                array = type(obj["TrimBox"])  # pydyf.Array, without importing untyped pydyf
                obj["BleedBox"] = array(
                    [
                        max(m_left, left - bleed),
                        max(m_bottom, bottom - bleed),
                        min(m_right, right + bleed),
                        min(m_top, top + bleed),
                    ]
                )
        # PDF/A-3: WeasyPrint lists each associated file twice in /AF; once is right.
        if "AF" in pdf.catalog:
            first = {_bytes(ref): ref for ref in reversed(pdf.catalog["AF"])}
            pdf.catalog["AF"] = type(pdf.catalog["AF"])(reversed(first.values()))
        if options is not None and options.output_profile is not None:
            _default_rgb(pdf)
        _soft_hyphens(pdf)
        if options is not None and options.variant is not None:
            _no_interpolation(pdf)
        if options is not None and options.variant in ("pdf/a-1a", "pdf/a-1b"):
            _bare_cff_fonts(pdf)
        # PDF/X-4: WeasyPrint writes a random xmpMM:DocumentID; use a derived one.
        reference = pdf.catalog.get("Metadata")
        if reference is not None:
            stream = pdf.objects[int(_bytes(reference).split()[0])]
            document_id = f"xmp.did:{uuid.UUID(bytes=digest[:16], version=4)}".encode()
            chunks = [
                re.sub(rb"xmp\.did:[0-9a-fA-F-]{36}", document_id, _bytes(chunk))
                for chunk in stream.stream
            ]
            if options is not None and options.variant == "pdf/a-4u":
                # PDF/A-4 has no conformance level ("u" is WeasyPrint's name for plain
                # PDF/A-4), and ISO 19005-4 6.7.3 forbids claiming one.
                chunks = [chunk.replace(b' pdfaid:conformance="U"', b"") for chunk in chunks]
            stream.stream = chunks

    return finish


#: A ToUnicode entry that maps a glyph to U+2010, as WeasyPrint writes them.
_BREAK_HYPHEN_ENTRY = re.compile(rb"(<[0-9a-fA-F]+> )<2010>")


def _soft_hyphens(pdf: Any) -> None:
    """Make the hyphens line breaking added extract as SOFT HYPHEN (U+00AD).

    ``print_fonts`` draws them (U+2010, WeasyPrint's ``hyphenate-character``)
    with a glyph of their own; its ToUnicode entry is turned into U+00AD, which
    text extraction and search treat as a break inside one word. Hyphen-minus
    keeps its own glyph and extracts as itself.
    """
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("Type") != "/Font" or "ToUnicode" not in obj:
            continue
        cmap = pdf.objects[int(_bytes(obj["ToUnicode"]).split()[0])]
        cmap.stream = [_BREAK_HYPHEN_ENTRY.sub(rb"\1<00ad>", _bytes(c)) for c in cmap.stream]


def _no_interpolation(pdf: Any) -> None:
    """Turn off image interpolation, which PDF/A (ISO 19005-2/3 6.2.8) and PDF/X forbid.

    WeasyPrint asks viewers to smooth every image (``/Interpolate true``) unless
    the CSS says ``image-rendering: pixelated``; a print copy at its placed
    resolution needs no smoothing, and the standards leave it to the device.
    Soft masks are streams inside an image's dictionary, so they are walked too.
    """
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if not isinstance(extra, dict) or extra.get("Subtype") != "/Image":
            continue
        extra["Interpolate"] = "false"
        mask = getattr(extra.get("SMask"), "extra", None)
        if isinstance(mask, dict) and "Interpolate" in mask:
            mask["Interpolate"] = "false"


def _bare_cff_fonts(pdf: Any) -> None:
    """Embed OpenType CFF fonts as their bare CFF table, for PDF/A-1 (PDF 1.4).

    PDF 1.4 knows no ``/OpenType`` font files (ISO 19005-1 6.3.2); it takes the
    CFF program itself as ``/CIDFontType0C``. WeasyPrint writes CIDFontType0
    fonts with Identity CIDs, and a CFF without CIDFont operators in such a
    font is indexed by CID as glyph id, so the same glyphs are drawn.
    """
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if not isinstance(extra, dict) or extra.get("Subtype") != "/OpenType":
            continue
        font = TTFont(io.BytesIO(b"".join(_bytes(chunk) for chunk in obj.stream)))
        if "CFF " not in font.reader:
            continue
        obj.stream = [font.reader["CFF "]]
        extra["Subtype"] = "/CIDFontType0C"


def _default_rgb(pdf: Any) -> None:
    """Make the RGB the PDF paints with sRGB (``DefaultRGB``), for PDF/X.

    Themes and photos are RGB and WeasyPrint paints them as DeviceRGB, which a
    PDF/X with a CMYK printing condition must not use bare. A ``DefaultRGB``
    colour space in the resources turns every DeviceRGB colour and image into
    ICC-based sRGB, which the printer's RIP converts to the output profile.
    WeasyPrint shares one colour-space dictionary among all pages and forms.
    """
    from importlib.resources import files

    import pydyf  # type: ignore[import-untyped]

    srgb = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    stream = pydyf.Stream([srgb], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(stream)
    default = pydyf.Array(("/ICCBased", stream.reference))
    for obj in pdf.objects:
        if isinstance(obj, dict) and "device-cmyk" in obj and "lab-d50" in obj:
            obj["DefaultRGB"] = default


def _bytes(chunk: Any) -> bytes:
    return chunk if isinstance(chunk, bytes) else str(chunk).encode("utf-8")
