"""Themes: an ordered list of folders (the user's, then what it extends, then the default).

A theme folder may hold any subset of::

    theme.toml          name, description, extends, [css], [fonts], [cover], [print]
                        (see ``default/theme.toml``)
    templates/          Jinja2 templates (``article.xhtml`` includes ``body.xhtml``)
    css/base.css        shared by the EPUB and the PDF
    css/epub.css        EPUB only
    css/print.css       PDF only

A file in a folder replaces the file of the same name further down the list,
so a user overrides one file and inherits the rest. ``extends`` names the
theme a folder builds on: a built-in theme (``publisher/themes/<name>``, see
``catalog``) or the path of a theme folder (one holding a ``theme.toml``),
relative to the ``theme.toml``. Every list ends
with the default theme; settings merge key by key, the top folder winning.

Stylesheets can also be extended instead of replaced: ``[css]`` lists files
added after the stylesheet of that name (``base``, ``epub``, ``print``), in
the cascade order (the default's additions first, the user's last)::

    [css]
    base = ["css/broadsheet.css"]
    print = ["css/broadsheet-print.css"]
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

import jinja2

from publisher.errors import ThemeError
from publisher.files import FONT, THEME_FILE, check_file, read_file
from publisher.model import plain_text
from publisher.themes.blocks import grouped
from publisher.themes.bytecode import TemplateCache
from publisher.themes.catalog import THEMES_DIR, installed_themes, not_installed
from publisher.themes.language import byline, is_rtl, long_date, uppercase
from publisher.themes.sandbox import ThemeEnvironment, ThemeLoader

DEFAULT_THEME = THEMES_DIR / "default"
#: The stylesheets a theme has; ``[css]`` may add files after each.
STYLESHEETS = ("base", "epub", "print")
FACES = {
    "regular": ("normal", "normal"),
    "italic": ("normal", "italic"),
    "bold": ("bold", "normal"),
    "bold_italic": ("bold", "italic"),
}
#: Font packages are distributions named ``font_*`` or ``fontpkg_*``, files in ``files/``.
_FONT_PACKAGE = re.compile(r"^(?:font|fontpkg)_[a-z0-9_]+$")
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
    #: ``[css]`` additions: (stylesheet, files added after it), default's first.
    added_css: tuple[tuple[str, tuple[Path, ...]], ...] = ()
    description: str = ""
    #: ``[print] link_urls = true``: print each link's URL after its text in the PDF.
    print_link_urls: bool = False

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

    def stylesheet_layers(self, name: str) -> tuple[Path, ...]:
        """``css/{name}`` and the files ``[css]`` adds after it, in cascade order.

        A renderer applies them in this order (the PDF) or joins them into one
        file (the EPUB).
        """
        added = dict(self.added_css).get(name.removesuffix(".css"), ())
        return (self.stylesheet(name), *added)

    def settings_table(self, name: str, hint: str) -> dict[str, object]:
        """The ``[name]`` table of the theme's ``theme.toml`` files, the user's over the default's.

        Raises ThemeError when a file cannot be read or the value is not a table.
        """
        table: dict[str, object] = {}
        for folder in reversed(self.folders):  # default first, so the user's values win
            path = folder / "theme.toml"
            try:
                found = path.stat()
            except OSError:
                continue
            if not S_ISREG(found.st_mode):
                continue
            settings = _theme_settings(
                path, folder, found.st_size, found.st_mtime_ns, found.st_ctime_ns
            )
            value = settings.get(name, {})
            if not isinstance(value, dict):
                raise ThemeError(f"The [{name}] table of {path} is not a table.", hint)
            table.update(copy.deepcopy(value))  # the parsed file is kept: callers get a copy
        return table

    @property
    def font_folders(self) -> tuple[Path, ...]:
        """The folders the theme's font files live in."""
        return tuple(dict.fromkeys(face.path.parent for face in self.fonts))


@lru_cache(maxsize=32)
def _theme_settings(
    path: Path, folder: Path, size: int, mtime_ns: int, ctime_ns: int
) -> dict[str, Any]:
    """A ``theme.toml`` parsed, kept while its size and times stay the same.

    A warm server asks for a table or two per build; reading and parsing the
    file each time was a tenth of a warm EPUB build. The times are in the key
    so an edited (or re-permitted: ctime) file is read again. Callers must not
    change the result (``settings_table`` hands out copies).
    """
    del size, mtime_ns, ctime_ns  # part of the lru_cache key only
    try:
        data = read_file(path, THEME_FILE, (folder,), root_name=f"the theme folder {folder}")
        settings: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        message = f"The theme settings '{path}' cannot be read: {error}."
        raise ThemeError(message) from error
    return settings


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


def is_external_url(url: str) -> bool:
    """Whether a link may be written as ``<a href>``: an absolute http(s) or mailto URL.

    Other links (relative paths that lead nowhere in an e-book, ``javascript:``)
    keep their text without the link.

    >>> is_external_url("https://example.org/a"), is_external_url("mailto:a@b.org")
    (True, True)
    >>> is_external_url("notes.md"), is_external_url("javascript:alert(1)")
    (False, False)
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme.lower() == "mailto" and bool(parts.path)


def join_names(names: Iterable[str]) -> str:
    """Join names as a byline does.

    >>> join_names(["Ann"]), join_names(["Ann", "Bo"]), join_names(["Ann", "Bo", "Cy"])
    ('Ann', 'Ann and Bo', 'Ann, Bo and Cy')
    """
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def resolve_theme(value: str | Path) -> Path:
    """The folder of ``--theme VALUE``: a folder path if it exists, else a built-in theme.

    Raises ThemeError, listing the installed themes, when it is neither.
    """
    folder = Path(value).expanduser()
    if folder.is_dir():
        return folder.resolve()
    builtin = installed_themes().get(str(value))
    if builtin is not None:
        return builtin
    text = str(value)
    if "/" in text or "\\" in text or text.startswith(".") or folder.exists():
        names = ", ".join(installed_themes())
        raise ThemeError(
            f"The theme folder '{value}' does not exist or is not a folder.",
            f"Pass --theme a folder holding templates/ and/or css/, or the name of a "
            f"built-in theme ({names}), or leave it out.",
        )
    raise not_installed(text)


def load_theme(path: str | Path | None) -> Theme:
    """Load the theme ``path`` (a folder or a built-in name), what it extends, then the default.

    Raises ThemeError for a missing folder or name, an ``extends`` cycle, a
    broken ``theme.toml`` or a template with a syntax error, so a broken theme
    fails before any article is rendered.
    """
    folders: list[Path] = []
    own: dict[Path, dict[str, Any]] = {}
    current = None if path is None else resolve_theme(path)
    while current is not None and current != DEFAULT_THEME:
        if current in folders:
            chain = " → ".join(str(folder) for folder in (*folders, current))
            raise ThemeError(
                f"The themes extend each other in a cycle: {chain}.",
                "Make one of them extend a built-in theme such as 'default'.",
            )
        folders.append(current)
        own[current] = _read_settings(current)
        current = _extended(own[current], current)
    folders.append(DEFAULT_THEME)
    own[DEFAULT_THEME] = _read_settings(DEFAULT_THEME)

    settings: dict[str, Any] = {}
    added: dict[str, list[Path]] = {}
    for folder in reversed(folders):  # default first, so the user's values win
        settings_here = dict(own[folder])
        for name, files in _added_css(settings_here.pop("css", {}), folder).items():
            added.setdefault(name, []).extend(files)
        settings_here.pop("extends", None)
        _merge_settings(settings, settings_here)
    environment = _make_environment(folders)
    return Theme(
        name=str(settings.get("name", folders[0].name)),
        folders=tuple(folders),
        fonts=_font_faces(settings.get("fonts", {})),
        environment=environment,
        added_css=tuple((name, tuple(files)) for name, files in added.items()),
        description=" ".join(str(settings.get("description", "")).split()),
        print_link_urls=_print_link_urls(settings.get("print", {})),
    )


def _print_link_urls(table: object) -> bool:
    """``[print] link_urls``, checked: true or false (false without it)."""
    value = table.get("link_urls", False) if isinstance(table, dict) else None
    if not isinstance(value, bool):
        raise ThemeError(
            "[print] in theme.toml must be a table whose link_urls is true or false.",
            "Write e.g. [print] then link_urls = true on the next line.",
        )
    return value


def _extended(settings: dict[str, Any], folder: Path) -> Path | None:
    """The folder ``extends`` names (None without it): a path from ``folder``, or a built-in."""
    value = settings.get("extends")
    if value is None:
        return None
    where = f" (extends in {folder / 'theme.toml'})"
    if not isinstance(value, str) or not value.strip():
        raise ThemeError(
            f"extends{where} must be a theme name or a folder path.",
            'Write e.g. extends = "default" or extends = "../house-style".',
        )
    candidate = (folder / Path(value).expanduser()).resolve()
    if (candidate / "theme.toml").is_file():
        return candidate
    builtin = installed_themes().get(value)
    if builtin is not None:
        return builtin
    if candidate.is_dir():
        # Only a theme may be extended: never "/", "~" or any folder that is not one.
        raise ThemeError(
            f"extends{where} names the folder {candidate}, which is not a theme "
            "(it has no theme.toml).",
            "Extend a built-in theme by name or a theme folder holding a theme.toml.",
        )
    raise not_installed(value, where)


def _added_css(table: object, folder: Path) -> dict[str, list[Path]]:
    """A folder's ``[css]`` table, checked: stylesheet name -> files inside ``folder``."""
    hint = (
        "[css] maps base, epub or print to a list of CSS files in the theme folder, "
        'e.g. base = ["css/extra.css"].'
    )
    if not isinstance(table, dict):
        raise ThemeError(f"The [css] table of {folder / 'theme.toml'} is not a table.", hint)
    added: dict[str, list[Path]] = {}
    for name, files in table.items():
        if name not in STYLESHEETS or not isinstance(files, list):
            raise ThemeError(f"[css] {name} in {folder / 'theme.toml'} is not valid.", hint)
        for relative in files:
            path = (folder / str(relative)).resolve()
            if not isinstance(relative, str) or not path.is_relative_to(folder):
                raise ThemeError(f"[css] {name} lists '{relative}', outside {folder}.", hint)
            if not path.is_file():
                raise ThemeError(f"[css] {name} lists '{relative}', which is not a file.", hint)
            added.setdefault(name, []).append(path)
    return added


def _read_settings(folder: Path) -> dict[str, Any]:
    toml_path = folder / "theme.toml"
    if not os.path.lexists(toml_path):
        return {}
    data = read_file(toml_path, THEME_FILE, (folder,), root_name=f"the theme folder {folder}")
    try:
        settings = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeError(
            f"The theme settings '{toml_path}' cannot be read: {error}.",
            "Fix the TOML syntax (see publisher/themes/default/theme.toml) or delete the file.",
        ) from error
    _anchor_font_folders(settings.get("fonts"), folder.resolve())
    return settings


def _anchor_font_folders(fonts: object, folder: Path) -> None:
    """Turn each ``[fonts.ROLE] path`` into the absolute folder it names inside ``folder``.

    Done per theme folder, before settings merge, so a path always means the
    folder of the ``theme.toml`` that wrote it; a path leaving that folder is refused.
    """
    if not isinstance(fonts, dict):
        return
    for role, spec in fonts.items():
        if not isinstance(spec, dict) or "path" not in spec:
            continue
        if "package" in spec:
            raise ThemeError(f"The font role '{role}' names both a package and a path.", _FONT_HINT)
        relative = spec["path"]
        resolved = (folder / str(relative)).resolve()
        if not isinstance(relative, str) or not resolved.is_relative_to(folder):
            raise ThemeError(
                f"The font folder '{relative}' ({role}) is not inside the theme folder {folder}.",
                _FONT_HINT,
            )
        if not resolved.is_dir():
            raise ThemeError(f"The font folder '{relative}' ({role}) does not exist.", _FONT_HINT)
        spec["path"] = resolved


def _merge_settings(into: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            # A font role takes its files from a package or a path, never both.
            for source, other in (("package", "path"), ("path", "package")):
                if source in value:
                    into[key].pop(other, None)
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
        path = spec.get("path")
        if isinstance(path, Path):
            folder = path
        else:
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
            check_file(font_path, FONT, (folder,))  # a regular file of sane size
            faces.append(FontFace(spec["family"], font_path, weight, style))
    return tuple(faces)


_FONT_HINT = (
    "Each [fonts.ROLE] needs family, package (e.g. font_source_serif_pro) or path "
    "(a folder in the theme, e.g. fonts), and files."
)


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
    """The theme's sandboxed Jinja environment (see ``sandbox``), every template compiled once."""
    environment = ThemeEnvironment(
        loader=ThemeLoader(tuple(folders)),
        # Always on: the templates are .xhtml, which select_autoescape would not escape.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=TemplateCache(),
    )
    environment.filters["breakable"] = breakable
    environment.filters["join_names"] = join_names
    environment.filters["uppercase"] = uppercase
    environment.filters["byline"] = byline
    environment.filters["grouped"] = grouped
    environment.filters["long_date"] = long_date
    environment.tests["rtl"] = is_rtl
    environment.tests["external_url"] = is_external_url
    # A node, or a tuple of them (a caption, a cell): its text without markup.
    environment.filters["plain_text"] = lambda nodes: plain_text(
        nodes if isinstance(nodes, tuple) else (nodes,)
    )
    for name in environment.list_templates():
        try:
            environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise ThemeError(
                f"The template '{name}' has a syntax error on line {error.lineno}: "
                f"{error.message}.",
                f"Fix {error.filename or name} or remove it to use the default.",
            ) from error
        except RecursionError as error:  # the parser, on absurdly nested markup
            raise ThemeError(
                f"The template '{name}' is nested too deeply to read.",
                f"Simplify {name} or remove it to use the default.",
            ) from error
    return environment
