"""What EPUBCheck passes but readers and reading systems trip on: our own EPUB checks.

Each was a defect a real client found in publisher's EPUBs (issue 11); the
renderer is fixed and tested, and these checks make ``publisher check`` and
``publisher verify`` fail if one comes back:

- ``EPUB-LANG``: the ``<package>`` has no ``xml:lang`` (DAISY Ace ``epub-lang``),
  or a nav entry of an article in another language than the book has no
  ``lang`` (and ``dir`` for right-to-left text);
- ``EPUB-NCX-DEPTH``: the NCX says ``dtb:depth`` 0 (or not a number);
- ``EPUB-ALT-CAPTION``: an image's ``alt`` repeats its caption, so a screen
  reader reads it twice;
- ``EPUB-RIGHTS``: ``dc:rights`` names a photo credit and the EPUB has no photo;
- ``EPUB-FONT-NOT-EMBEDDED``: the CSS names Source Serif or Source Sans and
  has no ``@font-face`` for it (a warning when the EPUB embeds no font at all:
  a theme may opt out with ``[epub] embed_fonts = false``);
- ``EPUB-CASE``: a Turkish or Azerbaijani section title upper-cased by English
  rules on the contents page ("ŞEHIR" for "Şehir").

They read the zip with lxml (no entities, no network); a member too big to be
one of publisher's documents is not read, and EPUBCheck judges the rest.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree  # type: ignore[import-untyped,unused-ignore]

from publisher.package.report import Problem

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
OPS_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: No document publisher writes is this big; a bigger member is not inflated here.
MAX_MEMBER_BYTES = 32 * 1024 * 1024
#: Languages written right to left (their nav entries need ``dir="rtl"``).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
#: Languages whose "i" upper-cases to "İ" (and "ı" to "I").
DOTTED_I_LANGUAGES = frozenset({"tr", "az", "crh", "tt", "ba", "kk"})
_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
_FONT_FACE = re.compile(r"@font-face\s*\{([^}]*)\}", re.IGNORECASE)
#: The theme families whose files publisher embeds (``render/epub_fonts.py``).
_EMBEDDED_FAMILIES = re.compile(r"^source (serif|sans)\b", re.IGNORECASE)


class _Unreadable(Exception):
    """A member the content checks cannot read; EPUBCheck reports why."""


@dataclass(frozen=True, slots=True)
class EpubBook:
    """The parts of an EPUB the content checks (and the page-list check) read."""

    opf: Any
    opf_dir: str
    members: frozenset[str]
    archive: zipfile.ZipFile

    def read(self, name: str) -> bytes:
        """A member's bytes (``_Unreadable`` when missing or too big)."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise _Unreadable(f"{name} is not in the EPUB") from None
        if info.file_size > MAX_MEMBER_BYTES:
            raise _Unreadable(f"{name} is {info.file_size} bytes")
        return self.archive.read(info)

    def xml(self, name: str) -> Any:
        """A member parsed as XML (no entities, no network)."""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            return etree.fromstring(self.read(name), parser)
        except etree.XMLSyntaxError as error:
            raise _Unreadable(f"{name}: {error}") from None

    def href(self, href: str) -> str:
        """The zip member a manifest href names."""
        return posixpath.normpath(posixpath.join(self.opf_dir, unquote(href)))

    def items(self) -> dict[str, Any]:
        """Manifest items by id."""
        return {i.get("id"): i for i in self.opf.iter(f"{OPF}item")}

    def spine(self) -> list[str]:
        """Member names of the spine's documents, in reading order."""
        items = self.items()
        found = []
        for ref in self.opf.iter(f"{OPF}itemref"):
            item = items.get(ref.get("idref"))
            if item is not None and item.get("href"):
                found.append(self.href(item.get("href")))
        return found

    def nav(self) -> str | None:
        """The member name of the navigation document."""
        for item in self.items().values():
            if "nav" in (item.get("properties") or "").split():
                return self.href(item.get("href", ""))
        return None


def open_book(archive: zipfile.ZipFile) -> EpubBook:
    """The EPUB in ``archive``: its package document found through container.xml."""
    members = frozenset(archive.namelist())
    book = EpubBook(etree.Element("none"), "", members, archive)
    container = book.xml("META-INF/container.xml")
    rootfile = next(container.iter("{urn:oasis:names:tc:opendocument:xmlns:container}rootfile"))
    path = rootfile.get("full-path", "")
    return EpubBook(book.xml(path), posixpath.dirname(path), members, archive)


def check_epub_content(path: Path, *, name: str | None = None) -> tuple[Problem, ...]:
    """Our checks of what EPUBCheck does not judge (see the module docstring)."""
    label = name or str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            book = open_book(archive)
            problems = [
                *_package_lang(book, label),
                *_nav_langs(book, label),
                *_ncx_depth(book, label),
                *_alt_captions(book, label),
                *_rights(book, label),
                *_fonts(book, label),
                *_section_case(book, label),
            ]
    except (zipfile.BadZipFile, OSError, StopIteration, _Unreadable, ValueError) as error:
        why = str(error) or type(error).__name__
        message = f"the EPUB cannot be read for publisher's content checks: {why}"
        return (Problem(label, message, "EPUB-UNREADABLE"),)
    return tuple(problems)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _lang(element: Any) -> str:
    return str(element.get(XML_LANG) or element.get("lang") or "")


def _primary(lang: str) -> str:
    return lang.split("-")[0].lower()


def _package_lang(book: EpubBook, label: str) -> Iterator[Problem]:
    if not book.opf.get(XML_LANG):
        yield Problem(
            label,
            "the package document's <package> has no xml:lang (DAISY Ace epub-lang)",
            "EPUB-LANG",
        )


def _nav_langs(book: EpubBook, label: str) -> Iterator[Problem]:
    """Each nav entry of an article in another language than the book carries its language."""
    nav_name = book.nav()
    if nav_name is None:
        return  # EPUBCheck reports an EPUB 3 without a navigation document
    languages = [e.text or "" for e in book.opf.iter(f"{DC}language")]
    book_lang = _primary(languages[0]) if languages else ""
    nav = book.xml(nav_name)
    base = posixpath.dirname(nav_name)
    for nav_el in nav.iter(f"{XHTML}nav"):
        if nav_el.get(OPS_TYPE) != "toc":
            continue
        for link in nav_el.iter(f"{XHTML}a"):
            target = urlsplit(link.get("href") or "").path
            member = posixpath.normpath(posixpath.join(base, unquote(target)))
            if not target or member not in book.members:
                continue
            html = book.xml(member)
            article_lang = _primary(_lang(html))
            if not article_lang or article_lang == book_lang:
                continue
            own = _primary(_inherited_lang(link))
            entry = _text(link)[:60]
            if own != article_lang:
                yield Problem(
                    label,
                    f"the nav entry {entry!r} leads to a document in {article_lang!r} but is "
                    f"marked {own or book_lang or 'nothing'!r} (lang, xml:lang)",
                    "EPUB-LANG",
                )
            elif article_lang in RTL_LANGUAGES and _inherited(link, "dir") != "rtl":
                yield Problem(
                    label,
                    f'the nav entry {entry!r} is right-to-left text without dir="rtl"',
                    "EPUB-LANG",
                )


def _inherited(element: Any, attribute: str) -> str:
    while element is not None:
        if element.get(attribute):
            return str(element.get(attribute))
        element = element.getparent()
    return ""


def _inherited_lang(element: Any) -> str:
    while element is not None:
        if _lang(element):
            return _lang(element)
        element = element.getparent()
    return ""


def _ncx_depth(book: EpubBook, label: str) -> Iterator[Problem]:
    for item in book.items().values():
        if item.get("media-type") != "application/x-dtbncx+xml":
            continue
        ncx = book.xml(book.href(item.get("href", "")))
        for meta in ncx.iter(f"{NCX}meta"):
            if meta.get("name") != "dtb:depth":
                continue
            value = (meta.get("content") or "").strip()
            if not value.isdigit() or int(value) < 1:
                yield Problem(
                    label,
                    f"the NCX says dtb:depth {value!r}; it must be the depth of its navMap "
                    "(1 or more)",
                    "EPUB-NCX-DEPTH",
                )


def _content_documents(book: EpubBook) -> Iterator[tuple[str, Any]]:
    for member in dict.fromkeys(book.spine()):
        if member.endswith((".xhtml", ".html", ".htm")) and member in book.members:
            yield member, book.xml(member)


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).strip(" .")


def _alt_captions(book: EpubBook, label: str) -> Iterator[Problem]:
    for member, html in _content_documents(book):
        for figure in html.iter(f"{XHTML}figure"):
            captions = list(figure.iter(f"{XHTML}figcaption"))
            if not captions:
                continue
            caption = captions[0]
            whole = _fold(_text(caption))
            credits = [_text(e) for e in caption.iter() if "credit" in (e.get("class") or "")]
            bare = whole
            for credit in credits:
                bare = _fold(bare.replace(_fold(credit), ""))
            for image in figure.iter(f"{XHTML}img"):
                alt = _fold(image.get("alt") or "")
                if alt and alt in {whole, bare}:
                    yield Problem(
                        label,
                        f"{member}: the image's alt repeats its caption, so it is read twice "
                        "(leave alt empty or describe the picture)",
                        "EPUB-ALT-CAPTION",
                    )


def _photos(book: EpubBook) -> int:
    """Images shown in the spine's documents, less the cover."""
    covers = {
        book.href(i.get("href", ""))
        for i in book.items().values()
        if "cover-image" in (i.get("properties") or "").split()
    }
    count = 0
    for member, html in _content_documents(book):
        base = posixpath.dirname(member)
        for image in html.iter(f"{XHTML}img"):
            src = posixpath.normpath(posixpath.join(base, unquote(image.get("src") or "")))
            count += src not in covers
    return count


def _rights(book: EpubBook, label: str) -> Iterator[Problem]:
    rights = [(e.text or "").strip() for e in book.opf.iter(f"{DC}rights")]
    credits = [r for r in rights if re.match(r"(photo|image|picture)\b", r, re.IGNORECASE)]
    if credits and not _photos(book):
        yield Problem(
            label,
            f"dc:rights names a photo credit ({credits[0]!r}) but the EPUB shows no photo",
            "EPUB-RIGHTS",
        )


def _families(value: str) -> list[str]:
    return [part.strip().strip("\"'").strip() for part in value.split(",")]


def _fonts(book: EpubBook, label: str) -> Iterator[Problem]:
    named: set[str] = set()
    embedded: set[str] = set()
    for item in book.items().values():
        if item.get("media-type") != "text/css":
            continue
        css = book.read(book.href(item.get("href", ""))).decode("utf-8", "replace")
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
        for rule in _FONT_FACE.finditer(css):
            embedded.update(
                f.casefold() for m in _FAMILY.finditer(rule[1]) for f in _families(m[1])
            )
        outside = _FONT_FACE.sub("", css)
        named.update(f for m in _FAMILY.finditer(outside) for f in _families(m[1]))
    missing = sorted({f for f in named if _EMBEDDED_FAMILIES.match(f)}, key=str.casefold)
    missing = [f for f in missing if f.casefold() not in embedded]
    if not missing:
        return
    families = ", ".join(missing)
    if embedded:
        yield Problem(
            label,
            f"the CSS names {families} but has no @font-face for it: readers fall back to "
            "another font",
            "EPUB-FONT-NOT-EMBEDDED",
        )
    else:
        yield Problem(
            label,
            f"the CSS names {families} and the EPUB embeds no font (fine only when the "
            "theme opts out: [epub] embed_fonts = false)",
            "EPUB-FONT-NOT-EMBEDDED",
            "warning",
        )


def upper(text: str, lang: str) -> str:
    """``text`` upper-cased by the rules of ``lang`` (Turkic: i → İ, ı → I).

    >>> upper("Şehir hayatı", "tr"), upper("Şehir hayatı", "en")
    ('ŞEHİR HAYATI', 'ŞEHIR HAYATI')
    """
    # Written here again on purpose, not imported from themes.language.uppercase: a
    # check that called the renderer's own function would pass whenever it is wrong.
    if _primary(lang) in DOTTED_I_LANGUAGES:
        text = text.replace("i", "İ")
    return text.upper()


def _section_case(book: EpubBook, label: str) -> Iterator[Problem]:
    """A contents page's upper-cased section titles against the nav's, by their language."""
    nav_name = book.nav()
    if nav_name is None:
        return
    nav_titles = [
        (_text(span), _inherited_lang(span))
        for nav_el in book.xml(nav_name).iter(f"{XHTML}nav")
        if nav_el.get(OPS_TYPE) == "toc"
        for span in nav_el.iter(f"{XHTML}span")
    ]
    for member, html in _content_documents(book):
        printed = [
            (_text(e), _inherited_lang(e))
            for e in html.iter(f"{XHTML}span")
            if "toc-section-title" in (e.get("class") or "").split()
        ]
        if not printed:
            continue
        for (title, lang), (shown, _) in zip(nav_titles, printed, strict=False):
            if _primary(lang) not in DOTTED_I_LANGUAGES or shown == title:
                continue
            want = upper(title, lang)
            if shown != want and shown == title.upper():
                yield Problem(
                    label,
                    f"{member}: the section title {title!r} ({lang}) is upper-cased as "
                    f"{shown!r}; by {lang} rules it is {want!r}",
                    "EPUB-CASE",
                )
