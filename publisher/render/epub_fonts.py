"""The theme's fonts in the EPUB: subsetted to the characters the book uses, with their licence.

The EPUB's CSS names the theme's families ("Source Serif Pro", "Source Sans
Pro", "Noto Naskh Arabic"...); without the files a reading system falls back
to whatever it has, and the e-book does not look like the print edition. So
every face (``[fonts]`` in ``theme.toml``) of a family the EPUB's CSS names,
and that has a glyph for at least one character of the book, is embedded:

- subsetted with fontTools (which WeasyPrint uses for the PDF) to the
  characters of the book's documents, with the layout features a reading
  system needs to set them (kerning, ligatures, Arabic joining);
- as ``fonts/<file name>`` with ``@font-face`` rules at the end of
  ``css/base.css``;
- with the licence file found beside the font (``OFL.txt``, ``LICENSE.txt``...)
  as ``fonts/<family>-<licence file>``; a face without one is not embedded,
  and a warning says so. The SIL OFL allows a font, subsetted or not, to be
  embedded in a document.

A theme that does not want its fonts in the EPUB (a reader's own choice
first, or a licence that forbids it) says so in ``theme.toml``::

    [epub]
    embed_fonts = false
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from publisher import cache
from publisher.errors import ThemeError
from publisher.render.fetch import digest_allowed, read_allowed
from publisher.themes import FontFace, Theme

#: Licence files looked for beside a font file, in this order.
LICENCE_NAMES = ("OFL.txt", "OFL", "LICENSE.txt", "LICENSE", "LICENCE.txt", "LICENCE")
MEDIA_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}
#: Characters a reading system may add itself: hyphens from CSS hyphenation, spaces.
_ADDED = "-\u2010\u00a0 …"
_EPUB_KEYS = frozenset({"embed_fonts"})
_HINT = "[epub] takes embed_fonts = true or false (see the default theme.toml)."


@dataclass(frozen=True, slots=True)
class EmbeddedFile:
    """A file for the EPUB: where it goes (``fonts/...``), its media type and bytes."""

    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class EmbeddedFonts:
    """The font files, their licences, and the ``@font-face`` rules that use them."""

    files: tuple[EmbeddedFile, ...]
    css: str
    warnings: tuple[str, ...]


def embeds_fonts(theme: Theme) -> bool:
    """Whether the theme's fonts go into its EPUBs (``[epub] embed_fonts``, default true)."""
    table = theme.settings_table("epub", _HINT)
    unknown = sorted(set(table) - _EPUB_KEYS)
    if unknown:
        raise ThemeError(f"The [epub] table has unknown keys: {', '.join(unknown)}.", _HINT)
    value = table.get("embed_fonts", True)
    if not isinstance(value, bool):
        raise ThemeError(f"[epub] embed_fonts = {value!r} is not true or false.", _HINT)
    return value


def embedded_fonts(theme: Theme, texts: Iterable[str], css: str) -> EmbeddedFonts:
    """The fonts an EPUB with ``texts`` (every document's text) and ``css`` should carry.

    Empty when the theme says ``embed_fonts = false``. ``css`` is the EPUB's
    stylesheets, whose ``font-family`` lists decide which families are used.
    """
    if not embeds_fonts(theme):
        return EmbeddedFonts((), "", ())
    characters = "".join(sorted(set("".join(texts)) | set(_ADDED)))
    named = _named_families(css)
    files: dict[str, EmbeddedFile] = {}
    licences: dict[Path, str] = {}
    rules: list[str] = []
    warnings: list[str] = []
    for face in theme.fonts:
        if face.family.casefold() not in named or face.path.suffix.lower() not in MEDIA_TYPES:
            continue
        licence = _licence(face.path)
        if licence is None:
            warnings.append(
                f"The font {face.path.name} ({face.family}) has no licence file beside it "
                f"({', '.join(LICENCE_NAMES[:3])}), so the EPUB does not embed it."
            )
            continue
        data = _subset(face.path, characters, theme.font_folders)
        if data is None:
            continue  # no character of the book in this face (an Arabic face in French)
        # Only URL-safe characters: a variable font is often named "Face[wght].ttf".
        name = f"fonts/{re.sub(r'[^A-Za-z0-9._-]+', '-', face.path.name)}"
        files[name] = EmbeddedFile(name, MEDIA_TYPES[face.path.suffix.lower()], data)
        if licence not in licences:
            stem = re.sub(r"[^A-Za-z0-9]+", "", face.family)
            # Always .txt: a package's licence is often a bare "LICENSE".
            licences[licence] = f"fonts/{stem}-{licence.stem}.txt"
            # The licence may lie one folder up from the fonts (a package's files/).
            content = read_allowed(licence, (*theme.font_folders, licence.parent))
            files[licences[licence]] = EmbeddedFile(licences[licence], "text/plain", content)
        rules.append(_font_face(face, f"../{name}"))
    css_text = "\n".join(rules) + "\n" if rules else ""
    return EmbeddedFonts(tuple(files.values()), css_text, tuple(warnings))


def _font_face(face: FontFace, url: str) -> str:
    return (
        f'@font-face {{ font-family: "{face.family}"; src: url("{url}"); '
        f"font-weight: {face.weight}; font-style: {face.style}; }}"
    )


_FAMILY_LIST = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)


def _named_families(css: str) -> frozenset[str]:
    """The families ``font-family`` declarations in ``css`` name, case-folded.

    >>> sorted(_named_families('p { font-family: "Source Serif Pro", Georgia, serif; }'))
    ['georgia', 'serif', 'source serif pro']
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    return frozenset(
        name.strip().strip("\"'").casefold()
        for declaration in _FAMILY_LIST.findall(css)
        for name in declaration.split(",")
        if name.strip()
    )


def _licence(font: Path) -> Path | None:
    # A font package keeps its fonts in files/ and may keep the licence one up
    # (fontpkg_* packages: LICENSE beside __init__.py).
    folders = [font.parent]
    if font.parent.name == "files":
        folders.append(font.parent.parent)
    for folder in folders:
        for name in LICENCE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


#: The kind (folder) of the disk cache that keeps subsets between processes.
_CACHE_KIND = "font-subsets"


def _subset(path: Path, characters: str, roots: tuple[Path, ...]) -> bytes | None:
    """The font at ``path`` cut down for ``characters``; None when it has none of their letters.

    Cutting a face takes a few tenths of a second (fontTools, in Python), and
    an EPUB carries up to a dozen, so the result is kept: per process (a batch
    renders thousands of articles) and on disk (``publisher.cache``: a
    one-article build is a new process each time). Both are keyed by the
    font's bytes, not its path, so an edited or replaced font is cut afresh, and
    by the article's *repertoire* (``_repertoire``), not its exact characters,
    so that the next article in the same script finds its subsets already cut.
    """
    font = digest_allowed(path, roots)
    cmap = _cmap(font, path, roots)
    # Letters decide: the Arabic face also draws digits and stops, which a Latin
    # book takes from its Latin faces, first in the CSS's font lists.
    if not any(char.isalpha() and ord(char) in cmap for char in characters):
        return None
    try:
        return _subset_of(font, _repertoire(characters, cmap), path, roots)
    except _ChangedMeanwhile as changed:  # not kept: lru_cache does not keep exceptions
        return changed.subset


#: What every subset keeps, as far as the font has it: the letters of the European
#: languages written in Latin (Basic Latin, Latin-1, Latin Extended-A), Arabic's, and the
#: punctuation and symbols of news text. An article's other characters are added to it.
_REPERTOIRE = frozenset(
    (
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),
        *range(0x60C, 0x670),  # Arabic: its punctuation, letters, marks and digits
        *range(0x2010, 0x205F),
        0x20AC,
        0x2122,
        0x2212,
    )
)


def _repertoire(characters: str, cmap: frozenset[int]) -> str:
    """The characters a subset for ``characters`` keeps: ``_REPERTOIRE`` and ``characters``,
    as far as the font has them.

    Cutting to exactly the article's characters made every new article cut
    every face again (1.5-2.5 s of CPU per EPUB, in a batch too). With a fixed
    repertoire, every article in English, French, German, Spanish, Turkish or
    Arabic shares one subset per face, cut once per machine, for some
    kilobytes more per face.

    >>> _repertoire("aé中", frozenset((0x61, 0x62, 0xE9, 0x4E2D, 0x4E2E)))
    'abé中'
    """
    extra = {ord(char) for char in characters} - _REPERTOIRE
    return "".join(map(chr, sorted((_shared(cmap) | extra) & cmap)))


@lru_cache(maxsize=64)
def _shared(cmap: frozenset[int]) -> frozenset[int]:
    """The part of ``_REPERTOIRE`` a font has (kept: every article asks it of every face)."""
    return _REPERTOIRE & cmap


class _ChangedMeanwhile(Exception):
    """The font file changed between hashing and reading it: its subset is for this call only."""

    def __init__(self, subset: bytes) -> None:
        super().__init__("font file changed while it was read")
        self.subset = subset


@lru_cache(maxsize=64)
def _cmap(font: str, path: Path, roots: tuple[Path, ...]) -> frozenset[int]:
    """The code points the font whose bytes hash to ``font`` has glyphs for (kept on disk)."""
    from array import array

    key = cache.digest("epub-cmap", *_subset_versions(), font)
    stored = cache.load("fonts", key)
    codes = array("I")
    if stored is not None and len(stored) % codes.itemsize == 0:
        codes.frombytes(stored)
        return frozenset(codes)
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(io.BytesIO(read_allowed(path, roots)), lazy=True) as opened:
        codes.extend(sorted(opened.getBestCmap() or {}))
    cache.store("fonts", key, codes.tobytes())
    return frozenset(codes)


@lru_cache(maxsize=128)
def _subset_of(font: str, characters: str, path: Path, roots: tuple[Path, ...]) -> bytes:
    """``_subset`` for the font whose bytes hash to ``font``, through the disk cache."""
    key = cache.digest(_CACHE_KIND, *_subset_versions(), font, characters)
    stored = cache.load(_CACHE_KIND, key)
    if stored:
        return stored
    data = read_allowed(path, roots)
    subset = _cut(data, characters)
    if cache.digest(data) != font:
        raise _ChangedMeanwhile(subset)  # neither filed under the old bytes' key nor memoised
    cache.store(_CACHE_KIND, key, subset)
    return subset


@lru_cache(maxsize=1)
def _subset_versions() -> tuple[str, ...]:
    """What a subset's bytes depend on besides its inputs: fontTools and this module's code."""
    import fontTools  # type: ignore[import-untyped]

    return (fontTools.version, cache.digest(Path(__file__).read_bytes()))


def _cut(data: bytes, characters: str) -> bytes:
    """The font ``data`` cut down to ``characters``, with the layout features they need."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False: the subset keeps the font's own date, not the time it was cut
    # (or SOURCE_DATE_EPOCH, which a Dask worker may not have), so equal inputs give equal bytes.
    with TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False) as font:
        options = subset.Options()
        options.hinting = False  # reading systems hint themselves; hints are most of the size
        options.recalc_timestamp = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        output = io.BytesIO()
        font.save(output)
        return output.getvalue()
