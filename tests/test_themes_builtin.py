"""Built-in themes, extends, [css] additions, font paths, and the `publisher theme` commands."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from cli_helpers import epub_xhtml, pdf_fonts_embedded, pdf_text, plain, run_cli
from conftest import SEED, run_epubcheck, sample_article

from publisher.errors import ThemeError
from publisher.render.html import render_xhtml
from publisher.themes import DEFAULT_THEME, load_theme, resolve_theme
from publisher.themes.catalog import describe_theme, export_theme, installed_themes

BUILTIN = ("broadsheet", "digest")


def test_the_builtin_themes_are_installed_and_described() -> None:
    assert list(installed_themes()) == ["broadsheet", "default", "digest"]
    for name in installed_themes():
        assert describe_theme(name) and "\n" not in describe_theme(name)


@pytest.mark.parametrize("name", BUILTIN)
def test_a_builtin_theme_extends_default_and_holds_only_what_differs(name: str) -> None:
    theme = load_theme(name)
    folder = installed_themes()[name]
    assert theme.name == name
    assert theme.folders == (folder, DEFAULT_THEME)
    settings = tomllib.loads((folder / "theme.toml").read_text(encoding="utf-8"))
    assert settings["extends"] == "default"
    assert not (folder / "templates").exists()  # the default's templates serve
    for css in ("base.css", "epub.css", "print.css"):  # the default's files, extended
        assert theme.stylesheet(css) == DEFAULT_THEME / "css" / css
    assert theme.stylesheet_layers("base.css")[1].parent == folder / "css"
    assert theme.stylesheet_layers("print.css")[1].parent == folder / "css"
    assert theme.stylesheet_layers("epub.css") == (DEFAULT_THEME / "css" / "epub.css",)


def test_the_themes_differ_in_fonts_layout_and_cover() -> None:
    from publisher.render.cover import cover_style

    default, broadsheet, digest = (load_theme(n) for n in ("default", *BUILTIN))
    styles = {cover_style(t) for t in (default, broadsheet, digest)}
    assert len({(s.background, s.foreground, s.accent) for s in styles}) == 3
    broad_css = "\n".join(p.read_text() for p in broadsheet.stylesheet_layers("print.css")[1:])
    broad_base = broadsheet.stylesheet_layers("base.css")[1].read_text()
    digest_css = "\n".join(p.read_text() for p in digest.stylesheet_layers("print.css")[1:])
    assert "::first-letter" in broad_base and "all-small-caps" in broad_base
    assert "column-rule" in broad_css
    assert "column-count: 1" in digest_css
    assert "Source Sans Pro Display" in {f.family for f in digest.fonts}


def test_resolve_theme_takes_a_folder_first_then_a_builtin_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve_theme("digest") == installed_themes()["digest"]
    (tmp_path / "digest").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_theme("digest") == (tmp_path / "digest").resolve()
    assert resolve_theme(Path("digest")) == (tmp_path / "digest").resolve()


def test_an_unknown_theme_name_lists_the_installed_themes() -> None:
    with pytest.raises(ThemeError) as caught:
        load_theme("tabloid")
    assert "'tabloid' is not installed" in caught.value.message
    assert "Installed themes are: broadsheet, default, digest." in caught.value.message
    assert caught.value.hint


def _theme(folder: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "theme.toml").write_text(toml, encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_user_theme_extending_a_builtin_cascades_user_then_builtin_then_default(
    tmp_path: Path,
) -> None:
    mine = _theme(
        tmp_path / "mine",
        'extends = "broadsheet"\n[cover]\naccent = "#123456"\n[css]\nprint = ["css/mine.css"]\n',
        {"css/mine.css": "h1 { color: navy; }\n"},
    )
    theme = load_theme(mine)
    broadsheet = installed_themes()["broadsheet"]
    assert theme.folders == (mine.resolve(), broadsheet, DEFAULT_THEME)
    assert theme.name == "broadsheet"  # inherited key by key
    assert [p.name for p in theme.stylesheet_layers("print.css")] == [
        "print.css",
        "broadsheet-print.css",
        "mine.css",
    ]
    from publisher.render.cover import cover_style

    style = cover_style(theme)
    assert style.accent == (0x12, 0x34, 0x56)  # the user's key ...
    assert style.headline_family == "Source Serif Pro"  # ... over broadsheet's


def test_extends_takes_a_relative_path(tmp_path: Path) -> None:
    _theme(tmp_path / "house", 'name = "house"\nextends = "digest"\n')
    child = _theme(tmp_path / "desk", 'name = "desk"\nextends = "../house"\n')
    theme = load_theme(child)
    assert theme.folders == (
        child.resolve(),
        (tmp_path / "house").resolve(),
        installed_themes()["digest"],
        DEFAULT_THEME,
    )
    assert theme.name == "desk"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('extends = "tabloid"\n', "Installed themes are: broadsheet, default, digest"),
        ("extends = 3\n", "must be a theme name"),
        ('[css]\nbase = ["../../etc/passwd"]\n', "outside"),
        ('[css]\nbase = ["css/missing.css"]\n', "not a file"),
        ('[css]\nfooter = ["css/x.css"]\n', "not valid"),
        ('[fonts.x]\nfamily = "X"\npath = "../.."\nregular = "a.ttf"\n', "not inside"),
        ('[fonts.x]\nfamily = "X"\npath = "nope"\nregular = "a.ttf"\n', "does not exist"),
        (
            '[fonts.x]\nfamily = "X"\npath = "."\npackage = "font_source_sans_pro"\n',
            "both a package and a path",
        ),
        ('[fonts.x]\nfamily = "X"\npath = "."\nregular = "missing.ttf"\n', "is not in"),
    ],
)
def test_broken_extends_css_and_font_paths_are_theme_errors(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(ThemeError, match=message) as caught:
        load_theme(_theme(tmp_path / "t", toml))
    assert caught.value.hint


def test_an_extends_cycle_is_a_theme_error(tmp_path: Path) -> None:
    _theme(tmp_path / "a", 'extends = "../b"\n')
    _theme(tmp_path / "b", 'extends = "../a"\n')
    with pytest.raises(ThemeError, match="cycle") as caught:
        load_theme(tmp_path / "a")
    assert "a → " in caught.value.message and caught.value.hint


def test_a_font_path_is_relative_to_the_theme_toml_that_names_it(tmp_path: Path) -> None:
    arabic = DEFAULT_THEME / "fonts" / "NotoNaskhArabic-Regular.ttf"
    mine = _theme(
        tmp_path / "mine",
        '[fonts.arabic]\nregular = "Mine.ttf"\nbold = "Mine.ttf"\npath = "myfonts"\n',
    )
    (mine / "myfonts").mkdir()
    (mine / "myfonts" / "Mine.ttf").write_bytes(arabic.read_bytes())
    theme = load_theme(mine)
    by_file = {(f.family, f.weight, f.style): f.path for f in theme.fonts}
    # The user's faces from the user's folder, under the inherited family name.
    assert by_file[("Noto Naskh Arabic", "normal", "normal")] == mine.resolve() / "myfonts/Mine.ttf"
    assert by_file[("Noto Naskh Arabic", "bold", "normal")] == mine.resolve() / "myfonts/Mine.ttf"
    # A role switched from a package to a path looks for every face it names
    # there, inherited names too (the default's SourceSerifPro-Regular.otf...).
    _theme(mine, '[fonts.body]\npath = "myfonts"\nbold = "Mine.ttf"\n')
    with pytest.raises(ThemeError, match=r"SourceSerifPro-Regular\.otf"):
        load_theme(mine)


def test_the_default_arabic_font_is_read_from_the_theme_folder() -> None:
    theme = load_theme(None)
    arabic = [f for f in theme.fonts if f.family == "Noto Naskh Arabic"]
    assert {f.path.name for f in arabic} == {
        "NotoNaskhArabic-Regular.ttf",
        "NotoNaskhArabic-Bold.ttf",
    }
    assert all(f.path.is_relative_to(DEFAULT_THEME) for f in arabic)
    assert (DEFAULT_THEME / "fonts" / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_export_copies_the_theme_and_the_copy_works(tmp_path: Path) -> None:
    written = export_theme("broadsheet", tmp_path / "copy")
    source = installed_themes()["broadsheet"]
    assert sorted(p.relative_to(tmp_path / "copy") for p in written) == sorted(
        p.relative_to(source) for p in source.rglob("*") if p.is_file()
    )
    theme = load_theme(tmp_path / "copy")
    assert theme.folders == ((tmp_path / "copy").resolve(), DEFAULT_THEME)
    assert [p.name for p in theme.stylesheet_layers("base.css")] == ["base.css", "broadsheet.css"]
    xhtml = render_xhtml(sample_article(tmp_path / "a"), theme, medium="epub", image_href=None)
    assert '<p class="section">WORLD</p>' in xhtml


def test_export_refuses_to_overwrite_and_lists_every_clash(tmp_path: Path) -> None:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "digest.css").write_text("mine")
    (tmp_path / "theme.toml").write_text("mine")
    with pytest.raises(ThemeError, match="already exist") as caught:
        export_theme("digest", tmp_path)
    assert "digest.css" in caught.value.message and "theme.toml" in caught.value.message
    assert (tmp_path / "theme.toml").read_text() == "mine"
    assert not (tmp_path / "css" / "digest-print.css").exists()  # nothing copied
    with pytest.raises(ThemeError, match="not installed"):
        export_theme("tabloid", tmp_path / "new")


# --- through the command line ----------------------------------------------------


def test_cli_theme_list_prints_each_theme_with_its_description() -> None:
    result = run_cli("theme", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["broadsheet", "default", "digest"]
    for line in lines:
        assert describe_theme(line.split()[0]) in line


def test_cli_theme_export_then_build_with_the_copy(tmp_path: Path) -> None:
    result = run_cli("theme", "export", "digest", tmp_path / "mine")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mine" / "theme.toml").is_file()
    again = run_cli("theme", "export", "digest", tmp_path / "mine")
    assert again.returncode == 1
    assert "already exist" in again.stderr and "Traceback" not in again.stderr
    built = run_cli(
        "build", SEED, "-o", tmp_path / "out", "--theme", tmp_path / "mine", "-f", "epub"
    )
    assert built.returncode == 0, built.stderr


def test_cli_unknown_theme_name_fails_before_building(tmp_path: Path) -> None:
    result = run_cli("build", SEED, "-o", tmp_path / "out", "--theme", "tabloid")
    assert result.returncode == 1
    assert "Installed themes are: broadsheet, default, digest" in result.stderr
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The English seed built with each built-in theme by name, as a user would."""
    outputs = {}
    for name in BUILTIN:
        out = tmp_path_factory.mktemp(name)
        result = run_cli("build", SEED, "-o", out, "--theme", name)
        assert result.returncode == 0, result.stderr
        outputs[name] = out
    return outputs


@pytest.mark.parametrize("name", BUILTIN)
def test_a_builtin_theme_passes_every_check_the_default_does(
    name: str, built: dict[str, Path]
) -> None:
    from publisher.build import InputOptions, load_article

    epub = built[name] / f"{SEED.stem}.epub"
    pdf = built[name] / f"{SEED.stem}.pdf"
    report = run_epubcheck(epub)
    assert report.clean, report.messages
    assert pdf_fonts_embedded(pdf) == []
    article = load_article(SEED, InputOptions())
    text = plain(pdf_text(pdf))
    for paragraph in article.paragraphs:
        words = plain(paragraph).split(" ")
        # broadsheet's drop cap is its own box: the first word may be split from its letter.
        assert " ".join(words[1:]) in text
    assert plain(article.headline) in plain(epub_xhtml(epub))
    check = run_cli("check", epub, pdf)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_broadsheet_epub_carries_the_default_css_and_its_additions(
    built: dict[str, Path],
) -> None:
    import zipfile

    with zipfile.ZipFile(built["broadsheet"] / f"{SEED.stem}.epub") as book:
        base = book.read("EPUB/css/base.css").decode()
    assert base.startswith((DEFAULT_THEME / "css" / "base.css").read_text())
    assert "::first-letter" in base
