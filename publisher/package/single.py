"""`publisher check`: the format checks on one plain output of `build`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import pikepdf

from publisher.errors import InputError, PublisherError
from publisher.package import verapdf
from publisher.package.checks import PdfExpectations, check_epub, check_pdf, judged_variants
from publisher.package.epub_checks import check_epub_content
from publisher.package.pdf_text import find_pdf, pair_problems
from publisher.package.report import Report


def check_file(
    path: Path,
    expect: PdfExpectations,
    *,
    accessibility: bool = False,
    companions: Sequence[Path] = (),
) -> Report:
    """Check one EPUB (EPUBCheck) or PDF (fonts, boxes, claims) and report every problem.

    With ``accessibility``, an EPUB is also checked by DAISY Ace (``package.ace``);
    CheckerUnavailableError when Node, Ace or Chromium is missing. An EPUB with
    a page list is also checked against the PDF of its build when that PDF is
    among ``companions`` (``package.pdf_text``).

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
        found, checks = check_epub(path), ["epubcheck"]
        if accessibility:
            from publisher.package.ace import check_accessibility

            found += check_accessibility(path)
            checks.append("ace")
        found += check_epub_content(path)
        checks.append("epub-content")
        pdf = find_pdf(path, companions)
        if pdf is not None:
            found += tuple(pair_problems(path, pdf, epub_name=str(path), pdf_name=str(pdf)))
            checks.append(f"page-list-and-contents-vs-{pdf.name}")
        return Report(str(path), found, tuple(checks))
    if suffix == ".pdf":
        checks = ["pdf-structure", "fonts-embedded", "no-javascript", "not-encrypted"]
        checks += ["pdf-content"]
        checks += [name for name, wanted in _asked(expect) if wanted]
        problems = check_pdf(path, expect)
        checks += [f"verapdf-{variant}" for variant in _judged(path)]
        return Report(str(path), problems, tuple(checks))
    raise InputError(
        f"{path}: cannot check '{suffix or 'extensionless'}' files.", "Give .epub or .pdf."
    )


def judge_ahead(paths: Iterable[Path]) -> None:
    """Have veraPDF judge the claims of every PDF among ``paths`` in one JVM, ahead of
    ``check_file`` (which then finds the verdicts cached). Anything that goes wrong
    here is left for ``check_file`` to report, file by file."""
    pdfs = [p for p in paths if p.suffix.lower() == ".pdf" and p.is_file()]  # never a pipe
    jobs = [(p, v) for p in pdfs for v in _judged(p)]
    with contextlib.suppress(PublisherError, OSError, ValueError):
        verapdf.validate(jobs)


def _judged(path: Path) -> tuple[str, ...]:
    try:
        with pikepdf.open(path) as pdf:
            return judged_variants(pdf)
    except (pikepdf.PdfError, OSError, ValueError):
        return ()


def _asked(expect: PdfExpectations) -> list[tuple[str, bool]]:
    return [
        ("page-size", expect.page_size is not None),
        ("bleed", expect.bleed_mm is not None),
        (f"claims-{expect.variant}", expect.variant is not None),
        ("tagged", bool(expect.tagged)),
    ]
