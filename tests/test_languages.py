"""Languages: quotes and spacing, Turkish upper case, right-to-left Arabic, and every seed
in every built-in theme: no missing glyphs, only the theme's fonts, EPUBCheck, text kept."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from cli_helpers import pdf_fonts_embedded, pdf_text, plain, run_cli
from conftest import SEEDS, run_epubcheck, sample_article

from publisher.normalise import normalise_text
from publisher.render.html import render_xhtml
from publisher.themes import installed_themes, load_theme
from publisher.themes.language import is_rtl, uppercase

THEMES = tuple(installed_themes())
LANGUAGE_SEEDS = {
    "fr": "fr_marseille_quais",
    "de": "de_hamburg_busse",
    "es": "es_valencia_refugios",
    "tr": "tr_istanbul_isik",
    "ar": "ar_maghreb_solar",
}
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "fr",
            'Il a dit "non" : vraiment ?',
            f"Il a dit «{NNBSP}non{NNBSP}»{NBSP}: vraiment{NNBSP}?",
        ),
        ("fr", "Quoi ; encore !", f"Quoi{NNBSP}; encore{NNBSP}!"),
        ("de", "Er sagte: \"Das ist 'gut'.\"", "Er sagte: „Das ist ‚gut‘.“"),
        # Spanish: the RAE's angular quotes outside, English quotes inside, no spaces.
        ("es", "Dijo: \"nadie dice 'no' aquí\".", "Dijo: «nadie dice “no” aquí»."),
        ("es", '¿"Hoy"? ¡Sí!', "¿«Hoy»? ¡Sí!"),
        ("tr", 'Direktör "Amacımız" dedi.', "Direktör “Amacımız” dedi."),
        ("ar", 'قال إن المحطة "جديدة".', "قال إن المحطة «جديدة»."),
    ],
)
def test_quotes_and_spacing_follow_the_language(language: str, text: str, expected: str) -> None:
    assert normalise_text(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("İstanbul'da ışık", "tr", "İSTANBUL'DA IŞIK"),
        ("Diyarbakır'da iğne", "tr-TR", "DİYARBAKIR'DA İĞNE"),
        ("Bakı şəhəri", "az", "BAKI ŞƏHƏRİ"),
        ("istanbul", "en", "ISTANBUL"),
        ("Straße", "de", "STRASSE"),
    ],
)
def test_uppercase_keeps_the_turkish_dot(text: str, language: str, expected: str) -> None:
    assert uppercase(text, language) == expected


@pytest.mark.parametrize("theme_name", THEMES)
def test_section_labels_are_upper_cased_in_the_template_not_in_css(
    theme_name: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    theme = load_theme(theme_name)
    base = sample_article(tmp_path)
    article = replace(
        base, metadata=replace(base.metadata, section="İstanbul'da ışık", language="tr")
    )
    xhtml = render_xhtml(article, theme, medium="epub", image_href=None)
    assert '<p class="section">İSTANBUL&#39;DA IŞIK</p>' in xhtml
    for name in ("base.css", "epub.css", "print.css"):
        for path in theme.stylesheet_layers(name):
            assert "text-transform" not in path.read_text(), path


@pytest.mark.parametrize(
    ("language", "rtl"),
    [("ar", True), ("he", True), ("fa", True), ("ur", True), ("en", False), ("tr", False)],
)
def test_right_to_left_languages_get_dir_rtl_on_html_and_article(
    language: str, rtl: bool, tmp_path: Path
) -> None:
    from dataclasses import replace

    base = sample_article(tmp_path)
    article = replace(base, metadata=replace(base.metadata, language=language))
    assert is_rtl(language) is rtl
    xhtml = render_xhtml(article, load_theme(None), medium="epub", image_href=None)
    html_tag = re.search(r"<html[^>]*>", xhtml)
    article_tag = re.search(r"<article[^>]*>", xhtml)
    assert html_tag and article_tag
    assert ('dir="rtl"' in html_tag.group()) is rtl
    assert ('dir="rtl"' in article_tag.group()) is rtl


def test_bylines_follow_the_language(tmp_path: Path) -> None:
    from dataclasses import replace

    base = sample_article(tmp_path)
    expected = {
        "en": "By Jane Doe and Ali Hassan",
        "fr": "Par Jane Doe et Ali Hassan",
        "de": "Von Jane Doe und Ali Hassan",
        "es": "Por Jane Doe y Ali Hassan",
        "tr": "Jane Doe ve Ali Hassan",
    }
    for language, byline in expected.items():
        article = replace(base, metadata=replace(base.metadata, language=language))
        xhtml = render_xhtml(article, load_theme(None), medium="epub", image_href=None)
        assert f'<span class="authors">{byline}</span>' in xhtml


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "February 20, 2024"),
        ("en-GB", "20 February 2024"),
        ("fr", "20 février 2024"),
        ("de", "20. Februar 2024"),
        ("es", "20 de febrero de 2024"),
        ("tr", "20 Şubat 2024"),
        ("ar", "20 فبراير 2024"),
    ],
)
def test_dates_are_written_out_in_the_language(tmp_path: Path, language: str, shown: str) -> None:
    from dataclasses import replace

    base = sample_article(tmp_path)
    meta = replace(base.metadata, language=language, date="2024-02-20T07:30:00Z")
    xhtml = render_xhtml(replace(base, metadata=meta), load_theme(None), medium="epub",
                         image_href=None)  # fmt: skip
    assert f'<time datetime="2024-02-20T07:30:00Z">{shown}</time>' in xhtml


def test_the_arabic_cover_headline_is_drawn_in_the_arabic_font() -> None:
    from publisher.render.cover import _font_bytes

    theme = load_theme(None)
    arabic = (theme.folders[-1] / "fonts" / "NotoNaskhArabic-Bold.ttf").read_bytes()
    assert _font_bytes(theme, "Source Sans Pro", "bold", "افتتاح محطة جديدة") == arabic
    assert _font_bytes(theme, "Source Sans Pro", "bold", "İstanbul'da ışık") != arabic


# --- every language seed, built with every built-in theme through the CLI ----------


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seeds folder built with each theme (as `make demo` does, plus --theme)."""
    outputs = {}
    for name in THEMES:
        out = tmp_path_factory.mktemp(f"seeds-{name}")
        result = run_cli("build", SEEDS, "-o", out, "--theme", name, timeout=600)
        assert result.returncode == 0, result.stderr
        outputs[name] = out
    return outputs


def _article_text(epub: Path) -> str:
    """The visible text of the EPUB's article document."""
    from lxml import etree

    with zipfile.ZipFile(epub) as book:
        document = etree.fromstring(book.read("EPUB/article.xhtml"))
    body = document.find("{http://www.w3.org/1999/xhtml}body")
    assert body is not None
    return "".join(body.itertext())


def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


CASES = [(theme, language) for theme in THEMES for language in LANGUAGE_SEEDS]


@pytest.mark.parametrize(("theme_name", "language"), CASES)
def test_every_character_has_a_glyph_in_the_themes_fonts(
    theme_name: str, language: str, builds: dict[str, Path]
) -> None:
    epub = builds[theme_name] / f"{LANGUAGE_SEEDS[language]}.epub"
    # The article's text, what the CSS adds (the byline's "· ") and the folios.
    used = set(_article_text(epub)) | set("· 0123456789")
    used -= {"\n", "\t", "\r"}
    covered: set[int] = set()
    for face in load_theme(theme_name).fonts:
        covered |= _cmap(face.path)
    missing = sorted(
        f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in used if ord(c) not in covered
    )
    assert not missing, missing


@pytest.mark.parametrize(("theme_name", "language"), CASES)
def test_the_pdf_embeds_only_the_themes_fonts(
    theme_name: str, language: str, builds: dict[str, Path]
) -> None:
    import pikepdf

    pdf = builds[theme_name] / f"{LANGUAGE_SEEDS[language]}.pdf"
    assert pdf_fonts_embedded(pdf) == []
    families = {face.family.replace(" ", "-") for face in load_theme(theme_name).fonts}
    names = set()
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for _, font in page.resources.get("/Font", {}).items():
                names.add(str(font.get("/BaseFont")).lstrip("/").split("+")[-1])
    strangers = {n for n in names if not any(n.startswith(f) for f in families)}
    assert not strangers, f"host fonts in the PDF: {strangers}"
    if language == "ar":
        assert any(n.startswith("Noto-Naskh-Arabic") for n in names)


@pytest.mark.parametrize(("theme_name", "language"), CASES)
def test_the_epub_is_clean_and_has_the_languages_markup(
    theme_name: str, language: str, builds: dict[str, Path]
) -> None:
    epub = builds[theme_name] / f"{LANGUAGE_SEEDS[language]}.epub"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    with zipfile.ZipFile(epub) as book:
        xhtml = book.read("EPUB/article.xhtml").decode()
        opf = book.read("EPUB/content.opf").decode()
        nav = book.read("EPUB/nav.xhtml").decode()
        cover = book.read("EPUB/cover.xhtml").decode()
    assert f'lang="{language}"' in xhtml
    rtl = language == "ar"
    assert ('dir="rtl"' in xhtml) is rtl
    # A reader turns an Arabic book's pages the other way, and lays out its contents right to left.
    spine = re.search(r"<spine[^>]*>", opf)
    assert spine is not None
    assert ('page-progression-direction="rtl"' in spine.group()) is rtl
    assert ('dir="rtl"' in nav) is rtl
    assert ('dir="rtl"' in cover) is rtl
    # What a reading system speaks around the article is in the book's language too.
    cover_word, landmarks = NAV_WORDS[language]
    assert f"<title>{cover_word}: " in cover
    assert (
        f"<h2>{landmarks}</h2>" in nav
        and f'epub:type="cover" href="cover.xhtml">{cover_word}<' in nav
    )


#: The cover's name and the landmarks heading, per language (written by hand, not from the code).
NAV_WORDS = {
    "en": ("Cover", "Landmarks"),
    "fr": ("Couverture", "Repères"),
    "de": ("Titelbild", "Orientierungspunkte"),
    "es": ("Portada", "Puntos de referencia"),
    "tr": ("Kapak", "Yer işaretleri"),
    "ar": ("الغلاف", "المعالم"),
}


def _paragraphs(language: str) -> list[str]:
    from publisher.build import InputOptions, load_article

    article = load_article(SEEDS / f"{LANGUAGE_SEEDS[language]}.txt", InputOptions())
    assert article.metadata.language == language
    assert len(article.paragraphs) >= 4 and article.caption and article.credit
    return list(article.paragraphs)


@pytest.mark.parametrize(("theme_name", "language"), CASES)
def test_the_pdf_keeps_the_paragraphs(
    theme_name: str, language: str, builds: dict[str, Path]
) -> None:
    pdf = builds[theme_name] / f"{LANGUAGE_SEEDS[language]}.pdf"
    text = plain(pdf_text(pdf))
    if language == "ar":
        # Extraction order of right-to-left lines varies: every Arabic word must appear.
        found = set(re.findall(r"[\u0600-\u06ff]+", unicodedata.normalize("NFKC", text)))
        for paragraph in _paragraphs(language):
            words = re.findall(r"[\u0600-\u06ff]+", paragraph)
            missing = [w for w in words if w not in found]
            assert not missing, missing
        return
    for paragraph in _paragraphs(language):
        words = plain(paragraph).split(" ")
        # broadsheet's drop cap is its own box: the first word may lose its first letter.
        assert " ".join(words[1:]) in text


def _text_left_edge_mm(pdf: Path) -> float:
    from pypdf import PdfReader

    page = PdfReader(pdf).pages[0]
    xs: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            xs.append(tm[4] * cm[0] + cm[4])

    page.extract_text(visitor_text=visit)
    return min(xs) * 25.4 / 72


@pytest.mark.parametrize("theme_name", THEMES)
def test_a_right_to_left_article_starts_on_a_left_page(
    theme_name: str, builds: dict[str, Path]
) -> None:
    """Page 1 of a right-to-left document is a left page: the binding (the wider
    margin) is on its right, so its text sits further left than a left-to-right page 1."""
    theme = load_theme(theme_name)
    print_css = "\n".join(p.read_text() for p in theme.stylesheet_layers("print.css"))
    margins = re.findall(
        r"@page :(left|right) \{ margin: ([\d.]+)mm ([\d.]+)mm [\d.]+mm ([\d.]+)mm", print_css
    )
    left = {side: (float(r), float(lf)) for side, _, r, lf in margins}
    shift = left["right"][1] - left["left"][1]  # page 1's left margin, LTR minus RTL
    assert shift > 0
    ltr = _text_left_edge_mm(builds[theme_name] / f"{LANGUAGE_SEEDS['de']}.pdf")
    rtl = _text_left_edge_mm(builds[theme_name] / f"{LANGUAGE_SEEDS['ar']}.pdf")
    assert ltr - rtl == pytest.approx(shift, abs=1.0)
