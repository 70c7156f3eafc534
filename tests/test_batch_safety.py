"""Batches never lose an article, and the build record survives a hostile output folder.

Through the real CLI: colliding output names, a photo replaced under the same
name, a failure while writing, and a read-only, corrupt or full record.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import REPO, epub_xhtml, run_cli
from conftest import run_epubcheck

from publisher.outputs import write_together

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}


def story(path: Path, headline: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{headline}\n\nThe text of the story called {headline}, told in full.\n")
    return path


def report(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "report.jsonl").read_text().splitlines()
    return {str(line["input"]): line for line in map(json.loads, lines)}


def only_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.mark.parametrize(
    ("first", "second"),
    [("a/story.txt", "b/story.txt"), ("story.txt", "story.md"), ("Story.txt", "b/story.md")],
)
def test_colliding_output_names_are_refused_and_reported(
    tmp_path: Path, first: str, second: str
) -> None:
    one = story(tmp_path / first, "First")
    two = story(tmp_path / second, "Second")
    other = story(tmp_path / "other.txt", "Other")
    out = tmp_path / "out"
    result = run_cli("build", one, two, other, "-o", out, "-f", "epub", env=EPOCH)
    assert result.returncode == 1, result.stderr
    lines = report(out)
    assert set(lines) == {str(one), str(two), str(other)}  # every input has its line
    assert lines[str(one)]["status"] == lines[str(two)]["status"] == "failed"
    assert str(two) in str(lines[str(one)]["error"]) and str(one) in str(lines[str(two)]["error"])
    assert lines[str(other)]["status"] == "built"
    # Neither colliding article was built: no book silently holds one of them.
    assert sorted(p.name for p in out.glob("*.epub")) == ["other.epub"]
    assert sum("same names" in line for line in only_errors(result.stderr)) == 2


def _photo(path: Path, colour: str) -> None:
    from PIL import Image

    Image.new("RGB", (320, 240), colour).save(path, quality=95)


def _epub_images(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n.endswith((".jpg", ".jpeg", ".png"))}


@pytest.mark.parametrize("where", ["sidecar", "front matter"])
def test_a_photo_replaced_under_the_same_name_rebuilds(tmp_path: Path, where: str) -> None:
    source = tmp_path / "in"
    (source / "photos").mkdir(parents=True)
    _photo(source / "photos" / "lead.jpg", "red")
    if where == "sidecar":
        main = story(source / "main.txt", "Main")
        (source / "main.toml").write_text('image = "photos/lead.jpg"\n')
    else:
        main = source / "main.md"
        main.write_text("---\ntitle: Main\nimage: photos/lead.jpg\n---\n\nThe story, in full.\n")
    story(source / "other.txt", "Other")
    out = tmp_path / "out"
    first = run_cli("build", source, "-o", out, "-f", "epub", env=EPOCH)
    assert first.returncode == 0, first.stderr
    before = _epub_images(out / "main.epub")
    second = run_cli("build", source, "-o", out, "-f", "epub", env=EPOCH)
    assert report(out)[str(main)]["status"] == "skipped", second.stderr
    _photo(source / "photos" / "lead.jpg", "blue")
    third = run_cli("build", source, "-o", out, "-f", "epub", env=EPOCH)
    assert third.returncode == 0, third.stderr
    lines = report(out)
    assert lines[str(main)]["status"] == "built"
    assert lines[str(source / "other.txt")]["status"] == "skipped"
    after = _epub_images(out / "main.epub")
    assert after.keys() == before.keys() and after != before
    if where == "sidecar":
        assert run_epubcheck(out / "main.epub").clean


def test_a_failed_pdf_write_leaves_both_old_outputs(tmp_path: Path) -> None:
    main = story(tmp_path / "in" / "main.txt", "Old headline")
    out = tmp_path / "out"
    first = run_cli("build", main, "-o", out, env=EPOCH)
    assert first.returncode == 0, first.stderr
    old_epub = (out / "main.epub").read_bytes()
    story(main, "New headline")
    (out / "main.pdf").unlink()
    (out / "main.pdf").mkdir()  # the PDF target is now a folder
    (out / "main.pdf" / "keep.txt").write_text("mine")
    result = run_cli("build", main, "-o", out, env=EPOCH)
    assert result.returncode == 1
    assert only_errors(result.stderr) == result.stderr.strip().splitlines()
    assert "main.pdf" in result.stderr and "Traceback" not in result.stderr
    # The EPUB was not replaced on its own: it is still the old article's, whole.
    assert (out / "main.epub").read_bytes() == old_epub
    assert "Old headline" in epub_xhtml(out / "main.epub")
    assert (out / "main.pdf" / "keep.txt").read_text() == "mine"
    assert not [p.name for p in out.iterdir() if p.name.startswith(".main.")]
    # Once the folder is gone, the next run writes both outputs of the new article.
    shutil.rmtree(out / "main.pdf")
    fixed = run_cli("build", main, "-o", out, env=EPOCH)
    assert fixed.returncode == 0, fixed.stderr
    assert "New headline" in epub_xhtml(out / "main.epub")
    with pikepdf.open(out / "main.pdf") as pdf:
        assert len(pdf.pages) >= 1


def test_a_failed_write_in_a_batch_is_reported_and_not_recorded(tmp_path: Path) -> None:
    _two_stories(tmp_path / "in")
    out = tmp_path / "out"
    (out / "one.epub").mkdir(parents=True)
    result = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", env=EPOCH)
    assert result.returncode == 1
    lines = report(out)
    assert lines[str(tmp_path / "in" / "one.txt")]["status"] == "failed"
    assert lines[str(tmp_path / "in" / "two.txt")]["status"] == "built"
    (out / "one.epub").rmdir()
    again = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", env=EPOCH)
    assert again.returncode == 0, again.stderr
    statuses = {Path(k).name: v["status"] for k, v in report(out).items()}
    assert statuses == {"one.txt": "built", "two.txt": "skipped"}


def test_write_together_puts_back_what_it_replaced(tmp_path: Path) -> None:
    (tmp_path / "a.epub").write_bytes(b"old a")
    (tmp_path / "b.pdf").write_bytes(b"old b")
    (tmp_path / "c.pdf").mkdir()
    from publisher.errors import OutputError

    with pytest.raises(OutputError, match=r"c\.pdf"):
        write_together({tmp_path / "a.epub": b"new a", tmp_path / "c.pdf": b"new c"})
    assert (tmp_path / "a.epub").read_bytes() == b"old a"
    write_together({tmp_path / "a.epub": b"new a", tmp_path / "b.pdf": b"new b"})
    assert (tmp_path / "a.epub").read_bytes() == b"new a"
    assert (tmp_path / "b.pdf").read_bytes() == b"new b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.epub", "b.pdf", "c.pdf"]


def test_a_killed_writers_debris_is_cleared_and_a_running_ones_kept(tmp_path: Path) -> None:
    # A zombie: killed, not reaped (as a batch worker is whose parent was killed with it).
    zombie = subprocess.Popen([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        deadline = time.monotonic() + 30
        while not _is_zombie(zombie.pid) and time.monotonic() < deadline:  # poll() would reap it
            time.sleep(0.01)
        names = {
            f".a.epub.{zombie.pid}.x1y2z3w4.part": False,
            f".a.epub.{dead.pid}.old": False,
            f".a.epub.{alive.pid}.k9l8m7n6.part": True,
            f".b.epub.{dead.pid}.q1w2e3r4.part": False,  # another target's, its writer gone
            f".c.pdf.{alive.pid}.q1w2e3r4.part": True,
            ".notes.1.txt": True,  # no debris of ours
        }
        for name in names:
            (tmp_path / name).write_bytes(b"half")
        write_together({tmp_path / "a.epub": b"new a"})
        kept = {p.name for p in tmp_path.iterdir()}
        assert kept == {"a.epub", *(name for name, stays in names.items() if stays)}
    finally:
        alive.kill()
        alive.wait()
        zombie.wait()


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False


def _two_stories(folder: Path) -> None:
    story(folder / "one.txt", "One")
    story(folder / "two.txt", "Two")


def test_corrupt_record_one_line_and_two_ways_out(tmp_path: Path) -> None:
    _two_stories(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    record = out / ".publisher.sqlite"
    record.write_bytes(b"this is not a database, it is garbage " * 100)
    result = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", env=EPOCH)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [only_errors(result.stderr)[0]]
    assert "--force" in result.stderr and "--no-record" in result.stderr
    assert not list(out.glob("*.epub"))
    # --no-record builds without touching it.
    free = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", "--no-record", env=EPOCH)
    assert free.returncode == 0, free.stderr
    assert {p.name for p in out.glob("*.epub")} == {"one.epub", "two.epub"}
    assert record.read_bytes().startswith(b"this is not a database")
    # --force replaces it; the next run uses it.
    forced = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", "--force", env=EPOCH)
    assert forced.returncode == 0, forced.stderr
    with sqlite3.connect(record) as db:
        assert db.execute("SELECT count(*) FROM builds").fetchone() == (2,)
    rerun = run_cli("build", tmp_path / "in", "-o", out, "-f", "epub", env=EPOCH)
    assert rerun.returncode == 0, rerun.stderr
    assert {line["status"] for line in report(out).values()} == {"skipped"}


def _as_nobody(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as an unprivileged user (root ignores file permissions)."""
    command = [sys.executable, "-m", "publisher", *map(str, args)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("this test needs setpriv (util-linux) to drop root's privileges")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(cwd), **EPOCH}
    env.pop("XDG_CACHE_HOME", None)
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_read_only_record_one_line_and_two_ways_out() -> None:
    folder = Path(tempfile.mkdtemp(prefix="publisher-ro-"))  # reachable by an unprivileged user
    try:
        folder.chmod(0o777)
        _two_stories(folder / "in")
        out = folder / "out"
        out.mkdir()
        out.chmod(0o777)
        record = out / ".publisher.sqlite"
        sqlite3.connect(record).close()
        record.chmod(0o444)
        result = _as_nobody("build", "in", "-o", "out", "-f", "epub", cwd=folder)
        assert result.returncode == 1, result.stderr
        errors = only_errors(result.stderr)
        assert len(errors) == 1 and "readonly" in errors[0] and "--no-record" in errors[0]
        assert result.stderr.strip().splitlines() == errors
        free = _as_nobody("build", "in", "-o", "out", "-f", "epub", "--no-record", cwd=folder)
        assert free.returncode == 0, free.stderr
        assert {p.name for p in out.glob("*.epub")} == {"one.epub", "two.epub"}
        forced = _as_nobody("build", "in", "-o", "out", "-f", "epub", "--force", cwd=folder)
        assert forced.returncode == 0, forced.stderr
        assert os.access(record, os.W_OK) or os.geteuid() == 0
        with sqlite3.connect(record) as db:
            assert db.execute("SELECT count(*) FROM builds").fetchone() == (2,)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_full_record_mid_batch_builds_everything_and_says_so(tmp_path: Path) -> None:
    """A record that cannot grow (the disk is full): one error line naming the way out.

    The file-size limit (RLIMIT_FSIZE) stands in for a full disk: the record's
    table page is filled and the file grown to 1 MiB first, and nothing may be
    written past that size, so the first row recorded fails.
    """
    import resource

    from publisher.buildrecord import BuildRecord

    _two_stories(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    record = out / ".publisher.sqlite"
    BuildRecord(out).__exit__()
    with sqlite3.connect(record) as db:
        db.execute("INSERT INTO builds VALUES ('filler', ?, '{}', '{}')", ("x" * 3800,))
        db.execute("CREATE TABLE ballast (x BLOB)")
        db.execute("INSERT INTO ballast VALUES (zeroblob(1000000))")
    limit = record.stat().st_size

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    command = [sys.executable, "-m", "publisher", "build", str(tmp_path / "in"), "-o", str(out)]
    result = subprocess.run(
        [*command, "-f", "epub", "--jobs", "1"],
        env={**os.environ, "PYTHONPATH": str(REPO), **EPOCH},
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=cap,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    errors = only_errors(result.stderr)
    assert len(errors) == 1 and "could not be updated" in errors[0], errors
    assert "--force" in errors[0] and "--no-record" in errors[0]
    assert {line["status"] for line in report(out).values()} == {"built"}
    assert {p.name for p in out.glob("*.epub")} == {"one.epub", "two.epub"}
    assert "Traceback" not in result.stderr


def test_a_file_name_that_is_not_utf8_is_built_recorded_and_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes: U+DCE9 in Python's view
    story(folder / odd, "Odd name")
    story(folder / "plain.txt", "Plain name")
    out = tmp_path / "out"
    result = run_cli("build", folder, "-o", out, "-f", "epub", env=EPOCH)
    assert result.returncode == 0, result.stderr
    statuses = {k: v["status"] for k, v in report(out).items()}
    assert statuses == {str(folder / odd): "built", str(folder / "plain.txt"): "built"}
    assert (out / os.fsdecode(b"caf\xe9.epub")).is_file()
    again = run_cli("build", folder, "-o", out, "-f", "epub", env=EPOCH)
    assert again.returncode == 0, again.stderr
    assert {v["status"] for v in report(out).values()} == {"skipped"}


def test_an_unreadable_input_is_one_line() -> None:
    folder = Path(tempfile.mkdtemp(prefix="publisher-unreadable-"))
    try:
        folder.chmod(0o777)
        secret = story(folder / "secret.txt", "Secret")
        secret.chmod(0o000)
        result = _as_nobody("build", "secret.txt", "-o", "out", "-f", "epub", cwd=folder)
        assert result.returncode == 2, result.stderr
        assert only_errors(result.stderr) == result.stderr.strip().splitlines()
        assert "secret.txt" in result.stderr and "not readable" in result.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_colliding_stems_changed_photo_and_failed_write_in_one_batch(tmp_path: Path) -> None:
    """The issue's "done when": every output left matches one current input, and the
    report has a line for every input."""
    source = tmp_path / "in"
    story(source / "a" / "story.txt", "Story A")
    story(source / "b" / "story.txt", "Story B")
    photo_story = story(source / "a" / "photo.txt", "Photo story")
    (source / "a" / "photo.toml").write_text('image = "lead.jpg"\n')
    _photo(source / "a" / "lead.jpg", "red")
    failing = story(source / "b" / "failing.txt", "Failing v1")
    inputs = sorted(p for p in source.rglob("*.txt"))
    out = tmp_path / "out"
    first = run_cli("build", *inputs, "-o", out, "-f", "epub", env=EPOCH)
    assert first.returncode == 1  # the two story.txt are refused
    before = _epub_images(out / "photo.epub")
    _photo(source / "a" / "lead.jpg", "blue")
    story(failing, "Failing v2")
    (out / "failing.epub").unlink()
    (out / "failing.epub").mkdir()
    second = run_cli("build", *inputs, "-o", out, "-f", "epub", env=EPOCH)
    assert second.returncode == 1
    lines = report(out)
    assert set(lines) == {str(p) for p in inputs}
    statuses = {Path(k).relative_to(source).as_posix(): v["status"] for k, v in lines.items()}
    assert statuses == {
        "a/story.txt": "failed",
        "b/story.txt": "failed",
        "a/photo.txt": "built",
        "b/failing.txt": "failed",
    }
    assert _epub_images(out / "photo.epub") != before
    assert "Photo story" in epub_xhtml(out / "photo.epub")
    # What is left in out/ is each one current input's book, nothing else.
    assert sorted(p.name for p in out.glob("*.epub")) == ["failing.epub", "photo.epub"]
    assert (out / "failing.epub").is_dir() and not (out / "story.epub").exists()
    assert str(photo_story) in lines and lines[str(photo_story)]["read"]
