"""Article + Theme + PdfOptions -> print-ready PDF bytes (a WeasyPrint adapter).

``render_pdf`` renders one article as a collection of one through
``print_edition``, where every PDF is laid out and written; this module holds
what that needs from WeasyPrint. WeasyPrint is imported inside functions
only, so rendering an EPUB never loads it.

What WeasyPrint does natively and what this adapter adds:

- Page size, bleed and marks come from a generated ``@page`` rule. WeasyPrint
  writes MediaBox = page + CSS bleed, TrimBox = page, and a BleedBox clamped to
  at most 10 pt outside the trim, and it draws marks inside the CSS bleed. So
  with marks the CSS bleed is widened by a slug that holds the marks, and a
  finisher sets BleedBox = trim + the requested bleed: marks lie outside it.
- Reproducibility: a ``pdf_identifier`` derived from the article and build
  time, document dates from ``build_time`` (``dcterms.created``/``modified`` in
  the XHTML head), and the random XMP DocumentID WeasyPrint writes for PDF/X-4
  replaced by one derived from the same values.
- Every resource goes through the sandboxed fetcher; WeasyPrint's own logged
  warnings and errors are collected into ``Rendered.warnings``.
- The photo is printed from its print copy (``photo.print_copy``: oriented,
  metadata stripped, at most 300 dpi where it is placed), served to WeasyPrint
  from memory under a private URL. Where it is placed is measured, not guessed:
  a quick layout of the article's header and figure alone, with the theme's
  stylesheets and the page options, holds a blank stand-in of the photo's
  displayed pixel size, and the width of its box is the placed width. That
  follows whatever the theme's CSS does (natural size at 96 px/in capped by the
  column and ``max-height``, full width, columns...). A print copy never has
  fewer pixels than the stand-in unless it is above 300 dpi, and then still more
  than 96 px/in, so the real layout places it at the same width.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import re
import warnings as warnings_module
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from publisher.config import PdfAttachment, PdfOptions
from publisher.errors import InputError, PublisherError, RenderError, SandboxError, UsageError
from publisher.model import Article, Collection, figures
from publisher.render import Rendered
from publisher.render.colour import check_profile_for, load_output_profile, profile_css
from publisher.render.fetch import allowed_roots, memory_url, read_allowed, sandboxed_url_fetcher
from publisher.render.html import render_xhtml
from publisher.themes import Theme
from publisher.themes.coverage import check_covered, uncovered

#: Points per unit, for turning the bleed option into numbers for the PDF boxes.
_POINTS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "q": 72 / 101.6}
_POINTS |= {"px": 0.75, "pc": 12.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$")
#: Extra room beyond the bleed for printer's marks: max(bleed, 3mm) + 3mm.
_MARKS_MIN = 3 * _POINTS["mm"]
#: Pages at least this wide (in points) set their body text in two columns.
_WIDE_PAGE = 170 * _POINTS["mm"]
#: The private URL the print copy of the photo is served under.
_PHOTO_URL = memory_url("photo")
#: The private URL the PDF/X output profile is served under.
_PROFILE_URL = memory_url("output-profile.icc")
_FONT_CONFIG: Any = None
#: Parsed stylesheets per (theme folders, page size, bleed, marks), for this process.
_STYLESHEET_CACHE: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def render_pdf(
    article: Article,
    theme: Theme,
    options: PdfOptions,
    *,
    build_time: datetime,
    attachments: tuple[PdfAttachment, ...] = (),
) -> Rendered:
    """Render ``article`` as a PDF; the same input and ``build_time`` give the same bytes.

    One article is a collection of one: this is
    ``print_edition.render_collection_pdf`` of ``Collection.of(article)``, so
    its print document is the article's own (no title page, no contents).
    ``attachments`` are embedded as files (with a PDF/A-3 variant, as associated
    files carrying their AFRelationship), dated ``build_time``.

    Raises UsageError for an unknown PDF variant and RenderError when WeasyPrint fails.
    Blocked resources and WeasyPrint's warnings are returned in ``Rendered.warnings``.
    """
    # Imported here: print_edition builds on this module's helpers.
    from publisher.render.print_edition import render_collection_pdf

    return render_collection_pdf(
        Collection.of(article), theme, options, build_time=build_time, attachments=attachments
    )


def import_weasyprint() -> Any:
    """Import WeasyPrint (once per process) and return it.

    Importing WeasyPrint on a host without fonts warns on stderr; ``check_glyphs``
    says the same as one error line with the characters and the fix.
    """
    with warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore", UserWarning)
        import weasyprint
    return weasyprint


def check_glyphs(xhtml: str, theme: Theme, language: str) -> None:
    """Raise RenderError before rendering when no font has some character the page shows.

    The theme's fonts are looked at first, then the faces installed on the
    system, as Pango falls back to them (``publisher.themes.coverage``).
    """
    from xml.etree import ElementTree

    try:
        text = "".join(ElementTree.fromstring(xhtml).itertext())
    except ElementTree.ParseError:
        text = xhtml  # a theme's template may not be XML; its markup is Latin anyway
    missing = uncovered(text, (face.path for face in theme.fonts), language)
    check_covered(missing, "the article")


#: How WeasyPrint reports a character drawn as an empty box (.notdef).
_NOTDEF = re.compile(r'^\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)"')


def refuse_missing_glyphs(logged: list[str]) -> None:
    """Raise RenderError when WeasyPrint drew a character as an empty box.

    The check before rendering covers what the fonts have; this is the proof
    after it (a face fontconfig offered may still lack a glyph Pango wanted).
    """
    missing = {match.group(1) for m in logged if (match := _NOTDEF.match(m))}
    check_covered("".join(missing), "the article")


def placed_width_mm(article: Article, theme: Theme, options: PdfOptions) -> float | None:
    """How wide, in mm, the theme's print CSS places the article's photo on ``options``' pages.

    Measured by laying out the article's header and figure alone (no body
    text) with a blank stand-in of the photo's displayed size. None when there is
    no photo or the theme does not show it.
    """
    import weasyprint

    if article.image is None:
        return None
    image = article.image
    stand_in = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{image.width}" height="{image.height}"/>'
    ).encode()
    fetcher = sandboxed_url_fetcher(
        allowed_roots(article, theme), {_PHOTO_URL: (stand_in, "image/svg+xml")}
    )
    xhtml = render_xhtml(
        replace(article, paragraphs=(), kinds=(), body=()),
        theme,
        medium="print",
        image_href=_PHOTO_URL,
        page_classes=page_classes(options, theme),
    )
    bleed = to_points(options.bleed) if options.bleed else 0.0
    # The real render reports whatever goes wrong; these logs are dropped.
    with (
        captured_logs(),
        weasyprint_errors(
            "lay out the photo", "Try another theme; if it persists, report it with the article."
        ),
    ):
        document = weasyprint.HTML(
            string=xhtml,
            base_url=article.source.parent.resolve().as_uri() + "/",
            url_fetcher=fetcher,
        ).render(
            stylesheets=print_stylesheets(theme, options, bleed, fetcher, []),
            font_config=shared_font_config(),
        )
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if (
                hasattr(box, "replacement")
                and element is not None
                and element.get("src") == _PHOTO_URL
                and box.width > 0
            ):
                return float(box.width) * 25.4 / 96  # CSS px are 1/96 in
    return None


def print_stylesheets(
    theme: Theme, options: PdfOptions, bleed: float, fetcher: Any, warnings: list[str]
) -> list[Any]:
    """The fonts' @font-face rules, the theme's base and print CSS, and the @page rule.

    Parsed once per process for each theme and page setup: parsing @font-face
    rules registers the fonts with the FontConfiguration again, which is slow
    and grows memory over a long batch. A parse that blocked a URL or warned is
    not cached, so every article still reports it.
    """
    key = (theme.folders, options.page_size, options.bleed, options.marks)
    cached = _STYLESHEET_CACHE.get(key)
    if cached is not None:
        return list(cached)
    import weasyprint

    font_config = shared_font_config()
    blocked_before, warned_before = len(fetcher.sandbox.blocked), len(warnings)
    stylesheets = [
        weasyprint.CSS(
            string=_font_faces_css(theme, fetcher), url_fetcher=fetcher, font_config=font_config
        )
    ]
    for path in (*theme.stylesheet_layers("base.css"), *theme.stylesheet_layers("print.css")):
        css = _theme_stylesheet(path, fetcher, warnings)
        if css is not None:
            text, base_url = css
            stylesheets.append(
                weasyprint.CSS(
                    string=text, base_url=base_url, url_fetcher=fetcher, font_config=font_config
                )
            )
    stylesheets.append(weasyprint.CSS(string=_page_css(options, bleed)))
    if len(fetcher.sandbox.blocked) == blocked_before and len(warnings) == warned_before:
        _STYLESHEET_CACHE[key] = tuple(stylesheets)
    return stylesheets


def colour_profiles(
    options: PdfOptions, fetcher: Any, resources: dict[str, tuple[bytes, str]]
) -> dict[str, Any]:
    """WeasyPrint's colour profiles: the PDF/X output profile as ``device-cmyk``, or none.

    WeasyPrint writes the ``device-cmyk`` profile as the PDF's OutputIntent.
    ``resources`` are the fetcher's, with ``output_intent_resources`` among them.
    """
    import weasyprint

    profiles: dict[str, Any] = {}
    if options.output_profile is not None:
        profile = load_output_profile(resources[_PROFILE_URL][0], str(options.output_profile))
        css = profile_css(_PROFILE_URL, profile.colour_space)
        weasyprint.CSS(string=css, url_fetcher=fetcher, color_profiles=profiles)
        if "device-cmyk" not in profiles:
            raise RenderError(
                f"WeasyPrint could not use the output profile {options.output_profile}.",
                "Check that it is the ICC profile your printer gave you.",
            )
    return profiles


def output_intent_resources(
    options: PdfOptions, roots: tuple[Path, ...]
) -> dict[str, tuple[bytes, str]]:
    """The PDF/X output profile as a fetcher resource (empty without one), checked.

    Raises UsageError for a PDF/X without a profile (or a profile without PDF/X)
    and InputError for a file that is not a printer's ICC profile. The profile
    the user named is read through the sandbox, allowed for this one read.
    """
    check_profile_for(options.variant, options.output_profile)
    if options.output_profile is None:
        return {}
    path = options.output_profile
    try:
        data = read_allowed(path, (*roots, path.resolve()))
    except OSError as error:
        raise InputError(
            f"The output profile {path} cannot be read: {error.strerror or error}.",
            "Check the path given to --output-profile.",
        ) from None
    load_output_profile(data, str(path))
    return {_PROFILE_URL: (data, "application/vnd.iccprofile")}


def figure_resources(
    article: Article,
    roots: tuple[Path, ...],
    resources: dict[str, tuple[bytes, str]],
    warnings: list[str],
    prefix: str = "",
) -> dict[str, str]:
    """Serve each body figure's screen copy from memory; return figure src -> its URL.

    ``prefix`` keeps the URLs of several articles apart (a collection). A figure
    the sandbox refuses is left out (its caption stays), with a warning.
    """
    from publisher.render.photo import screen_copy

    hrefs: dict[str, str] = {}
    for number, figure in enumerate(figures(article.content), 1):
        if figure.image is None or figure.src in hrefs:
            continue
        try:
            content, media_type = screen_copy(figure.image, roots=roots)
        except SandboxError as error:
            warnings.append(error.message)
            continue
        url = memory_url(f"figure-{prefix}{number}")
        resources[url] = (content, media_type)
        hrefs[figure.src] = url
    return hrefs


def page_classes(options: PdfOptions, theme: Theme | None = None) -> tuple[str, ...]:
    """Classes for ``<body>`` that tell print CSS how big the page is, and the theme's choices.

    ``page-wide`` when the page is at least 170mm wide (A4, Letter), where one
    column of body text would run past 100 characters a line; ``link-urls`` when
    the theme asks for each link's URL to be printed after its text.

    >>> page_classes(PdfOptions(page_size="210mm 297mm"))
    ('page-wide',)
    >>> page_classes(PdfOptions(page_size="148mm 210mm"))
    ()
    """
    width = to_points(options.page_size.split()[0])
    wide = ("page-wide",) if width >= _WIDE_PAGE else ()
    return (*wide, "link-urls") if theme is not None and theme.print_link_urls else wide


def pdf_attachments(attachments: tuple[PdfAttachment, ...], build_time: datetime) -> list[Any]:
    """WeasyPrint ``Attachment`` objects for ``attachments``, dated ``build_time``."""
    import weasyprint

    # WeasyPrint writes attachment dates with strftime and a literal "Z": give it UTC.
    moment = build_time.astimezone(UTC).replace(tzinfo=None)
    return [
        weasyprint.Attachment(
            file_obj=io.BytesIO(item.data),
            name=item.name,
            description=item.description or None,
            relationship=item.relationship,
            created=moment,
            modified=moment,
        )
        for item in attachments
    ]


def is_noise(message: str, blocked: tuple[str, ...]) -> bool:
    """Whether a WeasyPrint log message repeats a refusal or only describes the host.

    The fontTools notice says the host lacks HarfBuzz-Subset; the PDF is the same
    either way, so it would only teach users to ignore warnings.
    """
    return message.startswith("Using fontTools instead of HarfBuzz-Subset") or any(
        url in message for url in blocked
    )


def _forget_fonts() -> None:
    # Drop WeasyPrint objects before interpreter shutdown tears down the modules
    # their __del__ needs (else Python prints an ignored TypeError at exit).
    global _FONT_CONFIG
    _STYLESHEET_CACHE.clear()
    _FONT_CONFIG = None


atexit.register(_forget_fonts)


def warm_up() -> None:
    """Import WeasyPrint and build this process's FontConfiguration (for batch workers)."""
    shared_font_config()


def shared_font_config() -> Any:
    # One FontConfiguration per process: building one scans the system's fonts.
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def to_points(length: str) -> float:
    """Return a CSS length in PDF points.

    >>> round(to_points("3mm"), 3), to_points("0.125in"), to_points("6pt")
    (8.504, 9.0, 6.0)
    """
    match = _LENGTH.match(length)
    if not match or match.group(2).lower() not in _POINTS:
        raise UsageError(f"'{length}' is not a length.", "Write e.g. 3mm or 0.125in.")
    return float(match.group(1)) * _POINTS[match.group(2).lower()]


def _css_bleed(options: PdfOptions, bleed: float) -> float:
    """The CSS bleed: the requested bleed, plus a slug for the marks if any.

    WeasyPrint draws marks in the outer half of the CSS bleed; widening it by
    max(bleed, 3mm) + 3mm keeps the marks at least 1.5mm outside the real bleed.
    """
    if not options.marks:
        return bleed
    return bleed + max(bleed, _MARKS_MIN) + _MARKS_MIN


def _page_css(options: PdfOptions, bleed: float) -> str:
    marks = " ".join(options.marks) or "none"
    return (
        f"@page {{ size: {options.page_size}; "
        f"bleed: {_css_bleed(options, bleed):.4f}pt; marks: {marks}; }}\n"
    )


def _font_faces_css(theme: Theme, fetcher: Any) -> str:
    """@font-face rules for the theme's fonts, as ``print_fonts`` prepares them.

    A font read through the sandbox and given its own line-break hyphen is
    served from memory; one the sandbox refuses keeps its file URL, so the
    refusal is reported like any other.
    """
    from publisher.render.print_hyphens import print_font

    rules = []
    for face in theme.fonts:
        family = face.family.replace("\\", "").replace('"', "")
        url = face.path.as_uri()
        try:
            data, media_type = fetcher.sandbox.read_url(url)
        except SandboxError:
            data, media_type = b"", ""
        made = print_font(data) if data else None
        if made is not None:
            url = memory_url(f"font-{hashlib.sha256(made).hexdigest()[:16]}")
            fetcher.sandbox.resources[url] = (made, media_type)
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)


def _theme_stylesheet(path: Path, fetcher: Any, warnings: list[str]) -> tuple[str, str] | None:
    url = path.absolute().as_uri()
    try:
        data, _ = fetcher.sandbox.read_url(url)
    except SandboxError:
        return None  # recorded by the sandbox, reported with the other blocked URLs
    try:
        return data.decode("utf-8"), url
    except UnicodeDecodeError:
        warnings.append(f"skipped {path}: the stylesheet is not UTF-8 text")
        return None


@contextmanager
def source_date_epoch(build_time: datetime) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH to ``build_time`` inside the block.

    Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which
    stamps each subset's ``head.modified`` with the current time unless
    SOURCE_DATE_EPOCH is set (the reproducible-builds convention). The
    environment is process-wide, so concurrent renders in threads would share it.
    """
    moment = build_time if build_time.tzinfo else build_time.replace(tzinfo=UTC)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@contextmanager
def weasyprint_errors(doing: str, hint: str) -> Iterator[None]:
    """Turn anything WeasyPrint raises inside the block into one RenderError.

    WeasyPrint raises whatever its parts raise; ``doing`` says what failed
    ("render the PDF"), ``hint`` what to try. Our own errors pass through.
    """
    try:
        yield
    except PublisherError:
        raise
    except Exception as error:
        raise RenderError(
            f"WeasyPrint could not {doing}: {type(error).__name__}: {error}.", hint
        ) from error


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings and errors logged inside the block."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def variants() -> tuple[str, ...]:
    """The PDF variants WeasyPrint can write (imports WeasyPrint)."""
    from weasyprint.pdf import VARIANTS

    return tuple(sorted(VARIANTS))


def check_variant(variant: str, *, embeds_files: bool = False) -> None:
    """Raise UsageError unless WeasyPrint can write the PDF ``variant`` as a conforming file.

    PDF/A-4f is PDF/A-4 *with embedded files* (ISO 19005-4 6.9): without
    ``embeds_files`` it would claim what it is not.

    >>> check_variant("pdf/a-3b")
    >>> check_variant("pdf/z")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: 'pdf/z' is not a PDF variant. Use one of debug, pdf/a-1a, ...
    """
    names = variants()
    if variant not in names:
        raise UsageError(f"'{variant}' is not a PDF variant.", f"Use one of {', '.join(names)}.")
    if variant == "pdf/a-4f" and not embeds_files:
        raise UsageError(
            "pdf/a-4f is PDF/A-4 with embedded files, and this PDF embeds none.",
            "Use pdf/a-4u (PDF/A-4) or pdf/a-3b.",
        )
