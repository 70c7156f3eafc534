"""The command line: the only place that parses options, prints and sets exit codes.

Every failure a user can cause arrives here as a PublisherError and leaves as
one line on stderr and a non-zero exit code; a traceback only with --debug.
"""

# No ``from __future__ import annotations`` here, unlike the other modules: Typer
# reads the commands' annotations with typing.get_type_hints, which compiles and
# evaluates every one written as a string (each ``Annotated[..., typer.Option(...)]``
# of nine commands) on every run: ~10 ms of a cold start. Names imported only for
# type checking are quoted instead.

import glob
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from publisher import __version__
from publisher.cli_coercion import install as _plain_coercion
from publisher.config import (
    FORMATS,
    BuildConfig,
    PdfOptions,
    parse_bleed,
    parse_jobs,
    parse_length,
    parse_marks,
)
from publisher.config import parse_page_size as _parse_page_size
from publisher.errors import PublisherError, UsageError
from publisher.model import Metadata

if TYPE_CHECKING:
    import datetime as dt

    from typer._click import exceptions as click

    from publisher.build import InputOptions
    from publisher.readers.wire import Package
    from publisher.themes import Theme

EXAMPLES = """
Examples:

  publisher build seeds/000_90c6971acf190e9d.txt          # EPUB and PDF into out/

  publisher build articles/ -o books --format epub         # every article in a folder

  publisher build story.txt --page-size A5 --bleed 3mm --marks crop   # for the printer

  publisher build story.txt --pdf-variant pdf/a-3b --lang en --author "Jane Doe"

  publisher normalise story.txt --explain                   # what the clean-up changed

  publisher archive story.txt -o bags --zip                 # a BagIt package, and its zip

  publisher verify bags/story bags/story.zip                # fixity and format checks

  publisher check out/story.epub out/story.pdf              # EPUBCheck and PDF checks

  publisher preview story.txt --pages 1-2 -o preview       # PNG pictures of pages and cover

  publisher serve --watch articles/                          # HTTP API and live preview page
"""

_STRICT_HELP = "Refuse a web page whose text looks like page furniture (default: a warning)."

app = typer.Typer(
    name="publisher",
    help="Turn news articles into a valid EPUB 3 and a print-ready PDF.",
    epilog=EXAMPLES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_plain_coercion()  # plain option values without pydantic: ~0.1 s of every run (cli_coercion.py)

_state = {"debug": False}
T = TypeVar("T")


class Format(StrEnum):
    """Output formats."""

    epub = "epub"
    pdf = "pdf"


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _fail(exc: BaseException) -> NoReturn:
    """Report an error in one line (a traceback only with --debug) and exit."""
    if _state["debug"]:
        traceback.print_exception(exc)
    if isinstance(exc, PublisherError):
        _err(f"error: {exc}")
        raise typer.Exit(exc.exit_code)
    _err(
        f"internal error: {type(exc).__name__}: {exc}. "
        "This is a bug in publisher; run again with --debug and report the traceback."
    )
    raise typer.Exit(3)


#: The exit status of a process whose reader went away (128 + SIGPIPE), as a shell reports.
EXIT_BROKEN_PIPE = 141


def _reader_gone() -> None:
    """Prepare to stop quietly: whoever read our output stopped (``publisher ... | head``).

    Python turns the closed pipe into BrokenPipeError; standard output is pointed
    at /dev/null so that flushing it at exit does not raise again.
    """
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _guard(func: Callable[[], T]) -> T:
    try:
        return func()
    except typer.Exit:
        raise
    except BrokenPipeError:
        _reader_gone()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except Exception as exc:
        _fail(exc)


def _version(value: bool) -> None:
    if value:
        print(f"publisher {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """Turn news articles into a valid EPUB 3 and a print-ready PDF."""
    _state["debug"] = debug


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given, folders as their article files (sorted), unexpanded globs expanded."""
    from publisher.readers import supported_extensions

    extensions = supported_extensions()
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(
                sorted(p for p in item.iterdir() if p.suffix.lower() in extensions and p.is_file())
            )
        elif not item.exists() and glob.has_magic(str(item)):
            found.extend(Path(p) for p in sorted(glob.glob(str(item))))
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def _overrides(
    lang: str | None,
    authors: list[str] | None,
    date: str | None,
    publisher: str | None,
    source: str | None,
    identifier: str | None,
) -> Metadata:
    from publisher.readers.values import check_date, check_identifier, check_language

    return Metadata(
        authors=tuple(a.strip() for a in authors or [] if a.strip()),
        date=check_date(date, "--date", UsageError) if date else None,
        publisher=_visible_text(publisher, "--publisher"),
        source=_visible_text(source, "--source"),
        language=check_language(lang, "--lang", UsageError) if lang else None,
        identifier=None if identifier is None else check_identifier(identifier, "--id", UsageError),
    )


def _check_executor(executor: str, scheduler: str | None) -> None:
    """``--executor`` and ``--scheduler`` checked where parsed, before any article is read."""
    from publisher.config import EXECUTORS  # not from batch: its imports (sqlite3) cost a build

    if executor not in EXECUTORS:
        raise UsageError(f"'{executor}' is not an executor.", "Use local or dask.")
    if executor == "dask" and not scheduler:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT.")
    if scheduler and executor != "dask":
        raise UsageError("--scheduler is for --executor dask.", "Add --executor dask.")


def _visible_text(value: str | None, option: str) -> str | None:
    """An option's text, stripped; refused when it has nothing visible (EPUBCheck rejects it)."""
    from publisher.readers.values import has_visible

    if value is None:
        return None
    if not has_visible(value):
        raise UsageError(f"{option} is blank.", f"Give {option} a value, or leave it out.")
    return value.strip()


def _pdf_options(
    page_size: str,
    bleed: str | None,
    marks: str | None,
    variant: str | None,
    output_profile: Path | None = None,
) -> PdfOptions:
    return PdfOptions(
        page_size=_parse_page_size(page_size),
        bleed=parse_bleed(bleed) if bleed else None,
        marks=parse_marks(marks),
        variant=variant.lower() if variant else None,
        output_profile=output_profile,
    )


@app.command(epilog=EXAMPLES)
def build(
    inputs: Annotated[
        list[Path], typer.Argument(help="Article files, folders of articles, or globs.")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out"),
    formats: Annotated[
        list[Format] | None,
        typer.Option("--format", "-f", help="epub or pdf; repeat for both (default: both)."),
    ] = None,
    theme: Annotated[
        Path | None,
        typer.Option(help="A theme: a folder, else a built-in name (publisher theme list)."),
    ] = None,
    page_size: Annotated[
        str, typer.Option(help="A4, A5, Letter... or WIDTHxHEIGHT such as 6inx9in.")
    ] = "A4",
    bleed: Annotated[str | None, typer.Option(help="Bleed around the trim, e.g. 3mm.")] = None,
    marks: Annotated[
        str | None, typer.Option(help="Printer's marks: crop, cross or crop,cross.")
    ] = None,
    pdf_variant: Annotated[
        str | None, typer.Option(help="pdf/a-3b, pdf/ua-1, pdf/x-4... (WeasyPrint's variants).")
    ] = None,
    output_profile: Annotated[
        Path | None,
        typer.Option(help="For pdf/x-4: the printer's ICC output profile (e.g. FOGRA39)."),
    ] = None,
    image: Annotated[Path | None, typer.Option(help="The article's photo.")] = None,
    cover: Annotated[
        Path | None, typer.Option(help="A picture for the EPUB cover (default: generated).")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Language tag, e.g. en, fr, de.")] = None,
    author: Annotated[
        list[str] | None, typer.Option("--author", help="An author; repeat for several.")
    ] = None,
    date: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
    publisher: Annotated[str | None, typer.Option(help="The publisher's name.")] = None,
    source: Annotated[str | None, typer.Option(help="The article's source URL.")] = None,
    identifier: Annotated[
        str | None, typer.Option("--id", help="Identifier (default: derived from the text).")
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Force the input encoding, e.g. cp1252.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help=_STRICT_HELP)] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Worker processes (default: CPUs).")
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            help="Rebuild articles the build record says are unchanged (and an unusable record)."
        ),
    ] = False,
    no_record: Annotated[
        bool,
        typer.Option("--no-record", help="Build every article and keep no build record."),
    ] = False,
    executor: Annotated[
        str, typer.Option(help="local (worker processes) or dask (a Dask cluster).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="The Dask scheduler, e.g. tcp://HOST:8786.")
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option(help="Build ONE EPUB and PDF of all inputs with this title: OUT/<slug>.*"),
    ] = None,
    collection_date: Annotated[
        str | None, typer.Option(help="The collection's date (default: its latest article's).")
    ] = None,
    collection_id: Annotated[
        str | None, typer.Option(help="The collection's identifier (default: derived).")
    ] = None,
    collection_publisher: Annotated[
        str | None,
        typer.Option(help="The collection's publisher (default: its articles' if they agree)."),
    ] = None,
) -> None:
    """Build an EPUB and a print-ready PDF of each article into OUT.

    With --collection TITLE, all inputs become one EPUB and one PDF instead
    (see publisher/collection.py for the reading order); if any input cannot
    be read, nothing is built and the error lists every bad input.

    With several inputs, articles are built in parallel and incrementally:
    unchanged ones are skipped (OUT/.publisher.sqlite), every input gets a line
    in OUT/report.jsonl, and the exit code is 1 if any failed.
    """
    from publisher.build import InputOptions, build_time_from_env
    from publisher.files import COVER, PROFILE, check_file

    def setup() -> tuple[list[Path], InputOptions, BuildConfig]:
        paths = expand_inputs(inputs)
        if not paths:
            raise UsageError("no article files found in the inputs given.")
        if image is not None and len(paths) > 1:
            raise UsageError("--image applies to one article only.", "Give one input with it.")
        if cover is not None and len(paths) > 1 and collection is None:
            raise UsageError("--cover applies to one article only.", "Give one input with it.")
        # Named files: regular files of sane size, checked before anything is read.
        if cover is not None:
            check_file(cover, COVER)
        if output_profile is not None:
            check_file(output_profile, PROFILE)
        if jobs is not None:
            parse_jobs(jobs)
        _check_executor(executor, scheduler)
        chosen = tuple(dict.fromkeys(f.value for f in formats)) if formats else FORMATS
        config = BuildConfig(
            out_dir=out,
            formats=chosen,
            theme=theme,
            pdf=_pdf_options(page_size, bleed, marks, pdf_variant, output_profile),
            cover=cover,
        )
        options = InputOptions(
            overrides=_overrides(lang, author, date, publisher, source, identifier),
            image=image,
            encoding=encoding,
            strict=strict,
        )
        return paths, options, config

    paths, options, config = _guard(setup)
    build_time = _guard(build_time_from_env)
    checked_theme = _guard(lambda: _check_setup(config))
    if collection is None:
        package = _guard(lambda: _package_input(paths))
        if package is not None:
            # A NewsML-G2 package is a collection: its headline is the title.
            collection = package.title
            collection_date = collection_date or package.date
            collection_id = collection_id or package.identifier
    if collection is not None or collection_date or collection_id or collection_publisher:
        _build_collection(
            paths,
            options,
            config,
            build_time,
            collection,
            collection_date,
            collection_id,
            identifier,
            collection_publisher,
        )
        return
    if len(paths) == 1 and executor == "local":
        _build_one(paths[0], options, config, build_time, checked_theme)
        return
    from publisher.batch import BatchOptions, run_batch

    batch = BatchOptions(force=force, executor=executor, scheduler=scheduler, record=not no_record)
    if jobs is not None:
        batch = replace(batch, jobs=jobs)
    with _BatchReporter(len(paths)) as reporter:
        outcomes = _guard(
            lambda: run_batch(paths, options, config, build_time, batch, reporter.update)
        )
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        _err(f"{failed} of {len(paths)} articles failed; see {config.out_dir / 'report.jsonl'}.")
        raise typer.Exit(1)


def _package_input(paths: list[Path]) -> "Package | None":
    """The NewsML-G2 package given as the only input, else None (a package among others: error)."""
    from publisher.readers import package_of

    def package_or_none(path: Path) -> "Package | None":
        if len(paths) == 1:
            return package_of(path)
        try:
            return package_of(path)
        except PublisherError:
            return None  # a bad file among many: the batch reports it with the others

    packages = [(path, package) for path in paths if (package := package_or_none(path))]
    if not packages:
        return None
    if len(paths) > 1:
        raise UsageError(
            f"{packages[0][0]} is a NewsML-G2 package (a collection) among other inputs.",
            "Build it on its own, or give --collection TITLE to make one collection of all.",
        )
    return packages[0][1]


def _check_setup(config: BuildConfig) -> "Theme":
    """Fail before any article is read if the theme or output folder is unusable.

    Returns the loaded theme: a one-article build renders with it instead of
    loading it again (fonts found, templates compiled: ~0.03 s).
    """
    from publisher.outputs import prepare_out_dir
    from publisher.themes import load_theme

    theme = load_theme(config.theme)
    if config.pdf.variant:
        from publisher.render.pdf import check_variant

        check_variant(config.pdf.variant)
    _check_output_profile(config.pdf)
    prepare_out_dir(config.out_dir)
    return theme


def _check_output_profile(options: PdfOptions) -> None:
    """A PDF/X needs a readable printer's profile; check it before any article is read."""
    if not options.variant and options.output_profile is None:
        return  # nothing to check, and an EPUB build need not import the PDF renderer
    from publisher.render.pdf import output_intent_resources

    output_intent_resources(options, ())


def _build_one(
    path: Path,
    options: "InputOptions",
    config: BuildConfig,
    build_time: "dt.datetime",
    theme: "Theme",
) -> None:
    """Build one article with ``config``'s theme, loaded; its error is the command's error."""
    from publisher.build import build_article

    result = _guard(lambda: build_article(path, options, config, build_time, theme))
    for warning in result.warnings:
        _err(f"warning: {path}: {warning}")
    print(f"{path} -> {', '.join(str(p) for p in result.outputs)}")


def _build_collection(
    paths: list[Path],
    options: "InputOptions",
    config: BuildConfig,
    build_time: "dt.datetime",
    title: str | None,
    date: str | None,
    collection_id: str | None,
    article_id: str | None,
    collection_publisher: str | None = None,
) -> None:
    """Build all inputs as one collection; any error is the command's error."""
    from publisher.collection import CollectionOptions, CollectionResult, build_collection
    from publisher.readers.values import check_date, check_identifier, has_visible

    def run() -> CollectionResult:
        if title is None:
            raise UsageError(
                "--collection-date, --collection-id and --collection-publisher need "
                "--collection TITLE."
            )
        if not has_visible(title):
            raise UsageError("--collection needs a title.", 'e.g. --collection "Morning Digest".')
        if article_id is not None:
            raise UsageError(
                "--id sets one article's identifier.", "Use --collection-id for the collection."
            )
        checked_id = collection_id
        if collection_id is not None:
            checked_id = check_identifier(collection_id, "--collection-id", UsageError)
        chosen = CollectionOptions(
            title=title,
            date=check_date(date, "--collection-date", UsageError) if date else None,
            identifier=checked_id,
            publisher=_visible_text(collection_publisher, "--collection-publisher"),
        )
        return build_collection(paths, options, chosen, config, build_time)

    result = _guard(run)
    for warning in result.warnings:
        _err(f"warning: {warning}")
    print(f"{result.articles} articles -> {', '.join(str(p) for p in result.outputs)}")


class _BatchReporter:
    """Progress of a batch: a bar with count, rate and ETA on a terminal, plain lines otherwise."""

    #: Seconds between plain progress lines when stderr is not a terminal.
    INTERVAL = 5.0

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.counts = {"built": 0, "skipped": 0, "failed": 0}
        self.started = time.perf_counter()
        self.last_line = self.started
        self._bar: object | None = None
        self._task: object | None = None

    def __enter__(self) -> "_BatchReporter":
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            bar = Progress(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            bar.start()
            self._task = bar.add_task("build", total=self.total, rate="")
            self._bar = bar
        return self

    def update(self, outcome: object) -> None:
        from publisher.batch import Outcome

        assert isinstance(outcome, Outcome)
        self.done += 1
        self.counts[outcome.status] += 1
        for warning in outcome.warnings:
            _err(f"warning: {outcome.input}: {warning}")
        if outcome.status == "failed":
            _err(f"error: {outcome.error}")
        elif outcome.status == "built":
            print(f"{outcome.input} -> {', '.join(outcome.outputs)}", flush=True)
        now = time.perf_counter()
        rate = self.done / max(now - self.started, 1e-9)
        if self._bar is not None:
            from rich.progress import Progress

            assert isinstance(self._bar, Progress)
            self._bar.update(self._task, advance=1, rate=f"{rate:.1f}/s")  # type: ignore[arg-type]
        elif now - self.last_line >= self.INTERVAL or self.done == self.total:
            self.last_line = now
            eta = (self.total - self.done) / rate if rate else 0.0
            _err(f"[{self.done}/{self.total}] {rate:.1f} articles/s, ETA {eta:.0f} s")

    def __exit__(self, failure: type[BaseException] | None, *_: object) -> None:
        if self._bar is not None:
            from rich.progress import Progress

            assert isinstance(self._bar, Progress)
            self._bar.stop()
        if failure is not None and self.done == 0:
            return  # the batch did not start: its error line says why
        took = time.perf_counter() - self.started
        built, skipped, failed = (self.counts[k] for k in ("built", "skipped", "failed"))
        _err(
            f"built {built}, skipped {skipped} unchanged, failed {failed} "
            f"of {self.total} articles in {took:.1f} s."
        )


def _progress(paths: list[Path]) -> Iterator[Path]:
    """Iterate with a progress bar on a terminal, silently otherwise."""
    if len(paths) < 2 or not sys.stderr.isatty():
        yield from paths
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("building", total=len(paths))
        for path in paths:
            yield path
            progress.advance(task)


@app.command()
def normalise(
    path: Annotated[Path, typer.Argument(help="An article file.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the normalised article as JSON.")
    ] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print the change log.")] = False,
    lang: Annotated[str | None, typer.Option(help="Language tag, e.g. en, fr, de.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Force the input encoding, e.g. cp1252.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help=_STRICT_HELP)] = False,
) -> None:
    """Print an article after clean-up: text, JSON (--json) or the change log (--explain)."""
    from publisher.build import InputOptions, load_article
    from publisher.serialise import article_to_json

    def run() -> None:
        options = InputOptions(
            overrides=_overrides(lang, None, None, None, None, None),
            encoding=encoding,
            strict=strict,
        )
        article = load_article(path, options)
        if as_json:
            sys.stdout.write(article_to_json(article))
        if explain:
            for change in article.changes:
                print(f"{change.rule}\t{change.where}\t{change.before!r} -> {change.after!r}")
            if not article.changes:
                print("no changes")
        if not as_json and not explain:
            parts = [article.headline, article.caption, article.credit, article.dateline]
            print("\n\n".join(p for p in (*parts, *article.paragraphs) if p))

    _guard(run)


@app.command()
def archive(
    inputs: Annotated[
        list[Path], typer.Argument(help="Article files, folders of articles, or globs.")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the bags.")] = Path(
        "archive"
    ),
    make_zip: Annotated[
        bool, typer.Option("--zip", help="Also write <stem>.zip of each bag.")
    ] = False,
    organization: Annotated[
        str | None, typer.Option("--source-organization", help="Who holds the archive.")
    ] = None,
    pdf_variant: Annotated[str, typer.Option(help="pdf/a-3b, pdf/a-3u or pdf/a-3a.")] = "pdf/a-3b",
    theme: Annotated[
        Path | None,
        typer.Option(help="A theme: a folder, else a built-in name (publisher theme list)."),
    ] = None,
    image: Annotated[Path | None, typer.Option(help="The article's photo.")] = None,
    lang: Annotated[str | None, typer.Option(help="Language tag, e.g. en, fr, de.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Force the input encoding, e.g. cp1252.")
    ] = None,
) -> None:
    """Make a self-verifying BagIt package of each article: source, EPUB, PDF/A-3, provenance."""
    import datetime as dt
    import os

    from publisher.archive import ArchiveConfig, archive_article
    from publisher.build import InputOptions, build_time_from_env
    from publisher.outputs import prepare_out_dir

    def setup() -> tuple[list[Path], InputOptions, ArchiveConfig]:
        paths = expand_inputs(inputs)
        if not paths:
            raise UsageError("no article files found in the inputs given.")
        if image is not None and len(paths) > 1:
            raise UsageError("--image applies to one article only.", "Give one input with it.")
        config = ArchiveConfig(
            out_dir=prepare_out_dir(out),
            zip=make_zip,
            organization=organization,
            pdf_variant=pdf_variant.lower(),
            theme=theme,
        )
        options = InputOptions(
            overrides=_overrides(lang, None, None, None, None, None), image=image, encoding=encoding
        )
        return paths, options, config

    paths, options, config = _guard(setup)
    build_time = _guard(build_time_from_env)
    fixed = bool(os.environ.get("SOURCE_DATE_EPOCH"))

    def clock() -> dt.datetime:
        return build_time if fixed else dt.datetime.now(dt.UTC).replace(microsecond=0)

    from publisher.batch import output_collisions

    collisions = output_collisions(paths)
    failures = 0
    for path in _progress(paths):
        try:
            if path in collisions:
                others = ", ".join(str(p) for p in collisions[path])
                raise UsageError(
                    f"{path}: its bag would have the same name as that of {others}, "
                    "so neither is archived.",
                    "Rename one, or archive them into different folders.",
                )
            result = archive_article(path, options, config, build_time, clock)
        except Exception as exc:
            if len(paths) == 1:
                _fail(exc)
            failures += 1
            _err(f"error: {exc}" if isinstance(exc, PublisherError) else f"internal error: {exc}")
            continue
        for warning in result.warnings:
            _err(f"warning: {path}: {warning}")
        made = [result.bag, *([result.zip] if result.zip else [])]
        print(f"{path} -> {', '.join(str(p) for p in made)}")
    if failures:
        _err(f"{failures} of {len(paths)} articles failed.")
        raise typer.Exit(1)


def _print_reports(reports: list[object], as_json: bool) -> None:
    """Print verification reports as text or JSON; exit 1 unless all passed."""
    import json

    from publisher.package.report import Report

    typed = [r for r in reports if isinstance(r, Report)]
    if as_json:
        print(json.dumps([r.to_dict() for r in typed], ensure_ascii=False, indent=2))
    else:
        for report in typed:
            verdict = "ok" if report.ok else "FAILED"
            counts = f"{len(report.errors)} errors, {len(report.warnings)} warnings"
            print(f"{verdict}: {report.target} ({counts}; checked {', '.join(report.checks_run)})")
            for problem in report.problems:
                print(f"  {problem}")
    if not all(r.ok for r in typed):
        raise typer.Exit(1)


@app.command()
def verify(
    paths: Annotated[list[Path], typer.Argument(help="Bag folders or zips of bags.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Verify bags: completeness, every checksum, then each file by format."""
    from publisher.package.verify import verify_bag

    reports: list[object] = [_guard(lambda p=p: verify_bag(p)) for p in paths]  # type: ignore[misc]
    _print_reports(reports, as_json)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="EPUB and PDF files made by build.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    page_size: Annotated[
        str | None, typer.Option(help="Expected PDF trim size: A4, A5, 6inx9in...")
    ] = None,
    bleed: Annotated[str | None, typer.Option(help="Expected bleed, e.g. 3mm.")] = None,
    pdf_variant: Annotated[
        str | None, typer.Option(help="Expected claim: pdf/a-3b, pdf/ua-1, pdf/x-4...")
    ] = None,
    tagged: Annotated[bool, typer.Option(help="Require a tagged PDF.")] = False,
    accessibility: Annotated[
        bool, typer.Option(help="Also run DAISY Ace on EPUBs (needs Node.js and Ace).")
    ] = False,
) -> None:
    """Check outputs of build: EPUBCheck (and DAISY Ace) for EPUB; fonts, boxes, veraPDF for PDF."""
    from publisher.config import length_mm, page_size_mm
    from publisher.package.checks import PdfExpectations
    from publisher.package.single import check_file, judge_ahead

    def expectations() -> PdfExpectations:
        return PdfExpectations(
            page_size=page_size_mm(_parse_page_size(page_size)) if page_size else None,
            bleed_mm=length_mm(parse_length(bleed)) if bleed else None,
            variant=pdf_variant.lower() if pdf_variant else None,
            tagged=tagged or None,
        )

    expect = _guard(expectations)
    judge_ahead(files)  # veraPDF: every file in one JVM
    reports: list[object] = [
        _guard(
            lambda f=f: check_file(f, expect, accessibility=accessibility, companions=files)  # type: ignore[misc]
        )
        for f in files
    ]
    _print_reports(reports, as_json)


@app.command()
def preview(
    path: Annotated[Path, typer.Argument(help="An article file.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the pictures.")] = Path(
        "preview"
    ),
    pages: Annotated[str, typer.Option(help="PDF pages to draw, e.g. 1, 1-2 or 1-2,5.")] = "1",
    dpi: Annotated[int, typer.Option(help="Resolution of the page pictures.")] = 110,
    theme: Annotated[
        Path | None,
        typer.Option(help="A theme: a folder, else a built-in name (publisher theme list)."),
    ] = None,
    page_size: Annotated[str, typer.Option(help="A4, A5, Letter... or WIDTHxHEIGHT.")] = "A4",
    image: Annotated[Path | None, typer.Option(help="The article's photo.")] = None,
    cover: Annotated[Path | None, typer.Option(help="A picture for the cover.")] = None,
) -> None:
    """Draw PDF pages and the EPUB cover as PNG pictures, to look before printing."""
    from publisher.build import InputOptions, build_time_from_env, load_article
    from publisher.outputs import prepare_out_dir, write_atomic
    from publisher.render.epub import render_epub
    from publisher.render.pdf import render_pdf
    from publisher.render.preview import (
        cover_png,
        epub_cover_image,
        parse_page_range,
        pdf_page_pngs,
    )
    from publisher.themes import load_theme

    def run() -> list[Path]:
        wanted = parse_page_range(pages)
        options = PdfOptions(page_size=_parse_page_size(page_size))
        article = load_article(path, InputOptions(image=image))
        chosen = load_theme(theme)
        prepare_out_dir(out)
        when = build_time_from_env()
        pdf = render_pdf(article, chosen, options, build_time=when).data
        import pypdfium2

        count = len(pypdfium2.PdfDocument(pdf))
        wanted = parse_page_range(pages, page_count=count)
        written = [
            write_atomic(out / f"{path.stem}-page-{number}.png", picture)
            for number, picture in zip(wanted, pdf_page_pngs(pdf, wanted, dpi), strict=True)
        ]
        epub = render_epub(article, chosen, build_time=when, cover=cover).data
        written.append(
            write_atomic(out / f"{path.stem}-cover.png", cover_png(epub_cover_image(epub)))
        )
        return written

    for written in _guard(run):
        print(written)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.")] = 8000,
    watch: Annotated[
        Path | None, typer.Option(help="A folder of articles for the live preview page.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Warm worker processes (default: CPUs, at most 4).")
    ] = None,
    max_queue: Annotated[
        int, typer.Option(help="Requests that may wait for a worker; then 503.")
    ] = 16,
    max_request_mb: Annotated[float, typer.Option(help="Largest request body, in MB.")] = 20.0,
    max_pages: Annotated[int, typer.Option(help="Most pages a PDF may have.")] = 100,
    timeout: Annotated[float, typer.Option(help="Seconds one build may take.")] = 60.0,
    max_jobs_per_worker: Annotated[
        int, typer.Option(help="Replace a worker after this many builds (0: never).")
    ] = 1000,
) -> None:
    """Serve the HTTP API (POST /v1/build, /v1/archive, /v1/normalise) and a live preview page.

    Docs at /docs, the OpenAPI schema at /openapi.json, health at /healthz.
    """
    from publisher.serve import ServeConfig

    def setup() -> ServeConfig:
        if watch is not None and not watch.is_dir():
            raise UsageError(f"--watch {watch}: not a folder.", "Give a folder of articles.")
        for name, value in (("--max-queue", max_queue), ("--max-pages", max_pages)):
            if value < (0 if name == "--max-queue" else 1):
                raise UsageError(f"{name} {value} is too small.")
        if (workers is not None and workers < 1) or timeout <= 0 or max_request_mb <= 0:
            raise UsageError("--workers, --timeout and --max-request-mb must be positive.")
        config = ServeConfig(
            host=host,
            port=port,
            max_queue=max_queue,
            max_request_bytes=int(max_request_mb * 1024 * 1024),
            max_pages=max_pages,
            timeout=timeout,
            max_jobs_per_worker=max(0, max_jobs_per_worker),
            watch=watch,
        )
        return config if workers is None else replace(config, workers=workers)

    config = _guard(setup)

    def ready(url: str) -> None:
        watching = f", watching {config.watch}" if config.watch else ""
        _err(f"serving on {url} with {config.workers} workers{watching}; Ctrl+C stops")

    from publisher.serve.run import run_server

    _guard(lambda: run_server(config, ready))


theme_app = typer.Typer(
    name="theme",
    help="List the built-in themes, or export one as a starting point for your own.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(theme_app, name="theme")


@theme_app.command("list")
def theme_list() -> None:
    """Print each built-in theme with a one-line description (use one with --theme NAME)."""
    from publisher.themes.catalog import describe_theme, installed_themes

    def run() -> list[tuple[str, str]]:
        return [(name, describe_theme(name)) for name in installed_themes()]

    rows = _guard(run)
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        print(f"{name:<{width}}  {description}".rstrip())


@theme_app.command("export")
def theme_export(
    name: Annotated[str, typer.Argument(help="A built-in theme (see publisher theme list).")],
    folder: Annotated[Path, typer.Argument(help="A new or empty folder to copy it into.")],
) -> None:
    """Copy a built-in theme's own files into FOLDER, to edit and use with --theme FOLDER.

    Its theme.toml keeps `extends`, so the copy inherits the rest. Existing files
    are never overwritten.
    """
    from publisher.themes.catalog import export_theme

    written = _guard(lambda: export_theme(name, folder))
    for path in written:
        print(path)
    _err(f"exported the theme '{name}' to {folder}; use it with --theme {folder}")


def main() -> None:
    """Entry point of the `publisher` command.

    Click's own usage errors (an unknown option, a missing argument) become one
    ``error:`` line like every other error, instead of Click's usage block.
    """
    # Typer 0.29 vendors Click as typer._click; its exceptions are the ones raised.
    from typer._click import exceptions as click

    # A file name that is not UTF-8 (b"\xff.txt") is printed with an escape, not a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        code = app(standalone_mode=False)
    except click.NoArgsIsHelpError as exc:  # bare `publisher`: the help is the answer
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        _err(f"error: {_usage_line(exc)}")
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        _err("Aborted.")
        sys.exit(1)
    except BrokenPipeError:  # a write outside the guarded commands (help, version)
        _reader_gone()
        sys.exit(EXIT_BROKEN_PIPE)
    sys.exit(code if isinstance(code, int) else 0)


def _usage_line(exc: "click.UsageError") -> str:
    """One line for a command-line mistake, with what to do about it."""
    from typer._click import exceptions as click

    message = exc.format_message().replace("\n", " ").rstrip(".")
    command = exc.ctx.command_path if exc.ctx is not None else "publisher"
    if isinstance(exc, click.NoSuchOption):
        return (
            f"{message}. A file whose name starts with '-' is written ./-NAME "
            f"(or put -- before it); see '{command} --help'."
        )
    return f"{message}. See '{command} --help'."


if __name__ == "__main__":
    main()
