"""Writing outputs safely: a temporary file beside the target, then a rename.

A failure at any point leaves the earlier good output (if any) untouched and
no partial file behind. ``write_together`` extends that to the outputs of one
build (an article's or a collection's EPUB and PDF): all of them are replaced, or none is.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from publisher.errors import OutputError


def prepare_out_dir(out_dir: Path) -> Path:
    """Create the output folder if needed and check it can be written to."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(
            f"{out_dir} is a file, not a folder.", "Give a folder with -o, e.g. -o out."
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder {out_dir} ({exc.strerror}).",
            "Choose another folder with -o.",
        ) from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OutputError(
            f"the output folder {out_dir} is not writable.", "Choose another folder with -o."
        )
    return out_dir


def write_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` through a temporary file and an atomic rename."""
    temporary = _write_temporary(target, data)
    try:
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise OutputError(
            f"cannot write {target} ({exc.strerror}).", "Check the output folder and free space."
        ) from None
    return target


def write_together(files: Mapping[Path, bytes]) -> tuple[Path, ...]:
    """Write every file, or leave every target as it was.

    All temporaries are written and synced first; then each target's old
    version is kept aside (a hard link), the new one renamed into place, and on
    any failure the new ones are removed and the old ones put back. A target
    that exists but is not a regular file (a folder named ``story.pdf``) is
    refused before anything is written.
    """
    for target in files:
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutputError(
                f"cannot write {target}: it is a folder or special file, not an output.",
                "Move it out of the output folder, or choose another folder with -o.",
            )
    written: list[tuple[Path, Path]] = []  # (temporary, target)
    try:
        for target, data in files.items():
            written.append((_write_temporary(target, data), target))
    except OutputError:
        for temporary, _ in written:
            _remove(temporary)
        raise
    kept: list[tuple[Path, Path | None]] = []  # (target, its old version or None)
    try:
        for temporary, target in written:
            old = _keep_aside(target)
            kept.append((target, old))
            os.replace(temporary, target)
    except OSError as exc:
        for temporary, _ in written:
            _remove(temporary)
        for target, old in kept:
            if old is None:
                _remove(target)
            else:
                with contextlib.suppress(OSError):
                    os.replace(old, target)
        raise OutputError(
            f"cannot write {target} ({exc.strerror}); no output written with it was replaced.",
            "Check the output folder and free space.",
        ) from None
    for _, old in kept:
        if old is not None:
            _remove(old)
    return tuple(files)


def _write_temporary(target: Path, data: bytes) -> Path:
    _clear_debris(target.parent)
    fd, tmp_name = -1, ""
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent
        )
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
    except OSError as exc:
        if fd != -1:
            os.close(fd)
        if tmp_name:
            _remove(Path(tmp_name))
        raise OutputError(
            f"cannot write {target} ({exc.strerror}).", "Check the output folder and free space."
        ) from None
    return Path(tmp_name)


def _keep_aside(target: Path) -> Path | None:
    """A hard link to ``target``'s current version (None when it has none)."""
    if not target.is_file():
        return None
    aside = target.with_name(f".{target.name}.{os.getpid()}.old")
    _remove(aside)
    try:
        os.link(target, aside)
    except OSError:  # a file system without hard links (FAT, some network shares)
        shutil.copy2(target, aside)
    return aside


#: Folders this process has cleared of debris (once each: a batch writes thousands of files).
_CLEARED: set[str] = set()
#: A temporary file's name: ``.story.epub.<pid>.<mkstemp's 8 characters>.part``, or the
#: old version kept aside, ``.story.epub.<pid>.old``.
_DEBRIS = re.compile(r"\..+\.(\d+)\.(?:[a-z0-9_]{8}\.part|old)")


def _clear_debris(folder: Path) -> None:
    """Remove what killed writers left in ``folder``: their ``.part`` and ``.old`` files.

    Each name carries its writer's process id; files of a process still running
    (another build writing the same folder) are left alone. Done once per folder
    and process, before its first write.
    """
    key = os.path.abspath(folder)
    if key in _CLEARED:
        return
    _CLEARED.add(key)
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            found = _DEBRIS.fullmatch(entry.name)
            if found and not _running(int(found[1])):
                _remove(Path(entry.path))


def _running(pid: int) -> bool:
    """Whether process ``pid`` is alive; a zombie (killed, not yet reaped) is not."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    try:  # Linux: a killed worker whose parent died stays a zombie until init reaps it
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
