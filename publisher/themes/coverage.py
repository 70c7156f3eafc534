"""Does the article have a glyph for every character it shows? Which installed face gives it?

A theme's fonts (``[fonts]`` in theme.toml) cover the scripts its designer
chose: the default theme Latin, Greek, Cyrillic and Arabic. For the other
characters an article uses (Chinese, Japanese, Korean, Thai...), fontconfig is
asked for an installed face that has them, in the article's language (so Chinese
gets Noto Sans CJK SC and Japanese Noto Sans CJK JP from one ``.ttc``), with
``fc-match`` -- the same fontconfig, and the same configuration
(``FONTCONFIG_FILE``), that Pango uses when WeasyPrint lays out the PDF. The
face's own character map (read with fontTools) decides whether it really covers
them. A character no face has is an error before anything is written: never a
PDF or cover with empty boxes.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from publisher.errors import RenderError

__all__ = [
    "InstalledFace",
    "characters_of",
    "check_covered",
    "fontconfig_language",
    "installed_faces",
    "shown_characters",
    "uncovered",
]

#: How many missing characters the error names.
_NAMED = 5
_HINT = (
    "Install a font that has them (on Debian: apt-get install {packages}), "
    "or add one to your theme's [fonts] table in theme.toml."
)
#: Character-name prefixes of the scripts Debian's fonts-noto-cjk covers.
_CJK_NAMES = ("CJK ", "HIRAGANA", "KATAKANA", "HALFWIDTH KATAKANA", "HANGUL", "IDEOGRAPHIC")


@dataclass(frozen=True, slots=True, order=True)
class InstalledFace:
    """A face fontconfig found: its file, its index in a collection (``.ttc``), its family."""

    path: Path
    index: int
    family: str


def shown_characters(text: str) -> frozenset[str]:
    """The characters of ``text`` that need a glyph (not spaces, controls or format marks).

    >>> sorted(shown_characters("a b\\u00ad\\u200b\\n深"))
    ['a', 'b', '深']
    """
    return frozenset(char for char in text if unicodedata.category(char)[0] not in "ZC")


def fontconfig_language(language: str) -> str:
    """The fontconfig language for a BCP 47 tag: it tells Chinese variants apart.

    >>> fontconfig_language("zh"), fontconfig_language("zh-Hant"), fontconfig_language("zh-HK")
    ('zh-cn', 'zh-tw', 'zh-hk')
    >>> fontconfig_language("ja-JP"), fontconfig_language("")
    ('ja', 'en')
    """
    tag = language.strip().lower().replace("_", "-") or "en"
    primary, _, rest = tag.partition("-")
    if primary != "zh":
        return primary
    if "hk" in rest.split("-") or "mo" in rest.split("-"):
        return "zh-hk"
    if "hant" in rest.split("-") or "tw" in rest.split("-"):
        return "zh-tw"
    return "zh-cn"


def characters_of(path: Path, index: int = 0) -> frozenset[str]:
    """The characters a font file (face ``index`` of a collection) has glyphs for."""
    stat = path.stat()
    return _cmap(path.resolve(), index, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _cmap(path: Path, index: int, size: int, mtime_ns: int) -> frozenset[str]:
    """The face's character map, kept on disk (``publisher.cache``, kind "fonts").

    Importing fontTools and reading a cmap costs a cold process a tenth of a
    second, and a CJK collection's cmap has 44,000 entries; the stored code
    points are keyed by the file's path, size, time and the face's index.
    """
    from array import array

    from publisher import cache

    key = cache.digest("cmap-face", str(path), str(size), str(mtime_ns), str(index))
    stored = cache.load("fonts", key)
    codes = array("I")
    if stored is not None and len(stored) % codes.itemsize == 0:
        codes.frombytes(stored)
        return frozenset(map(chr, codes))
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(path, lazy=True, fontNumber=index) as font:
        codes.extend(sorted(font.getBestCmap()))
    cache.store("fonts", key, codes.tobytes())
    return frozenset(map(chr, codes))


def installed_faces(
    missing: Iterable[str], language: str, *, generic: str = "sans-serif", bold: bool = False
) -> tuple[tuple[InstalledFace, ...], frozenset[str]]:
    """Installed faces that together cover ``missing``, and the characters none covers.

    Asks fontconfig (``fc-match``) for the best ``generic`` face in ``language``
    with the characters still missing, keeps it if it has some of them, and asks
    again for the rest. Without fontconfig's tools nothing is found.
    """
    remaining = frozenset(missing)
    found: list[InstalledFace] = []
    while remaining:
        face = _match(tuple(sorted(remaining)), fontconfig_language(language), generic, bold)
        if face is None or face in found:
            break
        has = remaining & characters_of(face.path, face.index)
        if not has:
            break
        found.append(face)
        remaining -= has
    return tuple(found), remaining


@lru_cache(maxsize=256)
def _match(chars: tuple[str, ...], language: str, generic: str, bold: bool) -> InstalledFace | None:
    program = shutil.which("fc-match")
    if program is None:
        return None
    charset = " ".join(f"{ord(char):x}" for char in chars[:400])
    weight = "bold" if bold else "regular"
    pattern = f"{generic}:lang={language}:weight={weight}:charset={charset}"
    try:
        result = subprocess.run(
            [program, "--format=%{file}\t%{index}\t%{family[0]}", pattern],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parts = result.stdout.split("\t")
    if result.returncode != 0 or len(parts) != 3 or not parts[0]:
        return None
    path = Path(parts[0])
    if not path.is_file() or not parts[1].isdigit():
        return None
    return InstalledFace(path, int(parts[1]), parts[2])


def uncovered(
    text: str, font_files: Iterable[Path], language: str, *, generic: str = "serif"
) -> frozenset[str]:
    """The characters of ``text`` that neither ``font_files`` nor an installed face has.

    >>> uncovered("", [], "en")
    frozenset()
    """
    missing = shown_characters(text)
    for path in dict.fromkeys(font_files):
        if not missing:
            break
        missing -= characters_of(path)
    if not missing:
        return missing
    return installed_faces(missing, language, generic=generic)[1]


def check_covered(missing: Iterable[str], what: str) -> None:
    """Raise RenderError naming the characters of ``missing`` (if any): no font has them.

    >>> check_covered("", "the PDF")
    >>> check_covered("深圳", "the PDF")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    publisher.errors.RenderError: No installed font has 2 characters of the PDF: 圳 (U+5733), ...
    """
    chars = sorted(set(missing))
    if not chars:
        return
    named = ", ".join(f"{char} (U+{ord(char):04X})" for char in chars[:_NAMED])
    more = f" and {len(chars) - _NAMED} more" if len(chars) > _NAMED else ""
    count = f"{len(chars)} character{'s' if len(chars) != 1 else ''}"
    cjk = any(unicodedata.name(char, "").startswith(_CJK_NAMES) for char in chars)
    packages = "fonts-noto-cjk" if cjk else "fonts-noto-core"
    raise RenderError(
        f"No installed font has {count} of {what}: {named}{more}.",
        _HINT.format(packages=packages),
    )
