"""Build one article: read -> normalise -> render -> write.

This is the one place that strings the stages together for the command line;
each stage is imported only when needed so that `--format epub` never loads
WeasyPrint.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.config import BuildConfig, parse_source_date_epoch
from publisher.errors import InputError, OutputError
from publisher.model import Article, Metadata
from publisher.outputs import write_together

if TYPE_CHECKING:
    from publisher.themes import Theme


@dataclass(frozen=True, slots=True)
class InputOptions:
    """How to read the inputs: metadata overrides, an image, a forced encoding.

    ``strict``: a web page whose text looks like page furniture is an error, not a warning.
    """

    overrides: Metadata = field(default_factory=Metadata)
    image: Path | None = None
    encoding: str | None = None
    strict: bool = False


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What building one input produced."""

    source: Path
    outputs: tuple[Path, ...]
    warnings: tuple[str, ...]
    #: Every file of the article's own that the build read (the input, its
    #: sidecar, its photo), for the build record to check next time.
    inputs: tuple[Path, ...] = ()


def build_time_from_env(environ: dict[str, str] | None = None) -> dt.datetime:
    """The build's timestamp: ``SOURCE_DATE_EPOCH`` if set, else now (UTC, whole seconds).

    >>> build_time_from_env({"SOURCE_DATE_EPOCH": "1700000000"}).isoformat()
    '2023-11-14T22:13:20+00:00'
    """
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    return parse_source_date_epoch(epoch)


def load_article(path: Path, options: InputOptions) -> Article:
    """Read and normalise one input file."""
    from publisher.normalise import normalise
    from publisher.readers import read_article

    raw = read_article(
        path,
        overrides=options.overrides,
        image=options.image,
        encoding=options.encoding,
        strict=options.strict,
    )
    return check_publishable(normalise(raw))


def check_publishable(article: Article) -> Article:
    """Refuse an article the outputs could not carry: no visible headline, no visible text.

    Invisible characters (U+200B, U+2060, soft hyphens...) are removed by the
    normaliser; a headline made only of them would become an empty EPUB title,
    which EPUBCheck rejects. Nothing is written for such an article.
    """
    from publisher.readers.values import has_visible

    if not has_visible(article.headline):
        raise InputError(
            f"{article.source}: the headline has no visible characters "
            "(only spaces or invisible ones such as U+200B).",
            "Give the article a headline in its first line (or title in its metadata).",
        )
    if not any(has_visible(paragraph) for paragraph in article.paragraphs):
        raise InputError(
            f"{article.source}: no paragraph has visible text.",
            "Give the article at least one paragraph of text.",
        )
    return article


def load_articles_of(path: Path, options: InputOptions) -> tuple[Article, ...]:
    """The articles of one input: one, or every item of a NewsML-G2 package."""
    from publisher.normalise import normalise
    from publisher.readers import package_of, read_package_articles

    package = package_of(path)
    if package is None:
        return (load_article(path, options),)
    raws = read_package_articles(package, overrides=options.overrides)
    return tuple(check_publishable(normalise(raw)) for raw in raws)


@dataclass(frozen=True, slots=True)
class RenderedArticle:
    """One article rendered in memory: the normalised article and each format's bytes."""

    article: Article
    files: dict[str, bytes]
    warnings: tuple[str, ...]


def render_article(
    path: Path,
    options: InputOptions,
    config: BuildConfig,
    build_time: dt.datetime,
    theme: Theme | None = None,
) -> RenderedArticle:
    """Read, normalise and render every requested format of one article, writing nothing.

    ``theme`` is ``config.theme`` already loaded (a warm server keeps it); else it is loaded.
    """
    if theme is None:
        from publisher.themes import load_theme

        theme = load_theme(config.theme)
    article = load_article(path, options)
    warnings: list[str] = list(article.warnings)
    if article.image is None and (article.caption or article.credit):
        warnings.append(
            "no image found (looked for --image, the sidecar's image, and "
            f"{path.stem}.jpg/.jpeg/.png/.webp/.gif); the caption is printed without a photo"
        )
    rendered: dict[str, bytes] = {}
    for fmt in config.formats:
        if fmt == "epub":
            from publisher.render.epub import render_epub

            result = render_epub(article, theme, build_time=build_time, cover=config.cover)
        else:
            from publisher.render.pdf import render_pdf

            result = render_pdf(article, theme, config.pdf, build_time=build_time)
        rendered[fmt] = result.data
        warnings.extend(result.warnings)
    return RenderedArticle(article, rendered, tuple(warnings))


def build_article(
    path: Path,
    options: InputOptions,
    config: BuildConfig,
    build_time: dt.datetime,
    theme: Theme | None = None,
) -> BuildResult:
    """Build every requested format of one article into ``config.out_dir``.

    ``theme`` is ``config.theme`` already loaded, if the caller has it; else it is loaded.
    """
    targets = {fmt: config.out_dir / f"{path.stem}.{fmt}" for fmt in config.formats}
    for target in targets.values():
        if target.resolve() == path.resolve():
            raise OutputError(
                f"the output {target} would overwrite the input.", "Choose another folder with -o."
            )
    # Render everything first, then write: a failure in one format leaves no outputs half-done.
    result = render_article(path, options, config, build_time, theme)
    # Both formats are replaced, or neither: never an EPUB beside an older PDF.
    outputs = write_together({targets[fmt]: data for fmt, data in result.files.items()})
    return BuildResult(
        source=path,
        outputs=outputs,
        warnings=result.warnings,
        inputs=files_read(path, result.article),
    )


def files_read(path: Path, article: Article) -> tuple[Path, ...]:
    """The files of one article a build read: the input, its sidecar, its photo."""
    from publisher.readers.sidecar import sidecar_path

    found = [path]
    sidecar = sidecar_path(path)
    if sidecar != path and sidecar.is_file():
        found.append(sidecar)
    if article.image is not None:
        found.append(article.image.path)
    return tuple(found)
