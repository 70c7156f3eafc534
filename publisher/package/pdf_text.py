"""The PDF's text as a reader's tools extract it, judged against what it must say.

These checks need a second witness besides the PDF: the EPUB of the same
build (``check`` given both, ``verify``'s bag) or the normalised article
(``data/article.json`` in a bag).

- ``EPUB-PAGE-LIST``: page-list entry N of a collection's EPUB must point at
  the text with which PDF page N begins (the EPUB names its PDF in
  ``pageBreakSource``). The first letters after each marker must be on that
  PDF page; a marker left at the start of a paragraph that began on the page
  before, or in another article, is not.
- ``PDF-CONTENTS``: each entry of the PDF's contents page must read as the
  EPUB's contents entry, words separated by spaces (right-to-left titles got
  leader dots between their words), and no two words on a contents page may
  be printed over each other (the page number over the title).
- ``PDF-HYPHEN-SOURCE``: every hyphenated word of the article ("Iran-backed")
  must be found as written in the PDF's text, and a hyphen line breaking
  added must not extract as a real one ("coali-tion").
- ``CREDIT-LOST``: the photo credit of ``article.json`` ("Photo: AP") must be
  in the EPUB and the PDF as written.

The text comes from poppler's ``pdftotext`` (what the defects were found
with) when it is installed, else from pdfium (``pypdfium2``, a dependency).
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pikepdf

from publisher.package.epub_checks import OPS_TYPE, XHTML, EpubBook, _Unreadable, open_book
from publisher.package.report import Problem

#: pdftotext on a few hundred pages takes a second; a minute means something is stuck.
PDFTOTEXT_TIMEOUT = 60.0
#: Letters compared after each page marker.
PROBE_LETTERS = 16
#: Two words overlap when their boxes share more than this share of the smaller box.
OVERLAP = 0.3
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
_WORD_BOX = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def text_tool() -> str:
    """Which extractor the text checks use (named in ``checks_run``)."""
    return "pdftotext" if shutil.which("pdftotext") else "pdfium"


def page_texts(path: Path) -> list[str]:
    """The text of each page, as pdftotext (else pdfium) extracts it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return _pdfium_texts(path)
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        timeout=PDFTOTEXT_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(" ".join(done.stderr.decode("utf-8", "replace").split())[:200])
    pages = done.stdout.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _pdfium_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    texts = []
    document = pdfium.PdfDocument(str(path))
    try:
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return texts


def _word_boxes(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """Word boxes of one page (1-based) from ``pdftotext -bbox``; none without poppler."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return []
    done = subprocess.run(
        [tool, "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        timeout=PDFTOTEXT_TIMEOUT,
        check=False,
    )
    text = done.stdout.decode("utf-8", "replace")
    return [
        (float(a), float(b), float(c), float(d), html.unescape(w))
        for a, b, c, d, w in _WORD_BOX.findall(text)
    ]


def squash(text: str) -> str:
    """Letters and digits only, soft hyphens and direction marks dropped, case kept.

    >>> squash("coali\\u00ad\\ntion, “near-daily”")
    'coalitionneardaily'
    """
    text = unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS)
    return "".join(c for c in text if c.isalnum())


def folded(text: str) -> str:
    """``squash`` without case and accents: what small capitals or a theme's upper-casing
    print is the same text.

    >>> folded("ŞEHİR HAYATI") == folded("Şehir hayatı") == folded("sehir hayati")
    True
    """
    text = unicodedata.normalize("NFKD", squash(text).casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("ı", "i")


def spaced(text: str) -> str:
    """Words separated by single spaces, extraction artefacts dropped.

    >>> spaced("Bagh\\u00ad\\ndad  and\\nIraq")
    'Baghdad and Iraq'
    """
    text = unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS)
    text = re.sub(r"\u00ad\s*", "", text)
    return " ".join(text.split())


def joined(text: str) -> str:
    """Extracted text with line breaks inside hyphenated words closed up.

    >>> joined("Iran-\\nbacked and Provence-Alpes\\n-Côte")
    'Iran-backed and Provence-Alpes-Côte'
    """
    text = re.sub(r"(?<=\w)-\s*\n\s*(?=\w)", "-", spaced_lines(text))
    text = re.sub(r"(?<=\w)\s*\n\s*-(?=\w)", "-", text)
    return " ".join(text.split())


def spaced_lines(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS)
    return re.sub(r"\u00ad[ \t]*\n?", "", text)


# --- an EPUB and the PDF of its build ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Marker:
    label: str
    document: str
    after: str  # the letters from the marker to the next marker (folded)


def pdf_identifiers(path: Path) -> set[str]:
    """The first half of the PDF's /ID as text and in hex (empty when it has none)."""
    with pikepdf.open(path) as pdf:
        ids = pdf.trailer.get("/ID")
        if not isinstance(ids, pikepdf.Array) or not len(ids):
            return set()
        first = bytes(ids[0])
    found = {first.hex()}
    if first.isascii() and first.decode("ascii").isalnum():
        found.add(first.decode("ascii"))  # WeasyPrint writes its ID as hex digits
    return found


def find_pdf(epub: Path, candidates: Sequence[Path]) -> Path | None:
    """The PDF of the EPUB's build among ``candidates``: the one its ``pageBreakSource``
    identifies (PDF file identifier), else the one with its stem; None when the
    EPUB has no page list or no candidate fits."""
    try:
        source = page_source(epub)
    except (zipfile.BadZipFile, OSError, StopIteration, _Unreadable, ValueError):
        return None
    if source is None:
        return None
    pdfs = [c for c in candidates if c.suffix.lower() == ".pdf" and c.is_file()]
    for pdf in pdfs:
        try:
            if any(ident in source for ident in pdf_identifiers(pdf)):
                return pdf
        except (pikepdf.PdfError, OSError, ValueError):
            continue
    return next((pdf for pdf in pdfs if pdf.stem == epub.stem), None)


def page_source(epub: Path) -> str | None:
    """What the EPUB's ``pageBreakSource`` names (None when it has no page list)."""
    with zipfile.ZipFile(epub) as archive:
        book = open_book(archive)
        for meta in book.opf.iter("{http://www.idpf.org/2007/opf}meta"):
            if meta.get("property") == "pageBreakSource":
                return (meta.text or "").strip()
    return None


def pair_problems(epub: Path, pdf: Path, *, epub_name: str, pdf_name: str) -> list[Problem]:
    """The page-list and contents-page checks of an EPUB against the PDF of its build."""
    try:
        with zipfile.ZipFile(epub) as archive:
            book = open_book(archive)
            markers = _markers(book)
            titles = _toc_titles(book)
            toc_documents = {m.document for m in markers if m.document in titles}
    except (zipfile.BadZipFile, OSError, StopIteration, _Unreadable, ValueError):
        return []  # the EPUB's own checks report an unreadable EPUB
    if not markers:
        return []
    try:
        pages = page_texts(pdf)
    except (OSError, ValueError, subprocess.TimeoutExpired) as error:
        message = f"its text cannot be extracted to compare with {epub_name}: {error}"
        return [Problem(pdf_name, message, "PDF-UNREADABLE")]
    problems = [Problem(epub_name, m, "EPUB-PAGE-LIST") for m in _page_list(markers, pages)]
    contents_pages = [int(m.label) for m in markers if m.document in toc_documents]
    titles_read = [t for d in toc_documents for t in titles[d]]
    problems += [
        Problem(pdf_name, m, "PDF-CONTENTS")
        for m in _contents(pdf, pages, contents_pages, titles_read)
    ]
    return problems


def _markers(book: EpubBook) -> list[_Marker]:
    nav_name = book.nav()
    if nav_name is None:
        return []
    base = posixpath.dirname(nav_name)
    targets: list[tuple[str, str, str]] = []  # (label, document, id)
    for nav in book.xml(nav_name).iter(f"{XHTML}nav"):
        if nav.get(OPS_TYPE) != "page-list":
            continue
        for link in nav.iter(f"{XHTML}a"):
            parts = urlsplit(link.get("href") or "")
            document = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
            targets.append(("".join(link.itertext()).strip(), document, parts.fragment))
    texts: dict[str, dict[str, str]] = {}
    for document in dict.fromkeys(d for _, d, _ in targets):
        texts[document] = _text_after_markers(book.xml(document))
    return [
        _Marker(label, document, texts[document].get(fragment, ""))
        for label, document, fragment in targets
        if label.isdigit()
    ]


def _text_after_markers(root: Any) -> dict[str, str]:
    """For each element with an id that is a page break, the letters up to the next one."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    body = next(root.iter(f"{XHTML}body"), root)
    for event, element in _walk_text(body):
        if event == "break":
            current = found.setdefault(element, [])
        elif current is not None:
            current.append(element)
    return {key: folded("".join(parts)) for key, parts in found.items()}


def _walk_text(element: Any) -> Iterator[tuple[str, str]]:
    if element.get(OPS_TYPE) == "pagebreak" and element.get("id"):
        yield "break", element.get("id")
    elif element.text:
        yield "text", element.text
    for child in element:
        if isinstance(child.tag, str):
            yield from _walk_text(child)
        if child.tail:
            yield "text", child.tail


def _page_list(markers: Sequence[_Marker], pages: list[str]) -> Iterator[str]:
    squashed = [folded(p) for p in pages]
    for marker in markers:
        number = int(marker.label)
        probe = marker.after[:PROBE_LETTERS]
        if not probe:
            continue  # a marker with nothing after it (a last blank page)
        if number < 1 or number > len(pages):
            yield f"page-list entry {number} names a page the PDF ({len(pages)} pages) lacks"
            continue
        if not squashed[number - 1]:
            continue  # a blank page (a verso before a right-hand start)
        if probe not in squashed[number - 1]:
            where = [str(i + 1) for i, text in enumerate(squashed) if probe in text]
            seen = f"it is on page {', '.join(where[:3])}" if where else "it is on no page"
            yield (
                f"page-list entry {number} ({marker.document}) points at {probe!r}…, which "
                f"is not on page {number} of the PDF ({seen})"
            )


def _toc_titles(book: EpubBook) -> dict[str, list[str]]:
    """The contents entries of each document holding a contents page (class toc-entry)."""
    found: dict[str, list[str]] = {}
    for member in book.spine():
        if member not in book.members:
            continue
        root = book.xml(member)
        for entry in root.iter(f"{XHTML}li"):
            if "toc-entry" in (entry.get("class") or "").split():
                found.setdefault(member, []).append(" ".join("".join(entry.itertext()).split()))
    return found


def _contents(path: Path, pages: list[str], numbers: list[int], titles: list[str]) -> Iterator[str]:
    chosen = sorted({n for n in numbers if 1 <= n <= len(pages)})
    if not chosen or not titles:
        return
    text = spaced(" ".join(pages[n - 1] for n in chosen))
    for title in titles:
        want = spaced(title)
        if want and want not in text:
            yield (
                f"the contents entry {want[:60]!r} does not read as written on the contents "
                f"page(s) {', '.join(map(str, chosen))} (words run together or are out of place)"
            )
    for number in chosen:
        boxes = _word_boxes(path, number)
        pairs = [
            (first[4], second[4])
            for index, first in enumerate(boxes)
            for second in boxes[index + 1 :]
            if _overlap(first, second) > OVERLAP
        ]
        if pairs:
            shown = next((p for p in pairs if any(w.isdigit() for w in p)), pairs[0])
            yield (
                f"page {number}: {len(pairs)} pair(s) of words are printed over each other on "
                f"the contents page (e.g. {shown[0]!r} and {shown[1]!r})"
            )


def _overlap(
    a: tuple[float, float, float, float, str], b: tuple[float, float, float, float, str]
) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


# --- a bag: the article and its renditions ---------------------------------------------


def article_words(article: dict[str, Any]) -> set[str]:
    """The hyphenated words of the article's printed text (headline, caption, paragraphs)."""
    parts = [article.get("headline"), article.get("caption"), article.get("dateline")]
    paragraphs = article.get("paragraphs")
    if isinstance(paragraphs, list):
        parts += paragraphs
    text = " ".join(p for p in parts if isinstance(p, str))
    return set(_HYPHENATED.findall(unicodedata.normalize("NFC", text)))


def hyphen_problems(pdf_text: str, article: dict[str, Any]) -> Iterator[str]:
    """Hyphenated words of the article missing from the PDF's text, and break hyphens kept."""
    words = article_words(article)
    text = joined(pdf_text)
    missing = sorted(w for w in words if w not in text)
    if missing:
        shown = ", ".join(missing[:5])
        yield (
            f"{len(missing)} hyphenated word(s) of the article are not in the PDF's text as "
            f"written, so search does not find them: {shown}"
        )
    plain = set(re.findall(r"\w+", " ".join(p for p in _strings(article))))
    broken = sorted(
        {
            w
            for w in _HYPHENATED.findall(text)
            if w not in words and w.replace("-", "") in plain and "-" in w
        }
    )
    if broken:
        yield (
            f"{len(broken)} word(s) extract with the hyphen line breaking added, as if it were "
            f"part of the word: {', '.join(broken[:5])}"
        )


def _strings(article: dict[str, Any]) -> Iterator[str]:
    for key in ("headline", "caption", "dateline"):
        if isinstance(article.get(key), str):
            yield article[key]
    paragraphs = article.get("paragraphs")
    if isinstance(paragraphs, list):
        yield from (p for p in paragraphs if isinstance(p, str))


def credit_problems(
    article: dict[str, Any], epub: Path | None, pdf_text: str | None
) -> Iterator[tuple[str, str]]:
    """(which, message) for each rendition that lost the photo credit as written."""
    credit = article.get("credit")
    if not isinstance(credit, str) or not credit.strip() or not article.get("image"):
        return
    want = " ".join(credit.split())
    if epub is not None:
        try:
            with zipfile.ZipFile(epub) as archive:
                book = open_book(archive)
                shown = [
                    " ".join("".join(e.itertext()).split())
                    for member in book.spine()
                    if member in book.members and member.endswith(".xhtml")
                    for e in book.xml(member).iter()
                    if "credit" in (e.get("class") or "").split()
                ]
        except (zipfile.BadZipFile, OSError, StopIteration, _Unreadable, ValueError):
            shown = None  # the EPUB's own checks report it
        if shown is not None and want not in shown:
            found = f" (it shows {shown[0]!r})" if shown else ""
            yield "epub", f"the photo credit {want!r} of article.json is not in the EPUB{found}"
    if pdf_text is not None and want not in spaced(pdf_text):
        yield "pdf", f"the photo credit {want!r} of article.json is not in the PDF's text"
