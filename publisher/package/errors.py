"""Errors raised while verifying a package (subclasses of publisher's one hierarchy).

Problems *in* a bag are not errors: they are listed in a ``Report``. These are
raised only when verification cannot start at all.
"""

from __future__ import annotations

from publisher.errors import InputError, PublisherError


class VerifyError(InputError):
    """The thing to verify cannot be read as a bag: missing, not a bag, a corrupt zip."""


class NotABagError(VerifyError):
    """A folder without ``bagit.txt``."""


class UnsafeArchiveError(VerifyError):
    """A zip whose entries would land outside the extraction folder or are not plain files."""


class CheckerUnavailableError(PublisherError):
    """A validator the check needs (Java for EPUBCheck) is not installed.

    Raised rather than reported so a check that did not run is never taken for a pass.
    """
