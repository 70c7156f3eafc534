"""Reading a bag's tag files strictly: bagit.txt, the manifests and fetch.txt.

Nothing here opens a file a manifest names: paths are judged as text, so an
unsafe line (``../x``, ``/etc/passwd``, ``~/x``) is reported before anything
could follow it. bagit-python is lenient where these functions are strict
(whitespace in bagit.txt, every duplicate and case collision reported).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from publisher.package.report import Problem

_VERSION_LINE = re.compile(r"BagIt-Version: ([0-9]+)\.([0-9]+)")
_ENCODING_LINE = re.compile(r"Tag-File-Character-Encoding: (\S+)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MANIFEST_NAME = re.compile(r"(tag)?manifest-([a-z0-9]+)\.txt")
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]+)[ \t]+(.+)")
_DRIVE = re.compile(r"[A-Za-z]:")
#: Hex digits of each algorithm's digest, to catch truncated checksums.
DIGEST_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
#: Files an operating system leaves behind; harmless but not meant to be archived.
SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", "._.ds_store"})


@dataclass(frozen=True, slots=True)
class BagitTxt:
    """What bagit.txt declares; ``version`` is None when it cannot be read."""

    version: tuple[int, int] | None
    encoding: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    """One manifest: its safe entries (path -> checksum) and what was wrong with its lines.

    ``twins`` maps a path that differs from another entry only in case or Unicode
    normalization (and has the same checksum) to that other path: on a
    case-insensitive or normalizing file system they are one file.
    """

    name: str
    algorithm: str
    is_tag: bool
    entries: dict[str, str] = field(default_factory=dict)
    twins: dict[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def read_bagit_txt(raw: bytes) -> BagitTxt:
    """Check bagit.txt: exactly ``BagIt-Version: M.N`` then ``Tag-File-Character-Encoding: ENC``.

    >>> read_bagit_txt(b"BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n").problems
    ()
    >>> [p.message for p in read_bagit_txt(b"BagIt-Version : 1.0\\n"
    ...                                    b"Tag-File-Character-Encoding : UTF-8\\n").problems]
    ... # doctest: +ELLIPSIS
    ['line 1 is not "BagIt-Version: M.N"...', 'line 2 is not "Tag-File-Character-Encoding: ENC"...']
    """
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem("bagit.txt", message, "BAG-BAGIT-TXT"))

    if raw.startswith(codecs.BOM_UTF8):
        bad("starts with a byte-order mark, which the BagIt spec forbids")
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad(f"is not UTF-8 ({error})")
        text = raw.decode("utf-8", "replace")
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the last line's line break
    version: tuple[int, int] | None = None
    encoding = "utf-8"
    if len(lines) != 2:
        bad(f"has {len(lines)} lines; it must have exactly 2 (BagIt-Version, then encoding)")
    first = _VERSION_LINE.fullmatch(lines[0]) if lines else None
    if first:
        version = (int(first[1]), int(first[2]))
    else:
        shown = lines[0] if lines else ""
        bad(f'line 1 is not "BagIt-Version: M.N" (one space after ":"): {shown!r}')
    second = _ENCODING_LINE.fullmatch(lines[1]) if len(lines) > 1 else None
    if second:
        if _text_encoding(second[1]):
            encoding = second[1]
        else:  # read the tag files as UTF-8, as RFC 8493 recommends
            bad(f"declares {second[1]!r}, which is not a text encoding tag files can be in")
    else:
        shown = lines[1] if len(lines) > 1 else "(missing)"
        bad(f'line 2 is not "Tag-File-Character-Encoding: ENC" (one space after ":"): {shown!r}')
    return BagitTxt(version, encoding, tuple(problems))


def unsafe_reason(path: str) -> str | None:
    """Why a manifest or fetch.txt path could reach outside the bag, or None if it cannot.

    >>> [unsafe_reason(p) for p in ("data/a.txt", "../x", "/etc/passwd", "~/x", "data/../../x")]
    [None, 'has a .. component', 'is absolute', 'starts with ~', 'has a .. component']
    """
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        return "is absolute"
    if path.startswith("~"):
        return "starts with ~"
    if ".." in re.split(r"[/\\]", path):
        return "has a .. component"
    if "\x00" in path:
        return "contains a NUL character"
    return None


def manifest_names(names: list[str]) -> list[tuple[str, str, bool]]:
    """(file name, algorithm, is tag manifest) for each manifest among ``names``, sorted.

    >>> manifest_names(["bagit.txt", "tagmanifest-md5.txt", "manifest-sha256.txt"])
    [('manifest-sha256.txt', 'sha256', False), ('tagmanifest-md5.txt', 'md5', True)]
    """
    found = []
    for name in sorted(names):
        match = _MANIFEST_NAME.fullmatch(name)
        if match:
            found.append((name, match[2], bool(match[1])))
    return found


def read_manifest(
    raw: bytes, name: str, algorithm: str, is_tag: bool, version: tuple[int, int], encoding: str
) -> Manifest:
    """Parse one manifest; every malformed, unsafe, duplicate or colliding line is a Problem."""
    problems: list[Problem] = []

    def report(message: str, code: str, severity: str = "error") -> None:
        problems.append(
            Problem(name, message, code, "warning" if severity == "warning" else "error")
        )

    text = _decode(raw, encoding, name, problems)
    entries: dict[str, str] = {}
    twins: dict[str, str] = {}
    seen_folded: dict[str, str] = {}
    seen_nfc: dict[str, str] = {}
    want = DIGEST_LENGTHS.get(algorithm)
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        match = _MANIFEST_LINE.fullmatch(line.rstrip(" \t"))
        if not match:
            report(f"line {number} is not 'CHECKSUM PATH': {line!r}", "BAG-MANIFEST-LINE")
            continue
        checksum, path = match[1].lower(), match[2]
        if want is not None and len(checksum) != want:
            report(
                f"line {number}: {algorithm} checksum {checksum!r} has {len(checksum)} "
                f"hex digits, not {want}",
                "BAG-MANIFEST-LINE",
            )
            continue
        if path.startswith("*"):
            report(
                f"line {number}: {path!r} starts with md5sum's '*' binary marker",
                "BAG-BINARY-MARKER",
                "warning",
            )
            path = path[1:]
        if version >= (1, 0):
            path = decode_path(path)
        reason = unsafe_reason(path)
        if reason:
            report(f"line {number}: path {path!r} {reason}; it was not opened", "BAG-UNSAFE-PATH")
            continue
        if path.startswith("./"):
            report(f"line {number}: path {path!r} starts with ./", "BAG-RELATIVE-PATH", "warning")
        path = _tidy(path)
        if not is_tag and not path.startswith("data/"):
            report(
                f"line {number}: payload manifest lists {path!r}, outside data/",
                "BAG-MANIFEST-LINE",
            )
            continue
        if path in entries:
            same = entries[path] == checksum
            # BagIt 1.0 (RFC 8493) forbids listing a file twice; older versions only
            # conflict when the checksums differ. The conformance suite agrees.
            severity = "warning" if same and version < (1, 0) else "error"
            values = "the same checksum" if same else "different checksums"
            report(
                f"line {number}: {path} is listed more than once, with {values}",
                "BAG-DUPLICATE-ENTRY",
                severity,
            )
            continue
        nfc = unicodedata.normalize("NFC", path)
        folded = nfc.casefold()
        if nfc in seen_nfc:
            other = seen_nfc[nfc]
            report(
                f"line {number}: {path!r} and {other!r} differ only in Unicode normalization",
                "BAG-NORMALIZATION-COLLISION",
                "warning" if entries[other] == checksum else "error",
            )
            if entries[other] == checksum:
                twins[path] = other
        elif folded in seen_folded:
            other = seen_folded[folded]
            report(
                f"line {number}: {path} and {other} differ only in letter case",
                "BAG-CASE-COLLISION",
                "warning" if entries[other] == checksum else "error",
            )
            if entries[other] == checksum:
                twins[path] = other
        seen_nfc.setdefault(nfc, path)
        seen_folded.setdefault(folded, path)
        entries[path] = checksum
    return Manifest(name, algorithm, is_tag, entries, twins, tuple(problems))


def decode_path(path: str) -> str:
    """Undo RFC 8493's percent-encoding of CR, LF and % in manifest paths.

    >>> decode_path("data/100%25 sure%0A.txt")
    'data/100% sure\\n.txt'
    """
    return re.sub(
        r"%(0[AaDd]|25)", lambda m: {"0a": "\n", "0d": "\r", "25": "%"}[m[1].lower()], path
    )


def _tidy(path: str) -> str:
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/".join(parts)


#: Codecs Python lists as text encodings that no tag file is written in.
_NOT_FILE_ENCODINGS = frozenset(
    ("punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined")
)


def _text_encoding(label: str) -> bool:
    """Whether ``label`` names a text encoding (not base64, rot13, zlib... which Python
    also registers as codecs but cannot decode bytes to text).

    >>> _text_encoding("UTF-8"), _text_encoding("rot13"), _text_encoding("nope")
    (True, False, False)
    """
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return False
    return bool(getattr(info, "_is_text_encoding", True)) and info.name not in _NOT_FILE_ENCODINGS


def _decode(raw: bytes, encoding: str, name: str, problems: list[Problem]) -> str:
    if codecs.lookup(encoding).name == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        problems.append(
            Problem(name, "starts with a UTF-8 byte-order mark", "BAG-TAG-FILE", "warning")
        )
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode(encoding)
    except UnicodeError as error:
        problems.append(Problem(name, f"is not valid {encoding}: {error}", "BAG-TAG-FILE"))
        try:
            return raw.decode(encoding, "replace")
        except UnicodeError:  # a codec that cannot replace (utf-7 and the like)
            return raw.decode("utf-8", "replace")


def read_fetch_txt(raw: bytes, encoding: str) -> tuple[tuple[str, ...], tuple[Problem, ...]]:
    """The safe local paths fetch.txt lists, and what is wrong with its lines."""
    problems: list[Problem] = []
    paths: list[str] = []
    text = _decode(raw, encoding, "fetch.txt", problems)
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        parts = line.strip().split(None, 2)
        if len(parts) != 3:
            problems.append(
                Problem(
                    "fetch.txt", f"line {number} is not 'URL LENGTH PATH': {line!r}", "BAG-FETCH"
                )
            )
            continue
        url, length, path = parts
        parsed = urlparse(url)
        if not (parsed.scheme and (parsed.netloc or parsed.scheme == "file")):
            problems.append(
                Problem("fetch.txt", f"line {number}: malformed URL {url!r}", "BAG-FETCH")
            )
        if length != "-" and not length.isdigit():
            problems.append(
                Problem(
                    "fetch.txt",
                    f"line {number}: length {length!r} is not a number or -",
                    "BAG-FETCH",
                )
            )
        reason = unsafe_reason(path)
        if reason:
            problems.append(
                Problem("fetch.txt", f"line {number}: path {path!r} {reason}", "BAG-UNSAFE-PATH")
            )
        elif not _tidy(path).startswith("data/"):
            problems.append(
                Problem("fetch.txt", f"line {number}: path {path!r} is outside data/", "BAG-FETCH")
            )
        else:
            paths.append(_tidy(path))
    return tuple(paths), tuple(problems)


def is_system_file(path: str) -> bool:
    """True for files an operating system leaves behind (``.DS_Store``, ``Thumbs.db``...).

    >>> is_system_file("data/sub/.DS_Store"), is_system_file("data/thumbs.txt")
    (True, False)
    """
    name = Path(path).name.lower()
    return name in SYSTEM_FILES or name.startswith("._")
