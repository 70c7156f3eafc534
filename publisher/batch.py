"""Build many articles: worker processes or a Dask cluster, incremental, resumable.

Each article is built on its own; one failure never stops the rest. Unchanged
articles are skipped using the build record (``buildrecord``). Outputs are
written atomically and recorded only after they are on disk, so a batch killed
at any point resumes on rerun without redoing finished articles.

Two inputs whose outputs would have the same name (``a/story.txt`` and
``b/story.txt``, or ``story.txt`` and ``story.md``; names compared as a
case-insensitive file system would) are both refused, each naming the other:
building either would silently replace the other's book on a rerun.

Workers are started once and keep their WeasyPrint ``FontConfiguration`` (and
everything else they imported) for their whole life.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from publisher import __version__
from publisher.build import BuildResult, InputOptions, build_article
from publisher.buildrecord import BuildRecord, NoRecord, file_digest, input_key, tree_digest
from publisher.config import EXECUTORS, BuildConfig
from publisher.errors import OutputError, PublisherError, UsageError
from publisher.outputs import write_atomic

REPORT_NAME = "report.jsonl"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run a batch."""

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    executor: str = "local"
    scheduler: str | None = None
    #: False (``--no-record``): build everything, keep no build record.
    record: bool = True


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input: one line of ``report.jsonl``."""

    input: str
    status: str  # "built", "skipped" or "failed"
    outputs: tuple[str, ...] = ()
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    error: str | None = None
    #: The article's own files the build read (input, sidecar, photo).
    read: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The outcome as one JSON line."""
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Task:
    """One article to build, as sent to a worker (picklable)."""

    path: Path
    options: InputOptions
    config: BuildConfig
    build_time: dt.datetime


def build_task(task: Task) -> Outcome:
    """Build one article and describe the result; never raises for a bad article."""
    started = time.perf_counter()
    try:
        result: BuildResult = build_article(task.path, task.options, task.config, task.build_time)
    except PublisherError as exc:
        return Outcome(str(task.path), "failed", seconds=_since(started), error=str(exc))
    except Exception as exc:  # a bug: report it against this input, keep the batch going
        error = f"internal error: {type(exc).__name__}: {exc}"
        return Outcome(str(task.path), "failed", seconds=_since(started), error=error)
    return Outcome(
        str(task.path),
        "built",
        outputs=tuple(str(p) for p in result.outputs),
        seconds=_since(started),
        warnings=result.warnings,
        read=tuple(str(p) for p in result.inputs),
    )


def warm_up(formats: tuple[str, ...]) -> None:
    """Run once per worker: load what every article needs (fonts, the PDF engine)."""
    if "pdf" in formats:
        from publisher.render.pdf import warm_up as warm_pdf

        warm_pdf()


def run_batch(
    paths: list[Path],
    options: InputOptions,
    config: BuildConfig,
    build_time: dt.datetime,
    batch: BatchOptions,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Build every input (skipping unchanged ones) and write ``OUT/report.jsonl``.

    Returns the outcomes in input order; ``progress`` is called as each finishes.
    """
    if batch.executor not in EXECUTORS:
        raise UsageError(f"'{batch.executor}' is not an executor.", "Use local or dask.")
    if batch.executor == "dask" and not batch.scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT.")
    if batch.jobs < 1:
        raise UsageError(f"--jobs {batch.jobs}: give at least 1.")
    from publisher.themes import load_theme

    theme = load_theme(config.theme)
    context = json.dumps(
        {
            "version": __version__,
            "theme": tree_digest(theme.folders),
            "config": repr(replace(config, out_dir=Path("."))),
            "options": repr(options),
            # The pictures and profiles named by path: their contents, not just their names.
            "files": {
                str(path): file_digest(path) if path.is_file() else None
                for path in (config.cover, config.pdf.output_profile, options.image)
                if path is not None
            },
            # Outputs carry the build time only when it is fixed; otherwise an
            # unchanged article must not count as changed just because time passed.
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        },
        sort_keys=True,
    )
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[int, Task, str]] = []
    collisions = output_collisions(paths)
    with _open_record(config.out_dir, batch) as record:
        for index, path in enumerate(paths):
            if path in collisions:
                others = ", ".join(str(p) for p in collisions[path])
                error = (
                    f"{path}: its outputs would have the same names as those of {others}, "
                    "so neither is built. Rename one, or build them into different folders."
                )
                outcomes[index] = Outcome(str(path), "failed", error=error)
                record.forget(path)
                progress(outcomes[index])
                continue
            try:
                key = input_key(path, context)
            except OSError:
                key = ""  # unreadable: let the build say why
            if key and not batch.force and record.is_current(path, key):
                outcome = Outcome(str(path), "skipped", outputs=record.outputs_of(path))
                outcomes[index] = outcome
                progress(outcome)
            else:
                todo.append((index, Task(path, options, config, build_time), key))
        tasks = [task for _, task, _ in todo]
        for position, outcome in _execute(tasks, config, batch):
            index, task, key = todo[position]
            if outcome.status == "built" and key:
                outputs = (Path(p) for p in outcome.outputs)
                record.record(task.path, key, outputs, (Path(p) for p in outcome.read))
            else:
                record.forget(task.path)
            outcomes[index] = outcome
            progress(outcome)
    ordered = [outcomes[i] for i in range(len(paths))]
    # backslashreplace: a file name that is not UTF-8 becomes a JSON escape, not a crash.
    report = "".join(o.to_json() + "\n" for o in ordered).encode("utf-8", "backslashreplace")
    write_atomic(config.out_dir / REPORT_NAME, report)
    if record.problem is not None:
        raise OutputError(
            f"{record.problem}; the articles were built, but a rerun will build them again.",
            "Free some space, rebuild the record with --force, or build with --no-record.",
        )
    return ordered


def output_collisions(paths: list[Path]) -> dict[Path, tuple[Path, ...]]:
    """Inputs whose outputs would share a name, each mapped to the others.

    Names are compared after Unicode normalisation and case folding, as macOS
    and Windows file systems compare them.

    >>> found = output_collisions([Path("a/story.txt"), Path("b/Story.md"), Path("c.txt")])
    >>> {str(k): [str(p) for p in v] for k, v in found.items()}
    {'a/story.txt': ['b/Story.md'], 'b/Story.md': ['a/story.txt']}
    """
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(unicodedata.normalize("NFC", path.stem).casefold(), []).append(path)
    found: dict[Path, tuple[Path, ...]] = {}
    for group in groups.values():
        for path in group:
            # The same file named twice (story.txt, ./story.txt) is one article.
            others = tuple(p for p in group if p.resolve() != path.resolve())
            if others:
                found[path] = others
    return found


def _open_record(out_dir: Path, batch: BatchOptions) -> BuildRecord:
    """The build record: none with --no-record; with --force, a new one if it is unusable."""
    if not batch.record:
        return NoRecord(out_dir)
    try:
        return BuildRecord(out_dir)
    except OutputError:
        if not batch.force:
            raise
        return BuildRecord(out_dir, fresh=True)


def _execute(
    tasks: list[Task], config: BuildConfig, batch: BatchOptions
) -> Iterator[tuple[int, Outcome]]:
    """Yield (position, outcome) as tasks finish, on the chosen executor."""
    if not tasks:
        return
    if batch.executor == "dask":
        yield from _execute_dask(tasks, config, batch)
    elif batch.jobs == 1 or len(tasks) == 1:
        warm_up(config.formats)
        for position, task in enumerate(tasks):
            yield position, build_task(task)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        workers = min(batch.jobs, len(tasks))
        with ProcessPoolExecutor(workers, initializer=warm_up, initargs=(config.formats,)) as pool:
            futures = {pool.submit(build_task, task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                yield futures[future], future.result()


def _execute_dask(
    tasks: list[Task], config: BuildConfig, batch: BatchOptions
) -> Iterator[tuple[int, Outcome]]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError(
            "--executor dask needs Dask's distributed scheduler.",
            "Install it with: pip install 'publisher[dask]'.",
        ) from None
    try:
        client = Client(batch.scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise UsageError(
            f"cannot reach the Dask scheduler at {batch.scheduler} ({exc}).",
            "Check the address, e.g. tcp://HOST:8786.",
        ) from None
    try:
        client.run(warm_up, config.formats)
        futures = client.map(build_task, tasks, pure=False)
        positions = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            yield positions[future.key], future.result()
    finally:
        client.close()


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)
