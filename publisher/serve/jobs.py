"""What a server worker does: one job in, one result out (both picklable).

A job names files the server itself wrote into a fresh temporary folder; the
worker reads them through the ordinary build path (``build.render_article``,
``archive.archive_article``, ``build.load_article``), so a request is built
exactly as ``publisher build`` would build the same files. Errors come back as
values, never as exceptions, so a bad article cannot take a worker down.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.build import InputOptions
from publisher.config import BuildConfig
from publisher.errors import PublisherError

#: A fixed zip timestamp: the same outputs give the same zip bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: How many page pictures the preview draws at most, and how sharp.
PREVIEW_PAGES = 12
PREVIEW_DPI = 72


@dataclass(frozen=True, slots=True)
class Job:
    """One request's work: ``kind`` is build, archive, normalise or preview."""

    kind: str
    article: Path
    options: InputOptions
    config: BuildConfig
    build_time: dt.datetime
    max_pages: int
    theme_name: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a job failed: the CLI's message and hint, and the HTTP status for it."""

    message: str
    hint: str
    status: int


@dataclass(frozen=True, slots=True)
class Result:
    """What a job produced: files (format -> bytes), JSON-ready data, warnings; or a failure."""

    files: dict[str, bytes] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    failure: Failure | None = None


def run_job(job: Job) -> Result:
    """Do ``job``; every error becomes a ``Failure`` with the temporary folder left out."""
    try:
        return _DOERS[job.kind](job)
    except PublisherError as exc:
        return Result(failure=failure_of(exc, job.article.parent))
    except Exception as exc:  # a bug: report it on this request, keep the worker
        return Result(
            failure=Failure(
                f"internal error: {type(exc).__name__}: {_hide(str(exc), job.article.parent)}",
                "This is a bug in publisher; report it with the article.",
                500,
            )
        )


def failure_of(exc: PublisherError, folder: Path | None = None) -> Failure:
    """The failure for an error: its message and hint, and a 4xx/5xx status by its kind."""
    from publisher.errors import OutputError, RenderError, UsageError

    if isinstance(exc, UsageError):
        status = 400
    elif isinstance(exc, RenderError | OutputError):
        status = 500
    else:
        status = 422
    return Failure(_hide(exc.message, folder), _hide(exc.hint, folder), status)


def _hide(text: str, folder: Path | None) -> str:
    """The text with the server's temporary folder taken out of every path in it."""
    if folder is None:
        return text
    for prefix in {str(folder), str(folder.resolve())}:
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return text


def builtin_theme(name: str | None) -> Path | None:
    """A built-in theme's folder; a theme is chosen by name only, never by a path."""
    if name is None:
        return None
    from publisher.errors import UsageError
    from publisher.themes.catalog import installed_themes, not_installed

    folder = installed_themes().get(name)
    if folder is None:
        error = not_installed(name)
        raise UsageError(error.message, f"Installed themes only: {', '.join(installed_themes())}.")
    return folder


_THEMES: dict[str | None, Any] = {}


def theme_of(name: str | None) -> Any:
    """A built-in theme, loaded once per worker (a warm server keeps its templates compiled)."""
    from publisher.themes import load_theme
    from publisher.themes.catalog import installed_themes

    if name not in _THEMES:
        # By the built-in theme's own folder: a name is never looked up as a path.
        _THEMES[name] = load_theme(None if name is None else installed_themes()[name])
    return _THEMES[name]


def _build(job: Job) -> Result:
    from publisher.build import render_article

    rendered = render_article(
        job.article, job.options, job.config, job.build_time, theme_of(job.theme_name)
    )
    if "pdf" in rendered.files:
        _check_pages(rendered.files["pdf"], job.max_pages)
    return Result(files=rendered.files, warnings=rendered.warnings)


def _normalise(job: Job) -> Result:
    from publisher.build import load_article
    from publisher.serialise import article_to_dict

    article = load_article(job.article, job.options)
    return Result(data=article_to_dict(article), warnings=article.warnings)


def _archive(job: Job) -> Result:
    import os

    from publisher.archive import ArchiveConfig, archive_article

    out = job.article.parent / "bag"
    out.mkdir()
    config = ArchiveConfig(out_dir=out, zip=True, theme=job.config.theme)
    fixed = bool(os.environ.get("SOURCE_DATE_EPOCH"))

    def clock() -> dt.datetime:
        return job.build_time if fixed else dt.datetime.now(dt.UTC).replace(microsecond=0)

    result = archive_article(job.article, job.options, config, job.build_time, clock)
    assert result.zip is not None
    return Result(files={"zip": result.zip.read_bytes()}, warnings=result.warnings)


def _preview(job: Job) -> Result:
    """The PDF's first pages as PNGs, the EPUB's text and the change log, for the live page."""
    from publisher.build import render_article
    from publisher.render.preview import pdf_page_pngs
    from publisher.serialise import change_to_dict

    rendered = render_article(
        job.article, job.options, job.config, job.build_time, theme_of(job.theme_name)
    )
    pdf = rendered.files["pdf"]
    count = _check_pages(pdf, job.max_pages)
    shown = tuple(range(1, min(count, PREVIEW_PAGES) + 1))
    pages = pdf_page_pngs(pdf, shown, PREVIEW_DPI)
    return Result(
        files={f"page-{n}.png": png for n, png in zip(shown, pages, strict=True)},
        data={
            "pages": count,
            "headline": rendered.article.headline,
            "epub_text": epub_text(rendered.files["epub"]),
            "changes": [change_to_dict(c) for c in rendered.article.changes],
        },
        warnings=rendered.warnings,
    )


def epub_text(epub: bytes) -> list[dict[str, str]]:
    """The EPUB's reading text as blocks (tag, text), in spine order, cover and nav left out."""
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    blocks: list[dict[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(epub)) as book:
        names = [
            n
            for n in sorted(book.namelist())
            if n.endswith(".xhtml") and not n.rsplit("/", 1)[-1].startswith(("nav", "cover"))
        ]
        for name in names:
            root = etree.fromstring(book.read(name))
            for element in root.iter("{*}h1", "{*}h2", "{*}h3", "{*}p", "{*}li", "{*}figcaption"):
                text = " ".join("".join(element.itertext()).split())
                if text:
                    blocks.append({"tag": etree.QName(element).localname, "text": text})
    return blocks


def _check_pages(pdf: bytes, max_pages: int) -> int:
    import pypdfium2

    count = len(pypdfium2.PdfDocument(pdf))
    if count > max_pages:
        from publisher.errors import InputError

        raise InputError(
            f"the PDF has {count} pages; this server makes at most {max_pages}.",
            "Split the article, or start the server with a higher --max-pages.",
        )
    return count


def zip_files(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (name -> bytes) with fixed dates, so equal inputs give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def warm_up(formats: tuple[str, ...]) -> None:
    """Load once per worker what every request needs: fonts, the PDF engine, the language
    model, the default theme; then build a short article, so that the templates and
    stylesheets are compiled before the first request, not during it."""
    import tempfile

    from publisher.batch import warm_up as warm_batch
    from publisher.build import render_article
    from publisher.normalise.language import detect_language

    warm_batch(formats)
    # A headline alone goes to lingua, a paragraph to CLD2: load both.
    headline = "The council approved the new budget for the city's schools on Tuesday."
    detect_language(headline)
    detect_language(" ".join([headline] * 4))
    with tempfile.TemporaryDirectory(prefix="publisher-warm-up-") as folder:
        sample = Path(folder) / "warm-up.txt"
        # Long enough to be hyphenated: loading a language's hyphenation patterns
        # is most of a first PDF's time (English here; other languages on first use).
        sample.write_text(
            "Harbour ferries return\n\n"
            + "The administration's extraordinary infrastructure commitments notwithstanding, "
            "telecommunications representatives characterised the reorganisation as "
            "unprecedented and counterproductive. " * 6 + "\n",
            encoding="utf-8",
        )
        when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        render_article(sample, InputOptions(), BuildConfig(formats=formats), when, theme_of(None))


_DOERS = {"build": _build, "normalise": _normalise, "archive": _archive, "preview": _preview}
