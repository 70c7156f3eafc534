"""Typer's option parsing without pydantic for the plain types our commands use.

Typer 0.29 converts every parameter's value (defaults included) through a
pydantic ``TypeAdapter``, built on first use. For ``publisher build`` that is
importing pydantic and building ~27 adapters: about 0.1 s of CPU, a third of a
warm one-article EPUB build. Our parameters are plain — ``str``, ``bool``,
``int``, ``float``, ``Path``, an enum, lists of those, with no parser, range or
file mode — and for those a value that is already well formed needs no
pydantic. This module gives Typer's parameters a conversion that handles those
values itself, with the same helpers Typer uses (``coerce_cli_path`` runs the
same existence and permission checks, ``coerce_cli_choice`` the same matching),
and hands everything else — any other type, and every value it does not accept
at a glance, so every error message — to Typer's own pydantic conversion.

It reaches into Typer's private modules, so ``install`` checks they are there
and otherwise leaves Typer as it is (correct, only slower). ``tests/test_cli.py``
checks that a build does not import pydantic and that bad values still get
Typer's messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

__all__ = ["install"]

# Only the unremarkable spellings; "+5", "007", "1e3", " 5" go to pydantic as before.
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class _NotPlain(Exception):
    """This value is left to Typer's own (pydantic) conversion."""


def install() -> bool:
    """Route Typer's parameter conversion through ``_PlainParam`` where it can; True if done."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
        from typer._param_types import coerce_cli_choice, coerce_cli_path
    except ImportError:
        return False
    parameter = getattr(core, "_TyperParameter", None)
    if parameter is None or not hasattr(parameter, "get_runtime_param"):
        return False
    if getattr(parameter.get_runtime_param, "_publisher_plain", False):
        return True

    @dataclass(frozen=True)
    class _PlainParam(RuntimeParam):
        descriptor: TypeDescriptor

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return _plain(self.annotation, self.parameter_info, value, param, ctx)
            except _NotPlain:
                typer_own = build_runtime_param(self.descriptor)
                return typer_own.coerce(value, param=param, ctx=ctx)

    def _leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
        if annotation is str and isinstance(value, str):
            return value
        if annotation is bool and isinstance(value, bool):
            return value
        if annotation is int and isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        if annotation is float and isinstance(value, str) and _FLOAT.fullmatch(value):
            return float(value)
        if annotation in (int, float) and type(value) is annotation:
            return value
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            try:
                return coerce_cli_choice(
                    value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
                )
            except ValueError:
                raise _NotPlain from None
        if annotation is Path and info.path_type is None and isinstance(value, str | Path):
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        raise _NotPlain

    def _plain(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
        if get_origin(annotation) is list:
            (item,) = get_args(annotation)
            if not isinstance(value, list | tuple):
                raise _NotPlain
            return [_leaf(item, info, each, param, ctx) for each in value]
        return _leaf(annotation, info, value, param, ctx)

    original = parameter.get_runtime_param

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None and _is_plain(self.type_descriptor):
            descriptor = self.type_descriptor
            self._runtime_param = _PlainParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                descriptor=descriptor,
            )
        return original(self)

    get_runtime_param._publisher_plain = True  # type: ignore[attr-defined]
    parameter.get_runtime_param = get_runtime_param
    return True


_PLAIN_TYPES = (str, bool, int, float, Path)


def _is_plain(descriptor: Any) -> bool:
    """A parameter of a plain type: no parser, range, date format, file or path options."""
    info = descriptor.parameter_info
    if (
        descriptor.file_annotation is not None
        or info.parser is not None
        or info.min is not None
        or info.max is not None
        or getattr(info, "formats", None) is not None
    ):
        return False
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if len(args) != 1:
            return False
        annotation = args[0]
    if annotation in _PLAIN_TYPES:
        return True
    return isinstance(annotation, type) and issubclass(annotation, Enum)
