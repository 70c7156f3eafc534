"""Hyphens in the PDF's text layer: the source's as written, line breaking's as soft hyphens.

Read the way users and search engines read PDFs: poppler's ``pdftotext`` and
pypdf. A hyphen-minus of the source must come out as U+002D (so ``grep
Iran-backed`` finds it); a hyphen that line breaking added must come out as
SOFT HYPHEN (U+00AD), so the two halves of the word join again.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEED, SEEDS
from pypdf import PdfReader

COMPOUND = re.compile(r"\w+(?:-\w+)+")
#: Compounds with hyphen-minus, and long words that a narrow column must hyphenate.
TEXT = """Hyphen-minus test: a well-known, state-of-the-art cross-border deal

Officials said the long-term, Iran-backed and low-level attacks on the cross-border \
route made the so-called year-on-year figures hard to compare, and that a follow-up \
meeting was planned.

Representatives of internationally recognised organisations characterised the \
counterproductive misunderstandings as extraordinarily disproportionate, \
notwithstanding comprehensive reconsiderations.

A run-of-the-mill, two-thirds majority of decision-makers rejected the twenty-year \
plan; the vice-chair called it a must-read for policy-makers and e-mail writers.

Telecommunications infrastructure modernisation, environmentally sustainable \
transportation and intergovernmental responsibilities dominated the afternoon.
"""


def pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/test-tools.sh installs it")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pypdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def joined(text: str) -> str:
    """Lines joined the way the text layer tells: drop a soft hyphen, keep a real one."""
    text = re.sub(r"\u00ad[ \t]*\n\s*", "", text)
    text = re.sub(r"-[ \t]*\n\s*", "-", text)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hyphens")
    source = folder / "hyphens.txt"
    source.write_text(TEXT, encoding="utf-8")
    (folder / "hyphens.toml").write_text('language = "en"\n', encoding="utf-8")
    made = {}
    for size in ("A5", "6inx9in"):
        out = folder / size
        done = run_cli("build", source, SEED, "-o", out, "-f", "pdf", "--page-size", size)
        assert done.returncode == 0, done.stderr
        made[f"hyphens {size}"] = out / "hyphens.pdf"
        made[f"seed {size}"] = out / f"{SEED.stem}.pdf"
    texts = sorted(SEEDS.glob("*.txt"))
    done = run_cli(
        "build", *texts, "--collection", "Digest", "-o", folder / "digest", "-f", "pdf",
        "--page-size", "A5", "--pdf-variant", "pdf/a-3u",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    made["collection A5"] = folder / "digest" / "digest.pdf"
    return made


def _source_of(name: str) -> str:
    if name.startswith("hyphens"):
        return TEXT
    if name.startswith("seed"):
        return SEED.read_text(encoding="utf-8")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


CASES = ["hyphens A5", "hyphens 6inx9in", "seed A5", "seed 6inx9in", "collection A5"]


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text], ids=["pdftotext", "pypdf"])
@pytest.mark.parametrize("name", CASES)
def test_every_hyphenated_word_extracts_as_written(
    name: str, extract: object, built: dict[str, Path]
) -> None:
    assert callable(extract)
    raw = extract(built[name])
    assert "\u2010" not in raw, "a hyphen extracts as U+2010 HYPHEN"
    text = joined(raw)
    words = sorted(set(COMPOUND.findall(_source_of(name))))
    assert words
    missing = [w for w in words if w not in text]
    assert not missing, f"not found as written: {missing}"


@pytest.mark.parametrize("name", ["hyphens A5", "hyphens 6inx9in", "collection A5"])
def test_line_breaking_hyphens_are_soft_and_join_into_source_words(
    name: str, built: dict[str, Path]
) -> None:
    raw = pdftotext(built[name])
    broken = re.findall(r"(\w+)\u00ad\s*\n\s*(\w+)", raw)
    assert broken, "nothing was hyphenated; the test needs narrower columns or longer words"
    source = _source_of(name)
    for head, tail in broken:
        assert head + tail in source, f"{head}\u00ad/{tail} does not join into a source word"


def test_grep_finds_iran_backed(built: dict[str, Path]) -> None:
    """The issue's own example: `pdftotext x.pdf - | grep Iran-backed`."""
    for name in ("seed A5", "seed 6inx9in", "hyphens A5"):
        assert "Iran-backed" in joined(pdftotext(built[name])), name
