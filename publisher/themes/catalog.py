"""The built-in themes: find them by name, describe them, export one as a starting point.

A built-in theme is a folder beside this module holding a ``theme.toml``
(``publisher/themes/<name>/``). ``default`` is the root every theme ends on;
the others say ``extends = "default"`` and hold only what they change.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from publisher.errors import ThemeError

__all__ = ["THEMES_DIR", "describe_theme", "export_theme", "installed_themes", "not_installed"]

THEMES_DIR = Path(__file__).resolve().parent
#: What ``export_theme`` leaves out: caches and hidden files are not part of a theme.
_SKIPPED = ("__pycache__", ".")


def installed_themes() -> dict[str, Path]:
    """The built-in themes, name -> folder, sorted by name.

    >>> sorted(installed_themes())[:3]
    ['broadsheet', 'default', 'digest']
    """
    return {
        folder.name: folder
        for folder in sorted(THEMES_DIR.iterdir())
        if folder.is_dir() and (folder / "theme.toml").is_file()
    }


def not_installed(name: str, where: str = "") -> ThemeError:
    """The error for a theme name that is neither a built-in theme nor a folder (MkDocs style)."""
    names = ", ".join(installed_themes())
    return ThemeError(
        f"The theme '{name}'{where} is not installed and is not a folder. "
        f"Installed themes are: {names}.",
        "Give one of those names, or the path of a theme folder "
        "(publisher theme export NAME DIR makes one to start from).",
    )


def describe_theme(name: str) -> str:
    """The one-line ``description`` in a built-in theme's ``theme.toml`` ('' if it has none)."""
    settings = _settings(_folder(name))
    description = settings.get("description", "")
    return " ".join(str(description).split())


def export_theme(name: str, destination: Path) -> list[Path]:
    """Copy the built-in theme ``name``'s own files into ``destination``; return what was written.

    The copy keeps the theme's ``theme.toml`` (whose ``extends`` names its
    parent, a built-in theme), so it loads as it is: pass its folder to
    ``--theme`` and edit from there. Nothing is overwritten: if any file
    already exists, ThemeError lists them all and nothing is copied.
    """
    source = _folder(name)
    files = sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(_SKIPPED) for part in path.relative_to(source).parts)
    )
    destination = Path(destination).expanduser()
    if destination.exists() and not destination.is_dir():
        raise ThemeError(
            f"Cannot export the theme into '{destination}': it is a file.",
            "Give the path of a new or empty folder.",
        )
    clashes = [destination / path.relative_to(source) for path in files]
    # lexists: a dangling symlink is a clash too (writing would follow it out of the folder).
    clashes = [path for path in clashes if os.path.lexists(path)]
    if clashes:
        listed = ", ".join(str(path) for path in clashes)
        raise ThemeError(
            f"Not exporting the theme '{name}': these files already exist: {listed}.",
            "Export into a new or empty folder; nothing was overwritten.",
        )
    for path in files:
        _refuse_links_out(destination / path.relative_to(source), destination)
    written: list[Path] = []
    for path in files:
        target = destination / path.relative_to(source)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_inside(path, target, destination)
        except OSError as error:
            raise ThemeError(
                f"Cannot export the theme into '{destination}': {target}: "
                f"{error.strerror or error}.",
                "Export into a new or empty folder you can write to.",
            ) from None
        written.append(target)
    return written


def _refuse_links_out(target: Path, destination: Path) -> None:
    """Refuse a target whose folder inside ``destination`` is a symlink (``css`` -> elsewhere)."""
    for folder in target.parents:
        if folder == destination:
            return
        if folder.is_symlink():
            raise ThemeError(
                f"Not exporting the theme: '{folder}' is a link out of {destination}.",
                "Export into a new or empty folder; nothing was written.",
            )


def _copy_inside(source: Path, target: Path, destination: Path) -> None:
    """Copy ``source`` to a new file ``target``, never through a symlink out of ``destination``.

    The file is created with O_EXCL|O_NOFOLLOW, so a link planted after the
    checks fails instead of being written through.
    """
    if not target.parent.resolve().is_relative_to(destination.resolve()):
        raise ThemeError(
            f"Not exporting into '{target.parent}': it is a link out of {destination}."
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(source.read_bytes())


def _folder(name: str) -> Path:
    folder = installed_themes().get(name)
    if folder is None:
        raise not_installed(name)
    return folder


def _settings(folder: Path) -> dict[str, object]:
    path = folder / "theme.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ThemeError(
            f"The theme settings '{path}' cannot be read: {error}.",
            "Reinstall publisher; built-in themes are not meant to be edited in place.",
        ) from error
