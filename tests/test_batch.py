"""Batches through the real CLI: failures, incremental reruns, kill and resume, Dask."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import REPO, run_cli
from conftest import SEED

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}


def make_articles(folder: Path, count: int, bad: int = 0) -> list[Path]:
    """``count`` good articles made from the seed (varied headlines) and ``bad`` broken ones."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    paths = []
    for number in range(count):
        path = folder / f"article-{number:03d}.txt"
        text = "\n".join([f"{lines[0]} (part {number + 1})", *lines[1:]]) + "\n"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    for number in range(bad):
        path = folder / f"broken-{number}.txt"
        path.write_bytes(b"" if number % 2 == 0 else b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        paths.append(path)
    return paths


def report(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "report.jsonl").read_text().splitlines()]


def test_batch_with_broken_inputs(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 6, bad=2)
    out = tmp_path / "out"
    result = run_cli("build", tmp_path / "in", "-o", out, "--jobs", "2", "--format", "epub")
    assert result.returncode == 1
    assert "2 of 8 articles failed" in result.stderr and "Traceback" not in result.stderr
    lines = report(out)
    assert len(lines) == 8
    statuses = {Path(str(line["input"])).name: line["status"] for line in lines}
    assert statuses["broken-0.txt"] == statuses["broken-1.txt"] == "failed"
    assert sum(s == "built" for s in statuses.values()) == 6
    failed = [line for line in lines if line["status"] == "failed"]
    assert all(line["error"] for line in failed)
    assert sorted(p.name for p in out.glob("*.epub")) == [f"article-{n:03d}.epub" for n in range(6)]
    # Plain progress lines when stderr is not a terminal.
    assert "built 8 of 8" in result.stderr or "[8/8]" in result.stderr


def test_incremental_rerun_skips_unchanged(tmp_path: Path) -> None:
    paths = make_articles(tmp_path / "in", 4)
    out = tmp_path / "out"
    args = ("build", tmp_path / "in", "-o", out, "--format", "epub", "--jobs", "1")
    assert run_cli(*args, env=EPOCH).returncode == 0
    first = {p.name: p.stat().st_mtime_ns for p in out.glob("*.epub")}
    assert run_cli(*args, env=EPOCH).returncode == 0
    assert {line["status"] for line in report(out)} == {"skipped"}
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.epub")} == first
    paths[1].write_text(paths[1].read_text(encoding="utf-8") + "\nOne more paragraph.\n")
    assert run_cli(*args, env=EPOCH).returncode == 0
    built = [Path(str(line["input"])).name for line in report(out) if line["status"] == "built"]
    assert built == ["article-001.txt"]
    (out / "article-002.epub").unlink()  # a lost output is rebuilt too
    assert run_cli(*args, env=EPOCH).returncode == 0
    built = [Path(str(line["input"])).name for line in report(out) if line["status"] == "built"]
    assert built == ["article-002.txt"]
    assert run_cli(*args, "--force", env=EPOCH).returncode == 0
    assert {line["status"] for line in report(out)} == {"built"}


def test_a_changed_output_profile_rebuilds_the_batch(tmp_path: Path) -> None:
    from icc_helpers import cmyk_profile

    make_articles(tmp_path / "in", 2)
    profile = tmp_path / "printer.icc"
    profile.write_bytes(cmyk_profile("Press A"))
    out = tmp_path / "out"
    args = ("build", tmp_path / "in", "-o", out, "--format", "pdf")
    args += ("--pdf-variant", "pdf/x-4", "--output-profile", profile)
    assert run_cli(*args, env=EPOCH).returncode == 0
    assert run_cli(*args, env=EPOCH).returncode == 0
    assert {line["status"] for line in report(out)} == {"skipped"}
    profile.write_bytes(cmyk_profile("Press B"))  # same file name, another printing condition
    assert run_cli(*args, env=EPOCH).returncode == 0
    assert {line["status"] for line in report(out)} == {"built"}


def _recorded(out: Path) -> int:
    """How many builds the build record holds (0 while it does not exist or is busy)."""
    import sqlite3

    try:
        with contextlib.closing(
            sqlite3.connect(f"file:{out / '.publisher.sqlite'}?mode=ro", uri=True, timeout=0.1)
        ) as db:
            return int(db.execute("SELECT count(*) FROM builds").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_and_resume(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 16)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publisher", "build", str(tmp_path / "in"), "-o", str(out)]
    command += ["--format", "epub", "--jobs", "2"]
    env = {**os.environ, "PYTHONPATH": str(REPO), **EPOCH}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    # Killed once 3 builds are recorded (not merely written: with the font cache
    # an EPUB takes ~0.1 s, and the record can trail the files by a few).
    while _recorded(out) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {p.name for p in out.glob("*.epub")}
    assert 3 <= len(finished) < 16, "the kill came too late to test a resume"
    result = run_cli(
        "build", tmp_path / "in", "-o", out, "--format", "epub", "--jobs", "2", env=EPOCH
    )
    assert result.returncode == 0, result.stderr
    statuses = {Path(str(line["input"])).stem: line["status"] for line in report(out)}
    assert len(statuses) == 16 and sum(s == "skipped" for s in statuses.values()) >= 3
    assert len(list(out.glob("*.epub"))) == 16
    assert not [p.name for p in out.iterdir() if p.name.endswith(".part")]


def imports_weasyprint(*argv: str) -> bool:
    """Run the CLI in one process with ``argv`` and say whether WeasyPrint got imported."""
    code = (
        "import sys\n"
        "from publisher.cli import main\n"
        f"sys.argv = ['publisher', *{list(argv)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        "print('weasyprint' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] == "True"


def test_epub_batch_and_help_never_import_weasyprint(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 2)
    out = str(tmp_path / "out")
    inputs = str(tmp_path / "in")
    assert not imports_weasyprint("build", inputs, "-o", out, "--format", "epub", "--jobs", "1")
    assert not imports_weasyprint("--help")
    # The same check can see WeasyPrint when it is needed (a PDF built in-process).
    assert imports_weasyprint("build", inputs, "-o", out, "--format", "pdf", "--jobs", "1")


def test_dask_cluster_gives_identical_outputs(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="pip install 'publisher[dask]'")
    make_articles(tmp_path / "in", 3)
    local = tmp_path / "local"
    result = run_cli("build", tmp_path / "in", "-o", local, "--jobs", "1", env=EPOCH)
    assert result.returncode == 0, result.stderr
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    ) as cluster:  # fmt: skip
        remote = tmp_path / "dask"
        result = run_cli(
            "build", tmp_path / "in", "-o", remote, "--executor", "dask",
            "--scheduler", cluster.scheduler_address, env=EPOCH,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in local.iterdir() if p.suffix in (".epub", ".pdf"))
    assert len(names) == 6
    for name in names:
        assert (local / name).read_bytes() == (remote / name).read_bytes(), name


def test_dask_without_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    make_articles(tmp_path / "in", 2)
    result = run_cli("build", tmp_path / "in", "-o", tmp_path / "out", "--executor", "dask")
    assert result.returncode == 2 and "--scheduler" in result.stderr


def test_single_input_writes_no_report(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "one.txt")
    result = run_cli("build", tmp_path / "one.txt", "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["one.epub"]
