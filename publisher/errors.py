"""One error hierarchy. Every failure a user can cause is a PublisherError.

Each error carries a message that says what is wrong, a hint that says what to
do, and the exit code the CLI returns (1 for bad input, 2 for bad usage).
"""

from __future__ import annotations


class PublisherError(Exception):
    """Base of every error publisher raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class InputError(PublisherError):
    """The input file cannot be used: missing, unreadable, empty, not text, too big."""


class DecodeError(InputError):
    """The input's bytes cannot be decoded as text."""


class ImageError(InputError):
    """The article's image cannot be used."""


class UsageError(PublisherError):
    """The command line or a config value is wrong."""

    exit_code = 2


class ThemeError(PublisherError):
    """A theme folder, template or stylesheet is broken."""


class RenderError(PublisherError):
    """A renderer (ebooklib, WeasyPrint) failed on an article."""


class SandboxError(PublisherError):
    """A resource outside the allowed folders, or on the network, was requested."""


class OutputError(PublisherError):
    """An output file cannot be written."""
