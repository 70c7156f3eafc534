"""The one way a build opens a file: resolved, inside its root, a regular file, of sane size.

Every file a build reads (the article, its sidecar and photo, a supplied
cover, a theme's settings, templates, stylesheets and fonts, the printer's
output profile) goes through ``read_file``. Before a single byte is read it

- resolves the path (symlinks and ``..``) and, when the caller names allowed
  roots, refuses a file that lands outside all of them (a ``photo.jpg`` that is
  a symlink to ``/home/someone/private.jpg``);
- refuses anything that is not a regular file: a folder, a FIFO (opening one
  blocks until a writer appears), a socket, a device such as ``/dev/zero``;
- refuses a file above the limit of its ``Kind`` (``LIMITS``), so a 300 MB
  "sidecar" or a 24 GB stream is never read into memory.

The file is then opened without following the check's result blindly: it is
opened non-blocking, checked again through the open descriptor (the name may
have changed in between) and read up to its limit plus one byte.

Nothing else in publisher calls ``open`` on a user's path; a new kind of input
gets a ``Kind`` here, with the error class its refusal raises.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import ImageError, InputError, PublisherError, ThemeError

__all__ = [
    "ARTICLE",
    "COVER",
    "FONT",
    "LIMITS",
    "PHOTO",
    "PROFILE",
    "RESOURCE",
    "SIDECAR",
    "THEME_FILE",
    "Kind",
    "check_file",
    "inside",
    "read_file",
]

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Kind:
    """What a file is for: how it is named in errors, its size limit and its error class."""

    what: str
    limit: int
    error: type[PublisherError] = InputError
    hint: str = ""


#: An article is a few hundred kilobytes; a bigger file is almost always the wrong one.
ARTICLE = Kind("article", 5 * _MB, InputError, "Check that this is the right file.")
#: A sidecar is a few lines of TOML; it gets the article's limit.
SIDECAR = Kind("sidecar", 5 * _MB, InputError, "A sidecar holds a few lines of metadata.")
#: A photo of 40 million pixels (the pixel limit) is well under this as JPEG, PNG or WebP.
PHOTO = Kind("photo", 100 * _MB, ImageError, "Use a JPEG, PNG, WebP or GIF photo.")
COVER = Kind("cover picture", 100 * _MB, ImageError, "Give a JPEG or PNG picture.")
#: theme.toml, templates and stylesheets are text of a few kilobytes.
THEME_FILE = Kind("theme file", 2 * _MB, ThemeError, "Keep theme files inside the theme folder.")
#: The largest CJK fonts are some 20 MB.
FONT = Kind("font", 64 * _MB, ThemeError, "Use a TrueType or OpenType font file.")
#: ICC output profiles are a few hundred kilobytes to a few megabytes.
PROFILE = Kind(
    "output profile", 16 * _MB, InputError, "Give the ICC profile file your printer named."
)
#: Anything a renderer reads through the sandbox (see ``render.fetch``).
RESOURCE = Kind("resource", 100 * _MB, InputError)

#: Every kind's limit, by name (documented in the README).
LIMITS = {kind.what: kind.limit for kind in (ARTICLE, SIDECAR, PHOTO, THEME_FILE, FONT, PROFILE)}


def inside(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path``, fully resolved, is one of ``roots`` or lies inside one.

    >>> inside(Path("/srv/a/../b/x.css"), [Path("/srv/a")])
    False
    >>> inside(Path("/srv/a/css/x.css"), [Path("/srv/a")])
    True
    """
    resolved = path.resolve()
    return any(resolved == root or resolved.is_relative_to(root) for root in roots)


def check_file(
    path: Path,
    kind: Kind,
    roots: Iterable[Path] | None = None,
    *,
    root_name: str = "",
    outside_hint: str = "",
) -> Path:
    """Return ``path`` resolved, after checking it is a usable ``kind`` file; nothing is read.

    ``roots`` (folders, or single files) are where the file must lie after
    resolving symlinks; None allows anywhere (a path the user named on the
    command line). ``root_name`` names them in the refusal ("the article's
    folder"), ``outside_hint`` says what to do instead. Raises ``kind.error``
    naming the file otherwise.
    """
    try:
        resolved = path.resolve()
        info = os.stat(resolved)
    except FileNotFoundError:
        missing = f"{path}: no such file (the {kind.what} cannot be read)."
        raise kind.error(missing, "Check the path.") from None
    except UnicodeEncodeError:  # a lone surrogate (from JSON or YAML escapes) names no file
        shown = ascii(str(path))
        raise kind.error(
            f"{shown}: not a usable file name (the {kind.what} cannot be read)."
        ) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise kind.error(f"{path}: the {kind.what} cannot be read ({_reason(exc)}).") from None
    if roots is not None:
        allowed = tuple(Path(root).resolve() for root in roots)
        if not inside(resolved, allowed):
            shown = root_name or (str(allowed[0]) if len(allowed) == 1 else "its allowed folders")
            link = f" (a link to {resolved})" if resolved != path.absolute() else ""
            raise kind.error(
                f"{path}{link} is outside {shown}: the {kind.what} is refused.",
                outside_hint or f"Copy the file into {shown}.",
            )
    _check_stat(path, info, kind)
    return resolved


def read_file(
    path: Path,
    kind: Kind,
    roots: Iterable[Path] | None = None,
    *,
    root_name: str = "",
    outside_hint: str = "",
) -> bytes:
    """The bytes of ``path`` once ``check_file`` accepts it, never more than the kind's limit."""
    resolved = check_file(path, kind, roots, root_name=root_name, outside_hint=outside_hint)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(resolved, flags)
        with os.fdopen(fd, "rb") as handle:
            # The name may point elsewhere now: check what was actually opened.
            _check_stat(path, os.fstat(handle.fileno()), kind)
            data = handle.read(kind.limit + 1)
    except PermissionError:
        raise kind.error(f"{path}: permission denied.", "Make the file readable.") from None
    except OSError as exc:
        raise kind.error(f"{path}: the {kind.what} cannot be read ({_reason(exc)}).") from None
    if len(data) > kind.limit:
        raise kind.error(f"{path} grew past {_size(kind.limit)} while being read.", kind.hint)
    return data


def _check_stat(path: Path, info: os.stat_result, kind: Kind) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise kind.error(f"{path} is a folder, not a {kind.what} file.", kind.hint)
    if not stat.S_ISREG(info.st_mode):
        raise kind.error(
            f"{path} is not a regular file (a pipe, socket or device); the {kind.what} is refused.",
            "Save it to a file first.",
        )
    if info.st_size > kind.limit:
        raise kind.error(
            f"{path} is {_size(info.st_size)}; {kind.what} files above {_size(kind.limit)} "
            "are refused.",
            kind.hint,
        )


def _size(count: int) -> str:
    """A byte count for a message.

    >>> _size(5 * 1024 * 1024), _size(314572800), _size(2048)
    ('5 MB', '300 MB', '0.0 MB')
    """
    megabytes = count / _MB
    if megabytes == int(megabytes) and megabytes >= 1:
        return f"{megabytes:.0f} MB"
    return f"{megabytes:.1f} MB"


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
