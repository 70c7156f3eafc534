"""Pillow settings shared by the readers and the renderers (no I/O of ours)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def strict_decoding() -> Iterator[None]:
    """Make Pillow fail on truncated files inside the block, whatever was set before.

    WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole
    process when imported, so after a first PDF a truncated photo would
    otherwise load as a grey half.
    """
    from PIL import ImageFile

    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous
