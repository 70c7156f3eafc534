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
_SCHEMA = """
CREATE TABLE IF NOT EXISTS builds (
    input TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    outputs TEXT NOT NULL
)
"""
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


class BuildRecord:
    """The build record of one output folder. Use as a context manager."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / RECORD_NAME
        try:
            self._db = sqlite3.connect(self.path)
            self._db.execute(_SCHEMA)
            self._db.commit()
        except sqlite3.Error as exc:
            raise OutputError(
                f"cannot use the build record {self.path} ({exc}).",
                "Delete it to start afresh, or build with --force.",
            ) from None

    def __enter__(self) -> BuildRecord:
        return self

    def __exit__(self, *_: object) -> None:
        self._db.close()

    def is_current(self, source: Path, key: str) -> bool:
        """Whether ``source`` was built with ``key`` and its outputs are still as written."""
        row = self._db.execute(
            "SELECT key, outputs FROM builds WHERE input = ?", (str(source.resolve()),)
        ).fetchone()
        if row is None or row[0] != key:
            return False
        outputs: dict[str, str] = json.loads(row[1])
        return all(
            Path(name).is_file() and file_digest(Path(name)) == digest
            for name, digest in outputs.items()
        )

    def outputs_of(self, source: Path) -> tuple[str, ...]:
        """The outputs recorded for ``source``."""
        row = self._db.execute(
            "SELECT outputs FROM builds WHERE input = ?", (str(source.resolve()),)
        ).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def record(self, source: Path, key: str, outputs: Iterable[Path]) -> None:
        """Remember that ``source`` built with ``key`` gave ``outputs`` (committed at once)."""
        digests = {str(p): file_digest(p) for p in outputs}
        self._db.execute(
            "INSERT OR REPLACE INTO builds (input, key, outputs) VALUES (?, ?, ?)",
            (str(source.resolve()), key, json.dumps(digests, sort_keys=True)),
        )
        self._db.commit()

    def forget(self, source: Path) -> None:
        """Drop what is recorded for ``source`` (it failed, so it must be built next time)."""
        self._db.execute("DELETE FROM builds WHERE input = ?", (str(source.resolve()),))
        self._db.commit()
