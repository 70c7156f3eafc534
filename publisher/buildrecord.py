"""The build record: what was built from what, so unchanged articles are skipped.

One SQLite file, ``OUT/.publisher.sqlite`` (SQLite is in the standard library
and safe against a kill mid-write). A row says: this input, with these
contents (the article, its sidecar, its photo), this theme, these options and
this version of publisher, gave these outputs with these checksums. An input is
skipped only when all of that still holds, outputs included.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from publisher.errors import OutputError

RECORD_NAME = ".publisher.sqlite"
#: Bumped when the table changes; an older record is emptied (everything rebuilds once).
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS builds (
    input TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    outputs TEXT NOT NULL,
    inputs TEXT NOT NULL DEFAULT '{}'
)
"""
_WAY_OUT = "Rebuild it with --force, or build without it with --no-record."
#: Files next to an input that take part in its build (sidecar and photo candidates).
COMPANION_SUFFIXES = (".toml", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".JPG", ".JPEG", ".PNG")


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_digest(folders: Iterable[Path]) -> str:
    """One SHA-256 over every file in ``folders`` (names and bytes, sorted)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
            digest.update(file_digest(path).encode("ascii"))
    return digest.hexdigest()


def input_key(path: Path, context: str) -> str:
    """The key of one input: its bytes, its companions' bytes, and the build context.

    ``context`` covers what is shared by the batch: the theme's files, the
    options and publisher's version.
    """
    digest = hashlib.sha256(context.encode("utf-8"))
    digest.update(file_digest(path).encode("ascii"))
    for suffix in COMPANION_SUFFIXES:
        companion = path.with_suffix(suffix)
        if companion != path and companion.is_file():
            digest.update(suffix.encode("ascii") + file_digest(companion).encode("ascii"))
    return digest.hexdigest()


def _key(source: Path) -> str:
    """How an input is named in the record: its full path as JSON text (ASCII), so a
    file name that is not valid UTF-8 (``b"\\xff.txt"``) is stored and found again."""
    return json.dumps(str(source.resolve()))


class BuildRecord:
    """The build record of one output folder. Use as a context manager.

    A record that cannot be opened or written (read-only, corrupt, on a full
    disk) is an OutputError naming the way out: ``fresh=True`` (``--force``)
    replaces it with an empty one. A write that fails during a batch does not
    stop the batch: recording stops, and ``problem`` says why.
    """

    def __init__(self, out_dir: Path, *, fresh: bool = False) -> None:
        self.path = out_dir / RECORD_NAME
        self.problem: str | None = None
        if fresh:
            self._discard()
        try:
            self._db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise OutputError(
                f"cannot open the build record {self.path} ({exc}).", _WAY_OUT
            ) from None
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                self._db.execute("DROP TABLE IF EXISTS builds")
            self._db.execute(_SCHEMA)
            # Writing the header now finds a read-only record before any article is built.
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.commit()
        except sqlite3.Error as exc:
            self._db.close()
            raise OutputError(
                f"cannot use the build record {self.path} ({exc}).", _WAY_OUT
            ) from None

    def _discard(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            stale = self.path.with_name(self.path.name + suffix)
            try:
                stale.unlink(missing_ok=True)
            except OSError as exc:
                raise OutputError(
                    f"cannot replace the build record {stale} ({exc.strerror}).",
                    "Build without it with --no-record, or choose another folder with -o.",
                ) from None

    def __enter__(self) -> BuildRecord:
        return self

    def __exit__(self, *_: object) -> None:
        self._db.close()

    def is_current(self, source: Path, key: str) -> bool:
        """Whether ``source`` was built with ``key`` from the same files, and its outputs
        are still as written."""
        try:
            row = self._db.execute(
                "SELECT key, outputs, inputs FROM builds WHERE input = ?", (_key(source),)
            ).fetchone()
        except sqlite3.Error:
            return False  # a damaged page: build it again
        if row is None or row[0] != key:
            return False
        outputs: dict[str, str] = json.loads(row[1])
        inputs: dict[str, str] = json.loads(row[2])
        return all(
            Path(name).is_file() and file_digest(Path(name)) == digest
            for name, digest in (*outputs.items(), *inputs.items())
        )

    def outputs_of(self, source: Path) -> tuple[str, ...]:
        """The outputs recorded for ``source``."""
        row = self._db.execute(
            "SELECT outputs FROM builds WHERE input = ?", (_key(source),)
        ).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def record(
        self, source: Path, key: str, outputs: Iterable[Path], inputs: Iterable[Path] = ()
    ) -> None:
        """Remember that ``source`` built with ``key`` from ``inputs`` gave ``outputs``."""
        digests = {str(p): file_digest(p) for p in outputs}
        read = {str(p.resolve()): file_digest(p) for p in inputs if p.is_file()}
        self._write(
            "INSERT OR REPLACE INTO builds (input, key, outputs, inputs) VALUES (?, ?, ?, ?)",
            (
                _key(source),
                key,
                json.dumps(digests, sort_keys=True),
                json.dumps(read, sort_keys=True),
            ),
        )

    def forget(self, source: Path) -> None:
        """Drop what is recorded for ``source`` (it failed, so it must be built next time)."""
        self._write("DELETE FROM builds WHERE input = ?", (_key(source),))

    def _write(self, statement: str, values: tuple[str, ...]) -> None:
        if self.problem is not None:
            return
        try:
            self._db.execute(statement, values)
            self._db.commit()
        except sqlite3.Error as exc:
            self.problem = f"the build record {self.path} could not be updated ({exc})"


class NoRecord(BuildRecord):
    """``--no-record``: nothing is skipped and nothing is remembered."""

    def __init__(self, out_dir: Path, *, fresh: bool = False) -> None:
        self.path = out_dir / RECORD_NAME
        self.problem = None

    def __exit__(self, *_: object) -> None:
        pass

    def is_current(self, source: Path, key: str) -> bool:
        """Never: every input is built."""
        return False

    def outputs_of(self, source: Path) -> tuple[str, ...]:
        """Nothing is recorded."""
        return ()

    def _write(self, statement: str, values: tuple[str, ...]) -> None:
        pass
