"""`publisher check`: the format checks on one plain output of `build`."""

from __future__ import annotations

from pathlib import Path

from publisher.errors import InputError
from publisher.package.checks import PdfExpectations, check_epub, check_pdf
from publisher.package.report import Report


def check_file(path: Path, expect: PdfExpectations) -> Report:
    """Check one EPUB (EPUBCheck) or PDF (fonts, boxes, claims) and report every problem.

    Raises InputError for a missing file or a format it cannot check, and
    CheckerUnavailableError when EPUBCheck cannot run (no Java): a check that
    did not run is never reported as a pass.
    """
    if not path.is_file():
        what = (
            "is not a regular file (a folder, pipe or device)" if path.exists() else "no such file"
        )
        raise InputError(f"{path}: {what}.", "Give an EPUB or PDF made by publisher build.")
    suffix = path.suffix.lower()
    if suffix == ".epub":
        return Report(str(path), check_epub(path), ("epubcheck",))
    if suffix == ".pdf":
        checks = ["pdf-structure", "fonts-embedded", "no-javascript", "not-encrypted"]
        checks += [name for name, wanted in _asked(expect) if wanted]
        return Report(str(path), check_pdf(path, expect), tuple(checks))
    raise InputError(
        f"{path}: cannot check '{suffix or 'extensionless'}' files.", "Give .epub or .pdf."
    )


def _asked(expect: PdfExpectations) -> list[tuple[str, bool]]:
    return [
        ("page-size", expect.page_size is not None),
        ("bleed", expect.bleed_mm is not None),
        (f"claims-{expect.variant}", expect.variant is not None),
        ("tagged", bool(expect.tagged)),
    ]
