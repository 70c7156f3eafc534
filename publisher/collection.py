"""Build a collection: many articles -> one EPUB and one PDF (a daily digest, a dossier).

Like ``build.py`` for one article, this strings the stages together:
read and normalise every input, order them, lay out the print edition, then
render and write. Nothing is written unless every input could be read and
every requested format rendered.

Reading order (``order_articles``), precisely:

1. Articles whose metadata has an ``order`` (the sidecar's or front matter's
   ``order = N``) come first, lowest ``order`` first; articles without one
   follow. Ties, and all articles without an ``order``, keep the order the
   inputs were given in (files as named, folders sorted by file name, globs
   sorted), so the sort is stable.
2. Then articles are grouped by section, so each section is one run of
   articles (and one heading in the contents): sections come in the order of
   their first article after step 1, and inside a section the articles keep
   their step-1 order. Sections are matched ignoring case and surrounding
   space. Articles without a section form one group too, placed where the
   first of them is; the contents lists them without a heading.

A NewsML-G2 package given as an input (a ``packageItem``, or a
``newsMessage`` with several items) adds its items in the package's order, as
if each were an input of its own (``build.load_articles_of``).

The collection's identifier is ``--collection-id`` or a ``urn:uuid:`` derived
from the title, the date and every article's identifier in reading order; its
date is ``--collection-date`` or the latest ISO date of its articles, else the
build date; its publisher is ``--collection-publisher``, else the one every
article that names a publisher names (``--publisher`` names it for every
article), else none: a digest of several newspapers' wires is not published by
the first of them, so when articles disagree the collection names no publisher
rather than guess. Its language is the one most of its articles are in.

The EPUB's page list maps to the pages of the PDF of the same build, so the
PDF is always laid out, even when only ``--format epub`` is asked for (then it
is laid out in memory and not written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from publisher.build import InputOptions, load_articles_of
from publisher.config import BuildConfig
from publisher.errors import InputError, OutputError, PublisherError
from publisher.model import Article, Collection
from publisher.outputs import write_together
from publisher.render.html import iso_date


@dataclass(frozen=True, slots=True)
class CollectionOptions:
    """What the user said about the collection itself (``--collection*`` options)."""

    title: str
    date: str | None = None
    identifier: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class CollectionResult:
    """What building a collection produced."""

    title: str
    articles: int
    outputs: tuple[Path, ...]
    warnings: tuple[str, ...]


def slugify(title: str) -> str:
    """The output file name's stem for ``title``: ASCII, lower case, words joined by hyphens.

    >>> slugify("Le Quotidien — 3 avril 2024 : l'Économie !")
    'le-quotidien-3-avril-2024-l-economie'
    >>> slugify("الأخبار")
    'collection'
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "collection"


def reading_order(keys: Sequence[tuple[int | None, str | None]]) -> list[int]:
    """Positions of articles in reading order, from each one's (order, section).

    See the module docstring for the rule.

    >>> reading_order([(None, "World"), (None, "Sport"), (2, "world"), (1, None), (None, "Sport")])
    [3, 2, 0, 1, 4]
    """
    by_order = sorted(
        range(len(keys)),
        key=lambda i: (keys[i][0] is None, keys[i][0] if keys[i][0] is not None else 0),
    )
    groups: dict[str | None, list[int]] = {}
    for index in by_order:
        section = keys[index][1]
        groups.setdefault(section.strip().casefold() if section else None, []).append(index)
    return [index for members in groups.values() for index in members]


def order_articles(articles: Sequence[Article]) -> tuple[Article, ...]:
    """The articles in reading order (see the module docstring)."""
    keys = [(a.metadata.order, a.metadata.section) for a in articles]
    return tuple(articles[i] for i in reading_order(keys))


def load_articles(paths: Sequence[Path], options: InputOptions) -> tuple[Article, ...]:
    """Read and normalise every input; raise one InputError that lists every bad one."""
    articles: list[Article] = []
    problems: list[str] = []
    for path in paths:
        try:
            articles.extend(load_articles_of(path, options))
        except PublisherError as error:
            message = str(error)
            problems.append(message if str(path) in message else f"{path}: {message}")
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise InputError(
            f"{len(problems)} of {len(paths)} inputs cannot be used, "
            f"so the collection was not built:\n{listed}\n",
            "Fix or leave out these inputs and build again.",
        )
    return tuple(articles)


def make_collection(
    articles: Sequence[Article], options: CollectionOptions, build_time: dt.datetime
) -> Collection:
    """The Collection of ``articles`` (in reading order) with its derived metadata."""
    ordered = order_articles(articles)
    dates = [d[:10] for d in (iso_date(a.metadata.date) for a in ordered) if d]
    date = options.date or (max(dates) if dates else build_time.date().isoformat())
    identifier = options.identifier or derive_identifier(options.title, date, ordered)
    publisher = options.publisher or agreed_publisher(ordered)
    return Collection(
        title=options.title.strip(),
        articles=ordered,
        date=date,
        identifier=identifier,
        publisher=publisher,
    )


def agreed_publisher(articles: Sequence[Article]) -> str | None:
    """The publisher every article that names one names; None when they differ or none does.

    Articles without a publisher do not count against it.
    """
    named = {a.metadata.publisher.strip() for a in articles if a.metadata.publisher}
    return named.pop() if len(named) == 1 else None


def derive_identifier(title: str, date: str | None, articles: Sequence[Article]) -> str:
    """A ``urn:uuid:`` that changes when the title, date or any article (or their order) does.

    >>> derive_identifier("Daily", "2024-04-03", [])
    'urn:uuid:1d7b63e2-9c1d-4737-890c-688dab1d7437'
    """
    parts = [title, date or "", *(a.metadata.identifier or a.headline for a in articles)]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def build_collection(
    paths: Sequence[Path],
    inputs: InputOptions,
    options: CollectionOptions,
    config: BuildConfig,
    build_time: dt.datetime,
) -> CollectionResult:
    """Build the collection of ``paths`` as ``OUT/<slug>.epub`` and ``OUT/<slug>.pdf``.

    Every input is read first; one bad input stops the build (see
    ``load_articles``). The PDF is laid out even for an EPUB alone: its pages
    are the EPUB's page list.
    """
    from publisher.render.print_edition import layout_print, map_pages, write_pdf
    from publisher.themes import load_theme

    slug = slugify(options.title)
    targets = {fmt: config.out_dir / f"{slug}.{fmt}" for fmt in config.formats}
    given = {path.resolve() for path in paths}
    for target in targets.values():
        if target.resolve() in given:
            raise OutputError(
                f"the output {target} would overwrite an input.", "Choose another folder with -o."
            )
    collection = make_collection(load_articles(paths, inputs), options, build_time)
    theme = load_theme(config.theme)
    warnings = [f"{a.source}: {w}" for a in collection.articles for w in a.warnings]

    layout = layout_print(collection, theme, config.pdf, build_time=build_time)
    warnings.extend(layout.warnings)
    rendered: dict[str, bytes] = {}
    for fmt in config.formats:
        if fmt == "pdf":
            pdf = write_pdf(layout, config.pdf, build_time=build_time)
            rendered[fmt] = pdf.data
            warnings.extend(pdf.warnings)
        else:
            from publisher.render.epub import render_collection_epub

            epub = render_collection_epub(
                collection,
                theme,
                build_time=build_time,
                page_map=map_pages(layout),
                page_source=f"{slug}.pdf (PDF file identifier {layout.pdf_identifier})",
                cover=config.cover,
            )
            rendered[fmt] = epub.data
            warnings.extend(epub.warnings)
    # Both formats are replaced, or neither: never an EPUB beside an older PDF.
    outputs = write_together({targets[fmt]: data for fmt, data in rendered.items()})
    return CollectionResult(
        title=collection.title,
        articles=len(collection.articles),
        outputs=outputs,
        warnings=tuple(dict.fromkeys(warnings)),
    )
