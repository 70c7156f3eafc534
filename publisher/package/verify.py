"""Verify an archival bag (a folder or a zip of one) and list every problem at once.

The order of work, and why:

1. the bag is walked without following links; symlinks, devices and pipes are
   problems and are never opened;
2. bagit.txt, the manifests and fetch.txt are read strictly as text
   (``bagfiles``), so an unsafe manifest line is reported before anything
   could follow it;
3. completeness and fixity of every manifest (payload and tag, every
   algorithm) are checked here, over the files found in step 1 only;
4. bagit-python validates the bag in full (``fast=False``) as a second opinion;
   its findings are translated into Problems, less the ones already reported.
   Step 3 exists because bagit-python stops at the first failing stage (a bad
   Payload-Oxum hides every checksum) and refuses to load a bag with one
   unsafe or conflicting manifest line;
5. each payload file is checked by format (``checks``), whatever step 3 found:
   EPUBCheck for the EPUB, veraPDF for the PDF's PDF/A claim, pikepdf for the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit

from publisher.package.bagfiles import (
    Manifest,
    is_system_file,
    manifest_names,
    read_bagit_txt,
    read_fetch_txt,
    read_manifest,
)
from publisher.package.checks import (
    PdfExpectations,
    check_article_json,
    check_epub,
    check_pdf,
)
from publisher.package.epub_checks import check_epub_content
from publisher.package.errors import NotABagError, VerifyError
from publisher.package.pdf_text import (
    credit_problems,
    find_pdf,
    hyphen_problems,
    page_texts,
    pair_problems,
    text_tool,
)
from publisher.package.report import Problem, Report
from publisher.package.unzip import extract_bag

_OXUM = re.compile(r"^Payload-Oxum[ \t]*:[ \t]*(\S*)[ \t]*$", re.MULTILINE)
_BLOCK = 1024 * 1024


def verify_bag(path: Path) -> Report:
    """Verify the bag at ``path`` (a folder, or a ``.zip`` holding one folder that is the bag).

    Returns a ``Report`` with every problem found; raises ``VerifyError`` when
    ``path`` cannot be verified at all (missing, not a bag, a corrupt or unsafe
    zip) and ``CheckerUnavailableError`` when a needed validator (Java) is missing.
    Nothing inside the bag is written.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise VerifyError(
            f"{path} does not exist.", "Give the path of a bag folder or a .zip."
        ) from None
    except OSError as error:
        raise VerifyError(f"{path} cannot be read ({error.strerror}).") from None
    if stat.S_ISDIR(mode):
        return _verify_folder(path, str(path))
    if not stat.S_ISREG(mode):
        # Opening a pipe blocks until a writer comes; /dev/zero never ends. Neither is opened.
        raise VerifyError(
            f"{path} is a {_kind(mode)}, not a bag folder or a .zip.",
            "Give the path of a bag folder or a .zip.",
        )
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="publisher-verify-") as scratch:
            return _verify_folder(extract_bag(path, Path(scratch)), str(path))
    raise VerifyError(
        f"{path} is neither a bag folder nor a .zip of one.",
        "Give the path of a bag folder or a .zip.",
    )


@dataclass(frozen=True, slots=True)
class _Scan:
    """What is in the bag folder: regular files (posix paths) and anything else."""

    files: frozenset[str]
    others: tuple[tuple[str, str], ...]  # (path, kind) for symlinks, devices, pipes

    def payload(self) -> list[str]:
        return sorted(f for f in self.files if f.startswith("data/"))


def _verify_folder(root: Path, target: str) -> Report:
    if not (root / "bagit.txt").exists() and not (root / "bagit.txt").is_symlink():
        raise NotABagError(
            f"{target} is not a bag: it has no bagit.txt.",
            "Give the bag's top folder (the one holding bagit.txt and data/).",
        )
    scan = _scan(root)
    problems: list[Problem] = []
    checks: list[str] = []

    problems += [
        Problem(path, f"is a {kind}; bags may hold only plain files and folders", "BAG-NOT-A-FILE")
        for path, kind in scan.others
    ]
    version, encoding = (1, 0), "utf-8"
    if "bagit.txt" in scan.files:
        declared = read_bagit_txt(_read_tag(root, "bagit.txt", problems))
        problems += declared.problems
        version, encoding = declared.version or version, declared.encoding
    checks.append("bagit.txt")

    manifests = _read_manifests(root, scan, version, encoding, problems)
    checks.append("manifests")
    fetched: tuple[str, ...] = ()
    if "fetch.txt" in scan.files:
        raw = _read_tag(root, "fetch.txt", problems)
        fetched, fetch_problems = read_fetch_txt(raw, encoding)
        problems += fetch_problems
        checks.append("fetch.txt")
    problems += _system_files(scan, manifests)

    problems += _completeness_and_fixity(root, scan, manifests, fetched)
    problems += _oxum(root, scan, version, encoding)
    checks += ["completeness", "fixity"]

    oversized = any(p.message.endswith("it was not read") for p in problems)
    if not scan.others and not oversized:
        # With a link, device or pipe in the bag bagit-python could read outside it or
        # block (and a giant tag file would be read whole); the problems above fail the bag.
        problems += _merge(problems, _bagit_python(root), manifests, scan)
        checks.append("bagit-python")

    format_problems, format_checks = _check_formats(root, scan)
    return Report(target, (*problems, *format_problems), (*checks, *format_checks))


#: Tag files (bagit.txt, manifests, bag-info.txt) above this size are not read:
#: a manifest line is about 100 bytes, so this is over half a million files.
MAX_TAG_BYTES = 64 * 1024 * 1024


def _read_tag(root: Path, name: str, problems: list[Problem]) -> bytes:
    """A tag file's bytes, or nothing (and a problem) when it is too big to be one."""
    path = root / name
    if path.stat().st_size > MAX_TAG_BYTES:
        message = f"is {path.stat().st_size} bytes, more than any tag file needs; it was not read"
        problems.append(Problem(name, message, "BAG-TAG-FILE"))
        return b""
    return path.read_bytes()


def _scan(root: Path) -> _Scan:
    files: set[str] = set()
    others: list[tuple[str, str]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in sorted([*dirs, *names]):
            full = base / name
            rel = full.relative_to(root).as_posix()
            mode = full.lstat().st_mode
            if stat.S_ISREG(mode):
                files.add(rel)
            elif not stat.S_ISDIR(mode):
                others.append((rel, _kind(mode)))
    return _Scan(frozenset(files), tuple(sorted(others)))


def _kind(mode: int) -> str:
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    if stat.S_ISFIFO(mode):
        return "pipe"
    return "special file"


def _read_manifests(
    root: Path, scan: _Scan, version: tuple[int, int], encoding: str, problems: list[Problem]
) -> list[Manifest]:
    top_level = [f for f in scan.files if "/" not in f]
    manifests = []
    for name, algorithm, is_tag in manifest_names(top_level):
        try:
            hashlib.new(algorithm)
        except ValueError:
            problems.append(
                Problem(name, f"uses an unknown checksum algorithm {algorithm!r}", "BAG-TAG-FILE")
            )
            continue
        raw = _read_tag(root, name, problems)
        manifest = read_manifest(raw, name, algorithm, is_tag, version, encoding)
        problems += manifest.problems
        manifests.append(manifest)
    if not (root / "data").is_dir() or (root / "data").is_symlink():
        problems.append(Problem("data", "the payload folder data/ is missing", "BAG-STRUCTURE"))
    if not any(not m.is_tag for m in manifests):
        problems.append(
            Problem("manifest-*.txt", "the bag has no payload manifest", "BAG-STRUCTURE")
        )
    return manifests


def _system_files(scan: _Scan, manifests: list[Manifest]) -> list[Problem]:
    listed = {p for m in manifests if not m.is_tag for p in m.entries}
    return [
        Problem(path, "is an operating-system file, not content", "BAG-SYSTEM-FILE", "warning")
        for path in sorted(listed | set(scan.payload()))
        if is_system_file(path)
    ]


def _nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


def _form(name: str) -> str:
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, name):
            return form
    return "mixed"


def _completeness_and_fixity(
    root: Path, scan: _Scan, manifests: list[Manifest], fetched: tuple[str, ...]
) -> list[Problem]:
    by_nfc = {_nfc(f): f for f in scan.files}
    others = {path for path, _ in scan.others}

    def on_disk(path: str) -> str | None:
        return path if path in scan.files else by_nfc.get(_nfc(path))

    problems: list[Problem] = []
    unexpected: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    expected: dict[str, dict[str, list[tuple[str, str]]]] = {}  # file -> alg -> (sum, manifest)
    renamed: dict[str, str] = {}  # on disk -> the manifest's name, differing in normalization
    for manifest in manifests:
        if not manifest.is_tag:
            listed: dict[str, list[str]] = {}
            for entry in manifest.entries:
                listed.setdefault(_nfc(entry), []).append(entry)
            for path in scan.payload():
                if path in manifest.entries:
                    continue
                entries = listed.get(_nfc(path), [])
                if not entries or any(entry in scan.files for entry in entries):
                    # Unlisted, or the unlisted twin of a listed file that is there too.
                    unexpected.setdefault(path, []).append(manifest.name)
                else:
                    renamed[path] = entries[0]
        twin_of = {**manifest.twins, **{b: a for a, b in manifest.twins.items()}}
        for path, checksum in manifest.entries.items():
            found = on_disk(path)
            if found is None:
                twin = twin_of.get(path)
                if path in others or (twin is not None and on_disk(twin) is not None):
                    continue  # reported as not a file, or as a case/normalization collision
                missing.setdefault(path, []).append(manifest.name)
                continue
            expected.setdefault(found, {}).setdefault(manifest.algorithm, []).append(
                (checksum, manifest.name)
            )
    for path, names in sorted(missing.items()):
        note = " (fetch.txt lists it, but it has not been fetched)" if path in fetched else ""
        problems.append(
            Problem(
                path, f"is listed in {_join(names)} but is not in the bag{note}", "BAG-MISSING-FILE"
            )
        )
    for path, names in sorted(unexpected.items()):
        twin = next((f for f in scan.files if f != path and _nfc(f) == _nfc(path)), None)
        note = f" (it differs from {twin!r} only in Unicode normalization)" if twin else ""
        problems.append(
            Problem(
                path,
                f"is in the bag but not listed in {_join(names)}{note}",
                "BAG-UNEXPECTED-FILE",
            )
        )
    for path, entry in sorted(renamed.items()):
        problems.append(
            Problem(
                path,
                f"is listed as {entry!r}, which differs only in Unicode normalization "
                f"({_form(entry)} in the manifest, {_form(path)} on disk); a copy to another "
                "file system may not find it",
                "BAG-NORMALIZATION-MISMATCH",
                "warning",
            )
        )
    for path, wanted in sorted(expected.items()):
        problems += _fixity(root, path, wanted)
    return problems


def _fixity(root: Path, path: str, wanted: dict[str, list[tuple[str, str]]]) -> list[Problem]:
    hashers = {algorithm: hashlib.new(algorithm) for algorithm in wanted}
    try:
        with (root / path).open("rb") as stream:
            while block := stream.read(_BLOCK):
                for hasher in hashers.values():
                    hasher.update(block)
    except OSError as error:
        return [Problem(path, f"cannot be read: {error}", "BAG-MISSING-FILE")]
    problems = []
    for algorithm, pairs in sorted(wanted.items()):
        found = hashers[algorithm].hexdigest()
        for checksum, manifest in pairs:
            if checksum != found:
                problems.append(
                    Problem(
                        path,
                        f"{algorithm} checksum is {found}, but {manifest} says {checksum}",
                        "BAG-CHECKSUM",
                    )
                )
    return problems


def _oxum(root: Path, scan: _Scan, version: tuple[int, int], encoding: str) -> list[Problem]:
    name = "package-info.txt" if version < (0, 96) else "bag-info.txt"
    if name not in scan.files:
        return []
    text = _read_tag(root, name, []).decode(encoding, "replace")
    match = _OXUM.search(text.replace("\r\n", "\n").replace("\r", "\n"))
    if match is None:
        return []
    octets, _, count = match[1].partition(".")
    if not (octets.isdigit() and count.isdigit()):
        return [Problem(name, f"Payload-Oxum {match[1]!r} is not BYTES.FILES", "BAG-OXUM")]
    payload = scan.payload()
    size = sum((root / p).lstat().st_size for p in payload)
    if (int(octets), int(count)) != (size, len(payload)):
        return [
            Problem(
                name,
                f"Payload-Oxum says {octets} bytes in {count} files; the payload has "
                f"{size} bytes in {len(payload)} files",
                "BAG-OXUM",
            )
        ]
    return []


# --- bagit-python, as a second opinion -----------------------------------------

#: bagit-python's messages without details, by the code of our own check that covers them.
_BAGIT_MESSAGES = (
    ("is unsafe", "BAG-UNSAFE-PATH"),
    ("multiple times", "BAG-DUPLICATE-ENTRY"),
    ("Payload-Oxum", "BAG-OXUM"),
    ("bagit.txt", "BAG-BAGIT-TXT"),
    ("version", "BAG-BAGIT-TXT"),
    ("encoding", "BAG-BAGIT-TXT"),
    ("data directory", "BAG-STRUCTURE"),
    ("No manifest files", "BAG-STRUCTURE"),
    ("fetch.txt", "BAG-FETCH"),
    ("invalid tag", "BAG-TAG-FILE"),
)


def _bagit_python(root: Path) -> list[Problem]:
    """bagit-python's full validation (every manifest, every algorithm), as Problems."""
    logger = logging.getLogger("bagit")
    quiet, logger.disabled = logger.disabled, True  # its findings are returned, not logged
    try:
        bagit.Bag(str(root)).validate(processes=1, fast=False, completeness_only=False)
    except bagit.BagValidationError as error:
        if error.details:
            return [_detail(d) for d in error.details]
        return [_bag_level(str(error))]
    except bagit.BagError as error:
        return [_bag_level(str(error))]
    except Exception as error:  # bagit-python crashes on some malformed tag files
        return [Problem("", f"bagit-python could not read the bag: {error!r}", "BAG-INVALID")]
    finally:
        logger.disabled = quiet
    return []


def _detail(detail: object) -> Problem:
    path = str(getattr(detail, "path", "")).replace(os.sep, "/")
    if isinstance(detail, bagit.ChecksumMismatch):
        return Problem(path, f"bagit-python: {detail}", "BAG-CHECKSUM")
    if isinstance(detail, bagit.FileMissing):
        return Problem(path, f"bagit-python: {detail}", "BAG-MISSING-FILE")
    if isinstance(detail, bagit.UnexpectedFile):
        return Problem(path, f"bagit-python: {detail}", "BAG-UNEXPECTED-FILE")
    return Problem(path, f"bagit-python: {detail}", "BAG-INVALID")


def _bag_level(message: str) -> Problem:
    for needle, code in _BAGIT_MESSAGES:
        if needle.lower() in message.lower():
            return Problem("", f"bagit-python: {message}", code)
    return Problem("", f"bagit-python: {message}", "BAG-INVALID")


def _merge(
    mine: list[Problem], theirs: list[Problem], manifests: list[Manifest], scan: _Scan
) -> list[Problem]:
    """bagit-python's problems that our own checks did not already report."""
    same_file = {(p.code, _nfc(p.file)) for p in mine}
    codes = {p.code for p in mine}
    listed = {_nfc(p) for m in manifests for p in m.entries}
    # Paths differing only in case or normalization: bagit-python calls one of each pair
    # missing or unreadable; our checks judged them (a warning, as the conformance suite
    # expects, when the checksums agree and one of them is on disk).
    collisions = {_nfc(p) for m in manifests for pair in m.twins.items() for p in pair}
    # Two files on disk whose names differ only in normalization: bagit-python hashes
    # either one under the listed name; our checks judged each of them by its exact name.
    spellings: dict[str, int] = {}
    for path in scan.files:
        spellings[_nfc(path)] = spellings.get(_nfc(path), 0) + 1
    collisions |= {path for path, count in spellings.items() if count > 1}
    rejected_lines = bool(codes & {"BAG-UNSAFE-PATH", "BAG-MANIFEST-LINE"})
    kept = []
    for problem in theirs:
        path = _nfc(problem.file)
        if problem.file == "" and problem.code in codes:
            continue
        if (problem.code, path) in same_file or path in collisions:
            continue
        if problem.file and rejected_lines and path not in listed:
            continue  # a manifest line we rejected (and never opened) as unsafe or malformed
        kept.append(problem)
    return kept


# --- format checks ---------------------------------------------------------------


def _check_formats(root: Path, scan: _Scan) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    checks: list[str] = []
    sources = _sources(root, scan)
    for path in scan.payload():
        suffix = Path(path).suffix.lower()
        if suffix == ".epub":
            problems += check_epub(root / path, name=path)
            problems += check_epub_content(root / path, name=path)
            checks += [f"epubcheck {path}", f"epub-content {path}"]
        elif suffix == ".pdf":
            # Every PDF in an archival bag must be PDF/A, and carry the bag's sources.
            expect = PdfExpectations(variant="pdf/a", require_source_attachments=sources)
            problems += check_pdf(root / path, expect, name=path)  # and veraPDF on its claims
            checks += [f"pdf {path}", f"verapdf {path}"]
        elif path == "data/article.json":
            problems += check_article_json(root / path, name=path)
            checks.append(f"schema {path}")
    renditions, renditions_checked = _check_renditions(root, scan)
    return [*problems, *renditions], [*checks, *renditions_checked]


def _check_renditions(root: Path, scan: _Scan) -> tuple[list[Problem], list[str]]:
    """The renditions against each other and against ``data/article.json`` (``pdf_text``):
    an EPUB's page list against its PDF, every hyphenated word and the photo credit
    as written in the PDF's text, the credit in the EPUB."""
    payload = scan.payload()
    epubs = [p for p in payload if p.lower().endswith(".epub")]
    pdfs = [p for p in payload if p.lower().endswith(".pdf")]
    problems: list[Problem] = []
    checks: list[str] = []
    for epub in epubs:
        pdf = find_pdf(root / epub, [root / p for p in pdfs])
        if pdf is not None:
            pdf_name = pdf.relative_to(root).as_posix()
            problems += pair_problems(root / epub, pdf, epub_name=epub, pdf_name=pdf_name)
            checks.append(f"page list {epub} against {pdf_name}")
    article = _article(root, scan)
    if article is None or not _made_by_publisher(root, scan):
        return problems, checks
    # What `publisher archive` writes: data/<stem>.epub and .pdf rendered from article.json.
    stem = Path(str(article.get("source") or "")).stem
    pdfs = [p for p in pdfs if p == f"data/{stem}.pdf"]
    epubs = [p for p in epubs if p == f"data/{stem}.epub"]
    for pdf_name in pdfs:
        try:
            text = "\f".join(page_texts(root / pdf_name))
        except (OSError, ValueError, subprocess.TimeoutExpired):
            continue  # an unreadable PDF is reported by its format check
        problems += [
            Problem(pdf_name, m, "PDF-HYPHEN-SOURCE") for m in hyphen_problems(text, article)
        ]
        problems += [
            Problem(pdf_name, m, "CREDIT-LOST") for _, m in credit_problems(article, None, text)
        ]
        checks.append(f"{text_tool()} {pdf_name} against data/article.json")
    for epub in epubs:
        problems += [
            Problem(epub, m, "CREDIT-LOST") for _, m in credit_problems(article, root / epub, None)
        ]
        checks.append(f"credit {epub} against data/article.json")
    return problems, checks


def _made_by_publisher(root: Path, scan: _Scan) -> bool:
    """Whether bag-info.txt names publisher as the bag's software agent: only then are
    the renditions known to be made from data/article.json."""
    if "bag-info.txt" not in scan.files:
        return False
    text = _read_tag(root, "bag-info.txt", []).decode("utf-8", "replace")
    return re.search(r"^Bag-Software-Agent:[ \t]*publisher\b", text, re.MULTILINE) is not None


def _article(root: Path, scan: _Scan) -> dict[str, Any] | None:
    """data/article.json as a dict, when it is one (its schema check reports the rest)."""
    if "data/article.json" not in scan.files:
        return None
    try:
        data = json.loads((root / "data/article.json").read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _sources(root: Path, scan: _Scan) -> dict[str, str] | None:
    """sha256 of each file under data/source/, by its path below that folder; None if none."""
    folder = root / "data" / "source"
    if not folder.is_dir() or folder.is_symlink():
        return None
    sources = {}
    for path in scan.payload():
        if path.startswith("data/source/"):
            with (root / path).open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            sources[path.removeprefix("data/source/")] = digest
    return sources


def _join(names: Iterable[str]) -> str:
    return ", ".join(sorted(set(names)))
