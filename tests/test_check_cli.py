"""`publisher check` on plain outputs of `build`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEED

STEM = SEED.stem


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run_cli(
        "build", SEED, "-o", out, "--page-size", "A5", "--bleed", "3mm", "--marks", "crop",
        "--pdf-variant", "pdf/ua-1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_clean_outputs_pass(outputs: Path) -> None:
    result = run_cli(
        "check", outputs / f"{STEM}.epub", outputs / f"{STEM}.pdf", "--json",
        "--page-size", "A5", "--bleed", "3mm", "--pdf-variant", "pdf/ua-1", "--tagged",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    reports = json.loads(result.stdout)
    assert [r["ok"] for r in reports] == [True, True]
    assert "epubcheck" in reports[0]["checks_run"]
    assert {"page-size", "bleed", "tagged", "claims-pdf/ua-1"} <= set(reports[1]["checks_run"])


def test_what_was_not_asked_for_fails(outputs: Path) -> None:
    result = run_cli(
        "check", outputs / f"{STEM}.pdf", "--page-size", "A4", "--pdf-variant", "pdf/a-3b"
    )
    assert result.returncode == 1
    assert "PDF-PAGE-SIZE" in result.stdout and "PDF-VARIANT-CLAIM" in result.stdout


def test_without_java_it_says_so_and_fails(outputs: Path, tmp_path: Path) -> None:
    result = run_cli("check", outputs / f"{STEM}.epub", env={"PATH": str(tmp_path)})
    assert result.returncode != 0
    assert "Java" in result.stderr and "Traceback" not in result.stderr
    assert "ok:" not in result.stdout


def test_unknown_file_kind(tmp_path: Path) -> None:
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"PK")
    result = run_cli("check", odd)
    assert result.returncode == 1 and "cannot check '.docx' files" in result.stderr
