"""Benchmark inputs: articles made from seeds/, photos drawn with Pillow, reference exports.

Every generated article is a seed with its own headline and its paragraphs in
its own order, so no two inputs are the same file. Every ``PHOTO_EVERY``-th
article gets a photo beside it (``<stem>.jpg``), which publisher finds itself.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PHOTO_EVERY = 50
BUILD_TIME = dt.datetime(2024, 1, 25, 12, 0, tzinfo=dt.UTC)
_PREFIXES = ("", "Analysis: ", "Live: ", "Explainer: ", "Update: ", "Exclusive: ")


@dataclass(frozen=True, slots=True)
class Seed:
    """A seed article split into its parts."""

    headline: str
    caption: str
    paragraphs: tuple[str, ...]


def read_seeds(folder: Path = SEEDS) -> list[Seed]:
    """Every plain-text seed: headline, caption line, then blank-line separated paragraphs."""
    seeds = []
    for path in sorted(folder.glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        headline, caption = lines[0].strip(), lines[1].strip() if len(lines) > 1 else ""
        blocks, current = [], []
        for line in [*lines[2:], ""]:
            if line.strip():
                current.append(line.strip())
            elif current:
                blocks.append(" ".join(current))
                current = []
        seeds.append(Seed(headline, caption, tuple(blocks)))
    if not seeds:
        raise SystemExit(f"no seed articles (*.txt) in {folder}")
    return seeds


def article_text(seed: Seed, number: int, *, photo: bool, repeat: int = 1) -> str:
    """The text of article ``number``: a varied headline, shuffled paragraphs.

    A caption line is written only when the article has a photo (publisher warns
    about a caption without one). ``repeat`` makes long articles.
    """
    rng = random.Random(number)
    paragraphs = list(seed.paragraphs) * repeat
    rng.shuffle(paragraphs)
    headline = f"{_PREFIXES[number % len(_PREFIXES)]}{seed.headline} ({number})"
    head = f"{headline}\n{seed.caption}\n" if photo and seed.caption else f"{headline}\n"
    return head + "\n" + "\n\n".join(paragraphs) + "\n"


def draw_photo(path: Path, number: int, size: tuple[int, int] = (1600, 1067)) -> None:
    """A JPEG with a gradient and random shapes (compresses like a photo, not a flat fill)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(number)
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    picture = Image.merge(
        "RGB",
        (gradient, gradient.rotate(90).resize(size), Image.effect_noise(size, 40)),
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(20, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    picture.filter(ImageFilter.GaussianBlur(2)).save(path, "JPEG", quality=85)


def make_corpus(folder: Path, count: int) -> list[Path]:
    """Write ``count`` articles into ``folder`` (every ``PHOTO_EVERY``-th with a photo)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = read_seeds()
    paths = []
    for number in range(count):
        path = folder / f"article_{number:05d}.txt"
        photo = number % PHOTO_EVERY == 1
        seed = seeds[number % len(seeds)]
        path.write_text(article_text(seed, number, photo=photo), encoding="utf-8")
        if photo:
            draw_photo(path.with_suffix(".jpg"), number)
        paths.append(path)
    return paths


def reference_css(page_size: str = "210mm 297mm", font_folder: Path | None = None) -> str:
    """The CSS publisher gives WeasyPrint: @font-face rules, base.css, print.css, @page.

    Uses pdf.py's private helpers read-only, so the reference gets exactly the
    same rules publisher generates. publisher serves its print fonts from memory
    (each with a line-break hyphen added); for the weasyprint CLI those are
    written to ``font_folder`` (default: a new temporary folder) and named by file URL.
    """
    from publisher.config import PdfOptions
    from publisher.render.fetch import MEMORY_SCHEME, sandboxed_url_fetcher
    from publisher.render.pdf import _font_faces_css, _page_css
    from publisher.themes import load_theme

    theme = load_theme(None)
    fetcher = sandboxed_url_fetcher((*theme.folders, *theme.font_folders))
    faces = _font_faces_css(theme, fetcher)
    fonts = font_folder or Path(tempfile.mkdtemp(prefix="publisher-bench-fonts-"))
    fonts.mkdir(parents=True, exist_ok=True)
    for url, (data, _media_type) in fetcher.sandbox.resources.items():
        if url.startswith(f"{MEMORY_SCHEME}:"):
            file = fonts / url.split(":", 1)[1]
            file.write_bytes(data)
            faces = faces.replace(f'url("{url}")', f'url("{file.as_uri()}")')
    parts = [faces]
    for name in ("base.css", "print.css"):
        for layer in theme.stylesheet_layers(name):
            parts.append(layer.read_text(encoding="utf-8"))
    parts.append(_page_css(PdfOptions(page_size=page_size), 0.0))
    return "\n".join(parts)


def reference_xhtml(path: Path) -> str:
    """The print XHTML publisher makes for ``path``; the photo, if any, by its file URL."""
    from publisher.build import InputOptions, load_article
    from publisher.config import PdfOptions
    from publisher.render.html import render_xhtml
    from publisher.render.pdf import page_classes
    from publisher.themes import load_theme

    article = load_article(path, InputOptions())
    href = article.image.path.resolve().as_uri() if article.image is not None else None
    theme = load_theme(None)
    return render_xhtml(
        article,
        theme,
        medium="print",
        image_href=href,
        build_time=BUILD_TIME,
        page_classes=page_classes(PdfOptions(), theme),
    )


def export_reference(paths: list[Path], folder: Path) -> tuple[list[Path], Path]:
    """Write each article's print XHTML and the one stylesheet into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    css = folder / "style.css"
    css.write_text(reference_css(font_folder=folder / "fonts"), encoding="utf-8")
    pages = []
    for path in paths:
        page = folder / f"{path.stem}.html"
        page.write_text(reference_xhtml(path), encoding="utf-8")
        pages.append(page)
    return pages, css


def pandoc_markdown(path: Path) -> tuple[str, str]:
    """The same article as Markdown for pandoc, and its headline (pandoc's title)."""
    lines = path.read_text(encoding="utf-8").split("\n\n")
    head = lines[0].splitlines()
    headline = head[0]
    body = []
    photo = path.with_suffix(".jpg")
    if photo.is_file():
        caption = head[1] if len(head) > 1 else ""
        body.append(f"![{caption}]({photo.name})")
    body.extend(block.strip() for block in lines[1:] if block.strip())
    return "\n\n".join(body) + "\n", headline
