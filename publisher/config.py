"""Options, parsed once from the command line into frozen, typed values.

Renderers receive these objects and never see raw strings from the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from publisher.errors import UsageError

#: Named page sizes and their CSS ``size`` values (width height).
PAGE_SIZES: dict[str, str] = {
    "a4": "210mm 297mm",
    "a5": "148mm 210mm",
    "a3": "297mm 420mm",
    "b5": "176mm 250mm",
    "letter": "8.5in 11in",
    "legal": "8.5in 14in",
    "tabloid": "11in 17in",
}
MARKS = ("crop", "cross")
FORMATS = ("epub", "pdf")
#: Where a batch's articles are built (``publisher.batch``): worker processes or a Dask cluster.
EXECUTORS = ("local", "dask")

_UNITS = ("mm", "cm", "in", "pt", "px", "pc", "q")
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt|px|pc|q)?\s*$", re.IGNORECASE)


def parse_length(text: str, default_unit: str = "mm") -> str:
    """Return a CSS length for a user's length such as ``3mm`` or ``0.125in``.

    >>> parse_length("3mm"), parse_length(" 0.125 in "), parse_length("3")
    ('3mm', '0.125in', '3mm')
    """
    match = _LENGTH.match(text)
    if not match:
        raise UsageError(
            f"'{text}' is not a length.", "Write a number with a unit, e.g. 3mm or 0.125in."
        )
    unit = (match.group(2) or default_unit).lower()
    if unit == "q":
        unit = "Q"
    return f"{match.group(1)}{unit}"


_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
_MM_PER_UNIT |= {"pc": 25.4 / 6, "q": 0.25}


def length_mm(length: str) -> float:
    """A CSS length made by ``parse_length``, in millimetres.

    >>> length_mm("3mm"), length_mm("0.5in"), length_mm("72pt")
    (3.0, 12.7, 25.4)
    """
    match = _LENGTH.match(length)
    if not match:
        raise UsageError(f"'{length}' is not a length.", "Write e.g. 3mm or 0.125in.")
    return float(match.group(1)) * _MM_PER_UNIT[(match.group(2) or "mm").lower()]


def page_size_mm(size: str) -> tuple[float, float]:
    """A CSS page size made by ``parse_page_size``, as (width, height) in millimetres.

    >>> page_size_mm(parse_page_size("Letter"))
    (215.9, 279.4)
    """
    width, height = size.split()
    return (round(length_mm(width), 3), round(length_mm(height), 3))


#: The smallest and largest page side, in millimetres: a business card is 55 mm
#: wide, a poster 1 m tall; outside this, text no longer fits or WeasyPrint's
#: layout becomes the wrong tool.
PAGE_SIDE_MM = (50.0, 1500.0)
#: The largest bleed, in millimetres (printers ask for 3 to 5).
MAX_BLEED_MM = 25.0


def parse_page_size(text: str) -> str:
    """Return the CSS ``size`` for a page size name or ``WIDTHxHEIGHT``.

    Each side must lie within ``PAGE_SIDE_MM`` (50 mm to 1.5 m).

    >>> parse_page_size("A5"), parse_page_size("6inx9in"), parse_page_size("150x220mm")
    ('148mm 210mm', '6in 9in', '150mm 220mm')
    >>> parse_page_size("1x1mm")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: --page-size 1x1mm is 1×1 mm; each side must be 50 mm to ...
    """
    name = text.strip().lower()
    if name in PAGE_SIZES:
        return PAGE_SIZES[name]
    parts = re.split(r"\s*[x×]\s*", name)
    if len(parts) == 2 and all(parts):
        # "150x220mm": a unit written once applies to both numbers.
        unit_match = re.search(r"(mm|cm|in|pt|px|pc|q)$", parts[1])
        unit = unit_match.group(1) if unit_match else "mm"
        try:
            width, height = parse_length(parts[0], unit), parse_length(parts[1], unit)
        except UsageError:
            pass
        else:
            _check_page_sides(text, length_mm(width), length_mm(height))
            return f"{width} {height}"
    names = ", ".join(n.upper() if len(n) == 2 else n.capitalize() for n in PAGE_SIZES)
    raise UsageError(
        f"'{text}' is not a page size.", f"Use one of {names}, or WIDTHxHEIGHT such as 6inx9in."
    )


def _check_page_sides(text: str, width: float, height: float) -> None:
    low, high = PAGE_SIDE_MM
    if not (low <= width <= high and low <= height <= high):
        raise UsageError(
            f"--page-size {text.strip()} is {width:g}×{height:g} mm; "
            f"each side must be {low:g} mm to {high:g} mm.",
            "Give a real page size, e.g. A5, 6inx9in or 150x220mm.",
        )


def parse_bleed(text: str) -> str:
    """Return the CSS length of ``--bleed``: at most ``MAX_BLEED_MM`` (25 mm).

    >>> parse_bleed("3mm"), parse_bleed("0.125in")
    ('3mm', '0.125in')
    """
    length = parse_length(text)
    if length_mm(length) > MAX_BLEED_MM:
        raise UsageError(
            f"--bleed {text.strip()} is more than {MAX_BLEED_MM:g} mm.",
            "Printers ask for 3 to 5 mm, e.g. --bleed 3mm.",
        )
    return length


#: ``--jobs`` at most this: more processes than this only fight over memory.
MAX_JOBS = 256


def parse_jobs(value: int) -> int:
    """Check ``--jobs``: a whole number from 1 to ``MAX_JOBS``.

    >>> parse_jobs(4)
    4
    >>> parse_jobs(0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: --jobs 0: give a number of worker processes from 1 to 256. ...
    """
    if not 1 <= value <= MAX_JOBS:
        raise UsageError(
            f"--jobs {value}: give a number of worker processes from 1 to {MAX_JOBS}.",
            "Leave it out to use one per CPU.",
        )
    return value


#: ``SOURCE_DATE_EPOCH`` from 1970 to the end of 2107, the last year a zip entry can carry.
EPOCH_RANGE = (0, 4_354_819_199)


def parse_source_date_epoch(text: str) -> datetime:
    """The build time that ``SOURCE_DATE_EPOCH`` names (UTC), checked.

    Whole non-negative seconds up to the end of 2107 (zip dates end there).

    >>> parse_source_date_epoch("1700000000").isoformat()
    '2023-11-14T22:13:20+00:00'
    >>> parse_source_date_epoch("253402300799")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.UsageError: SOURCE_DATE_EPOCH='253402300799' is after 2107-12-31. ...
    """
    hint = "Set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct)."
    stripped = text.strip()
    if not re.fullmatch(r"[0-9]{1,20}", stripped):
        raise UsageError(f"SOURCE_DATE_EPOCH='{text}' is not a Unix timestamp.", hint)
    seconds = int(stripped)
    if seconds > EPOCH_RANGE[1]:
        raise UsageError(f"SOURCE_DATE_EPOCH='{text}' is after 2107-12-31.", hint)
    return datetime.fromtimestamp(seconds, UTC)


def parse_marks(text: str | None) -> tuple[str, ...]:
    """Return printer's marks from ``crop``, ``cross``, ``crop,cross`` or ``none``.

    >>> parse_marks("crop,cross"), parse_marks("none"), parse_marks(None)
    (('crop', 'cross'), (), ())
    """
    if not text or text.strip().lower() == "none":
        return ()
    marks = tuple(m.strip().lower() for m in re.split(r"[,\s]+", text.strip()) if m.strip())
    for mark in marks:
        if mark not in MARKS:
            raise UsageError(f"'{mark}' is not a printer's mark.", "Use crop, cross or crop,cross.")
    return tuple(dict.fromkeys(marks))


@dataclass(frozen=True, slots=True)
class PdfOptions:
    """How to lay out and write the PDF."""

    page_size: str = PAGE_SIZES["a4"]  # CSS size value, e.g. "148mm 210mm"
    bleed: str | None = None  # CSS length, e.g. "3mm"
    marks: tuple[str, ...] = ()  # subset of MARKS
    variant: str | None = None  # a WeasyPrint pdf_variant, e.g. "pdf/a-3b"
    tagged: bool = True
    output_profile: Path | None = None  # the printing condition's ICC profile, for PDF/X


@dataclass(frozen=True, slots=True)
class PdfAttachment:
    """A file embedded in the PDF (PDF/A-3 associated file).

    ``relationship`` is the AFRelationship: Source, Data, Alternative,
    Supplement or Unspecified.
    """

    name: str
    data: bytes
    relationship: str = "Unspecified"
    description: str = ""


@dataclass(frozen=True, slots=True)
class BuildConfig:
    """Everything `publisher build` needs to know besides the inputs."""

    out_dir: Path = Path("out")
    formats: tuple[str, ...] = FORMATS
    theme: Path | None = None
    pdf: PdfOptions = PdfOptions()
    cover: Path | None = None  # a picture for the EPUB cover instead of a generated one
