"""Long-lived in-process loops, each run in its own fresh process by the benchmark.

``python -m benchmarks.workers bare HTML_DIR CSS OUT_DIR``
    a bare WeasyPrint loop: one FontConfiguration and one parsed stylesheet
    reused for every page; prints the loop's seconds (after imports and set-up).
``python -m benchmarks.workers memory CORPUS_DIR OUT_DIR COUNT``
    a batch worker (``publisher.batch.warm_up`` then ``build_task`` per article,
    EPUB and PDF) cycling over the corpus; prints RSS at checkpoints.
``python -m benchmarks.workers long SEED_DIR TARGETS REPS``
    articles of growing length; publisher's ``render_pdf`` and a bare WeasyPrint
    render of the same XHTML and CSS, interleaved; prints seconds and pages.

Each prints one JSON document on stdout.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

#: Articles after which the memory worker records its RSS.
CHECKPOINTS = (1, 10, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 7500, 10000)


def bare_loop(html_dir: Path, css: Path, out_dir: Path) -> dict[str, Any]:
    """Render every page in ``html_dir`` with plain WeasyPrint, reusing one FontConfiguration."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    pages = sorted(html_dir.glob("*.html"))
    out_dir.mkdir(parents=True, exist_ok=True)
    font_config = FontConfiguration()
    stylesheets = [weasyprint.CSS(filename=str(css), font_config=font_config)]
    started = time.perf_counter()
    for page in pages:
        weasyprint.HTML(filename=str(page)).write_pdf(
            out_dir / f"{page.stem}.pdf", stylesheets=stylesheets, font_config=font_config
        )
    return {"articles": len(pages), "seconds": time.perf_counter() - started}


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def memory_loop(corpus: Path, out_dir: Path, count: int) -> dict[str, Any]:
    """Build ``count`` articles in this process as a batch worker does; RSS at checkpoints."""
    from benchmarks.corpus import BUILD_TIME
    from publisher.batch import Task, build_task, warm_up
    from publisher.build import InputOptions
    from publisher.config import FORMATS, BuildConfig

    paths = sorted(corpus.glob("*.txt"))
    out_dir.mkdir(parents=True, exist_ok=True)
    config = BuildConfig(out_dir=out_dir, formats=FORMATS)
    warm_up(config.formats)
    points = [c for c in CHECKPOINTS if c < count] + [count]
    samples, failed = [], 0
    started = time.perf_counter()
    for number in range(1, count + 1):
        task = Task(paths[(number - 1) % len(paths)], InputOptions(), config, BUILD_TIME)
        failed += build_task(task).status != "built"
        if number in points:
            samples.append(
                {
                    "article": number,
                    "seconds": round(time.perf_counter() - started, 2),
                    "vm_rss_kb": _status_kb("VmRSS"),
                    # Not ru_maxrss: Linux carries it over exec, so it may be the
                    # benchmark parent's peak, not this worker's. VmHWM is this process's.
                    "vm_hwm_kb": _status_kb("VmHWM"),
                }
            )
    return {"samples": samples, "failed": failed}


def long_articles(seed_dir: Path, targets: list[int], reps: list[int]) -> dict[str, Any]:
    """Seconds and pages of publisher's PDF and a bare WeasyPrint PDF at growing lengths.

    The paragraphs per page are calibrated once; the real page counts are reported.
    """
    import shutil
    import tempfile

    import pypdf
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from benchmarks.corpus import BUILD_TIME, article_text, read_seeds, reference_css
    from publisher.build import InputOptions, load_article
    from publisher.config import PdfOptions
    from publisher.render.html import render_xhtml
    from publisher.render.pdf import page_classes, render_pdf
    from publisher.themes import load_theme

    seed = read_seeds(seed_dir)[0]
    theme, options = load_theme(None), PdfOptions()
    bare_fonts = FontConfiguration()
    bare_css = [weasyprint.CSS(string=reference_css(), font_config=bare_fonts)]
    scratch = Path(tempfile.mkdtemp(prefix="publisher-bench-long-"))

    def article(paragraphs: int) -> Any:
        path = scratch / f"long_{paragraphs}.txt"
        repeat = -(-paragraphs // len(seed.paragraphs))
        text = article_text(seed, paragraphs, photo=False, repeat=repeat).split("\n\n")
        path.write_text("\n\n".join(text[: paragraphs + 1]) + "\n", encoding="utf-8")
        return load_article(path, InputOptions())

    def pages(data: bytes) -> int:
        return len(pypdf.PdfReader(io.BytesIO(data)).pages)

    def ours(item: Any) -> tuple[float, int]:
        started = time.perf_counter()
        data = render_pdf(item, theme, options, build_time=BUILD_TIME).data
        return time.perf_counter() - started, pages(data)

    def bare(item: Any) -> tuple[float, int]:
        xhtml = render_xhtml(
            item,
            theme,
            medium="print",
            image_href=None,
            build_time=BUILD_TIME,
            page_classes=page_classes(options),
        )
        started = time.perf_counter()
        data = weasyprint.HTML(string=xhtml).write_pdf(stylesheets=bare_css, font_config=bare_fonts)
        return time.perf_counter() - started, pages(data)

    ours(article(5))  # warm up fonts, hyphenation dictionaries and caches
    bare(article(5))
    calibration = 200
    per_page = calibration / ours(article(calibration))[1]
    # A little under the target, so the last page is mostly full.
    items = {t: article(max(1, int((t - 0.3) * per_page))) for t in targets}
    results: dict[int, dict[str, list[float]]] = {
        t: {"ours": [], "bare": [], "pages": []} for t in targets
    }
    for rep in range(max(reps)):
        for target, wanted in zip(targets, reps, strict=True):
            if rep >= wanted:
                continue
            seconds, count = ours(items[target])
            results[target]["ours"].append(seconds)
            results[target]["pages"].append(count)
            results[target]["bare"].append(bare(items[target])[0])
    shutil.rmtree(scratch, ignore_errors=True)
    return {"results": {str(t): r for t, r in results.items()}}


def main(argv: list[str]) -> None:
    """Run the worker named by ``argv[0]`` and print its JSON result."""
    kind, args = argv[0], argv[1:]
    if kind == "bare":
        result = bare_loop(Path(args[0]), Path(args[1]), Path(args[2]))
    elif kind == "memory":
        result = memory_loop(Path(args[0]), Path(args[1]), int(args[2]))
    elif kind == "long":
        targets = [int(t) for t in args[1].split(",")]
        reps = [int(r) for r in args[2].split(",")]
        result = long_articles(Path(args[0]), targets, reps)
    else:
        raise SystemExit(f"unknown worker {kind!r}: bare, memory or long")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
