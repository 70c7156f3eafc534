"""EPUB defects real clients found (issue 11), each with the test that would have caught it.

Built once through the CLI (module fixtures): single articles in every seed
language and every built-in theme, with and without a photo, and collections.
Every check runs over every EPUB where it applies, not over one sample.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import plain, run_cli
from collection_helpers import page_text, pdf_raw_texts
from conftest import SEEDS, run_epubcheck
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from lxml import etree

from publisher.render.cover import _font_bytes, fit_text, hyphenation
from publisher.themes import load_theme

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
THEMES = ("default", "broadsheet", "digest")
CREDITED = """---
caption: "Dock workers restart the cranes at the container terminal on Monday. Photo: AP"
---
# Harbour cranes return to work after the strike

Work resumed at the port on Monday after a two-week strike over pay.

## What changes

The agreement raises pay by six percent over two years.

Shipping lines said the backlog would take a month to clear.
"""
UNPICTURED = """Council delays vote on the new tram line
(AFP)

The city council postponed its vote on the tram line to next month.

Members asked for a new cost estimate before deciding.
"""


def _build(*args: str | Path) -> None:
    result = run_cli("build", *args, env=EPOCH, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> output folder: seeds (each language), a credited photo, themes, collections."""
    from PIL import Image

    root = tmp_path_factory.mktemp("conformance")
    inputs = root / "in"
    inputs.mkdir()
    (inputs / "credited.md").write_text(CREDITED, encoding="utf-8")
    Image.new("RGB", (900, 600), (60, 120, 90)).save(inputs / "credited.jpg", quality=85)
    (inputs / "unpictured.txt").write_text(UNPICTURED, encoding="utf-8")
    everything = root / "all"
    shutil.copytree(SEEDS, everything)
    outputs = {name: root / name for name in ("seeds", "own", "collection", "named")}
    _build(SEEDS, "-o", outputs["seeds"], "--format", "epub")
    _build(inputs, "-o", outputs["own"])  # EPUB and PDF: the credit in both
    for theme in THEMES[1:]:
        outputs[theme] = root / theme
        seeds = (SEEDS / "de_hamburg_busse.txt", SEEDS / "ar_maghreb_solar.txt")
        _build(*seeds, inputs, "-o", outputs[theme], "--theme", theme, "--format", "epub")
    _build(everything, "--collection", "Daily digest", "-o", outputs["collection"])
    _build(
        SEEDS / "fr_marseille_quais.txt",
        SEEDS / "tr_istanbul_isik.txt",
        "--collection",
        "Daily digest",
        "--collection-publisher",
        "Wire Digest",
        "--format",
        "epub",
        "-o",
        outputs["named"],
    )
    return outputs


@pytest.fixture(scope="module")
def epubs(built: dict[str, Path]) -> dict[str, Path]:
    """Every EPUB built, by a readable name."""
    return {
        f"{name}/{path.stem}": path
        for name, folder in built.items()
        for path in sorted(folder.glob("*.epub"))
    }


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def opf(path: Path) -> Any:
    return etree.fromstring(read(path, "EPUB/content.opf"))


def documents(path: Path) -> dict[str, Any]:
    """Every XHTML document of the EPUB, parsed, by its name in the zip."""
    return {
        name: etree.fromstring(read(path, name)) for name in names(path) if name.endswith(".xhtml")
    }


def test_every_kind_was_built(epubs: dict[str, Path]) -> None:
    assert len(epubs) >= 14, sorted(epubs)


def test_package_and_ncx_carry_the_book_language(epubs: dict[str, Path]) -> None:
    for name, path in epubs.items():
        package = opf(path)
        language = package.findtext(".//dc:language", namespaces=NS)
        assert package.get(XML_LANG) == language, name
        assert etree.fromstring(read(path, "EPUB/toc.ncx")).get(XML_LANG) == language, name


def test_ncx_depth_is_how_deep_its_nav_map_nests(epubs: dict[str, Path]) -> None:
    depths = {}
    for name, path in epubs.items():
        ncx = etree.fromstring(read(path, "EPUB/toc.ncx"))
        deepest = max(
            len(point.xpath("ancestor-or-self::ncx:navPoint", namespaces=NS))
            for point in ncx.iterfind(".//ncx:navPoint", NS)
        )
        (declared,) = ncx.xpath("//ncx:meta[@name='dtb:depth']/@content", namespaces=NS)
        assert int(declared) == deepest >= 1, name
        depths[name] = deepest
    # Subheadings and sections nest; a plain article does not.
    assert depths["own/credited"] == 2 and depths["collection/daily-digest"] == 2
    assert depths["own/unpictured"] == 1


def test_alt_text_never_repeats_a_printed_caption(epubs: dict[str, Path]) -> None:
    checked = 0
    for name, path in epubs.items():
        for document, root in documents(path).items():
            for figure in root.iterfind(".//x:figure", NS):
                image = figure.find(".//x:img", NS)
                caption = figure.find("x:figcaption", NS)
                if image is None or caption is None:
                    continue
                alt = " ".join(image.get("alt", "").split())
                printed = plain("".join(caption.itertext()))
                assert image.get("alt") is not None, (name, document)
                assert not alt or plain(alt) not in printed, (name, document, alt)
                checked += 1
    assert checked >= 3  # the credited photo in each theme


def test_rights_name_a_photo_credit_only_with_the_photo(epubs: dict[str, Path]) -> None:
    for name, path in epubs.items():
        package = opf(path)
        rights = [e.text for e in package.iterfind(".//dc:rights", NS)]
        has_photo = any(n.startswith("EPUB/images/photo") for n in names(path))
        if name.endswith("/unpictured"):
            assert rights == [], name  # its "(AFP)" credits a photo it does not have
        if name.endswith("/credited"):
            assert has_photo and rights == ["Photo: AP"], (name, rights)
        for value in rights:
            assert has_photo or not value.startswith("Photo"), (name, value)


def test_a_labelled_credit_keeps_its_label_in_both_outputs(built: dict[str, Path]) -> None:
    folder = built["own"]
    xhtml = read(folder / "credited.epub", "EPUB/article.xhtml").decode("utf-8")
    assert '<span class="credit">Photo: AP</span>' in xhtml
    pdf = " ".join(page_text(raw) for raw in pdf_raw_texts((folder / "credited.pdf").read_bytes()))
    assert "on Monday. Photo: AP" in pdf


def test_collection_publisher_is_the_collections_not_the_first_articles(
    epubs: dict[str, Path],
) -> None:
    # The seeds name six different publishers: none of them published the digest.
    default = opf(epubs["collection/daily-digest"])
    assert default.find(".//dc:publisher", NS) is None
    titlepage = read(epubs["collection/daily-digest"], "EPUB/titlepage.xhtml").decode()
    assert "collection-publisher" not in titlepage
    named = opf(epubs["named/daily-digest"])
    assert [e.text for e in named.iterfind(".//dc:publisher", NS)] == ["Wire Digest"]
    assert "Wire Digest" in read(epubs["named/daily-digest"], "EPUB/titlepage.xhtml").decode()


def test_collection_publisher_needs_a_collection(tmp_path: Path) -> None:
    result = run_cli("build", SEEDS / "fr_marseille_quais.txt", "--collection-publisher", "X")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "--collection TITLE" in result.stderr


def _seed_sections() -> dict[str, str]:
    found = {}
    for sidecar in SEEDS.glob("*.toml"):
        text = sidecar.read_text(encoding="utf-8")
        language = re.search(r'language = "(\w+)"', text)
        section = re.search(r'section = "([^"]+)"', text)
        if language and section:
            found[section.group(1)] = language.group(1)
    return found


def test_section_labels_are_marked_and_upper_cased_in_their_language(
    epubs: dict[str, Path], built: dict[str, Path]
) -> None:
    from publisher.themes.language import is_rtl, uppercase

    sections = _seed_sections()
    assert "tr" in sections.values()
    for name in ("collection/daily-digest",):
        path = epubs[name]
        book = opf(path).findtext(".//dc:language", namespaces=NS)
        nav = etree.fromstring(read(path, "EPUB/nav.xhtml"))
        labels = {span.text: span for span in nav.iterfind(".//x:nav[@id='toc']//x:span", NS)}
        contents = etree.fromstring(read(path, "EPUB/toc.xhtml"))
        found = contents.iterfind(".//x:span[@class='toc-section-title']", NS)
        titles = {span.text: span for span in found}
        for section, language in sections.items():
            if language == book:
                continue
            for span in (labels[section], titles[uppercase(section, language)]):
                assert span.get("lang") == language == span.get(XML_LANG), (name, section)
                assert (span.get("dir") == "rtl") == is_rtl(language), (name, section)
    assert "ŞEHİR HAYATI" in titles and "ŞEHIR HAYATI" not in titles
    pdf = pdf_raw_texts((built["collection"] / "daily-digest.pdf").read_bytes())
    contents_page = next(page for page in pdf if "Contents" in page)
    assert "ŞEHİR HAYATI" in unicodedata.normalize("NFC", contents_page)


def _font_families(path: Path) -> dict[str, str]:
    """``@font-face`` src -> family, from the EPUB's base stylesheet."""
    css = read(path, "EPUB/css/base.css").decode("utf-8")
    return {
        src: family
        for family, src in re.findall(
            r'@font-face \{ font-family: "([^"]+)"; src: url\("\.\./([^"]+)"\)', css
        )
    }


def test_fonts_are_embedded_subsetted_and_licensed(epubs: dict[str, Path]) -> None:
    for name, path in epubs.items():
        faces = _font_families(path)
        families = set(faces.values())
        assert {"Source Serif Pro", "Source Sans Pro"} <= families, name
        if name.startswith("digest/"):
            assert "Source Sans Pro Display" in families, name
        text = "".join(
            "".join(root.find("x:body", NS).itertext()) for root in documents(path).values()
        )
        arabic = any("\u0600" <= char <= "\u06ff" for char in text)
        assert ("Noto Naskh Arabic" in families) == arabic, name
        # The monospace face is for code only (styles/base.css: code, pre).
        code = any(
            root.find(f".//x:{tag}", NS) is not None
            for root in documents(path).values()
            for tag in ("code", "pre")
        )
        assert ("Source Code Pro" in families) == code, name
        manifest = {item.get("href"): item.get("media-type") for item in opf(path).iter()}
        for src, family in faces.items():
            assert manifest[src.removeprefix("EPUB/")] in ("font/otf", "font/ttf"), (name, src)
            with TTFont(io.BytesIO(read(path, f"EPUB/{src}"))) as font:
                cmap = font.getBestCmap()
                # A subset, not the font: the shared repertoire (about 400 code points, see
                # epub_fonts._repertoire) of faces that have 1,270 to 1,950 glyphs (Latin).
                assert len(font.getGlyphOrder()) < 500, (name, src)
            if family.startswith("Source") and not arabic:
                letters = {c for c in text if c.isalpha() and not "\u0600" <= c <= "\u06ff"}
                assert {c for c in letters if ord(c) not in cmap} == set(), (name, src)
        licences = [n for n in names(path) if n.startswith("EPUB/fonts/") and n.endswith(".txt")]
        assert len(licences) == len({family.split()[1] for family in families if " " in family})
        for licence in licences:
            assert b"SIL Open Font License" in read(path, licence), (name, licence)


def test_epubs_with_fonts_pass_epubcheck(epubs: dict[str, Path]) -> None:
    # OpenType (CFF) and TrueType subsets, a licence file, three families, right to left.
    report = run_epubcheck(epubs["digest/ar_maghreb_solar"])
    assert report.clean, report.messages


def test_a_theme_can_leave_the_fonts_out(tmp_path: Path) -> None:
    theme = tmp_path / "plain"
    theme.mkdir()
    (theme / "theme.toml").write_text(
        'name = "plain"\nextends = "default"\n\n[epub]\nembed_fonts = false\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    _build(SEEDS / "fr_marseille_quais.txt", "-o", out, "--format", "epub", "--theme", theme)
    epub = out / "fr_marseille_quais.epub"
    assert not [n for n in names(epub) if n.startswith("EPUB/fonts/")]
    assert "@font-face" not in read(epub, "EPUB/css/base.css").decode()
    (theme / "theme.toml").write_text('[epub]\nembed_fonts = "no"\n', encoding="utf-8")
    result = run_cli("build", SEEDS / "fr_marseille_quais.txt", "-o", out, "--theme", theme)
    assert result.returncode == 1 and "embed_fonts" in result.stderr


def _seed_headlines() -> list[tuple[str, str]]:
    found = []
    for text in sorted(SEEDS.glob("*.txt")):
        sidecar = text.with_suffix(".toml")
        language = "en"
        if sidecar.is_file():
            match = re.search(r'language = "(\w+)"', sidecar.read_text(encoding="utf-8"))
            language = match.group(1) if match else "en"
        found.append((text.read_text(encoding="utf-8").split("\n", 1)[0].strip(), language))
    return found


@pytest.mark.parametrize("theme_name", THEMES)
def test_cover_headlines_never_break_a_word_without_a_hyphen(theme_name: str) -> None:
    """Every seed headline, at both cover layouts, in every theme's headline face."""
    from publisher.render.cover import cover_style

    theme = load_theme(None if theme_name == "default" else theme_name)
    family = cover_style(theme).headline_family
    for headline, language in _seed_headlines():
        font = _font_bytes(theme, family, "bold", headline)
        words = headline.split()
        hyphenate = hyphenation(language)
        for width, height, largest in ((1360, 670, 190), (1360, 1660, 260)):
            lines = fit_text(headline, font, width, height, largest, language=language)[1]
            _assert_breaks_are_marked(lines, words, hyphenate, (theme_name, headline, largest))


def _assert_breaks_are_marked(
    lines: list[str], words: list[str], hyphenate: Any, where: object
) -> None:
    """Each line ends at a word's end, or at a hyphenation point with a hyphen."""
    pending = ""
    joined: list[str] = []
    for line in lines:
        parts = line.split()
        if pending:
            parts[0] = pending + parts[0]
            pending = ""
        last = parts[-1]
        if last not in words and last.endswith("-"):
            word = next(w for w in words if w.startswith(last[:-1]))
            if word.startswith(last):  # after a hyphen the word has: "pro-" / "Iranian"
                pending = parts.pop()
            else:
                assert hyphenate is not None and len(last) - 1 in hyphenate(word), (where, line)
                pending = parts.pop()[:-1]
        joined.extend(parts)
    assert joined == words, (where, lines)


def test_german_cover_hyphenates_linienverkehr() -> None:
    theme = load_theme(None)
    font = _font_bytes(theme, "Source Sans Pro", "bold")
    headline = "Hamburg testet selbstfahrende Busse im Linienverkehr"
    lines = fit_text(headline, font, 1360, 1660, 260, language="de")[1]
    assert "Linienver-" in lines and "kehr" in lines and "Linienverke" not in lines


def test_the_nav_heading_is_in_the_books_language(epubs: dict[str, Path]) -> None:
    from publisher.render.collection_html import contents_label

    for name, path in epubs.items():
        language = opf(path).findtext(".//dc:language", namespaces=NS)
        nav = etree.fromstring(read(path, "EPUB/nav.xhtml"))
        heading = nav.find(".//x:nav[@role='doc-toc']/*", NS)
        assert heading is not None and heading.text == contents_label(language), name
    assert contents_label("tr") == "İçindekiler"


def test_font_subsets_do_not_depend_on_the_clock(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A Dask worker has no SOURCE_DATE_EPOCH: its subsets must equal a local build's."""
    from publisher.render import epub_fonts

    theme = load_theme(None)
    css = 'p { font-family: "Source Sans Pro"; }'
    made = []
    for epoch in ("1706140800", None):
        if epoch is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        epub_fonts._subset_of.cache_clear()
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{epoch}"))  # no disk hit
        made.append(epub_fonts.embedded_fonts(theme, ["Harbour cranes"], css).files)
    assert made[0] == made[1] and len(made[0]) == 5  # four faces and their licence
