"""``python -m benchmarks [--quick] [--scale S] [--json PATH] [--markdown PATH]``.

Generates articles from seeds/, runs every measurement with its reference side
by side (interleaved, medians of repetitions), prints the table and writes it
as JSON. Sizes are the issue's figures times the scale (``--scale``, else
``BENCH_SCALE``, else 1; ``--quick`` is 0.05).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import SEEDS, export_reference, make_corpus, pandoc_markdown
from benchmarks.report import (
    Row,
    machine,
    machine_text,
    markdown_table,
    pandoc_version,
    row_json,
    text_table,
)
from benchmarks.server import server_rows
from benchmarks.startup import epub_start, language_id

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PUBLISHER = str(BIN / "publisher")
WEASYPRINT = str(BIN / "weasyprint")


@dataclass(frozen=True, slots=True)
class Sizes:
    """How big each measurement is at a given scale."""

    scale: float
    batch: int
    memory_early: int
    memory_late: int
    pages: tuple[int, ...]
    page_reps: tuple[int, ...]
    single_reps: int
    batch_reps: int
    start_reps: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        """The issue's sizes (1,000 articles, RSS at 100 and 5,000, 1-200 pages) times ``scale``."""
        batch = max(20, round(1000 * scale))
        return cls(
            scale=scale,
            batch=batch,
            memory_early=100,
            memory_late=max(200, round(5000 * scale)),
            pages=(1, 10, max(20, round(100 * scale)), max(40, round(200 * scale))),
            page_reps=(3, 3, 2, 2) if scale < 0.5 else (3, 3, 1, 1),
            single_reps=3 if scale < 0.5 else 5,
            batch_reps=2 if batch <= 100 else 1,
            start_reps=5 if scale < 0.5 else 11,
        )


def log(message: str) -> None:
    """Progress on stderr, so stdout holds only the table."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def timed(command: list[str], cwd: Path | None = None) -> float:
    """Wall-clock seconds of ``command``; stops the benchmark if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"benchmark command failed ({done.returncode}): {command}\n{tail}")
    return seconds


def worker(*args: str) -> dict[str, Any]:
    """Run ``benchmarks.workers`` in a fresh process and return its JSON result."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.workers", *args],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker {args[0]} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def interleaved(plan: dict[str, Callable[[], float]], reps: int) -> dict[str, list[float]]:
    """Run every entry of ``plan`` once per repetition, rotating which goes first."""
    names = list(plan)
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(plan[name]())
    return times


def single_articles(work: Path, corpus: list[Path], sizes: Sizes) -> tuple[list[Row], dict]:
    """1 and 2: one article, whole process, publisher vs weasyprint and pandoc."""
    ref = work / "single-ref"
    pages, css = export_reference(corpus[:2], ref)
    have_pandoc = pandoc_version() is not None
    for path in corpus[:2]:
        markdown, _ = pandoc_markdown(path)
        (ref / f"{path.stem}.md").write_text(markdown, encoding="utf-8")
        if path.with_suffix(".jpg").is_file():
            shutil.copy(path.with_suffix(".jpg"), ref / path.with_suffix(".jpg").name)
    out = work / "single-out"

    def publisher(path: Path, fmt: str) -> Callable[[], float]:
        return lambda: timed([PUBLISHER, "build", str(path), "-o", str(out), "--format", fmt])

    def weasy(page: Path, *extra: str) -> Callable[[], float]:
        return lambda: timed([WEASYPRINT, str(page), str(out / "ref.pdf"), "-s", str(css), *extra])

    def pandoc(path: Path) -> Callable[[], float]:
        _, headline = pandoc_markdown(path)
        command = ["pandoc", "-f", "markdown", "-t", "epub3", "-o", str(out / "ref.epub")]
        command += ["--metadata", f"title={headline}", "--metadata", "lang=en"]
        return lambda: timed([*command, f"{path.stem}.md"], cwd=ref)

    out.mkdir(exist_ok=True)
    plan = {
        "pdf text": publisher(corpus[0], "pdf"),
        "weasyprint text": weasy(pages[0]),
        "weasyprint text tagged": weasy(pages[0], "--pdf-tags"),
        "pdf photo": publisher(corpus[1], "pdf"),
        "weasyprint photo": weasy(pages[1]),
        "epub text": publisher(corpus[0], "epub"),
        "epub photo": publisher(corpus[1], "epub"),
    }
    if have_pandoc:
        plan["pandoc text"] = pandoc(corpus[0])
        plan["pandoc photo"] = pandoc(corpus[1])
    cpu: dict[str, list[float]] = {name: [] for name in plan}

    def with_cpu(name: str, step: Callable[[], float]) -> Callable[[], float]:
        def run() -> float:
            started = children_cpu()
            seconds = step()
            cpu[name].append(children_cpu() - started)
            return seconds

        return run

    plan = {name: with_cpu(name, step) for name, step in plan.items()}
    before = load()
    times = interleaved(plan, sizes.single_reps)
    span = (before, load())
    med = {name: statistics.median(values) for name, values in times.items()}
    med_cpu = {name: statistics.median(values) for name, values in cpu.items()}

    def cpu_note(ours: str, reference: str) -> str:
        return (
            f"CPU time (user+sys), steadier on a busy machine: {med_cpu[ours]:.3f} s vs "
            f"{med_cpu[reference]:.3f} s ({med_cpu[ours] / med_cpu[reference]:.2f}×)"
        )

    reps = f"median of {sizes.single_reps} interleaved runs, process start included"
    rows = [
        Row(
            "1a. one article → PDF, text only (publisher build --format pdf vs weasyprint CLI)",
            med["pdf text"],
            med["weasyprint text"],
            "s",
            ("<=", 1.05),
            load=span,
            notes=[reps, cpu_note("pdf text", "weasyprint text")],
        ),
        Row(
            "1b. same, weasyprint CLI with --pdf-tags (publisher's PDF is tagged)",
            med["pdf text"],
            med["weasyprint text tagged"],
            "s",
            ("<=", 1.05),
            load=span,
        ),
        Row(
            "1c. one article → PDF, with a 1600×1067 photo",
            med["pdf photo"],
            med["weasyprint photo"],
            "s",
            ("<=", 1.05),
            load=span,
            notes=[cpu_note("pdf photo", "weasyprint photo")],
        ),
    ]
    for letter, kind, label in (("a", "text", "text only"), ("b", "photo", "with a photo")):
        name = f"2{letter}. one article → EPUB, {label} (publisher vs pandoc -t epub3)"
        ours = med[f"epub {kind}"]
        if have_pandoc:
            note = cpu_note(f"epub {kind}", f"pandoc {kind}")
            rows.append(
                Row(name, ours, med[f"pandoc {kind}"], "s", ("<=", 1.5), load=span, notes=[note])
            )
        else:
            rows.append(Row(name, ours, None, "s", ("<=", 1.5), skipped="pandoc not installed"))
    return rows, {"single_seconds": times}


def batches(work: Path, corpus_dir: Path, sizes: Sizes) -> tuple[list[Row], dict]:
    """3 and 6: a batch with --jobs 1 and 2 vs a bare WeasyPrint loop; an unchanged rerun."""
    count = sizes.batch
    log(f"exporting the reference XHTML of {count} articles")
    ref = work / "batch-ref"
    export_reference(sorted(corpus_dir.glob("*.txt")), ref)
    counter = iter(range(1_000_000))
    kept: dict[str, Path] = {}
    cpu: dict[tuple[int, int], list[float]] = {}

    def build(jobs: int, *formats: str) -> Callable[[], float]:
        def run() -> float:
            out = work / f"batch-out-{next(counter)}"
            command = [PUBLISHER, "build", str(corpus_dir), "-o", str(out)]
            command += [arg for fmt in formats for arg in ("--format", fmt)]
            before = children_cpu()
            seconds = timed([*command, "--jobs", str(jobs), "--force"])
            cpu.setdefault((jobs, len(formats)), []).append(children_cpu() - before)
            if jobs == 2 and len(formats) == 2 and "first" not in kept:
                kept["first"] = out  # the first run of the incremental measurement
            else:
                shutil.rmtree(out)
            return seconds

        return run

    def bare() -> float:
        out = work / f"bare-out-{next(counter)}"
        result = worker("bare", str(ref), str(ref / "style.css"), str(out))
        shutil.rmtree(out)
        return float(result["seconds"])

    plan = {
        "bare loop pdf": bare,
        "jobs 1 pdf": build(1, "pdf"),
        "jobs 1 epub+pdf": build(1, "epub", "pdf"),
        "jobs 2 epub+pdf": build(2, "epub", "pdf"),
    }
    log(f"batch of {count} articles, {sizes.batch_reps} repetition(s) of {', '.join(plan)}")
    before = load()
    times = interleaved(plan, sizes.batch_reps)
    span = (before, load())
    rate = {name: count / statistics.median(values) for name, values in times.items()}
    first = times["jobs 2 epub+pdf"][0]
    log("rerunning the unchanged batch (incremental)")
    rerun_command = [PUBLISHER, "build", str(corpus_dir), "-o", str(kept["first"]), "--jobs", "2"]
    before_rerun = load()
    before_reruns = children_cpu()
    reruns = [timed(rerun_command) for _ in range(3)]
    after_reruns = children_cpu()
    report = [json.loads(line) for line in (kept["first"] / "report.jsonl").open()]
    skipped = sum(item["status"] == "skipped" for item in report)
    reps = f"{sizes.batch_reps} run(s) each, interleaved; whole command incl. process start"
    rows = [
        Row(
            f"3a. batch of {count} → PDF, --jobs 1 vs bare WeasyPrint loop (one FontConfiguration)",
            rate["jobs 1 pdf"],
            rate["bare loop pdf"],
            "articles/s",
            (">=", 0.95),
            load=span,
            notes=[reps + "; the bare loop is timed inside its process, after imports and set-up"],
        ),
        Row(
            f"3b. batch of {count} → EPUB+PDF, --jobs 1",
            rate["jobs 1 epub+pdf"],
            None,
            "articles/s",
            load=span,
        ),
        Row(
            f"3c. batch of {count} → EPUB+PDF, speed-up --jobs 2 over --jobs 1",
            rate["jobs 2 epub+pdf"],
            rate["jobs 1 epub+pdf"],
            "articles/s",
            (">=", 1.8),
            load=span,
            notes=[quiet_machine_speed_up(cpu, (after_reruns - before_reruns) / 3)],
        ),
        Row(
            f"6. unchanged {count}-article batch rerun (EPUB+PDF, --jobs 2) vs first run",
            statistics.median(reruns),
            first,
            "s",
            ("<=", 0.05),
            load=(before_rerun, load()),
            notes=[f"median of 3 reruns; {skipped} of {len(report)} articles skipped on the last"],
        ),
    ]
    return rows, {"batch_seconds": times, "rerun_seconds": reruns, "first_run_seconds": first}


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def quiet_machine_speed_up(cpu: dict[tuple[int, int], list[float]], serial: float) -> str:
    """The --jobs 2 speed-up a machine with two idle cores would give, from CPU times.

    On a shared machine wall-clock rates say more about the neighbours than about
    publisher, CPU time much less: ``--jobs 1`` takes its CPU time C1 on an idle
    machine; ``--jobs 2`` takes S + (C2 - S) / 2, where S is the parent's own
    serial part (start, scanning the inputs: an unchanged rerun's CPU time) and
    C2 - S is shared by two workers (perfect balance; the tail is one article).
    """
    one = statistics.median(cpu[(1, 2)])
    two = statistics.median(cpu[(2, 2)])
    idle_two = serial + (two - serial) / 2
    return (
        f"CPU time (user+sys): --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s (both workers), "
        f"serial part {serial:.2f} s; on two idle cores that is {one / idle_two:.2f}× "
        "(the ratio a quiet machine would show, if its two cores are real cores)"
    )


def memory(work: Path, corpus_dir: Path, sizes: Sizes) -> tuple[list[Row], dict]:
    """4: peak RSS of one long-lived batch worker at article 100 and at article 5,000."""
    late = sizes.memory_late
    log(f"memory: one worker building {late} articles (EPUB+PDF) in-process")
    before = load()
    result = worker("memory", str(corpus_dir), str(work / "memory-out"), str(late))
    span = (before, load())
    samples = {s["article"]: s for s in result["samples"]}
    early, last = samples[sizes.memory_early], samples[late]
    mb = 1024.0
    notes = [
        f"VmHWM (peak RSS) of the worker process; VmRSS {early['vm_rss_kb'] / mb:.0f} MB at "
        f"{sizes.memory_early}, {last['vm_rss_kb'] / mb:.0f} MB at {late}; "
        f"{late / last['seconds']:.1f} articles/s; {result['failed']} failed",
        "RSS curve: "
        + ", ".join(f"{s['article']}: {s['vm_rss_kb'] / mb:.0f} MB" for s in result["samples"]),
    ]
    row = Row(
        f"4. peak RSS per worker, at article {late} vs at article {sizes.memory_early}",
        last["vm_hwm_kb"] / mb,
        early["vm_hwm_kb"] / mb,
        "MB",
        ("<=", 1.10),
        load=span,
        notes=notes,
    )
    return [row], {"memory": result}


def long_articles(sizes: Sizes) -> tuple[list[Row], dict]:
    """5: seconds per page of publisher's PDF (in-process) at growing lengths vs bare WeasyPrint."""
    log(f"long articles: {', '.join(map(str, sizes.pages))} pages")
    before = load()
    result = worker(
        "long", str(SEEDS), ",".join(map(str, sizes.pages)), ",".join(map(str, sizes.page_reps))
    )
    span = (before, load())
    per_page: dict[int, tuple[float, float, int]] = {}
    rows = []
    for target, reps in zip(sizes.pages, sizes.page_reps, strict=True):
        data = result["results"][str(target)]
        pages = int(statistics.median(data["pages"]))
        ours = statistics.median(data["ours"]) / pages
        bare = statistics.median(data["bare"]) / pages
        per_page[target] = (ours, bare, pages)
        rows.append(
            Row(
                f"5. {pages}-page article → PDF, s/page (render_pdf vs bare WeasyPrint)",
                ours,
                bare,
                "s/page",
                load=span,
                notes=[f"median of {reps} run(s) in one warm process"],
            )
        )
    big = sizes.pages[-1]
    ours_ratio = per_page[big][0] / per_page[10][0]
    bare_ratio = per_page[big][1] / per_page[10][1]
    rows.append(
        Row(
            f"5. per-page cost at {per_page[big][2]} pages vs at {per_page[10][2]} pages",
            per_page[big][0],
            per_page[10][0],
            "s/page",
            ("<=", 1.15),
            load=span,
            notes=[
                f"bare WeasyPrint on the same XHTML/CSS: {bare_ratio:.2f}× "
                f"(publisher {ours_ratio:.2f}×)"
            ],
        )
    )
    return rows, {"long": result}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print the table; write JSON (and Markdown if asked)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="scale 0.05: a couple of minutes")
    parser.add_argument("--scale", type=float, help="sizes times this (default BENCH_SCALE or 1)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="JSON output")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    parser.add_argument(
        "--only",
        default="single,start,language,batch,memory,long,server",
        help="comma-separated subset to run",
    )
    args = parser.parse_args(argv)
    scale = args.scale or (0.05 if args.quick else float(os.environ.get("BENCH_SCALE", "1")))
    sizes = Sizes.at(scale)
    wanted = set(args.only.split(","))
    started, when = time.perf_counter(), dt.datetime.now(dt.UTC).replace(microsecond=0)
    info = machine()
    log(f"scale {scale}: {machine_text(info)}; load {os.getloadavg()}")
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    # Commands run as an installed publisher does: with .pyc files, and with a disk
    # cache of their own (not the user's), which the first run of each row fills.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as temp:
        work = Path(temp)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        corpus_dir = work / "corpus"
        log(f"writing {sizes.batch} articles into {corpus_dir}")
        corpus = make_corpus(corpus_dir, sizes.batch)
        steps: list[tuple[str, Callable[[], tuple[list[Row], dict]]]] = [
            ("single", lambda: single_articles(work, corpus, sizes)),
            ("start", lambda: epub_start(work, corpus[0], PUBLISHER, sizes.start_reps, load)),
            ("language", lambda: language_id(load)),
            ("batch", lambda: batches(work, corpus_dir, sizes)),
            ("memory", lambda: memory(work, corpus_dir, sizes)),
            ("long", lambda: long_articles(sizes)),
            ("server", lambda: server_rows(work, corpus_dir, min(sizes.batch, 100), load)),
        ]
        for name, step in steps:
            if name in wanted:
                new_rows, new_raw = step()
                rows += new_rows
                raw |= new_raw
                print(text_table(new_rows), file=sys.stderr, flush=True)
    took = time.perf_counter() - started
    load_avg = os.getloadavg()
    summary = (
        f"{when:%Y-%m-%d %H:%M} UTC, scale {scale}, {took / 60:.1f} min; "
        f"load average at the end {load_avg[0]:.2f} / {load_avg[1]:.2f} / {load_avg[2]:.2f} "
        f"(1/5/15 min) on {info['cores']} cores"
    )
    print(f"Machine: {machine_text(info)}\nRun: {summary}\n")
    print(text_table(rows))
    document = {
        "date": when.isoformat(),
        "scale": scale,
        "sizes": _fields(sizes),
        "machine": info,
        "minutes": round(took / 60, 2),
        "load_average_end": load_avg,
        "rows": [row_json(row) for row in rows],
        "raw": raw,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if args.markdown:
        args.markdown.write_text(
            f"Machine: {machine_text(info)}\n\nRun: {summary}\n\n{markdown_table(rows)}\n"
        )
    log(f"wrote {args.json}" + (f" and {args.markdown}" if args.markdown else ""))
    return 0


def _fields(sizes: Sizes) -> dict[str, Any]:
    return {name: getattr(sizes, name) for name in Sizes.__slots__}


if __name__ == "__main__":
    sys.exit(main())
