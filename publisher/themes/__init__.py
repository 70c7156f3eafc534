"""Themes: an ordered list of folders (the user's first, then the default).

A theme folder may hold any subset of::

    theme.toml          name, and a [fonts] table (see ``default/theme.toml``)
    templates/          Jinja2 templates (``article.xhtml`` includes ``body.xhtml``)
    css/base.css        shared by the EPUB and the PDF
    css/epub.css        EPUB only
    css/print.css       PDF only

Whatever the user's folder lacks is taken from the default theme shipped in
``publisher/themes/default``, so a user overrides one file and inherits the rest.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from publisher.errors import ThemeError

DEFAULT_THEME = Path(__file__).resolve().parent / "default"
FACES = {
    "regular": ("normal", "normal"),
    "italic": ("normal", "italic"),
    "bold": ("bold", "normal"),
    "bold_italic": ("bold", "italic"),
}
#: Font packages are Python distributions named ``font_*`` with their files in ``files/``.
_FONT_PACKAGE = re.compile(r"^font_[a-z0-9_]+$")
#: Words longer than this get break opportunities in print (see ``breakable``).
LONG_WORD = 60
BREAK_EVERY = 40
_LONG_WORD_RE = re.compile(rf"\S{{{LONG_WORD + 1},}}")


@dataclass(frozen=True, slots=True)
class FontFace:
    """One font file, as an ``@font-face`` rule needs it."""

    family: str
    path: Path
    weight: str
    style: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A loaded theme: its folders, highest priority first, and its fonts."""

    name: str
    folders: tuple[Path, ...]
    fonts: tuple[FontFace, ...]
    environment: jinja2.Environment = field(compare=False, repr=False)

    def find(self, relative: str) -> Path | None:
        """Return the first folder's copy of ``relative`` (e.g. ``css/print.css``)."""
        for folder in self.folders:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None

    def stylesheet(self, name: str) -> Path:
        """Return the path of ``css/{name}``, raising ThemeError when no folder has it."""
        found = self.find(f"css/{name}")
        if found is None:
            raise ThemeError(
                f"The theme has no css/{name}.",
                "Restore it in the default theme or add it to your theme folder.",
            )
        return found

    @property
    def font_folders(self) -> tuple[Path, ...]:
        """The folders the theme's font files live in."""
        return tuple(dict.fromkeys(face.path.parent for face in self.fonts))


def breakable(text: str, medium: str = "print") -> str:
    """Give very long words break opportunities (U+200B) in print; leave the rest.

    WeasyPrint's line breaking goes quadratic on one huge unbreakable word, so a
    word longer than ``LONG_WORD`` characters gets a zero-width space every
    ``BREAK_EVERY`` characters. The text itself is unchanged (no character is lost).

    >>> breakable("a " + "x" * 90)[:2], breakable("x" * 90).count("\\u200b")
    ('a ', 2)
    >>> breakable("x" * 90, "epub") == "x" * 90
    True
    """
    if medium != "print":
        return text

    def split(match: re.Match[str]) -> str:
        word = match.group(0)
        return "\u200b".join(word[i : i + BREAK_EVERY] for i in range(0, len(word), BREAK_EVERY))

    return _LONG_WORD_RE.sub(split, text)


def join_names(names: Iterable[str]) -> str:
    """Join names as a byline does.

    >>> join_names(["Ann"]), join_names(["Ann", "Bo"]), join_names(["Ann", "Bo", "Cy"])
    ('Ann', 'Ann and Bo', 'Ann, Bo and Cy')
    """
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def load_theme(path: Path | None) -> Theme:
    """Load the theme in ``path`` over the default theme (or the default alone).

    Raises ThemeError for a missing folder, a broken ``theme.toml`` or a template
    with a syntax error, so a broken theme fails before any article is rendered.
    """
    folders: list[Path] = []
    if path is not None:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ThemeError(
                f"The theme folder '{path}' does not exist or is not a folder.",
                "Pass --theme a folder holding templates/ and/or css/, or leave it out.",
            )
        folders.append(folder.resolve())
    if DEFAULT_THEME not in folders:
        folders.append(DEFAULT_THEME)

    settings: dict[str, Any] = {}
    for folder in reversed(folders):  # default first, so the user's values win
        _merge_settings(settings, _read_settings(folder))
    environment = _make_environment(folders)
    return Theme(
        name=str(settings.get("name", folders[0].name)),
        folders=tuple(folders),
        fonts=_font_faces(settings.get("fonts", {})),
        environment=environment,
    )


def _read_settings(folder: Path) -> dict[str, Any]:
    toml_path = folder / "theme.toml"
    if not toml_path.exists():
        return {}
    try:
        return tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeError(
            f"The theme settings '{toml_path}' cannot be read: {error}.",
            "Fix the TOML syntax (see publisher/themes/default/theme.toml) or delete the file.",
        ) from error


def _merge_settings(into: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_settings(into[key], value)
        else:
            into[key] = value


def _font_faces(fonts: object) -> tuple[FontFace, ...]:
    if not isinstance(fonts, dict):
        raise ThemeError("The [fonts] table of theme.toml is not a table.", _FONT_HINT)
    faces: list[FontFace] = []
    for role, spec in fonts.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("family"), str):
            raise ThemeError(f"The font role '{role}' in theme.toml has no family.", _FONT_HINT)
        folder = _font_package_folder(str(spec.get("package", "")), role)
        for key, (weight, style) in FACES.items():
            filename = spec.get(key)
            if filename is None:
                continue
            font_path = (folder / str(filename)).resolve()
            if not font_path.is_relative_to(folder) or not font_path.is_file():
                raise ThemeError(
                    f"The font file '{filename}' ({role}, {key}) is not in {folder}.",
                    _FONT_HINT,
                )
            faces.append(FontFace(spec["family"], font_path, weight, style))
    return tuple(faces)


_FONT_HINT = "Each [fonts.ROLE] needs family, package (e.g. font_source_serif_pro) and files."


def _font_package_folder(package: str, role: str) -> Path:
    if not _FONT_PACKAGE.match(package):
        raise ThemeError(
            f"The font role '{role}' names '{package}', which is not a font package.",
            _FONT_HINT,
        )
    spec = importlib.util.find_spec(package)  # finds without importing
    if spec is None or spec.origin is None:
        raise ThemeError(
            f"The font package '{package}' is not installed.",
            f"Install it (pip install {package.replace('_', '-')}) or change theme.toml.",
        )
    return (Path(spec.origin).parent / "files").resolve()


def _make_environment(folders: list[Path]) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder / "templates") for folder in folders]),
        # Always on: the templates are .xhtml, which select_autoescape would not escape.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["breakable"] = breakable
    environment.filters["join_names"] = join_names
    for name in environment.list_templates():
        try:
            environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise ThemeError(
                f"The template '{name}' has a syntax error on line {error.lineno}: "
                f"{error.message}.",
                f"Fix {error.filename or name} or remove it to use the default.",
            ) from error
        except (OSError, UnicodeDecodeError) as error:
            raise ThemeError(
                f"The template '{name}' cannot be read: {error}.",
                "Check the file is UTF-8 text and readable.",
            ) from error
    return environment
