"""Writing outputs safely: a temporary file beside the target, then a rename.

A failure at any point leaves the earlier good output (if any) untouched and
no partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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
    fd, tmp_name = -1, ""
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except OSError as exc:
        if fd != -1:
            os.close(fd)
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        raise OutputError(
            f"cannot write {target} ({exc.strerror}).", "Check the output folder and free space."
        ) from None
    return target
