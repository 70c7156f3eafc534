"""How well saved web pages are read: publisher's web-page reader against trafilatura.

``python -m benchmarks.extraction FOLDER [FOLDER...] [--systems publisher,trafilatura,readability]
[--limit N] [--offset N] [--part all|even|odd] [--json PATH] [--show-worst N]
[--show-misses]``

Each FOLDER is a public extraction test suite, fetched by you (never committed
here, for their licences and size), in one of two layouts:

- **article-extraction-benchmark** (github.com/scrapinghub/article-extraction-benchmark):
  ``html/<id>.html.gz`` and ``ground-truth.json`` with each page's ``articleBody``.
  Scored by word-level F1 against the reference body, and headlines and bylines
  against ``benchmarks/data/scrapinghub-metadata.json`` (labelled by hand here from
  what each page shows: its headline, and the names its visible byline credits).
- **trafilatura's evaluation set** (github.com/adbar/trafilatura, ``tests/``):
  ``evaldata.json`` and ``eval/``/``cache/`` pages; each page lists text that must be
  in the body (``with``) and page furniture that must not (``without``), and most
  give the page's ``title`` and ``author``. Scored by snippet F1 (the suite's own
  measure), headline exactness and byline found.
- **readability's test pages** (github.com/mozilla/readability, ``test/test-pages``):
  ``<name>/source.html``, ``expected.html`` (the article readability reads) and
  ``expected-metadata.json`` (``title``, ``byline``). Scored by word F1 against
  ``expected.html``'s text, headline exactness and byline found. Its metadata is
  readability's own reading, so a reference byline keeps only its first line (the
  rest is a date or a job title) and a title may still carry the site's name.

``--offset N`` leaves out the first N pages (``--offset 300``: the pages after
``--limit 300``'s). ``--part even`` (or ``odd``) keeps the pages at even (odd) places in the sorted
list: develop on one half, report on the other, so figures are on unseen pages.

Per system it reports: mean word F1 (or snippet F1), refused pages (no article
read), junk bodies (a body read, but under 0.2 F1 against the reference; "w": how
many of them publisher warned about), false alarms (a furniture warning on a page
read at 0.5 F1 or better), bylines found on pages whose reference names an author
(as a newsroom judges it: every name of the reference is in ours, case, spacing,
dots and a "By" aside; more names in ours are not counted against), false bylines
(an author given on a page whose reference says it has none), headlines exactly the
reference's (entities, case of white space aside).
``--show-misses`` lists, per system, every byline missed, false byline and headline
not exactly the reference's: the reference's and the system's, side by side.
Nothing is fetched: every extractor is handed the page's text only.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"\w+", re.UNICODE)
#: Headlines and visible bylines of the article-extraction-benchmark's pages, labelled by
#: hand from each page (the suite gives bodies only): see benchmarks/data/README.md.
NEWS_LABELS = Path(__file__).parent / "data" / "scrapinghub-metadata.json"


@dataclass(frozen=True, slots=True)
class Page:
    """One test page and what it should give."""

    name: str
    data: bytes
    body: str | None = None  # the reference body (word F1)
    with_: tuple[str, ...] = ()  # snippets that must be in the body
    without: tuple[str, ...] = ()  # snippets that must not
    title: str | None = None
    authors: tuple[str, ...] = ()
    #: False: the reference says the page shows no byline; None: it does not say.
    has_byline: bool | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """What one system read from one page (None body: the page was refused)."""

    body: str | None
    headline: str = ""
    authors: tuple[str, ...] = ()
    warned: bool = False


@dataclass(slots=True)
class Score:
    """Running totals of one system on one suite."""

    f1: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)
    junk_warned: int = 0
    false_alarms: list[str] = field(default_factory=list)
    bylines: int = 0
    bylines_found: int = 0
    no_byline: int = 0
    false_bylines: list[str] = field(default_factory=list)
    titles: int = 0
    titles_exact: int = 0
    #: Per page: what the reference gives and what was read, where they differ.
    byline_misses: list[str] = field(default_factory=list)
    headline_misses: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worst: list[tuple[float, str]] = field(default_factory=list)


def words(text: str) -> Counter[str]:
    """The bag of lower-cased words of ``text`` (NFKC, so ligatures and widths agree).

    >>> sorted(words("The cat, the HAT.").items())
    [('cat', 1), ('hat', 1), ('the', 2)]
    """
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def word_f1(reference: str, found: str) -> float:
    """Word-level F1 of ``found`` against ``reference`` (bags of words).

    >>> word_f1("a b c d", "a b c x")
    0.75
    """
    ref, got = words(reference), words(found)
    if not ref and not got:
        return 1.0
    common = sum((ref & got).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def snippet_f1(page: Page, found: str | None) -> float:
    """The trafilatura suite's measure on one page: F1 of wanted and unwanted snippets."""

    def norm(text: str) -> str:
        # Soft hyphens are invisible: the annotators copied the text as a reader sees it;
        # and canonically equal letters are the same text (NFC, as words() uses NFKC).
        return " ".join(unicodedata.normalize("NFC", text.replace("\u00ad", "")).split())

    text = norm(found or "")
    tp = sum(1 for s in page.with_ if norm(s) in text)
    fp = sum(1 for s in page.without if norm(s) in text)
    fn = len(page.with_) - tp
    if not tp:
        return 0.0
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def _names(authors: tuple[str, ...] | list[str]) -> set[str]:
    """Authors compared as names: split at "and", "&", commas; case, dots and "By" ignored.

    >>> sorted(_names(["David Brand and Ramsey Khalifeh"])) == sorted(_names(["David Brand",
    ...     "Ramsey Khalifeh"]))
    True
    >>> sorted(_names(["By JANE DOE"]))
    ['jane doe']
    """
    parts = [p for a in authors for p in re.split(r",|;|&|\band\b|\bund\b|\bet\b", a)]
    names = {" ".join(p.replace(".", " ").casefold().split()) for p in parts if p.strip()}
    return {re.sub(r"^(by|von|par|door|di|de|por)\s+", "", n) for n in names} - {""}


def byline_found(reference: tuple[str, ...], ours: tuple[str, ...]) -> bool:
    """Whether every name of the reference byline is in ours (word for word).

    One-word parts of the reference that are not names of ours ("MA", a job title
    after a comma) are not counted against, as long as a full name was found.

    >>> byline_found(("Brenda Goodman, MA",), ("Brenda Goodman",))
    True
    >>> byline_found(("Jane Doe", "John Roe"), ("Jane Doe",))
    False
    >>> byline_found(("Jane Doe",), ())
    False
    """
    found = _names(ours)
    words = {w for name in found for w in name.split()}
    wanted = _names(reference)
    full = [
        name
        for name in wanted
        if len(name.split()) > 1 or not any(len(n.split()) > 1 for n in wanted)
    ]
    return bool(found) and bool(full) and all(set(n.split()) <= words for n in full)


def read_suite(folder: Path, limit: int | None) -> tuple[str, list[Page]]:
    """The pages of a fetched suite (either layout), sorted by name, at most ``limit``."""
    pages: list[Page] = []
    if (folder / "ground-truth.json").is_file():
        truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        labels = (
            json.loads(NEWS_LABELS.read_text(encoding="utf-8"))["pages"]
            if NEWS_LABELS.is_file()
            else {}
        )
        for key in sorted(truth)[:limit]:
            data = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
            label = labels.get(key, {})
            authors = tuple(label.get("authors", ()))
            pages.append(
                Page(
                    key,
                    data,
                    body=truth[key].get("articleBody", ""),
                    title=label.get("headline") or None,
                    authors=authors,
                    has_byline=bool(label.get("byline_shown")) if label else None,
                )
            )
        return "article-extraction-benchmark", pages
    test_pages = folder / "test" / "test-pages" if (folder / "test").is_dir() else folder
    if any(test_pages.glob("*/expected-metadata.json")):
        return "readability test pages", _readability_pages(test_pages, limit)
    evaldata = folder / "evaldata.json"
    if not evaldata.is_file():
        evaldata = folder / "tests" / "evaldata.json"
    if evaldata.is_file():
        here = evaldata.parent
        items = json.loads(evaldata.read_text(encoding="utf-8"))
        for url in sorted(items)[:limit]:
            item = items[url]
            file = next(
                (
                    here / d / item["file"]
                    for d in ("cache", "eval")
                    if (here / d / item["file"]).is_file()
                ),
                None,
            )
            if file is None:
                continue
            author = item.get("author") or ""
            if isinstance(author, list):  # a few items list their authors
                author = ";".join(str(a) for a in author)
            authors = tuple(a.strip() for a in re.split(r";", author) if a.strip())
            has_byline = None if "author" not in item else bool(authors)
            pages.append(
                Page(
                    item["file"],
                    file.read_bytes(),
                    with_=tuple(item["with"]),
                    without=tuple(item["without"]),
                    title=item.get("title") or None,
                    authors=authors,
                    has_byline=has_byline,
                )
            )
        return "trafilatura evaluation set", pages
    raise SystemExit(
        f"error: {folder} holds no ground-truth.json, evaldata.json or */expected-metadata.json"
    )


def _readability_pages(folder: Path, limit: int | None) -> list[Page]:
    """readability's test pages: the body is ``expected.html``'s text."""
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

    pages = []
    for meta in sorted(folder.glob("*/expected-metadata.json"))[:limit]:
        here = meta.parent
        if not (here / "source.html").is_file() or not (here / "expected.html").is_file():
            continue
        expected = json.loads(meta.read_text(encoding="utf-8"))
        reference = (here / "expected.html").read_text(encoding="utf-8")
        body = lxml_html.fromstring(reference).text_content() if reference.strip() else ""
        byline = (expected.get("byline") or "").strip().splitlines()
        pages.append(
            Page(
                here.name,
                (here / "source.html").read_bytes(),
                body=body,
                title=expected.get("title") or None,
                authors=tuple(byline[:1]),
                has_byline=bool(byline),
            )
        )
    return pages


def split(pages: list[Page], part: str) -> list[Page]:
    """The pages at even or odd places (``part``), or all of them.

    >>> [p.name for p in split([Page(str(i), b"") for i in range(5)], "odd")]
    ['1', '3']
    """
    if part == "all":
        return pages
    return pages[part == "odd" :: 2]


def _same_headline(reference: str, ours: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(html.unescape(text).split())

    return norm(reference) == norm(ours)


def run_publisher(page: Page, folder: Path) -> Result:
    """publisher's web-page reader, through the library as the CLI calls it."""
    from publisher.errors import PublisherError
    from publisher.model import flatten
    from publisher.readers import html

    path = folder / "page.html"
    path.write_bytes(page.data)
    try:
        raw = html.read(page.data, path)
    except PublisherError:
        return Result(None)
    body = "\n".join(text for text, _ in flatten(raw.body))
    junk = any(w.startswith(html.JUNK_WARNING) for w in raw.warnings)
    return Result(body, raw.headline, tuple(raw.metadata.authors), junk)


def run_trafilatura(page: Page, folder: Path) -> Result:
    """trafilatura as its documentation suggests, on the page's text (never a URL)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        page.data.decode("utf-8", "replace"), with_metadata=True, include_comments=False
    )
    if doc is None or not doc.text:
        return Result(None)
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Result(doc.text, doc.title or "", authors)


def run_readability(page: Page, folder: Path) -> Result:
    """readability-lxml on the bare page (the engine publisher used up to now)."""
    from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]
    from readability import Document  # type: ignore[import-untyped,unused-ignore]

    try:
        document = Document(page.data.decode("utf-8", "replace"))
        summary = document.summary(html_partial=True)
        text = lxml_html.fromstring(summary).text_content() if summary.strip() else ""
        title = document.short_title()
    except Exception:
        return Result(None)
    return Result(text or None, title)


SYSTEMS: dict[str, Callable[[Page, Path], Result]] = {
    "publisher": run_publisher,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


def score(pages: list[Page], system: Callable[[Page, Path], Result]) -> Score:
    """Run ``system`` on every page and total the measures."""
    totals = Score()
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            start = time.perf_counter()
            try:
                result = system(page, Path(tmp))
            except Exception as exc:  # a crash is a refused page, named
                print(f"  {page.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                result = Result(None)
            totals.seconds += time.perf_counter() - start
            if page.body is not None:
                value = word_f1(page.body, result.body or "")
            else:
                value = snippet_f1(page, result.body)
            totals.f1.append(value)
            totals.worst.append((value, page.name))
            if result.body is None:
                totals.refused.append(page.name)
            elif value < 0.2 and (page.body or page.with_):
                totals.junk.append(page.name)
                totals.junk_warned += result.warned
            elif result.warned and value >= 0.5:
                totals.false_alarms.append(page.name)
            if page.authors:
                totals.bylines += 1
                if byline_found(page.authors, result.authors):
                    totals.bylines_found += 1
                else:
                    totals.byline_misses.append(
                        f"{page.name}: {'; '.join(page.authors)!r}"
                        f" | ours {'; '.join(result.authors)!r}"
                    )
            elif page.has_byline is False:
                totals.no_byline += 1
                if result.authors:
                    totals.false_bylines.append(f"{page.name}: {'; '.join(result.authors)}")
            if page.title:
                totals.titles += 1
                if _same_headline(page.title, result.headline):
                    totals.titles_exact += 1
                else:
                    totals.headline_misses.append(
                        f"{page.name}: {page.title!r} | ours {result.headline!r}"
                    )
    return totals


def rows(suite: str, pages: list[Page], names: list[str]) -> Iterator[dict[str, object]]:
    """One summary per system on one suite."""
    for name in names:
        totals = score(pages, SYSTEMS[name])
        yield {
            "suite": suite,
            "system": name,
            "pages": len(pages),
            "mean_f1": round(statistics.mean(totals.f1), 3) if totals.f1 else None,
            "refused": len(totals.refused),
            "refused_pages": totals.refused,
            "junk": len(totals.junk),
            "junk_warned": totals.junk_warned,
            "junk_pages": totals.junk,
            "false_alarms": totals.false_alarms,
            "bylines": f"{totals.bylines_found}/{totals.bylines}",
            "false_bylines": f"{len(totals.false_bylines)}/{totals.no_byline}",
            "false_byline_pages": totals.false_bylines,
            "headlines_exact": f"{totals.titles_exact}/{totals.titles}",
            "byline_misses": totals.byline_misses,
            "headline_misses": totals.headline_misses,
            "seconds": round(totals.seconds, 1),
            "worst": sorted(totals.worst)[:10],
        }


def main(argv: list[str] | None = None) -> int:
    """Score each system on each suite folder; print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extraction")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--systems", default="publisher,trafilatura,readability")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--show-worst", type=int, default=0)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--part", choices=("all", "even", "odd"), default="all")
    args = parser.parse_args(argv)
    names = [n for n in args.systems.split(",") if n]
    unknown = sorted(set(names) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown systems {unknown}; known: {sorted(SYSTEMS)}")
    found = []
    print(f"{'suite':<30} {'system':<12} {'pages':>5} {'F1':>6} {'refused':>7} {'junk':>8} "
          f"{'bylines':>9} {'false-by':>9} {'headlines':>9} {'s':>6} false-alarms")  # fmt: skip
    for folder in args.folders:
        suite, pages = read_suite(folder, args.limit)
        pages = split(pages[args.offset :], args.part)
        for row in rows(suite, pages, names):
            found.append(row)
            print(
                f"{suite[:30]:<30} {row['system']:<12} {row['pages']:>5} {row['mean_f1']:>6} "
                f"{row['refused']:>7} {row['junk']!s:>4}({row['junk_warned']}w) "
                f"{row['bylines']:>9} {row['false_bylines']:>9} {row['headlines_exact']:>9} "
                f"{row['seconds']:>6} "
                f"{len(row['false_alarms'])}"  # type: ignore[arg-type]
            )
            for value, name in row["worst"][: args.show_worst]:  # type: ignore[index]
                print(f"    {value:.3f} {name}")
            if args.show_misses:
                for kind in ("byline_misses", "false_byline_pages", "headline_misses"):
                    for line in row[kind]:  # type: ignore[attr-defined]
                        print(f"    {kind.split('_')[0]}-{kind.split('_')[-1]}: {line}")
    if args.json is not None:
        args.json.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
