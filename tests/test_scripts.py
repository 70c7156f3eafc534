"""Every script: Chinese, Japanese and Korean articles through the command line.

They are detected by their script, typeset with CJK rules, and built with a
glyph for every character (every font embedded, the text read back from the
PDF, WeasyPrint drew no empty box, the cover has its headline); where no font
has the characters, the build fails with one line and writes nothing.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import pdf_fonts_embedded, plain, run_cli
from conftest import run_epubcheck

from publisher.normalise.language import detect_language
from publisher.themes.coverage import characters_of, fontconfig_language, installed_faces

DATA = Path(__file__).parent / "data" / "scripts"
ARTICLES = {"zh": "zh_shenzhen", "ja": "ja_kyoto", "ko": "ko_busan"}
#: The Noto CJK face each language is set in (Debian's fonts-noto-cjk).
REGIONAL = {"zh": "CJK-SC", "ja": "CJK-JP", "ko": "CJK-KR"}
EPOCH = {"SOURCE_DATE_EPOCH": "1711411200"}


def _text(stem: str) -> str:
    return (DATA / f"{stem}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_language_is_told_by_the_script(language: str) -> None:
    text = _text(ARTICLES[language])
    assert detect_language(text) == language
    assert detect_language(text.splitlines()[0]) == language  # the headline alone


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three articles built once, EPUB and PDF, as a user would."""
    work = tmp_path_factory.mktemp("scripts")
    for path in DATA.iterdir():
        shutil.copy(path, work / path.name)
    out = work / "out"
    result = run_cli(
        "build", *(work / f"{stem}.txt" for stem in ARTICLES.values()), "-o", out,
        "--jobs", "1", "--no-record", env=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ".notdef" not in result.stderr  # WeasyPrint drew no empty box
    return out


def _boxes(path: Path) -> list[str]:
    """Characters the PDF shows with an empty or .notdef glyph of its embedded font.

    Each ToUnicode entry's code is looked up in the embedded font program
    (Identity-H: the code is the glyph index); a glyph with no outline drawn for
    a visible character is a box or a hole. (A PDF built before this check, with
    no CJK font installed, lists every Han character here.)
    """
    import io

    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    boxes: list[str] = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, font in page.resources.get("/Font", {}).items():
                descriptor = font["/DescendantFonts"][0]["/FontDescriptor"]
                program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                face = TTFont(io.BytesIO(program.read_bytes()))
                order, glyphs = face.getGlyphOrder(), face.getGlyphSet()
                cmap = font["/ToUnicode"].read_bytes().decode("latin-1")
                for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                    for code, value in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                        char = bytes.fromhex(value).decode("utf-16-be")
                        gid = int(code, 16)
                        if char.isspace() or unicodedata.category(char)[0] in "ZC":
                            continue
                        if gid == 0 or gid >= len(order):
                            boxes.append(char)
                            continue
                        pen = BoundsPen(glyphs)
                        glyphs[order[gid]].draw(pen)
                        if pen.bounds is None:
                            boxes.append(char)
    return boxes


def _pdf_fonts(path: Path) -> dict[str, frozenset[str]]:
    """Each font of the PDF and the characters its ToUnicode map gives back."""
    fonts: dict[str, frozenset[str]] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, font in page.resources.get("/Font", {}).items():
                cmap = font.get("/ToUnicode")
                assert cmap is not None, f"{font.get('/BaseFont')} has no ToUnicode map"
                text = cmap.read_bytes().decode("latin-1")
                chars = {
                    bytes.fromhex(code).decode("utf-16-be")
                    for code in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", text)
                }
                fonts[str(font.get("/BaseFont"))] = frozenset(chars)
    return fonts


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_pdf_embeds_a_glyph_for_every_character(built: Path, language: str) -> None:
    stem = ARTICLES[language]
    pdf = built / f"{stem}.pdf"
    assert pdf_fonts_embedded(pdf) == []
    assert _boxes(pdf) == []
    fonts = _pdf_fonts(pdf)
    headline, *paragraphs = [line for line in _text(stem).splitlines() if line.strip()]
    # Straight quotes are curled by the normaliser (paired in order: “ ”).
    wanted = {c for c in headline + paragraphs[-1] if not c.isspace()} - {'"'}
    covered = frozenset().union(*fonts.values())
    assert wanted <= covered, sorted(wanted - covered)[:10]
    # The language's own CJK face drew them (Chinese not in the Japanese one).
    cjk = [name for name in fonts if "CJK" in name]
    assert cjk and all(REGIONAL[language] in name for name in cjk), fonts.keys()
    text = plain(run_pdftotext(pdf))  # the text layer gives back the article as written
    assert plain(headline).replace(" ", "") in text.replace(" ", "")
    assert wanted <= set(text)  # two columns interleave lines: compare characters
    assert wanted <= set(_pdfium_text(pdf))  # a second reader agrees
    if language == "ko":
        assert "“" in text and '"' not in text  # straight quotes paired and curled


def _pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    document = pdfium.PdfDocument(path)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def run_pdftotext(path: Path) -> str:
    import subprocess

    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_epub_is_valid_and_in_the_language(built: Path, language: str) -> None:
    epub = built / f"{ARTICLES[language]}.epub"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    with zipfile.ZipFile(epub) as book:
        opf = book.read("EPUB/content.opf").decode()
        article = book.read("EPUB/article.xhtml").decode()
    assert f"<dc:language>{language}</dc:language>" in opf
    assert f'xml:lang="{language}"' in article


@pytest.mark.parametrize("language", sorted(ARTICLES))
def test_cover_draws_the_headline(built: Path, language: str) -> None:
    from PIL import Image

    with zipfile.ZipFile(built / f"{ARTICLES[language]}.epub") as book:
        cover = book.read("EPUB/images/cover.jpg")
    import io

    image = Image.open(io.BytesIO(cover)).convert("L")
    # The headline box of a cover without a photo (publisher/render/cover.py).
    headline = image.crop((120, 580, 1480, 2240))
    ink = sum(headline.histogram()[129:])  # light pixels: the headline's letters
    assert ink > 0.03 * headline.width * headline.height


def test_a_box_weasyprint_drew_is_an_error() -> None:
    from publisher.errors import RenderError
    from publisher.render.pdf import refuse_missing_glyphs

    refuse_missing_glyphs(["Font-face 'X' cannot be loaded"])
    logged = ['.notdef glyph rendered for Unicode string unsupported by fonts: "深" (U+6DF1)']
    with pytest.raises(RenderError, match=r"深 \(U\+6DF1\)"):
        refuse_missing_glyphs(logged)


@pytest.mark.parametrize(("language", "align"), [("zh", "start"), ("fr", "justify")])
def test_cjk_paragraphs_are_not_justified_nor_hyphenated(language: str, align: str) -> None:
    """WeasyPrint's computed style of the body paragraphs, with the default theme's print CSS."""
    from dataclasses import replace

    import weasyprint

    from publisher.build import InputOptions, load_article
    from publisher.config import PdfOptions
    from publisher.render.fetch import allowed_roots, sandboxed_url_fetcher
    from publisher.render.html import render_xhtml
    from publisher.render.pdf import print_stylesheets, shared_font_config
    from publisher.themes import load_theme

    article = load_article(DATA / "zh_shenzhen.txt", InputOptions())
    article = replace(article, metadata=replace(article.metadata, language=language))
    theme = load_theme(None)
    fetcher = sandboxed_url_fetcher(allowed_roots(article, theme), {})
    xhtml = render_xhtml(article, theme, medium="print", image_href=None)
    sheets = print_stylesheets(theme, PdfOptions(), 0.0, fetcher, [])
    document = weasyprint.HTML(string=xhtml).render(
        stylesheets=sheets, font_config=shared_font_config()
    )
    styles = [
        box.style
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "element_tag", None) == "p" and box.style["text_indent"] is not None
    ]
    assert styles
    aligns = {style["text_align_all"] for style in styles}
    hyphens = {style["hyphens"] for style in styles}
    # The same article said to be French is justified and hyphenated: the rule is the language's.
    assert ("justify" in aligns) == (align == "justify"), aligns
    assert ("auto" in hyphens) == (align == "justify"), hyphens


def test_fontconfig_finds_the_regional_face() -> None:
    han = "深圳地铁"
    for language, family in (("zh", "SC"), ("ja", "JP"), ("ko", "KR"), ("zh-TW", "TC")):
        faces, missing = installed_faces(han, language)
        assert not missing
        assert faces[0].family.endswith(family), (fontconfig_language(language), faces)
        assert set(han) <= characters_of(faces[0].path, faces[0].index)


def _empty_fontconfig(folder: Path) -> dict[str, str]:
    """An environment whose fontconfig knows no font at all."""
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    return {"FONTCONFIG_FILE": str(config)}


def test_the_box_detector_sees_boxes(tmp_path: Path) -> None:
    """A PDF WeasyPrint writes with a Latin font only has boxes, and ``_boxes`` finds them."""
    import os
    import subprocess
    import sys

    from publisher.themes import load_theme

    serif = next(face.path for face in load_theme(None).fonts if face.weight == "normal")
    out = tmp_path / "boxes.pdf"
    code = (
        "import weasyprint\n"
        "from weasyprint.text.fonts import FontConfiguration\n"
        "fc = FontConfiguration()\n"
        f"css = weasyprint.CSS(string='@font-face {{ font-family: S; src: url({serif.as_uri()}); }}"
        " p {{ font-family: S; }}', font_config=fc)\n"
        "weasyprint.HTML(string='<p>Paris 深圳</p>')"
        f".write_pdf({str(out)!r}, stylesheets=[css], font_config=fc)\n"
    )
    env = {**os.environ, **_empty_fontconfig(tmp_path)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert sorted(_boxes(out)) == ["圳", "深"]


@pytest.mark.parametrize("formats", [("pdf",), ("epub",)])
def test_no_font_for_the_script_fails_before_writing(tmp_path: Path, formats: tuple[str]) -> None:
    source = tmp_path / "zh_shenzhen.txt"
    shutil.copy(DATA / "zh_shenzhen.txt", source)
    out = tmp_path / "out"
    args = [a for fmt in formats for a in ("-f", fmt)]
    result = run_cli("build", source, "-o", out, *args, env=_empty_fontconfig(tmp_path))
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: No installed font has")
    assert re.search(r"深 \(U\+6DF1\)|U\+[0-9A-F]{4}", lines[0])
    assert "fonts-noto-cjk" in lines[0] and "[fonts]" in lines[0]
    assert not out.exists() or not any(out.iterdir())
