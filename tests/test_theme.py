"""Themes: the folder cascade, settings, fonts and the strict, autoescaping Jinja environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import sample_article

from publisher.errors import ThemeError
from publisher.render.html import render_xhtml
from publisher.themes import DEFAULT_THEME, load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)


def test_default_theme_has_every_file_and_embeddable_fonts() -> None:
    theme = load_theme(None)
    assert theme.name == "default"
    assert theme.folders == (DEFAULT_THEME,)
    for name in ("base.css", "epub.css", "print.css"):
        assert theme.stylesheet(name).is_file()
    families = {face.family for face in theme.fonts}
    assert families == {
        "Source Serif Pro",
        "Source Sans Pro",
        "Source Code Pro",
        "Noto Naskh Arabic",
    }
    assert {(f.weight, f.style) for f in theme.fonts} >= {("normal", "normal"), ("bold", "italic")}
    assert all(face.path.is_file() for face in theme.fonts)


def test_styles_symlink_points_at_the_default_css() -> None:
    styles = Path(__file__).resolve().parents[1] / "styles"
    assert styles.is_symlink()
    assert not Path(styles.readlink()).is_absolute()
    assert styles.resolve() == DEFAULT_THEME / "css"


def test_autoescape_is_always_on_and_undefined_is_strict() -> None:
    environment = load_theme(None).environment
    template = environment.from_string("{{ text }}")
    assert template.render(text="<b>") == "&lt;b&gt;"
    with pytest.raises(Exception, match="undefined"):
        environment.from_string("{{ missing }}").render()


def test_a_user_theme_overrides_one_css_file_and_one_template(tmp_path: Path) -> None:
    user = tmp_path / "mytheme"
    (user / "css").mkdir(parents=True)
    (user / "templates").mkdir()
    (user / "css" / "epub.css").write_text("/* mine */ body { color: navy; }\n")
    body = (DEFAULT_THEME / "templates" / "body.xhtml").read_text()
    (user / "templates" / "body.xhtml").write_text(
        body.replace("<header>", '<header class="mine">')
    )

    theme = load_theme(user)
    assert theme.folders == (user.resolve(), DEFAULT_THEME)
    assert theme.stylesheet("epub.css") == user.resolve() / "css" / "epub.css"
    assert theme.stylesheet("base.css") == DEFAULT_THEME / "css" / "base.css"
    assert theme.stylesheet("print.css") == DEFAULT_THEME / "css" / "print.css"
    assert theme.fonts == load_theme(None).fonts  # no theme.toml: the default's fonts

    xhtml = render_xhtml(sample_article(tmp_path / "a"), theme, medium="epub", image_href=None)
    assert '<header class="mine">' in xhtml  # the user's body.xhtml ...
    assert "<title>US, Iraq" in xhtml  # ... inside the default article.xhtml


def test_a_user_theme_toml_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    (tmp_path / "theme.toml").write_text(
        'name = "tabloid"\n[fonts.heading]\nregular = "SourceSansPro-Black.otf"\n'
    )
    theme = load_theme(tmp_path)
    assert theme.name == "tabloid"
    heading = [f for f in theme.fonts if f.family == "Source Sans Pro"]
    assert heading[0].path.name == "SourceSansPro-Black.otf"
    assert {f.path.name for f in heading} >= {"SourceSansPro-BoldIt.otf"}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"theme.toml": "name = [unclosed"}, "theme settings"),
        ({"templates/body.xhtml": "{% if %}"}, "syntax error"),
        ({"theme.toml": '[fonts.body]\nfamily = "X"\npackage = "os"\n'}, "not a font package"),
        ({"theme.toml": '[fonts.body]\nfamily = "X"\npackage = "font_nope_nope"\n'}, "installed"),
        (
            {
                "theme.toml": '[fonts.body]\nfamily="X"\npackage="font_source_serif_pro"\n'
                'regular="../../../../etc/passwd"\n'
            },
            "is not in",
        ),
    ],
)
def test_a_broken_theme_is_a_theme_error_with_a_hint(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    with pytest.raises(ThemeError, match=message) as caught:
        load_theme(tmp_path)
    assert caught.value.hint


def test_a_missing_theme_folder_is_a_theme_error(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match="does not exist") as caught:
        load_theme(tmp_path / "nowhere")
    assert "--theme" in caught.value.hint


def test_article_text_is_data_never_template_source(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} {% raw %}"
    article = sample_article(
        tmp_path, headline=hostile, caption=hostile, paragraphs=(hostile,), credit=hostile
    )
    xhtml = render_xhtml(article, load_theme(None), medium="epub", image_href="images/photo.jpg")
    assert "<script" not in xhtml and "<img src=x" not in xhtml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xhtml
    assert "&lt;img src=x onerror=alert(2)&gt;" in xhtml
    assert "{{ 7*7 }}" in xhtml and "49" not in xhtml and "{% raw %}" in xhtml


def test_print_xhtml_carries_the_build_time_and_break_hints(tmp_path: Path) -> None:
    article = sample_article(tmp_path, paragraphs=("x" * 200, "short words only"))
    theme = load_theme(None)
    printed = render_xhtml(article, theme, medium="print", image_href=None, build_time=BUILD_TIME)
    assert '<meta name="dcterms.created" content="2024-01-26T09:30:00Z"/>' in printed
    assert "\u200b" in printed and '<p class="caption">' in printed
    assert "<link" not in printed  # print CSS goes to WeasyPrint directly
    ebook = render_xhtml(article, theme, medium="epub", image_href=None)
    assert "\u200b" not in ebook and "x" * 200 in ebook


def test_a_template_using_an_unknown_value_is_a_theme_error(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "body.xhtml").write_text("<p>{{ article.subtitle }}</p>")
    theme = load_theme(tmp_path)
    with pytest.raises(ThemeError, match="subtitle"):
        render_xhtml(sample_article(tmp_path / "a"), theme, medium="epub", image_href=None)


def test_theme_settings_are_read_again_when_theme_toml_changes(tmp_path: Path) -> None:
    """settings_table keeps each parsed theme.toml, but never past an edit or a copy handed out."""
    import os

    folder = tmp_path / "mine"
    folder.mkdir()
    toml = folder / "theme.toml"
    toml.write_text('[cover]\naccent = "#112233"\n', encoding="utf-8")
    theme = load_theme(folder)
    first = theme.settings_table("cover", "hint")
    assert first["accent"] == "#112233"
    first["accent"] = "changed by a caller"
    assert theme.settings_table("cover", "hint")["accent"] == "#112233"
    # Same size, another value: the new modification time is what says it changed.
    toml.write_text('[cover]\naccent = "#445566"\n', encoding="utf-8")
    os.utime(toml, ns=(10**18, 10**18))
    assert theme.settings_table("cover", "hint")["accent"] == "#445566"
    toml.write_text("[cover\n", encoding="utf-8")
    with pytest.raises(ThemeError, match="cannot be read"):
        theme.settings_table("cover", "hint")
