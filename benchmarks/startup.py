"""Rows 7 and 8: a cold build's start (EPUB whole process, against absolute budgets) and
language identification (accuracy per language on short news, and its first answer).

Whole-process times are wall-clock medians, with the CPU time (user + system) of
the same runs in the notes: on a shared machine the CPU time is the steadier
figure. "Warm cache" means publisher's disk cache (compiled templates, the cover)
already holds this article's entries, as after any earlier build; "empty cache"
starts each run with a new cache folder.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.report import Row

HERE = Path(__file__).resolve().parent
LANGUAGE_DATA = HERE.parent / "tests" / "data" / "language_id"
LANGUAGES = ("en", "fr", "de", "es", "tr", "ar")
#: The issue's budgets for one article to EPUB, whole process.
EPUB_BUDGET, EPUB_LANG_BUDGET = 0.25, 0.15


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of ``command``; stops the benchmark if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"benchmark command failed ({done.returncode}): {command}\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def epub_start(
    work: Path, article: Path, publisher: str, reps: int, load: Callable[[], float]
) -> tuple[list[Row], dict[str, Any]]:
    """7: one article → EPUB, whole process, warm and empty cache, with and without --lang."""
    out = work / "start-out"
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
    warm = {**env, "XDG_CACHE_HOME": str(work / "start-cache")}
    counter = iter(range(1_000_000))

    def build(environment: dict[str, str] | None, *extra: str) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            fresh = {**env, "XDG_CACHE_HOME": str(work / f"start-cache-{next(counter)}")}
            command = [publisher, "build", str(article), "-o", str(out), "--format", "epub"]
            return run_timed([*command, *extra], environment or fresh)

        return run

    plan = {
        "warm": build(warm),
        "warm lang": build(warm, "--lang", "en"),
        "empty": build(None),
        "empty lang": build(None, "--lang", "en"),
    }
    for step in plan.values():  # .pyc files written, the warm cache filled
        step()
    before = load()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in plan}
    names = list(plan)
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(plan[name]())
    span = (before, load())

    def median(name: str, index: int) -> float:
        return statistics.median(value[index] for value in times[name])

    def note(name: str) -> str:
        return (
            f"median of {reps} interleaved runs; CPU time (user+sys) {median(name, 1):.3f} s; "
            "the reference is the issue's budget"
        )

    rows = [
        Row(
            "7a. one article → EPUB, whole process, warm cache (vs 0.25 s)",
            median("warm", 0),
            EPUB_BUDGET,
            "s",
            ("<=", 1.0),
            load=span,
            notes=[note("warm")],
        ),
        Row(
            "7b. same with --lang en (no language detection; vs 0.15 s)",
            median("warm lang", 0),
            EPUB_LANG_BUDGET,
            "s",
            ("<=", 1.0),
            load=span,
            notes=[note("warm lang")],
        ),
        Row(
            "7c. one article → EPUB, whole process, empty cache (vs 0.25 s)",
            median("empty", 0),
            EPUB_BUDGET,
            "s",
            load=span,
            notes=[note("empty") + "; each run compiles the templates and draws the cover"],
        ),
        Row(
            "7d. same with --lang en, empty cache (vs 0.15 s)",
            median("empty lang", 0),
            EPUB_LANG_BUDGET,
            "s",
            load=span,
            notes=[note("empty lang")],
        ),
    ]
    return rows, {"epub_start": times}


_PROBE = """
import json, sys, time
detector = sys.argv[1]
if detector == "ours":
    import publisher.normalise.language  # CLD2 and lingua are imported on first use
    started = time.process_time()
    from publisher.normalise.language import detect_language
else:
    started = time.process_time()
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    def detect_language(text):
        label, confidence = model.classify(text)
        return str(label) if confidence >= 0.5 else "en"
first = detect_language(sys.argv[2])
print(json.dumps({"first": time.process_time() - started, "answer": first}))
"""


def _probe(detector: str, text: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, detector, text],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"language probe {detector} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def news_items(language: str) -> list[str]:
    """Headline and first paragraph of each news item in ``tests/data/language_id``."""
    text = (LANGUAGE_DATA / f"{language}.txt").read_text(encoding="utf-8")
    return [" ".join(block.split("\n", 1)) for block in text.strip().split("\n\n")]


def _py3langid() -> Callable[[str], str] | None:
    try:
        from py3langid.langid import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            MODEL_FILE,
            LanguageIdentifier,
        )
    except ImportError:
        return None
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(text: str) -> str:
        label, confidence = model.classify(text)
        return str(label) if float(confidence) >= 0.5 else "en"

    return detect


def language_id(load: Callable[[], float]) -> tuple[list[Row], dict[str, Any]]:
    """8: accuracy per language (ours vs py3langid, when installed) and the first answer's cost."""
    from publisher.normalise.language import detect_language

    before = load()
    before_detector = _py3langid()
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    for language in LANGUAGES:
        items = news_items(language)
        ours = sum(detect_language(item) == language for item in items) / len(items)
        theirs = None
        if before_detector is not None:
            theirs = sum(before_detector(item) == language for item in items) / len(items)
        raw[language] = {"items": len(items), "ours": ours, "py3langid": theirs}
        rows.append(
            Row(
                f"8. language id accuracy, {language}, {len(items)} headlines + first paragraphs "
                "(CLD2, then lingua vs py3langid)",
                ours,
                theirs,
                "",
                (">=", 1.0) if theirs else None,
                notes=[] if theirs is not None else ["py3langid not installed: no reference"],
            )
        )
    paragraph = " ".join(news_items("en")[:3])  # over CLD2_MIN_LETTERS letters
    headline = (LANGUAGE_DATA / "en.txt").read_text(encoding="utf-8").split("\n", 1)[0]
    for label, sample, who in (
        ("a headline and paragraph (CLD2)", paragraph, "CLD2"),
        ("a headline alone (lingua)", headline, "lingua"),
    ):
        ours_first = statistics.median(_probe("ours", sample)["first"] for _ in range(3))
        theirs_first = None
        if before_detector is not None:
            theirs_first = statistics.median(_probe("py3langid", sample)["first"] for _ in range(3))
        rows.append(
            Row(
                f"8. language id of {label}, first answer in a fresh process, CPU s "
                "(ours vs py3langid)",
                ours_first,
                theirs_first,
                "s",
                ("<=", 0.2) if theirs_first else None,
                load=(before, load()),
                notes=[f"import and model loading included ({who}); median of 3 processes"],
            )
        )
        raw.setdefault("first_answer_cpu_seconds", {})[who] = {
            "ours": ours_first,
            "py3langid": theirs_first,
        }
    for row in rows:
        row.load = (before, load())
    return rows, {"language_id": raw}
