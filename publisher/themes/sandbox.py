"""Theme templates run in a sandbox: they format the article and can do nothing else.

Themes are files people download and share, so a template is untrusted code.
It runs in Jinja2's ``ImmutableSandboxedEnvironment`` (no ``__globals__``,
``__class__`` or ``__subclasses__``, no ``list.append`` on the values it is
given), and on top of that:

- ``ThemeLoader`` reads a template only from a theme folder's ``templates/``,
  through ``publisher.files`` (resolved inside that theme folder, a regular
  file, at most 2 MB): a template that is a symlink to a file outside its theme
  is refused;
- calls nest at most ``MAX_CALL_DEPTH`` deep (a macro that calls itself), and
  Python's own ``RecursionError`` (a template that includes itself) is caught;
- ``*`` and ``**`` cannot build values above ``MAX_PRODUCT`` items or digits
  (``'x' * 10**10`` would take the memory of the machine);
- a render stops once it has written ``MAX_OUTPUT`` characters;
- whatever a template raises (a division by zero, a sandbox refusal) becomes one
  ``ThemeError`` line naming the template, and so does output that is not
  well-formed XHTML (``check_xhtml``), before any file is written.

The sandbox is Jinja's own, not ours: it is maintained, reviewed and used by
every project that renders user templates. We add only the limits it leaves out.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from publisher.errors import PublisherError, ThemeError
from publisher.files import THEME_FILE, read_file

__all__ = [
    "MAX_CALL_DEPTH",
    "MAX_PRODUCT",
    "ThemeEnvironment",
    "ThemeLoader",
    "check_xhtml",
    "render_checked",
]

#: A rendered document is at most this many characters (an article of 5 MB, marked up).
MAX_OUTPUT = 50_000_000
#: A theme's templates/ holds a handful of files; past this many it is the wrong folder.
MAX_TEMPLATES = 500
#: Macros and calls nest at most this deep. The document tree's macros
#: (templates/document.xhtml) recurse twice per level of nesting, and Markdown
#: lists nest up to 50 deep; an endless recursion still stops long before Python's limit.
MAX_CALL_DEPTH = 160
#: The largest sequence ``*`` may build, and the largest exponent ``**`` may use.
MAX_PRODUCT = 1_000_000
#: The largest number ``**`` may build, in bits (some 300,000 digits).
MAX_POWER_BITS = 1_000_000
_XHTML_NAMESPACES = 'xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'


class ThemeLoader(jinja2.BaseLoader):
    """Templates from each theme folder's ``templates/``, first folder first, never from outside.

    A name is looked up in each folder in turn (the user's theme overrides one
    template and inherits the rest). A file found is read only if, symlinks
    resolved, it lies inside the theme folder it was found in.
    """

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = tuple(folder.resolve() for folder in folders)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..", as FileSystemLoader does
        for folder in self.folders:
            candidate = folder.joinpath("templates", *pieces)
            if not os.path.lexists(candidate):
                continue
            data = read_file(
                candidate,
                THEME_FILE,
                (folder,),
                root_name=f"the theme folder {folder}",
                outside_hint="A theme's templates must be files inside its folder, not links out.",
            )
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise ThemeError(
                    f"The template '{template}' is not UTF-8 text ({error}).",
                    f"Save {candidate} as UTF-8.",
                ) from None
            return source, str(candidate), lambda: True
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for folder in self.folders:
            root = folder / "templates"
            if not root.is_dir():
                continue
            if not root.resolve().is_relative_to(folder):
                # A templates/ that links to "/" would be walked whole: refuse it unread.
                raise ThemeError(
                    f"{root} (a link to {root.resolve()}) is outside the theme folder {folder}.",
                    "A theme's templates/ must be a folder inside it, not a link out.",
                )
            for directory, subfolders, files in os.walk(root):  # never follows links to folders
                subfolders[:] = [name for name in subfolders if not name.startswith(".")]
                for name in files:
                    if not name.startswith("."):
                        relative = Path(directory, name).relative_to(root)
                        names.add("/".join(relative.parts))
                if len(names) > MAX_TEMPLATES:
                    raise ThemeError(
                        f"{root} holds more than {MAX_TEMPLATES} files; it is not a theme's "
                        "templates folder.",
                        "Keep only the theme's templates in templates/.",
                    )
        return sorted(names)


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounded call depth and bounded ``*`` and ``**``."""

    intercepted_binops = frozenset(("*", "**"))

    _depth = threading.local()

    def call(
        __self,  # Jinja's own signature: the double underscores avoid keyword clashes
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        depth = getattr(__self._depth, "value", 0)
        if depth >= MAX_CALL_DEPTH:
            raise SecurityError(f"calls nest more than {MAX_CALL_DEPTH} deep (endless recursion?)")
        __self._depth.value = depth + 1
        try:
            return super().call(__context, __obj, *args, **kwargs)
        finally:
            __self._depth.value = depth

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and _number(left) and _number(right):
            bits = max(int(abs(left)).bit_length(), 1) * abs(right)
            if abs(right) > MAX_PRODUCT or (abs(left) > 1 and bits > MAX_POWER_BITS):
                raise SecurityError(f"the power {left} ** {right} is too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if _sized(sequence) and _number(count) and len(sequence) * count > MAX_PRODUCT:
                    raise SecurityError(f"'*' would build more than {MAX_PRODUCT:,} items")
        return super().call_binop(context, operator, left, right)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _sized(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def render_checked(
    environment: jinja2.Environment,
    name: str,
    context: Mapping[str, Any],
    values_hint: str,
) -> str:
    """Render the template ``name``; anything it raises, or ill-formed XHTML, is a ThemeError.

    ``values_hint`` tells the user which values the template may use.
    """
    fix = "Fix the template in your theme folder or remove it to use the default."
    try:
        text = _render_bounded(environment.get_template(name), context)
    except PublisherError:
        raise
    except jinja2.TemplateNotFound as error:
        raise ThemeError(
            f"The theme has no template '{error.name}'.",
            "Add it to your theme's templates/ folder or restore the default theme.",
        ) from error
    except Exception as error:  # a template is code: any failure of it is the theme's
        where = _failing_template(error, name)
        detail = str(getattr(error, "message", None) or error).strip().rstrip(".")
        if isinstance(error, jinja2.UndefinedError):
            unknown = f"The template {where} uses an unknown value: {detail}."
            raise ThemeError(unknown, values_hint) from error
        if isinstance(error, SecurityError):
            message = f"The template {where} was stopped by the sandbox: {detail}."
        elif isinstance(error, RecursionError):
            where = _recursing_template(error, where)
            message = f"The template {where} recurses without end (it includes or calls itself)."
        elif isinstance(error, jinja2.TemplateError):
            message = f"The template {where} failed: {detail}."
        else:
            message = f"The template {where} failed: {type(error).__name__}: {detail}."
        raise ThemeError(message, fix) from error
    check_xhtml(text, name)
    return text


def _render_bounded(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """Render ``template``, stopping once it has written ``MAX_OUTPUT`` characters.

    ``generate`` yields the output piece by piece, so a loop that writes without
    end is stopped at the limit instead of filling the memory.
    """
    pieces: list[str] = []
    written = 0
    for piece in template.generate(context):
        written += len(piece)
        if written > MAX_OUTPUT:
            raise SecurityError(f"the output passed {MAX_OUTPUT // 1_000_000} million characters")
        pieces.append(piece)
    return "".join(pieces)


def _failing_template(error: BaseException, name: str) -> str:
    """Where a template failed: "'body.xhtml' (line 12)", from Jinja's rewritten traceback.

    Jinja rewrites a render's traceback so its frames name the template file and
    line; the innermost such frame is where the template went wrong.
    """
    where, line = name, None
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            where, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    return f"'{where}'" + (f" (line {line})" if line else "")


def _recursing_template(error: BaseException, fallback: str) -> str:
    """The template that recursed: the one with the most frames in the traceback.

    The innermost frame may be a macro the recursing template called (the
    document macros), so the template that repeats is named, at its first line seen.
    """
    counts: dict[str, int] = {}
    first_line: dict[str, int] = {}
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            counts[filename] = counts.get(filename, 0) + 1
            first_line.setdefault(filename, tb.tb_lineno)
        tb = tb.tb_next
    if not counts:
        return fallback
    most = max(counts, key=lambda name: counts[name])
    return f"'{Path(most).name}' (line {first_line[most]})"


def check_xhtml(text: str, name: str) -> None:
    """Raise ThemeError unless ``text`` (a document, or a fragment of one) is well-formed XHTML.

    >>> check_xhtml('<section epub:type="titlepage"><p>ok</p></section>', "titlepage.xhtml")
    >>> check_xhtml("<p>a<b>c</p>", "body.xhtml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.ThemeError: The template 'body.xhtml' gave ill-formed XHTML (line 1: ...
    """
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    stripped = text.lstrip()
    document = stripped.startswith(("<?xml", "<!DOCTYPE", "<html"))
    if document:
        # The XML declaration names the encoding; lxml wants bytes for that.
        source = stripped.encode("utf-8")
    else:
        source = f"<div {_XHTML_NAMESPACES}>{text}</div>".encode()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        etree.fromstring(source, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno
        message = str(error.msg).strip().rstrip(".") if error.msg else str(error)
        raise ThemeError(
            f"The template '{name}' gave ill-formed XHTML (line {line}: {message}).",
            "Close every element and quote every attribute in the template (XHTML is XML).",
        ) from None
