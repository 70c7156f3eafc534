"""Extracting a zipped bag safely: one top folder, plain files and folders only, nothing outside.

Every entry is judged before anything is written, so a zip with one bad entry
extracts nothing; the error names each bad entry.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from publisher.package.bagfiles import unsafe_reason
from publisher.package.errors import UnsafeArchiveError, VerifyError

#: A bag of one article is a few megabytes; refuse to inflate more than this.
MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_ENTRIES = 100_000
_UNIX = 3  # ZipInfo.create_system for entries made on Unix, whose mode is in external_attr


def extract_bag(zip_path: Path, into: Path) -> Path:
    """Extract ``zip_path`` into the empty folder ``into``; return the bag's top folder.

    Raises ``VerifyError`` for an unreadable or corrupt zip or one whose entries do not
    sit in exactly one top-level folder, ``UnsafeArchiveError`` for entries with ``..``,
    absolute paths, symlinks or device files.
    """
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise VerifyError(
            f"{zip_path} is not a readable zip file ({error}).",
            "Check that the download or copy finished; re-create the zip if needed.",
        ) from error
    with archive:
        infos = archive.infolist()
        top = _judge(zip_path, infos)
        try:
            for info in infos:
                _extract_one(archive, info, into)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise VerifyError(
                f"{zip_path} is corrupt: entry {info.filename!r} cannot be extracted ({error}).",
                "Re-create the zip from the original bag folder.",
            ) from error
        except RuntimeError as error:  # zipfile's "File is encrypted, password required"
            raise VerifyError(
                f"{zip_path}: entry {info.filename!r} cannot be extracted ({error}).",
                "Bags must be zipped without a password.",
            ) from error
    return into / top


def _judge(zip_path: Path, infos: list[zipfile.ZipInfo]) -> str:
    if len(infos) > MAX_ENTRIES:
        raise VerifyError(f"{zip_path} has {len(infos)} entries; at most {MAX_ENTRIES} allowed.")
    bad: list[str] = []
    tops: set[str] = set()
    names: set[str] = set()
    files_at_top: list[str] = []
    total = 0
    for info in infos:
        name = info.filename
        reason = unsafe_reason(name) or _kind_reason(info)
        if reason is None and name.rstrip("/") in names:
            reason = "appears twice"
        if reason is not None:
            bad.append(f"{name!r} {reason}")
            continue
        names.add(name.rstrip("/"))
        parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p != "."]
        if not parts:
            continue
        tops.add(parts[0])
        if len(parts) == 1 and not info.is_dir():
            files_at_top.append(name)
        total += info.file_size
    if bad:
        raise UnsafeArchiveError(
            f"{zip_path} has unsafe entries, so nothing was extracted: {'; '.join(bad)}.",
            "A bag's zip may hold only plain files and folders inside one top folder.",
        )
    if len(tops) != 1 or files_at_top:
        shown = ", ".join(sorted(tops)[:5]) or "nothing"
        raise VerifyError(
            f"{zip_path} must hold exactly one top-level folder (the bag); it holds: {shown}.",
            "Zip the bag's folder itself, not its contents.",
        )
    if total > MAX_UNZIPPED_BYTES:
        raise VerifyError(
            f"{zip_path} would unpack to {total} bytes, more than the {MAX_UNZIPPED_BYTES} allowed."
        )
    return tops.pop()


def _kind_reason(info: zipfile.ZipInfo) -> str | None:
    if "\\" in info.filename:
        return "uses backslashes, which unpack differently on Windows"
    mode = info.external_attr >> 16
    if info.create_system != _UNIX or stat.S_IFMT(mode) == 0:
        return None  # no file type recorded (Windows tools, zipfile.writestr): a plain entry
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device file"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "is a pipe or socket"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is not a plain file or folder"
    return None


def _extract_one(archive: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path) -> None:
    target = into.joinpath(*[p for p in info.filename.split("/") if p not in ("", ".")])
    # Judged safe above; checked again on the resolved path as a second line of defence.
    if not target.resolve().is_relative_to(into.resolve()):
        raise UnsafeArchiveError(f"Zip entry {info.filename!r} would be written outside the bag.")
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, target.open("xb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)
