"""Theme templates compiled once and kept on disk (a Jinja2 bytecode cache).

Compiling a theme's templates takes about a tenth of a second, on every run;
loading their compiled code from ``~/.cache/publisher/templates`` takes a few
milliseconds. This is Jinja2's own extension point (``BytecodeCache``, as its
``FileSystemBytecodeCache`` and ``MemcachedBytecodeCache`` are) over
``publisher.cache`` rather than ``FileSystemBytecodeCache`` itself, which
raises when its folder is read-only, keys entries by template name only and
never prunes.

An entry's name hashes the template's path and source (Jinja's bucket key and
checksum), Jinja's and Python's versions and the environment's kind and
settings, so an edited template or a differently configured environment
compiles afresh. Rendering is the same with and without the cache: it only
skips the compiler.
"""

from __future__ import annotations

import sys

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from publisher import cache

__all__ = ["TemplateCache"]

_KIND = "templates"


class TemplateCache(BytecodeCache):
    """Compiled templates in ``publisher.cache`` (kind "templates"); failures mean recompiling."""

    def load_bytecode(self, bucket: Bucket) -> None:
        data = cache.load(_KIND, _entry(bucket))
        if data is not None:
            # Jinja checks the magic number, the source checksum and the code itself.
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        cache.store(_KIND, _entry(bucket), bucket.bytecode_to_string())


def _entry(bucket: Bucket) -> str:
    environment = bucket.environment
    kind = type(environment)
    settings = (
        f"{kind.__module__}.{kind.__qualname__}",
        repr(environment.autoescape),
        repr(environment.keep_trailing_newline),
        repr(environment.trim_blocks),
        repr(environment.lstrip_blocks),
        repr(environment.newline_sequence),
        repr(environment.optimized),
        repr(sorted(environment.extensions)),
        repr(
            (
                environment.block_start_string,
                environment.variable_start_string,
                environment.comment_start_string,
                environment.line_statement_prefix,
            )
        ),
    )
    return cache.digest(jinja2.__version__, sys.version, *settings, bucket.key, bucket.checksum)
