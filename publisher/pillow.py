"""Pillow settings shared by the readers and the renderers (no I/O of ours)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: Pillow's text for EXIF it cannot parse. It warns (through ``warnings``) each
#: time the EXIF is read, from our code or WeasyPrint's; the reader reports it
#: once, as a warning of its own, so the raw text never reaches stderr.
CORRUPT_EXIF = "Corrupt EXIF data"
warnings.filterwarnings("ignore", message=CORRUPT_EXIF, category=UserWarning)


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
