"""Run the real `publisher` command and inspect what it wrote."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pikepdf

REPO = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str | Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: int = 180,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m publisher ARGS`` as a user would, and capture its output."""
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env = {**base, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "publisher", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def plain(text: str) -> str:
    """Text with soft hyphens and zero-width breaks removed, hyphens unified, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u00ad\u200b]", "", text)
    # A source may write U+2010 HYPHEN where another writes "-": compare them as one.
    # (The PDF's own hyphens extract as written; tests/test_pdf_hyphens.py checks that.)
    text = text.replace("\u2010", "-")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def pdf_text(path: Path) -> str:
    """All text of a PDF, pages in order, without hyphenation, folios and running heads."""
    from conftest import pdf_text as text_of

    return text_of(path.read_bytes())


def pdf_fonts_embedded(path: Path) -> list[str]:
    """Names of fonts in the PDF that are NOT embedded (empty list: all embedded)."""
    missing: list[str] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.resources.get("/Font", {})
            for _, font in fonts.items():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants is not None else font
                descriptor = target.get("/FontDescriptor")
                if descriptor is None or not any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    missing.append(str(font.get("/BaseFont")))
    return missing


def epub_xhtml(path: Path) -> str:
    """The concatenated XHTML content documents of an EPUB (not the nav)."""
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if n.endswith(".xhtml") and "nav" not in n)
        return "\n".join(zf.read(n).decode("utf-8") for n in names)


def struct_elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element reachable from the StructTreeRoot, in tree order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: Any) -> None:
        if isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
            if "/S" in node:
                found.append(node)
            walk(node.get("/K"))

    walk(pdf.Root.StructTreeRoot.K)
    return found
