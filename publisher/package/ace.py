"""DAISY Ace, the accessibility checker for EPUB, run on one EPUB and read back.

Ace is a Node program (``npm install @daisy/ace``) that opens every content
document in a headless Chromium and runs axe-core and its own EPUB rules
(``epub-lang``, ``metadata-accessmode``...). We run its Puppeteer flavour
(``ace-puppeteer``; the plain ``ace`` command needs Electron) with the
system's Chromium, into a temporary folder, and read the EARL assertions of
its ``report.json``: every assertion with outcome ``fail`` is a violation,
whatever its impact (minor, moderate, serious, critical).

Where Ace is looked for: ``$PUBLISHER_ACE`` (a path to ``ace-puppeteer``),
then ``ace-puppeteer`` on ``PATH``, then ``.tools/node_modules/.bin/`` of a
source checkout (where ``scripts/test-tools.sh`` installs it). Chromium is
``$PUPPETEER_EXECUTABLE_PATH``, else ``chromium``/``chromium-browser``/
``google-chrome`` on ``PATH``. When Node, Ace or Chromium is missing,
``CheckerUnavailableError`` says which: a check that did not run is never a pass.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.package.errors import CheckerUnavailableError
from publisher.package.report import Problem

#: Ace takes a few seconds per EPUB (a Chromium start and one page per document).
ACE_TIMEOUT = 300.0
_CHECKOUT_ACE = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / ".bin"
_BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_INSTALL_HINT = (
    "Install Node.js and Chromium (e.g. 'apt-get install nodejs npm chromium') and DAISY Ace "
    "('PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @daisy/ace'), or run scripts/test-tools.sh "
    "in a source checkout."
)


@dataclass(frozen=True, slots=True)
class AceViolation:
    """One failed Ace assertion: its rule, impact, document and what is wrong.

    >>> str(AceViolation("epub-lang", "serious", "EPUB/content.opf", "No language"))
    'epub-lang (serious) in EPUB/content.opf: No language'
    """

    rule: str
    impact: str
    document: str
    description: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}) in {self.document}: {self.description}"


@dataclass(frozen=True, slots=True)
class AceReport:
    """What Ace found in one EPUB: its version and every violation."""

    version: str
    violations: tuple[AceViolation, ...]


def ace_command() -> list[str]:
    """The command that runs Ace, or ``CheckerUnavailableError`` naming what is missing."""
    node = shutil.which("node")
    if node is None:
        raise CheckerUnavailableError(
            "The accessibility check needs DAISY Ace, which runs on Node.js, "
            "and no 'node' command was found.",
            _INSTALL_HINT,
        )
    candidates = [os.environ.get("PUBLISHER_ACE"), shutil.which("ace-puppeteer")]
    candidates.append(str(_CHECKOUT_ACE / "ace-puppeteer"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return [node, str(Path(candidate).resolve())]
    raise CheckerUnavailableError(
        "The accessibility check needs DAISY Ace ('ace-puppeteer'), which is not installed.",
        _INSTALL_HINT,
    )


def _browser() -> str:
    given = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if given and Path(given).is_file():
        return given
    for name in _BROWSERS:
        if found := shutil.which(name):
            return found
    raise CheckerUnavailableError(
        "The accessibility check needs Chromium for DAISY Ace, and none was found.",
        "Install it (e.g. 'apt-get install chromium') or set PUPPETEER_EXECUTABLE_PATH.",
    )


def run_ace(path: Path) -> AceReport:
    """Run Ace on the EPUB at ``path`` and return its violations (empty when it passed).

    Raises ``CheckerUnavailableError`` when Ace cannot run here, and returns a
    violation ``ace-failed`` when it ran but wrote no report.
    """
    command = ace_command()
    environment = {
        **os.environ,
        "PUPPETEER_EXECUTABLE_PATH": _browser(),
        "PUPPETEER_SKIP_DOWNLOAD": "1",
    }
    with tempfile.TemporaryDirectory(prefix="publisher-ace-") as folder:
        out = Path(folder) / "report"
        # Ace unpacks the EPUB into its temp folder: keep that inside ours, cleaned up with it.
        run = [*command, "--silent", "--force", "--outdir", str(out)]
        run += ["--tempdir", str(Path(folder) / "work"), str(path.resolve())]
        try:
            done = subprocess.run(
                run,
                capture_output=True,
                text=True,
                timeout=ACE_TIMEOUT,
                check=False,
                env=environment,
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            return _failed(f"Ace did not finish within {ACE_TIMEOUT:.0f} seconds")
        report_file = out / "report.json"
        if not report_file.is_file():
            detail = " ".join((done.stderr or done.stdout).split())[:300]
            return _failed(f"Ace wrote no report ({detail or f'exit status {done.returncode}'})")
        return parse_report(json.loads(report_file.read_text(encoding="utf-8")))


def _failed(message: str) -> AceReport:
    return AceReport("", (AceViolation("ace-failed", "critical", "", message),))


def parse_report(report: dict[str, Any]) -> AceReport:
    """The version and violations in an Ace ``report.json`` (already parsed).

    >>> parse_report({"earl:assertedBy": {"doap:release": {"doap:revision": "1.4.6"}},
    ...   "assertions": [{"earl:testSubject": {"url": "EPUB/content.opf"}, "assertions": [
    ...     {"earl:result": {"earl:outcome": "fail", "dct:description": "No xml:lang"},
    ...      "earl:test": {"dct:title": "epub-lang", "earl:impact": "serious"}}]}]})
    AceReport(version='1.4.6', violations=(AceViolation(rule='epub-lang', impact='serious', \
document='EPUB/content.opf', description='No xml:lang'),))
    """
    version = str(report.get("earl:assertedBy", {}).get("doap:release", {}).get("doap:revision"))
    violations: list[AceViolation] = []
    for document in report.get("assertions", []):
        url = str(document.get("earl:testSubject", {}).get("url", ""))
        for assertion in document.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            pointer = result.get("earl:pointer", {}).get("css", [])
            where = f" ({', '.join(pointer[:3])})" if pointer else ""
            violations.append(
                AceViolation(
                    rule=str(test.get("dct:title", "?")),
                    impact=str(test.get("earl:impact", "?")),
                    document=url,
                    description=" ".join(str(result.get("dct:description", "")).split()) + where,
                )
            )
    return AceReport(version, tuple(violations))


def check_accessibility(path: Path, *, name: str | None = None) -> tuple[Problem, ...]:
    """Ace's violations in the EPUB at ``path`` as ``EPUB-ACCESSIBILITY`` problems (errors)."""
    label = name or str(path)
    report = run_ace(path)
    return tuple(
        Problem(
            label,
            str(violation),
            "EPUB-ACE-FAILED" if violation.rule == "ace-failed" else "EPUB-ACCESSIBILITY",
        )
        for violation in report.violations
    )
