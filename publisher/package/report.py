"""What a verification found: frozen ``Problem`` values gathered in a ``Report``.

Problem codes are stable (scripts and the CLI's ``--json`` rely on them); the
message is for people and may change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: Every code a check may report, with what it means.
CODES: dict[str, str] = {
    "BAG-BAGIT-TXT": "bagit.txt is not exactly the two required, well-formed lines",
    "BAG-STRUCTURE": "a required part of the bag (data/, a payload manifest) is missing",
    "BAG-TAG-FILE": "a tag file cannot be read or parsed",
    "BAG-MANIFEST-LINE": "a manifest line is malformed",
    "BAG-UNSAFE-PATH": "a manifest or fetch.txt path points outside the bag",
    "BAG-DUPLICATE-ENTRY": "a manifest lists the same file more than once",
    "BAG-CASE-COLLISION": "two manifest entries differ only in letter case",
    "BAG-NORMALIZATION-COLLISION": "two manifest entries differ only in Unicode normalization",
    "BAG-NORMALIZATION-MISMATCH": "a file's name differs from its manifest entry only in "
    "Unicode normalization (NFC and NFD)",
    "BAG-RELATIVE-PATH": "a manifest path starts with ./",
    "BAG-BINARY-MARKER": "a manifest path starts with md5sum's * binary marker",
    "BAG-SYSTEM-FILE": "the payload holds an operating-system file (.DS_Store, Thumbs.db)",
    "BAG-MISSING-FILE": "a file listed in a manifest is not in the bag",
    "BAG-UNEXPECTED-FILE": "a payload file is not listed in a payload manifest",
    "BAG-CHECKSUM": "a file's checksum differs from its manifest entry",
    "BAG-NOT-A-FILE": "a symlink, device or other non-regular file is in the bag",
    "BAG-FETCH": "fetch.txt has a malformed line or URL",
    "BAG-OXUM": "Payload-Oxum in bag-info.txt does not match the payload",
    "BAG-INVALID": "bagit-python rejected the bag for another reason",
    "EPUB-ERROR": "EPUBCheck reported an error or a fatal error",
    "EPUB-WARNING": "EPUBCheck reported a warning",
    "EPUB-CHECK-FAILED": "EPUBCheck could not run to completion",
    "EPUB-ACCESSIBILITY": "DAISY Ace reported an accessibility violation (any impact)",
    "EPUB-ACE-FAILED": "DAISY Ace could not run to completion",
    "PDF-UNREADABLE": "the PDF cannot be opened or parsed",
    "PDF-ENCRYPTED": "the PDF is encrypted",
    "PDF-FONT-NOT-EMBEDDED": "a font is used but not embedded",
    "PDF-PAGE-SIZE": "a page's trim size differs from the expected size",
    "PDF-BLEED": "a page's BleedBox is not the TrimBox plus the expected bleed",
    "PDF-VARIANT-CLAIM": "the XMP metadata does not claim the expected PDF variant",
    "PDF-VERAPDF": "veraPDF rejects a PDF/A or PDF/UA claim (one problem per failed rule)",
    "PDF-TAG-ORPHAN": "marked content belongs to no element of the PDF's structure tree",
    "PDF-NOT-TAGGED": "the PDF has no structure tree or is not marked as tagged",
    "PDF-JAVASCRIPT": "the PDF carries JavaScript",
    "PDF-ATTACHMENT-MISSING": "a source file is not embedded in the PDF",
    "PDF-ATTACHMENT-MISMATCH": "an embedded source file differs from the bag's copy",
    "PDF-ATTACHMENT-BROKEN": "an embedded file's specification has no file data (/EF)",
    "PDF-IMAGE-INTERPOLATE": "a PDF claiming PDF/A or PDF/X has an image with /Interpolate true",
    "PDF-HYPHEN-TEXT": "a font extracts a glyph as U+2010 HYPHEN (hyphen-minus not searchable)",
    "PDF-RTL-TEXT": "right-to-left text without /ActualText on its structure element",
    "PDF-LANG": "a structure element of right-to-left text carries another language or none",
    "PDF-CONTENTS": "a contents entry does not read as written, or words overprint on the "
    "contents page",
    "PDF-HYPHEN-SOURCE": "a hyphenated word of article.json is not in the PDF's text as "
    "written, or a line-break hyphen extracts as a real one",
    "EPUB-UNREADABLE": "the EPUB's zip or XML cannot be read for publisher's content checks",
    "EPUB-LANG": "the package has no xml:lang, or a nav entry lacks its article's lang/dir",
    "EPUB-NCX-DEPTH": "the NCX's dtb:depth is not 1 or more",
    "EPUB-ALT-CAPTION": "an image's alt repeats its caption",
    "EPUB-RIGHTS": "dc:rights names a photo credit and the EPUB has no photo",
    "EPUB-FONT-NOT-EMBEDDED": "the CSS names a theme font with no @font-face for it",
    "EPUB-CASE": "a Turkic section title is upper-cased by another language's rules",
    "EPUB-PAGE-LIST": "a page-list entry points at text that is not on that page of the PDF",
    "CREDIT-LOST": "the photo credit of article.json is not in a rendition as written",
    "JSON-INVALID": "article.json is not JSON",
    "JSON-SCHEMA": "article.json does not match the article schema",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (``error``) or worth a look (``warning``) in one file.

    ``file`` is relative to the bag's top folder (``data/article.pdf``) or, for
    a check of a single file, that file's path.

    >>> Problem("data/a.pdf", "font Helvetica is not embedded", "PDF-FONT-NOT-EMBEDDED")
    Problem(file='data/a.pdf', message='font Helvetica is not embedded', \
code='PDF-FONT-NOT-EMBEDDED', severity='error')
    """

    file: str
    message: str
    code: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.severity} {self.code} {self.file}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        """The problem as plain JSON-ready data."""
        return {
            "file": self.file,
            "message": self.message,
            "code": self.code,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a verification found in ``target``, and which checks ran.

    >>> odd = Problem("data/x", "odd", "BAG-SYSTEM-FILE", "warning")
    >>> report = Report("bag", (odd,), ("fixity",))
    >>> report.ok, len(report.errors), len(report.warnings)
    (True, 0, 1)
    """

    target: str
    problems: tuple[Problem, ...]
    checks_run: tuple[str, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that make the target fail."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems worth a look that do not make the target fail."""
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def codes(self) -> set[str]:
        """The distinct problem codes, handy for tests and scripts."""
        return {p.code for p in self.problems}

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (what ``--json`` prints)."""
        return {
            "target": self.target,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "checks_run": list(self.checks_run),
            "problems": [p.to_dict() for p in self.problems],
        }
