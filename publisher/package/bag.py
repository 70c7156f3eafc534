"""Write a BagIt 1.0 bag (RFC 8493) and its zip, byte for byte reproducibly.

Why not ``bagit.make_bag``: bagit-python 1.9 writes ``BagIt-Version: 0.97``,
lists manifests in directory order (which differs between file systems, so two
archives of the same input differ) and moves files around with ``os.chdir``,
which is process-wide. The format is small and fully specified, so the tag
files are written here, sorted and with fixed dates; bagit-python is still the
validator, in ``verify`` and in the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from publisher.errors import OutputError

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
#: The order bag-info.txt lists its fields in; others follow sorted.
BAG_INFO_ORDER = (
    "Source-Organization",
    "External-Identifier",
    "External-Description",
    "Bagging-Date",
    "Payload-Oxum",
    "Bag-Software-Agent",
)
#: Zip files cannot hold dates before 1980.
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def encode_path(path: str) -> str:
    """A payload path as a manifest writes it (RFC 8493 §2.1.3: %, CR and LF encoded).

    >>> encode_path("data/100%\\nsure.txt")
    'data/100%25%0Asure.txt'
    """
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def tag_line(value: str) -> str:
    """A bag-info value on one line: tag files cannot hold line breaks in values.

    >>> tag_line("Two\\nlines  here")
    'Two lines here'
    """
    return " ".join(value.split())


def bag_files(payload: Mapping[str, bytes], bag_info: Mapping[str, str]) -> dict[str, bytes]:
    """Every file of the bag, keyed by its path inside the bag.

    ``payload`` maps paths under ``data/`` (e.g. ``"data/article.json"``) to
    bytes. ``Payload-Oxum`` is computed here; the rest of ``bag_info`` is given.
    """
    for name in payload:
        pure = PurePosixPath(name)
        if pure.parts[0] != "data" or ".." in pure.parts or pure.is_absolute():
            raise ValueError(f"payload path outside data/: {name}")
    files: dict[str, bytes] = {"bagit.txt": BAGIT_TXT}
    names = sorted(payload)
    total = sum(len(payload[n]) for n in names)
    info = {**bag_info, "Payload-Oxum": f"{total}.{len(names)}"}
    ordered = [k for k in BAG_INFO_ORDER if k in info] + sorted(
        k for k in info if k not in BAG_INFO_ORDER
    )
    files["bag-info.txt"] = "".join(f"{k}: {tag_line(info[k])}\n" for k in ordered).encode("utf-8")
    for algorithm in ALGORITHMS:
        lines = (f"{_digest(algorithm, payload[n])}  {encode_path(n)}\n" for n in names)
        files[f"manifest-{algorithm}.txt"] = "".join(lines).encode("utf-8")
    tag_names = sorted(files)
    for algorithm in ALGORITHMS:
        lines = (f"{_digest(algorithm, files[n])}  {n}\n" for n in tag_names)
        files[f"tagmanifest-{algorithm}.txt"] = "".join(lines).encode("utf-8")
    files.update(payload)
    return files


def write_bag(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write the bag's files into an empty ``folder`` (payload first, tag files last)."""
    ordered = sorted(
        files, key=lambda n: (not n.startswith("data/"), n.startswith("tagmanifest"), n)
    )
    try:
        for name in ordered:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(
            f"cannot write the bag in {folder} ({exc.strerror}).",
            "Check the folder and free space.",
        ) from None


def zip_bag(top: str, files: Mapping[str, bytes], when: dt.datetime) -> bytes:
    """The bag as a zip with one top folder, sorted entries and fixed dates and modes."""
    moment = max(when.astimezone(dt.UTC), _ZIP_EPOCH)
    stamp = moment.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, so the mode above is read everywhere
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def _digest(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()
