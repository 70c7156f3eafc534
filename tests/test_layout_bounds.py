"""Every layout step is bounded: the cover of an unbreakable headline is built in linear time.

The issue measured 200 characters at 3.4 s, 500 at 35 s and 1,000 at 293 s.
The number of text measurements is deterministic, so it is asserted directly
(a generous wall-clock bound guards the whole command as well).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEED, run_epubcheck
from PIL import ImageFont

from publisher.render.cover import _font_bytes, fit_text, wrap
from publisher.themes import load_theme

BODY = "\n\nThe first paragraph of the story, long enough to be one.\n\nA second paragraph.\n"


@pytest.fixture
def measurements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count every text measurement Pillow makes (``FreeTypeFont.getlength``)."""
    count = [0]
    original = ImageFont.FreeTypeFont.getlength

    def counting(self: ImageFont.FreeTypeFont, *args: object, **kwargs: object) -> float:
        count[0] += 1
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ImageFont.FreeTypeFont, "getlength", counting)
    yield count


@pytest.mark.parametrize("letter", ["x", "W", "\u4e2d", "\u0634"])
def test_the_number_of_measurements_grows_at_most_linearly(
    measurements: list[int], letter: str
) -> None:
    font = _font_bytes(load_theme(None), "Source Sans Pro", "bold")
    counts = {}
    for length in (500, 1000, 2000, 4000):
        measurements[0] = 0
        chosen, lines, line_height = fit_text(letter * length, font, 1360, 670, 190)
        counts[length] = measurements[0]
        assert len(lines) * line_height <= 670
        assert all(chosen.getlength(line) <= 1360 for line in lines)
    # Linear or better: doubling the text never more than doubles the work (plus slack).
    for length in (1000, 2000, 4000):
        assert counts[length] <= 2 * counts[length // 2] + 50, counts
    assert counts[2000] < 1000, counts  # the old layout needed millions


def test_breaking_a_long_word_costs_a_few_measurements_per_line() -> None:
    calls: list[str] = []

    def measure(text: str) -> float:
        calls.append(text)
        return float(len(text))

    lines = wrap("ab" * 1000, measure, 30)
    assert "".join(lines) == "ab" * 1000
    assert all(len(line) <= 30 for line in lines)
    # Each line: the rest of the word once, its characters' widths, the piece once.
    assert len(calls) <= 8 * len(lines), (len(calls), len(lines))
    # Only pieces of about a line are measured, never every prefix of the word.
    assert sum(len(text) for text in calls if len(text) <= 31) <= 8 * 31 * len(lines)


def test_wrap_stops_once_the_box_is_full() -> None:
    calls: list[str] = []

    def measure(text: str) -> float:
        calls.append(text)
        return float(len(text))

    lines = wrap(" ".join(["word"] * 100_000), measure, 20, max_lines=3)
    assert lines == ["word word word word"] * 3
    assert len(calls) < 30


def test_a_2000_character_unbreakable_headline_builds_quickly(tmp_path: Path) -> None:
    story = tmp_path / "long.txt"
    story.write_text("x" * 2000 + BODY, encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("build", story, "-o", tmp_path / "out", "-f", "epub", "--lang", "en")
    took = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert took < 20, took  # was minutes
    report = run_epubcheck(tmp_path / "out" / "long.epub")
    assert report.clean, report.messages


def test_a_2000_character_collection_title_builds_quickly(tmp_path: Path) -> None:
    started = time.perf_counter()
    result = run_cli(
        "build", SEED, "-o", tmp_path, "-f", "epub", "--lang", "en", "--collection", "y" * 2000
    )
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 20
