"""`publisher check` and `publisher verify` catch every issue-11 defect if it comes back.

Real outputs are built once through the CLI (module fixtures), then broken on
purpose, one defect per file: the EPUB's zip edited, the PDF edited with
pikepdf, a bag's file edited and its manifests made anew (so verify gets past
fixity to the format checks). Each broken file must fail with its code; the
unbroken outputs must pass.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from cli_helpers import run_cli
from conftest import SEED, SEEDS
from lxml import etree

from publisher.package.bag import bag_files
from publisher.package.pdf_text import credit_problems, hyphen_problems, page_texts

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
CREDITED = """---
caption: "Dock workers restart the cranes at the container terminal on Monday. Photo: AP"
---
# Harbour cranes return to work after the two-week strike

Work resumed at the port on Monday after a two-week strike over pay.

The agreement raises pay by six percent over two years, union leaders said.
"""
UNPICTURED = """Council delays vote on the new tram line

The city council postponed its vote on the tram line to next month.
"""
#: A theme that brings back the contents-page defect: entries inline in the line's
#: direction, so a right-to-left title gets leader dots between its words.
INLINE_CONTENTS = (
    ".toc-entry a { display: inline; } .toc-entry a[lang]:not([dir]) { direction: inherit; }"
)
XHTML = "{http://www.w3.org/1999/xhtml}"
OPS_TYPE = "{http://www.idpf.org/2007/ops}type"


def _run(*args: str | Path) -> None:
    done = run_cli(*args, env=EPOCH, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Outputs as publisher makes them: an article with a photo, collections, two bags."""
    from PIL import Image

    root = tmp_path_factory.mktemp("selfcheck")
    inputs = root / "in"
    inputs.mkdir()
    (inputs / "credited.md").write_text(CREDITED, encoding="utf-8")
    Image.new("RGB", (900, 600), (60, 120, 90)).save(inputs / "credited.jpg", quality=85)
    (inputs / "unpictured.txt").write_text(UNPICTURED, encoding="utf-8")
    bad_theme = root / "inline-contents"
    (bad_theme / "css").mkdir(parents=True)
    (bad_theme / "theme.toml").write_text(
        'name = "inline-contents"\nextends = "default"\n[css]\nprint = ["css/bad.css"]\n', "utf-8"
    )
    (bad_theme / "css" / "bad.css").write_text(INLINE_CONTENTS, "utf-8")
    _run("build", inputs, "-o", root / "own")
    _run("build", SEEDS, "--collection", "Daily digest", "-o", root / "digest")
    _run(
        "build",
        SEEDS,
        *sorted((SEEDS.parent / "tests/data/scripts").glob("*.txt")),
        "--collection",
        "Daily digest",
        "--page-size",
        "A5",
        "-o",
        root / "a5",
    )
    _run(
        "build", SEEDS, "--collection", "Daily digest", "-o", root / "inline", "--theme", bad_theme
    )
    _run("archive", inputs / "credited.md", SEED, "-o", root / "bags")
    return {
        "article.epub": root / "own" / "credited.epub",
        "article.pdf": root / "own" / "credited.pdf",
        "unpictured.epub": root / "own" / "unpictured.epub",
        "digest.epub": root / "digest" / "daily-digest.epub",
        "digest.pdf": root / "digest" / "daily-digest.pdf",
        "a5.epub": root / "a5" / "daily-digest.epub",
        "a5.pdf": root / "a5" / "daily-digest.pdf",
        "inline.epub": root / "inline" / "daily-digest.epub",
        "inline.pdf": root / "inline" / "daily-digest.pdf",
        "bag": root / "bags" / "credited",
        "seed bag": root / "bags" / SEED.stem,
    }


# --- breaking files ---------------------------------------------------------------


def edit_epub(source: Path, target: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of the EPUB with members rewritten (each edit must change its member)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in edits:
                changed = edits[info.filename](data.decode("utf-8"))
                assert changed != data.decode("utf-8"), f"the edit of {info.filename} did nothing"
                data = changed.encode("utf-8")
            new.writestr(info, data)
    return target


def edit_pdf(source: Path, target: Path, edit: Callable[[pikepdf.Pdf], int]) -> Path:
    """A copy of the PDF changed by ``edit`` (which returns how many things it changed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with pikepdf.open(source, allow_overwriting_input=True) as pdf:
        assert edit(pdf) > 0, "the edit found nothing to break"
        pdf.save(target)
    return target


def rebag(bag: Path, target: Path, change: Callable[[Path], None]) -> Path:
    """A copy of the bag with ``change`` applied to its folder and every manifest made anew."""
    shutil.copytree(bag, target)
    change(target)
    payload = {
        p.relative_to(target).as_posix(): p.read_bytes()
        for p in sorted((target / "data").rglob("*"))
        if p.is_file()
    }
    info = dict(
        line.split(": ", 1)
        for line in (target / "bag-info.txt").read_text("utf-8").splitlines()
        if line and not line.startswith("Payload-Oxum")
    )
    for name, data in bag_files(payload, info).items():
        (target / name).write_bytes(data)
    return target


def check(*files: Path, tagged: bool = False) -> dict[str, dict[str, Any]]:
    """`publisher check --json FILES`: the report of each file by its name."""
    done = run_cli("check", "--json", *(["--tagged"] if tagged else []), *files, timeout=600)
    reports = json.loads(done.stdout)
    ok = all(r["ok"] for r in reports)
    assert done.returncode == (0 if ok else 1), done.stderr
    return {Path(r["target"]).name: r for r in reports}


def verify(bag: Path) -> dict[str, Any]:
    done = run_cli("verify", "--json", bag, timeout=600)
    (report,) = json.loads(done.stdout)
    assert done.returncode == (0 if report["ok"] else 1), done.stderr
    return dict(report)


def codes(report: dict[str, Any]) -> set[str]:
    return {p["code"] for p in report["problems"] if p["severity"] == "error"}


def messages(report: dict[str, Any], code: str) -> str:
    return " | ".join(p["message"] for p in report["problems"] if p["code"] == code)


# --- the unbroken outputs pass ------------------------------------------------------


def test_unbroken_outputs_pass_check_and_verify(built: dict[str, Path]) -> None:
    files = [path for name, path in built.items() if "bag" not in name and "inline" not in name]
    reports = check(*files, tagged=True)
    for name, report in reports.items():
        assert report["ok"] and not report["problems"], (name, report["problems"])
    assert any(c.startswith("page-list") for c in reports["daily-digest.epub"]["checks_run"])
    for bag in (built["bag"], built["seed bag"]):
        report = verify(bag)
        assert report["ok"] and not report["problems"], report["problems"]
        assert any("against data/article.json" in c for c in report["checks_run"])


# --- 1. PDF/A with a photo that asks to be smoothed --------------------------------------


def _interpolate(pdf: pikepdf.Pdf) -> int:
    images = [
        o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
    ]
    for image in images:
        image.Interpolate = True
    return len(images)


def test_interpolated_image_in_pdfa_fails_check_and_verify(
    built: dict[str, Path], tmp_path: Path
) -> None:
    pdf = edit_pdf(built["bag"] / "data/credited.pdf", tmp_path / "credited.pdf", _interpolate)
    report = check(pdf)["credited.pdf"]
    assert "PDF-IMAGE-INTERPOLATE" in codes(report), report
    assert "PDF-VERAPDF" in codes(report)  # and veraPDF agrees (clause 6.2.8)

    def change(bag: Path) -> None:
        edit_pdf(bag / "data/credited.pdf", bag / "data/credited.pdf", _interpolate)

    report = verify(rebag(built["bag"], tmp_path / "bag", change))
    assert "PDF-IMAGE-INTERPOLATE" in codes(report)
    assert "BAG-CHECKSUM" not in codes(report)  # the format check caught it, not fixity


def test_interpolation_in_a_plain_pdf_is_no_problem(built: dict[str, Path], tmp_path: Path) -> None:
    # WeasyPrint's default; only PDF/A and PDF/X forbid it.
    pdf = edit_pdf(built["article.pdf"], tmp_path / "credited.pdf", _interpolate)
    assert "PDF-IMAGE-INTERPOLATE" not in {
        p["code"] for p in check(pdf)["credited.pdf"]["problems"]
    }


# --- 2. the package without xml:lang --------------------------------------------------------


def test_package_without_xml_lang_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def drop(text: str) -> str:
        return re.sub(r'(<package[^>]*?) xml:lang="[^"]*"', r"\1", text, count=1)

    epub = edit_epub(built["article.epub"], tmp_path / "credited.epub", {"EPUB/content.opf": drop})
    report = check(epub)["credited.epub"]
    assert "EPUB-LANG" in codes(report)
    assert "<package> has no xml:lang" in messages(report, "EPUB-LANG")


# --- 3. the page list against the PDF --------------------------------------------------------


def _marker_to_paragraph_start(text: str) -> str:
    """Move the first page marker found inside a paragraph's text to before the paragraph."""
    root = etree.fromstring(text.encode("utf-8"))
    for marker in root.iter(f"{XHTML}span"):
        parent = marker.getparent()
        if marker.get(OPS_TYPE) == "pagebreak" and parent.tag == f"{XHTML}p" and parent.text:
            previous = marker.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + (marker.tail or "")
            else:
                parent.text = (parent.text or "") + (marker.tail or "")
            marker.tail = None
            parent.addprevious(marker)
            return etree.tostring(root, xml_declaration=True, encoding="utf-8").decode("utf-8")
    return text


def test_page_list_entry_at_the_wrong_place_fails(built: dict[str, Path], tmp_path: Path) -> None:
    epub = built["a5.epub"]
    with zipfile.ZipFile(epub) as archive:
        documents = [n for n in archive.namelist() if re.search(r"article-\d+\.xhtml$", n)]
        broken = next(
            n
            for n in documents
            if _marker_to_paragraph_start(archive.read(n).decode()) != archive.read(n).decode()
        )
    shutil.copy(built["a5.pdf"], tmp_path / "daily-digest.pdf")
    epub = edit_epub(epub, tmp_path / "daily-digest.epub", {broken: _marker_to_paragraph_start})
    report = check(epub, tmp_path / "daily-digest.pdf")["daily-digest.epub"]
    assert codes(report) == {"EPUB-PAGE-LIST"}, report["problems"]
    assert "is not on page" in messages(report, "EPUB-PAGE-LIST")


def test_page_list_entry_in_another_article_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def swap(text: str) -> str:  # entry 9 leads to page 11's place, in the next article
        return re.sub(r'href="[^"#]+#page-9"', 'href="article-004.xhtml#page-11"', text, count=1)

    epub = edit_epub(built["digest.epub"], tmp_path / "daily-digest.epub", {"EPUB/nav.xhtml": swap})
    report = check(epub, built["digest.pdf"])["daily-digest.epub"]
    assert "page-list entry 9" in messages(report, "EPUB-PAGE-LIST")


# --- 4. the Arabic contents entry ------------------------------------------------------------


def test_contents_entry_with_leader_dots_between_words_fails(built: dict[str, Path]) -> None:
    reports = check(built["inline.epub"], built["inline.pdf"])
    report = reports["daily-digest.epub"]
    found = messages(report, "PDF-CONTENTS")
    assert "does not read as written" in found and "printed over each other" in found, found


def _dropping(key: str) -> Callable[[pikepdf.Pdf], int]:
    """A PDF edit that removes ``key`` from every structure element; it returns how many."""

    def drop(pdf: pikepdf.Pdf) -> int:
        count = 0
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and "/S" in obj and key in obj:
                del obj[key]
                count += 1
        return count

    return drop


# --- 5. language of parts ----------------------------------------------------------------------


def test_pdf_elements_without_their_language_fail(built: dict[str, Path], tmp_path: Path) -> None:
    pdf = edit_pdf(built["digest.pdf"], tmp_path / "daily-digest.pdf", _dropping("/Lang"))
    report = check(pdf)["daily-digest.pdf"]
    assert "PDF-LANG" in codes(report)


def test_nav_entry_without_its_language_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def drop(text: str) -> str:
        return re.sub(
            r'(<a href="article-002.xhtml") lang="ar" xml:lang="ar" dir="rtl"', r"\1", text
        )

    epub = edit_epub(built["digest.epub"], tmp_path / "d.epub", {"EPUB/nav.xhtml": drop})
    report = check(epub)["d.epub"]
    assert "EPUB-LANG" in codes(report), report["problems"]
    assert "leads to a document in 'ar'" in messages(report, "EPUB-LANG")


# --- 6. hyphens ------------------------------------------------------------------------------


def _cmaps(pdf: pikepdf.Pdf, change: Callable[[bytes], bytes]) -> int:
    count = 0
    for obj in pdf.objects:
        if (
            isinstance(obj, pikepdf.Dictionary)
            and obj.get("/Type") == "/Font"
            and "/ToUnicode" in obj
        ):
            data = obj.ToUnicode.read_bytes()
            new = change(data)
            if new != data:
                obj.ToUnicode.write(new)
                count += 1
    return count


def _minus_as_hyphen(pdf: pikepdf.Pdf) -> int:
    return _cmaps(pdf, lambda data: data.replace(b"<002d>", b"<2010>"))


def _break_as_minus(pdf: pikepdf.Pdf) -> int:
    return _cmaps(pdf, lambda data: data.replace(b"<00ad>", b"<002d>"))


def test_hyphen_minus_extracted_as_u2010_fails(built: dict[str, Path], tmp_path: Path) -> None:
    pdf = edit_pdf(built["article.pdf"], tmp_path / "credited.pdf", _minus_as_hyphen)
    assert "PDF-HYPHEN-TEXT" in codes(check(pdf)["credited.pdf"])

    def change(bag: Path) -> None:
        edit_pdf(bag / "data/credited.pdf", bag / "data/credited.pdf", _minus_as_hyphen)

    report = verify(rebag(built["bag"], tmp_path / "bag", change))
    assert "PDF-HYPHEN-SOURCE" in codes(report)
    assert "two-week" in messages(report, "PDF-HYPHEN-SOURCE")


def test_line_break_hyphen_extracted_as_a_real_one_fails(
    built: dict[str, Path], tmp_path: Path
) -> None:
    name = f"data/{SEED.stem}.pdf"

    def change(bag: Path) -> None:
        edit_pdf(bag / name, bag / name, _break_as_minus)

    report = verify(rebag(built["seed bag"], tmp_path / "bag", change))
    assert "PDF-HYPHEN-SOURCE" in codes(report), report["problems"]
    assert "hyphen line breaking added" in messages(report, "PDF-HYPHEN-SOURCE")


# --- 7. running heads and right-to-left text in tag order ---------------------------------------


def _artifacts_to_orphans(pdf: pikepdf.Pdf) -> int:
    """Mark the running heads and folios as content again, under MCIDs no element owns."""
    count = 0
    for page in pdf.pages:
        operations = pikepdf.parse_content_stream(page)
        changed = []
        for operands, operator in operations:
            if str(operator) == "BDC" and operands and operands[0] == "/Artifact":
                operands = [pikepdf.Name.Span, pikepdf.Dictionary(MCID=900 + count)]
                count += 1
            changed.append((operands, operator))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(changed))
    return count


def test_running_heads_outside_the_tree_fail(built: dict[str, Path], tmp_path: Path) -> None:
    pdf = edit_pdf(built["digest.pdf"], tmp_path / "daily-digest.pdf", _artifacts_to_orphans)
    report = check(pdf)["daily-digest.pdf"]  # an error without --tagged: the PDF says it is tagged
    assert "PDF-TAG-ORPHAN" in codes(report), report["problems"]
    assert "belong to no element" in messages(report, "PDF-TAG-ORPHAN")


def test_rtl_text_without_actual_text_fails(built: dict[str, Path], tmp_path: Path) -> None:
    pdf = edit_pdf(built["digest.pdf"], tmp_path / "daily-digest.pdf", _dropping("/ActualText"))
    report = check(pdf)["daily-digest.pdf"]
    assert "PDF-RTL-TEXT" in codes(report)


# --- 8. the smaller ones -----------------------------------------------------------------------


def test_alt_repeating_the_caption_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def repeat(text: str) -> str:
        caption = "Dock workers restart the cranes at the container terminal on Monday."
        return text.replace('alt=""', f'alt="{caption}"', 1)

    epub = edit_epub(built["article.epub"], tmp_path / "a.epub", {"EPUB/article.xhtml": repeat})
    assert "EPUB-ALT-CAPTION" in codes(check(epub)["a.epub"])


def test_photo_credit_in_rights_without_a_photo_fails(
    built: dict[str, Path], tmp_path: Path
) -> None:
    def credit(text: str) -> str:
        return text.replace("</dc:title>", "</dc:title>\n    <dc:rights>Photo: AFP</dc:rights>", 1)

    epub = edit_epub(built["unpictured.epub"], tmp_path / "u.epub", {"EPUB/content.opf": credit})
    report = check(epub)["u.epub"]
    assert "EPUB-RIGHTS" in codes(report), report["problems"]


def test_ncx_depth_zero_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def zero(text: str) -> str:
        return re.sub(r'content="\d+" name="dtb:depth"', 'content="0" name="dtb:depth"', text)

    epub = edit_epub(built["article.epub"], tmp_path / "n.epub", {"EPUB/toc.ncx": zero})
    assert "EPUB-NCX-DEPTH" in codes(check(epub)["n.epub"])


def test_css_font_without_its_file_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def drop(text: str) -> str:
        return re.sub(r'@font-face \{ font-family: "Source Sans Pro";[^}]*\}\n?', "", text)

    epub = edit_epub(built["article.epub"], tmp_path / "f.epub", {"EPUB/css/base.css": drop})
    report = check(epub)["f.epub"]
    assert "EPUB-FONT-NOT-EMBEDDED" in codes(report)
    assert "Source Sans Pro" in messages(report, "EPUB-FONT-NOT-EMBEDDED")


def test_turkish_section_upper_cased_by_english_rules_fails(
    built: dict[str, Path], tmp_path: Path
) -> None:
    def english(text: str) -> str:
        return text.replace("ŞEHİR HAYATI", "ŞEHIR HAYATI")

    epub = edit_epub(built["digest.epub"], tmp_path / "t.epub", {"EPUB/toc.xhtml": english})
    report = check(epub)["t.epub"]
    assert codes(report) == {"EPUB-CASE"}, report["problems"]
    assert "'ŞEHİR HAYATI'" in messages(report, "EPUB-CASE")


def test_credit_losing_its_label_fails(built: dict[str, Path], tmp_path: Path) -> None:
    def unlabel(bag: Path) -> None:
        edit_epub(
            built["bag"] / "data/credited.epub",
            bag / "data/credited.epub",
            {"EPUB/article.xhtml": lambda t: t.replace('"credit">Photo: AP<', '"credit">AP<')},
        )

    report = verify(rebag(built["bag"], tmp_path / "bag", unlabel))
    assert "CREDIT-LOST" in codes(report)
    assert "'Photo: AP'" in messages(report, "CREDIT-LOST")
    # The PDF side, on the bag's own PDF text with the label taken out.
    article = json.loads((built["bag"] / "data/article.json").read_text("utf-8"))
    text = "\f".join(page_texts(built["bag"] / "data/credited.pdf"))
    assert list(credit_problems(article, None, text)) == []
    lost = list(credit_problems(article, None, text.replace("Photo: AP", "AP")))
    assert [which for which, _ in lost] == ["pdf"]
    assert list(hyphen_problems(text, article)) == []
