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

from publisher.config import BuildConfig
from publisher.errors import OutputError, UsageError
from publisher.model import Article, Metadata
from publisher.outputs import write_together


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
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH='{epoch}' is not a Unix timestamp.",
            "Set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct).",
        ) from None


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
    return normalise(raw)


def build_article(
    path: Path, options: InputOptions, config: BuildConfig, build_time: dt.datetime
) -> BuildResult:
    """Build every requested format of one article into ``config.out_dir``."""
    from publisher.themes import load_theme

    targets = {fmt: config.out_dir / f"{path.stem}.{fmt}" for fmt in config.formats}
    for target in targets.values():
        if target.resolve() == path.resolve():
            raise OutputError(
                f"the output {target} would overwrite the input.", "Choose another folder with -o."
            )
    article = load_article(path, options)
    theme = load_theme(config.theme)
    warnings: list[str] = list(article.warnings)
    if article.image is None and (article.caption or article.credit):
        warnings.append(
            "no image found (looked for --image, the sidecar's image, and "
            f"{path.stem}.jpg/.jpeg/.png/.webp/.gif); the caption is printed without a photo"
        )
    # Render everything first, then write: a failure in one format leaves no outputs half-done.
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
    # Both formats are replaced, or neither: never an EPUB beside an older PDF.
    outputs = write_together({targets[fmt]: data for fmt, data in rendered.items()})
    return BuildResult(
        source=path, outputs=outputs, warnings=tuple(warnings), inputs=files_read(path, article)
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
