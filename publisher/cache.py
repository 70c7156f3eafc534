"""A cache on disk for work that depends only on its inputs (compiled templates, covers).

It lives in ``$XDG_CACHE_HOME/publisher`` (``~/.cache/publisher`` without it),
one folder per kind. An entry's name is a hash of everything its bytes depend
on, so a changed input is a different entry and a stale one is never read.
The cache only saves time: an entry is checked against its own hash when read,
written atomically, and any failure (read-only or full disk, no home folder, a
damaged entry) means the work is done again, never that a build fails. Old
entries are pruned when a kind holds more than ``MAX_ENTRIES``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

__all__ = ["MAX_ENTRIES", "cache_folder", "digest", "load", "store"]

#: Entries kept per kind; the least recently used go first (a cover is ~300 KB).
MAX_ENTRIES = 256

_CHECK = hashlib.sha256().digest_size


def cache_folder(kind: str) -> Path | None:
    """``$XDG_CACHE_HOME/publisher/KIND``, created if need be; None when it cannot be.

    The XDG rule is two lines, so no library is pulled in for it.
    """
    base = os.environ.get("XDG_CACHE_HOME") or ""
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        folder = root / "publisher" / kind
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    return folder


def digest(*parts: bytes | str) -> str:
    """A hex SHA-256 of ``parts``, each length-prefixed so that no two lists collide.

    >>> digest("ab", "c") == digest("a", "bc")
    False
    """
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def load(kind: str, key: str) -> bytes | None:
    """The bytes stored under ``key``, or None (absent, unreadable or damaged)."""
    folder = cache_folder(kind)
    if folder is None:
        return None
    path = folder / key
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    check, data = stored[:_CHECK], stored[_CHECK:]
    if len(stored) < _CHECK or hashlib.sha256(data).digest() != check:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: pruned last
    return data


def store(kind: str, key: str, data: bytes) -> None:
    """Keep ``data`` under ``key``, atomically; silently does nothing when it cannot."""
    folder = cache_folder(kind)
    if folder is None:
        return
    import tempfile  # only when writing: its imports cost a cold start a few ms

    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(hashlib.sha256(data).digest() + data)
        os.replace(temporary, folder / key)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Delete the least recently used entries beyond ``MAX_ENTRIES``."""
    try:
        entries = [entry for entry in os.scandir(folder) if not entry.name.startswith(".")]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in entries[: len(entries) - MAX_ENTRIES]:
            os.unlink(entry.path)
    except OSError:
        return
