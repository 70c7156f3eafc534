"""The structure tree of tagged PDFs, read with pikepdf.

- language of parts: each article of a collection, and each contents entry in
  another language, carries ``/Lang`` (also with ``--pdf-variant pdf/ua-1``);
- running heads and folios are ``/Artifact`` (``/Pagination``) content, not
  marked content whose structure elements hang nowhere;
- right-to-left text read in structure order comes out in logical order
  (``/ActualText`` on the elements that hold it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from cli_helpers import run_cli, struct_elements
from conftest import SEED, SEEDS

ARABIC = SEEDS / "ar_maghreb_solar.txt"
LANGUAGES = {"000_90c6971acf190e9d": "en", "ar_maghreb_solar": "ar", "de_hamburg_busse": "de"}
LANGUAGES |= {"es_valencia_refugios": "es", "fr_marseille_quais": "fr", "tr_istanbul_isik": "tr"}
_MCID = re.compile(rb"/(\w+)\s*<<[^>]*?/MCID (\d+)[^>]*>>\s*BDC")
_ARTIFACT = re.compile(rb"/Artifact\s*<<([^>]*)>>\s*BDC")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("tags")
    texts = sorted(SEEDS.glob("*.txt"))
    made = {}
    for variant in ("", "pdf/ua-1"):
        folder = out / (variant.replace("/", "_") or "tagged")
        extra = ("--pdf-variant", variant) if variant else ()
        done = run_cli("build", *texts, "--collection", "Digest", "-o", folder, "-f", "pdf", *extra)
        assert done.returncode == 0, done.stderr
        made[f"collection {variant or 'tagged'}"] = folder / "digest.pdf"
    done = run_cli("build", ARABIC, "-o", out / "ar", "-f", "pdf", "--pdf-variant", "pdf/ua-1")
    assert done.returncode == 0, done.stderr
    made["arabic article"] = out / "ar" / f"{ARABIC.stem}.pdf"
    done = run_cli("build", SEED, "-o", out / "en", "-f", "pdf", "--page-size", "A5")
    assert done.returncode == 0, done.stderr
    made["english article A5"] = out / "en" / f"{SEED.stem}.pdf"
    return made


def lang_of(element: pikepdf.Dictionary) -> str:
    node: Any = element
    while isinstance(node, pikepdf.Dictionary) and "/S" in node:
        if "/Lang" in node:
            return str(node.Lang)
        node = node.get("/P")
    return ""


COLLECTIONS = ["collection tagged", "collection pdf/ua-1"]


@pytest.mark.parametrize("name", COLLECTIONS)
def test_each_article_is_tagged_with_its_language(name: str, built: dict[str, Path]) -> None:
    with pikepdf.open(built[name]) as pdf:
        tree = struct_elements(pdf)
        articles = [e for e in tree if e.S == "/Art"]
        assert articles and all("/Lang" in a for a in articles)
        assert {str(a.Lang) for a in articles} == set(LANGUAGES.values())
        # Every paragraph of an article speaks its article's language, not the catalog's.
        paragraphs = [lang_of(e) for e in tree if e.S == "/P"]
        assert {"ar", "de", "tr"} <= set(paragraphs)


@pytest.mark.parametrize("name", COLLECTIONS)
def test_contents_entries_in_other_languages_carry_lang(name: str, built: dict[str, Path]) -> None:
    with pikepdf.open(built[name]) as pdf:
        links = [e for e in struct_elements(pdf) if e.S == "/Link"]
        assert {str(e.Lang) for e in links if "/Lang" in e} == set(LANGUAGES.values()) - {"en"}


def _page_mcids(page: pikepdf.Page) -> list[tuple[str, int]]:
    return [(m[1].decode(), int(m[2])) for m in _MCID.finditer(page.Contents.read_bytes())]


@pytest.mark.parametrize("name", [*COLLECTIONS, "arabic article", "english article A5"])
def test_every_marked_content_belongs_to_the_tree(name: str, built: dict[str, Path]) -> None:
    with pikepdf.open(built[name]) as pdf:
        reachable = {e.objgen for e in struct_elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            refs = parents[int(page.StructParents)]
            for tag, mcid in _page_mcids(page):
                assert mcid < len(refs), f"MCID {mcid} ({tag}) has no parent"
                owner = refs[mcid]
                assert isinstance(owner, pikepdf.Dictionary), f"MCID {mcid} ({tag}) is orphaned"
                assert owner.objgen in reachable, f"MCID {mcid} ({tag}) hangs outside the tree"


@pytest.mark.parametrize("name", [*COLLECTIONS, "english article A5"])
def test_running_heads_and_folios_are_pagination_artifacts(
    name: str, built: dict[str, Path]
) -> None:
    with pikepdf.open(built[name]) as pdf:
        kinds = [
            m[1].decode()
            for page in pdf.pages
            for m in _ARTIFACT.finditer(page.Contents.read_bytes())
            if b"/Pagination" in m[1]
        ]
        assert any("/Header" in k for k in kinds) or any("/Footer" in k for k in kinds)
        assert not [e for e in struct_elements(pdf) if e.S == "/NonStruct" and not e.get("/K")]


@pytest.mark.parametrize("name", ["collection pdf/ua-1", "arabic article"])
def test_arabic_reads_in_logical_order_in_the_tree(name: str, built: dict[str, Path]) -> None:
    headline = ARABIC.read_text(encoding="utf-8").splitlines()[0].strip()
    first_words = " ".join(
        next(
            line for line in ARABIC.read_text(encoding="utf-8").splitlines()[1:] if line.strip()
        ).split()[:3]
    )
    with pikepdf.open(built[name]) as pdf:
        actual = [str(e.ActualText) for e in struct_elements(pdf) if "/ActualText" in e]
    assert any(headline in text for text in actual), actual[:5]
    assert first_words in " ".join(actual)
    assert not any(headline[::-1] in text for text in actual)


def test_check_fails_on_running_heads_outside_the_tree(
    built: dict[str, Path], tmp_path: Path
) -> None:
    """WeasyPrint's own tagging (what publisher did before) leaves margin content orphaned."""
    import json

    import weasyprint

    html = (
        '<html lang="en"><style>@page { @top-center { content: "Running head" } '
        "@bottom-center { content: counter(page) } }</style><body><p>Text.</p></body></html>"
    )
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(weasyprint.HTML(string=html).write_pdf(pdf_tags=True))
    ours = built["english article A5"]
    done = run_cli("check", raw, ours, "--tagged", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    reports = {Path(r["target"]).name: r for r in json.loads(done.stdout)}
    assert {p["code"] for p in reports["raw.pdf"]["problems"]} == {"PDF-TAG-ORPHAN"}
    assert reports[ours.name]["ok"] is True, reports[ours.name]["problems"]
