"""Sample collections made from the seeds, and readers for what a collection build wrote."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cli_helpers import plain
from conftest import SEED, SEEDS
from lxml import etree

SECTIONS = ("World", "Business", "Sport", None)
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
#: Each generated paragraph starts with a token that names it: R07P03 is article 7, paragraph 3.
TOKEN = re.compile(r"\bR\d{2}P\d{2}\b")


def seed_paragraphs(path: Path = SEED) -> list[str]:
    """The seed's paragraphs (everything after its headline and caption)."""
    blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    return blocks[1:]


def write_articles(folder: Path, count: int, *, photos: tuple[int, ...] = (3, 17)) -> list[Path]:
    """``count`` plain-text articles from the seed text, with sidecars.

    Article n (1-based) has headline "Report n: ...", sections cycling through
    ``SECTIONS``, a length cycling from 2 paragraphs to the seed repeated five
    times (so some span several pages), a photo made with Pillow when n is in
    ``photos``; article 5 is in French (sidecar ``language = "fr"``). Every
    paragraph starts with its token (``TOKEN``).
    """
    from PIL import Image as PILImage

    folder.mkdir(parents=True, exist_ok=True)
    english = seed_paragraphs()
    french = seed_paragraphs(SEEDS / "fr_marseille_quais.txt")
    words = ("coalition", "markets", "harbour", "elections", "budget", "weather", "league")
    paths = []
    for n in range(1, count + 1):
        source = french if n == 5 else english
        length = (2, 4, len(source), 2 * len(source), 5 * len(source))[n % 5]
        paragraphs = [f"R{n:02d}P{k + 1:02d} {source[k % len(source)]}" for k in range(length)]
        if n == 5:
            headline = "Rapport 5 : le port de Marseille électrifie ses quais"
        else:
            headline = f"Report {n}: talks on {words[n % len(words)]} resume in round {n}"
        caption = "A photo for the report, taken this week. (AFP)"
        if n == 5:
            caption = "Un ferry à quai dans le bassin de la Joliette, à Marseille. (AFP)"
        path = folder / f"report-{n:02d}.txt"
        path.write_text(f"{headline}\n{caption}\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
        sidecar = [f"date = 2024-01-{n % 28 + 1:02d}", 'publisher = "The Daily Test"']
        if (section := SECTIONS[n % len(SECTIONS)]) is not None:
            sidecar.append(f'section = "{section}"')
        if n == 5:
            sidecar.append('language = "fr"')
        path.with_suffix(".toml").write_text("\n".join(sidecar) + "\n", "utf-8")
        if n in photos:
            colour = (40 * n % 256, 90, 160)
            PILImage.new("RGB", (1200, 900), colour).save(path.with_suffix(".jpg"), quality=80)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class EpubPages:
    """What a collection EPUB says about pages, in reading order.

    ``events`` is the spine's content as a sequence of ("page", N) for each
    page-break marker and ("para", TOKEN) for each paragraph that starts with a
    token; ``page_list`` is the page-list nav's (label, href) entries.
    """

    events: tuple[tuple[str, str], ...]
    page_list: tuple[tuple[str, str], ...]
    marker_files: dict[str, str]


def epub_pages(path: Path) -> EpubPages:
    """Read the page-break markers and tokens of a collection EPUB, in spine order."""
    with zipfile.ZipFile(path) as zf:
        opf = etree.fromstring(zf.read("EPUB/content.opf"))
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        manifest = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", ns)}
        spine = [manifest[r.get("idref")] for r in opf.iterfind(".//opf:itemref", ns)]
        events: list[tuple[str, str]] = []
        files: dict[str, str] = {}
        for href in spine:
            root = etree.fromstring(zf.read(f"EPUB/{href}"))
            for element in root.iter():
                if element.get(EPUB_TYPE) == "pagebreak":
                    events.append(("page", element.get("aria-label")))
                    files[element.get("id")] = href
                elif element.tag == f"{XHTML}p":
                    match = TOKEN.match("".join(element.itertext()))
                    if match:
                        events.append(("para", match.group(0)))
        nav = etree.fromstring(zf.read("EPUB/nav.xhtml"))
        page_nav = next(n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "page-list")
        entries = tuple((a.text or "", a.get("href")) for a in page_nav.iter(f"{XHTML}a"))
    return EpubPages(tuple(events), entries, files)


def pdf_raw_texts(data: bytes) -> list[str]:
    """Each PDF page's text as pypdf extracts it (margin boxes last: running head, folio)."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def page_text(raw: str) -> str:
    """A page's text with hyphenation undone and spaces collapsed (``plain``)."""
    text = re.sub(r"[\u2010\u00ad]\s*\n", "", raw).replace("\u200b", "")
    return plain(re.sub(r"-\n", "-", text))
