"""A generated cover: 1600×2560 JPEG with the headline, publication, date and photo.

Drawn with Pillow in the theme's fonts (the files listed in ``[fonts]``) and
colours from the theme's ``[cover]`` table (see ``default/theme.toml``)::

    [cover]
    background = "#111418"      # page colour
    foreground = "#ffffff"      # headline and date
    accent = "#f2c230"          # publication name and the rule above the headline
    headline_family = "Source Sans Pro"   # a [fonts] family; its bold face is used
    text_family = "Source Sans Pro"       # a [fonts] family; its regular face is used

Layout, top to bottom: the publication in a band, the photo (cropped to fill
its area, never distorted) when there is one, an accent rule, the headline
(wrapped, at the largest size that fits its box, so a long headline shrinks
and is not cut off; only past some 3,000 characters, at the smallest size, does
it end with an ellipsis) and the date. Type is big and contrast strong so the
headline reads at 200 px wide in a library view.

Text is shaped where it must be. Latin, Greek and Cyrillic text is laid out
with Pillow's basic engine on every host, so the same input gives the same
bytes anywhere. Text that needs shaping (Arabic or Hebrew letters, numbers
inside them, combining marks) goes through libraqm (HarfBuzz for joining and
marks, FriBiDi for the order of mixed runs), which Pillow's wheels carry;
FriBiDi comes with Pango, which WeasyPrint needs anyway. Right-to-left covers
are right-aligned. On a host whose Pillow has no libraqm, such text falls back
to characters put in visual order line by line: legible, but with Arabic
letters unjoined. Each text is drawn in a face of the theme that has all its
letters when there is one (an Arabic headline in the theme's Arabic font);
otherwise in the installed face fontconfig offers for the article's language
(a Chinese headline in Noto Sans CJK SC; ``publisher.themes.coverage``). When
no face has every letter, the cover is not drawn: RenderError names them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import cache
from publisher.errors import ThemeError
from publisher.model import Image
from publisher.render.fetch import digest_allowed, read_allowed
from publisher.render.photo import open_photo
from publisher.themes import FontFace, Theme
from publisher.themes.coverage import (
    InstalledFace,
    characters_of,
    check_covered,
    installed_faces,
    shown_characters,
)

if TYPE_CHECKING:
    from PIL.ImageDraw import ImageDraw
    from PIL.ImageFont import FreeTypeFont

WIDTH, HEIGHT = 1600, 2560
MARGIN = 120
JPEG_QUALITY = 88
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_RTL_LANGUAGES = {"ar", "arc", "dv", "fa", "he", "iw", "ku", "ps", "sd", "ug", "ur", "yi"}
#: The smallest headline size tried; only an absurdly long headline gets this far.
_MIN_HEADLINE = 24


@dataclass(frozen=True, slots=True)
class CoverStyle:
    """The ``[cover]`` table: colours as RGB triples and the font families to use."""

    background: tuple[int, int, int] = (0x11, 0x14, 0x18)
    foreground: tuple[int, int, int] = (0xFF, 0xFF, 0xFF)
    accent: tuple[int, int, int] = (0xF2, 0xC2, 0x30)
    headline_family: str = "Source Sans Pro"
    text_family: str = "Source Sans Pro"


@dataclass(frozen=True, slots=True)
class _Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def render_cover(
    title: str,
    *,
    theme: Theme,
    publication: str | None,
    date: str | None,
    image: Image | None,
    language: str,
    roots: Iterable[Path] | None = None,
) -> bytes:
    """Return a 1600×2560 JPEG cover; the same arguments give the same bytes.

    ``image`` (the article's photo) is read through the sandbox with ``roots``
    (by default only the photo file itself is allowed). Raises ThemeError for a
    broken ``[cover]`` table and ImageError for an unreadable photo.

    A cover drawn before from the same inputs comes from the cache on disk
    (``publisher.cache``, kind "covers"): the key hashes every input, so the
    bytes are those a fresh drawing gives.
    """
    roots = None if roots is None else tuple(roots)
    style = cover_style(theme)
    installed = _installed_faces_for(theme, style, title, publication, date, language)
    try:
        photo = None if image is None else _photo_bytes(image, roots)
    except OSError:  # drawing reports it as the photo's error
        photo = None
        key = None
    else:
        key = _cover_key(title, theme, style, publication, date, photo, language, installed)
    cached = None if key is None else cache.load(_CACHE_KIND, key)
    if cached is not None:
        return cached
    data = _draw_cover(title, theme, style, publication, date, image, language, roots)
    if key is not None:
        cache.store(_CACHE_KIND, key, data)
    return data


def _draw_cover(
    title: str,
    theme: Theme,
    style: CoverStyle,
    publication: str | None,
    date: str | None,
    image: Image | None,
    language: str,
    roots: Iterable[Path] | None,
) -> bytes:
    """Draw the cover (``render_cover`` without the cache)."""
    from PIL import Image as PIL
    from PIL import ImageDraw, ImageOps

    canvas = PIL.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(canvas)
    rtl = language.split("-")[0].lower() in _RTL_LANGUAGES
    bold = _face_data(theme, style.headline_family, "bold", title, language)
    regular = _face_data(theme, style.text_family, "normal", date or "", language)

    if publication and publication.strip():
        band = _Box(MARGIN, 70, WIDTH - MARGIN, 200)
        masthead = _face_data(theme, style.headline_family, "bold", publication, language)
        name = publication.strip()
        _draw_fitted(draw, name, masthead, band, style.accent, rtl, largest=96, language=language)
    if image is not None:
        photo = open_photo(image.path, roots).convert("RGB")
        area = (WIDTH, 1200)
        fitted = ImageOps.fit(photo, area, PIL.Resampling.LANCZOS, centering=(0.5, 0.5))
        canvas.paste(fitted, (0, 260))
        rule_top, headline, largest = 1540, _Box(MARGIN, 1620, WIDTH - MARGIN, 2290), 190
    else:
        rule_top, headline, largest = 480, _Box(MARGIN, 580, WIDTH - MARGIN, 2240), 260
    rule_left = WIDTH - MARGIN - 240 if rtl else MARGIN
    draw.rectangle((rule_left, rule_top, rule_left + 240, rule_top + 24), fill=style.accent)
    _draw_fitted(
        draw, title, bold, headline, style.foreground, rtl, largest=largest, language=language
    )
    if date and date.strip():
        line = _Box(MARGIN, 2360, WIDTH - MARGIN, 2470)
        _draw_fitted(
            draw, date.strip(), regular, line, style.foreground, rtl, largest=84, language=language
        )

    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
    return buffer.getvalue()


_CACHE_KIND = "covers"


def _photo_bytes(image: Image, roots: tuple[Path, ...] | None) -> bytes:
    """The photo file's bytes, read through the sandbox as drawing reads them."""
    return read_allowed(image.path, roots if roots is not None else (image.path.resolve(),))


def _cover_key(
    title: str,
    theme: Theme,
    style: CoverStyle,
    publication: str | None,
    date: str | None,
    photo: bytes | None,
    language: str,
    installed: tuple[str, ...] = (),
) -> str:
    """A hash of everything the cover's bytes depend on.

    The texts, the language, the ``[cover]`` style, every font face the theme
    offers (its bytes), the installed faces drawn with (file, size, time,
    index), the photo's bytes, the drawing code itself (all of publisher's
    modules) and the Pillow, FreeType and libraqm it runs on.
    """
    faces = sorted(
        (face.family, str(face.weight), face.style, digest_allowed(face.path, theme.font_folders))
        for face in theme.fonts
    )
    return cache.digest(
        *_drawing_versions(),
        str(can_shape()),  # looked up each time: tests turn the shaper off
        title,
        "\0" if publication is None else publication,
        "\0" if date is None else date,
        language,
        repr(style),
        repr(faces),
        repr(installed),
        b"\0" if photo is None else photo,
    )


@lru_cache(maxsize=1)
def _drawing_versions() -> tuple[str, ...]:
    """What draws: publisher's code, Pillow and its libraries.

    The code is every module of the package (~60 small files, read in about a
    millisecond), not only this one: a change to wrapping or hyphenation
    elsewhere must not leave an old cover in the cache.
    """
    import PIL

    package = Path(__file__).resolve().parents[1]
    sources = [path.read_bytes() for path in sorted(package.rglob("*.py"))]
    # What PIL.features.version() reads for these three, taken from the font
    # module itself: importing PIL.features imports PIL.Image and its plugins
    # (~20 ms), which a build whose cover is in the cache never needs.
    try:
        from PIL import _imagingft
    except ImportError:  # a Pillow built without FreeType: the cover fails when drawn
        libraries = ["freetype2=None"]
    else:
        libraries = [f"freetype2={getattr(_imagingft, 'freetype2_version', None)}"]
        for name in ("raqm", "fribidi"):
            present = getattr(_imagingft, f"HAVE_{name.upper()}", False)
            libraries.append(
                f"{name}={getattr(_imagingft, f'{name}_version', None) if present else None}"
            )
    return (
        cache.digest(*sources),
        PIL.__version__,
        *libraries,
        f"{WIDTH}x{HEIGHT}@{JPEG_QUALITY}",
    )


def cover_style(theme: Theme) -> CoverStyle:
    """The theme's ``[cover]`` table (the user's theme over the default's), checked."""
    table = theme.settings_table("cover", _COVER_HINT)
    unknown = sorted(set(table) - set(CoverStyle.__slots__))
    if unknown:
        raise ThemeError(f"The [cover] table has unknown keys: {', '.join(unknown)}.", _COVER_HINT)
    defaults = CoverStyle()
    values: dict[str, object] = {}
    for key in ("background", "foreground", "accent"):
        value = table.get(key)
        values[key] = getattr(defaults, key) if value is None else _colour(key, value)
    for key in ("headline_family", "text_family"):
        value = table.get(key, getattr(defaults, key))
        if not isinstance(value, str) or not value.strip():
            raise ThemeError(f"[cover] {key} must name a font family.", _COVER_HINT)
        values[key] = value
    return CoverStyle(**values)  # type: ignore[arg-type]


_COVER_HINT = (
    "[cover] takes background, foreground and accent as #rrggbb colours, and "
    "headline_family and text_family naming [fonts] families (see the default theme.toml)."
)


def _colour(key: str, value: object) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _HEX.match(value):
        raise ThemeError(f"[cover] {key} = {value!r} is not a #rrggbb colour.", _COVER_HINT)
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


#: A font to draw with: the file's bytes and the face's index in it (a ``.ttc`` holds several).
FontData = tuple[bytes, int]


def _font_bytes(theme: Theme, family: str, weight: str, text: str = "") -> bytes:
    """The bytes of the face ``_face_data`` chooses (the first face of a collection)."""
    return _face_data(theme, family, weight, text)[0]


def _face_data(
    theme: Theme, family: str, weight: str, text: str = "", language: str = "en"
) -> FontData:
    """The upright face of ``family`` in ``weight`` (or its nearest), read through the sandbox.

    A face that has every letter of ``text`` comes first, so an Arabic headline
    is drawn in the theme's Arabic font rather than as empty boxes. When no face
    of the theme has them all (a Chinese headline), the installed sans-serif
    face fontconfig offers for ``language`` is used; when none has them either,
    RenderError names the letters.
    """
    ordered, letters = _theme_faces(theme, family, weight, text)
    chosen = next((f for f in ordered if not letters or letters <= _characters(f.path)), None)
    if chosen is not None:
        return read_allowed(chosen.path, theme.font_folders), 0
    installed = _installed_face(theme, family, weight, text, language)
    if installed is None:
        return read_allowed(ordered[0].path, theme.font_folders), 0
    return _file_bytes(installed.path), installed.index


def _theme_faces(
    theme: Theme, family: str, weight: str, text: str
) -> tuple[list[FontFace], frozenset[str]]:
    """The theme's upright faces, nearest to ``family`` and ``weight`` first, and the letters."""
    faces = [f for f in theme.fonts if f.style == "normal"] or list(theme.fonts)
    if not faces:
        raise ThemeError("The theme has no fonts to draw the cover with.", _COVER_HINT)
    # Nearest face first; a font's character map is read only when a nearer face lacks letters.
    ordered = sorted(faces, key=lambda face: (face.family != family, face.weight != weight))
    return ordered, shown_characters(text)


def _installed_face(
    theme: Theme, family: str, weight: str, text: str, language: str
) -> InstalledFace | None:
    """The installed face that draws ``text`` when no face of the theme has all its letters.

    None when a theme face has them all. Raises RenderError when no installed
    face has them all: the cover is never drawn with empty boxes.
    """
    ordered, letters = _theme_faces(theme, family, weight, text)
    if not letters or any(letters <= _characters(face.path) for face in ordered):
        return None
    faces, missing = installed_faces(letters, language, bold=weight == "bold")
    if faces and letters <= characters_of(faces[0].path, faces[0].index):
        return faces[0]
    # One text is drawn in one face: name the letters no font has, else those the best lacks.
    if not missing and faces:
        missing = letters - characters_of(faces[0].path, faces[0].index)
    check_covered(missing, "the cover")
    return None


def _installed_faces_for(
    theme: Theme,
    style: CoverStyle,
    title: str,
    publication: str | None,
    date: str | None,
    language: str,
) -> tuple[str, ...]:
    """The installed faces the cover draws with (file, size, time, index); checks they cover."""
    texts = (
        (style.headline_family, "bold", title),
        (style.headline_family, "bold", publication or ""),
        (style.text_family, "normal", date or ""),
    )
    found = []
    for family, weight, text in texts:
        face = _installed_face(theme, family, weight, text, language)
        if face is not None:
            stat = face.path.stat()
            found.append(f"{face.path}:{stat.st_size}:{stat.st_mtime_ns}:{face.index}")
    return tuple(found)


@lru_cache(maxsize=8)
def _file_bytes(path: Path) -> bytes:
    """An installed font file's bytes (a face fontconfig named), kept for the process."""
    return path.read_bytes()


@lru_cache(maxsize=64)
def _characters(path: Path) -> frozenset[str]:
    """The characters a font file has glyphs for (its cmap).

    Reading a cmap with fontTools costs a cold process a tenth of a second
    (most of it importing fontTools), so the code points are kept in the
    cache on disk (kind "fonts") under the hash of the font's bytes.
    """
    from array import array

    key = cache.digest("cmap", path.read_bytes())
    stored = cache.load("fonts", key)
    codes = array("I")
    if stored is not None and len(stored) % codes.itemsize == 0:
        codes.frombytes(stored)
        return frozenset(map(chr, codes))
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(path, lazy=True) as font:
        codes.extend(sorted(font.getBestCmap()))
    cache.store("fonts", key, codes.tobytes())
    return frozenset(map(chr, codes))


@lru_cache(maxsize=256)
def _font(data: bytes, size: int, shaped: bool = False, index: int = 0) -> FreeTypeFont:
    from PIL import ImageFont

    engine = ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC
    return ImageFont.truetype(io.BytesIO(data), size, index=index, layout_engine=engine)


@lru_cache(maxsize=1)
def can_shape() -> bool:
    """Whether this Pillow can shape text (libraqm with FriBiDi and HarfBuzz).

    The flags PIL.features.check("raqm") and ("fribidi") read, read here without
    importing PIL.features (and with it PIL.Image).
    """
    try:
        from PIL import _imagingft
    except ImportError:  # a Pillow built without FreeType
        return False
    return all(getattr(_imagingft, flag, False) for flag in ("HAVE_RAQM", "HAVE_FRIBIDI"))


#: Bidirectional classes of right-to-left letters and of Arabic digits.
_RIGHT_TO_LEFT = {"R", "AL", "AN"}


def needs_shaping(text: str) -> bool:
    """Whether ``text`` looks wrong without a shaper: right-to-left letters or combining marks.

    >>> needs_shaping("Solar plant opens"), needs_shaping("İstanbul'da ışık")
    (False, False)
    >>> needs_shaping("محطة شمسية"), needs_shaping("2024 فبراير"), needs_shaping("שלום")
    (True, True, True)
    """
    return any(
        unicodedata.bidirectional(char) in _RIGHT_TO_LEFT or unicodedata.combining(char)
        for char in text
    )


def _draw_fitted(
    draw: ImageDraw,
    text: str,
    font_data: FontData,
    box: _Box,
    fill: tuple[int, int, int],
    rtl: bool,
    *,
    largest: int,
    language: str = "",
) -> None:
    """Draw ``text`` wrapped in ``box`` at the largest size (≤ ``largest``) that fits.

    ``rtl`` (the article's language is written right to left) right-aligns the
    lines and shapes them with right to left as the base direction. A word
    wider than the box is hyphenated by the rules of ``language`` (``wrap``).
    """
    # In a right-to-left cover even digits need the bidi algorithm (a date stays "2024-02-20").
    shaped = can_shape() and (rtl or needs_shaping(text))
    direction = ("rtl" if rtl else "ltr") if shaped else None
    font, lines, line_height = fit_text(
        text,
        font_data[0],
        box.width,
        box.height,
        largest,
        direction=direction,
        language=language,
        index=font_data[1],
    )
    ascent = font.getmetrics()[0]
    for number, line in enumerate(lines):
        # Without a shaper, right-to-left letters are put in visual order by hand.
        shown = line[::-1] if rtl and not shaped and needs_shaping(line) else line
        y = box.top + number * line_height + ascent
        x = box.right if rtl else box.left
        draw.text(
            (x, y), shown, font=font, fill=fill, anchor="rs" if rtl else "ls", direction=direction
        )


def fit_text(
    text: str,
    font_data: bytes,
    width: int,
    height: int,
    largest: int,
    *,
    direction: str | None = None,
    index: int = 0,
    language: str = "",
) -> tuple[FreeTypeFont, list[str], int]:
    """The largest size (≤ ``largest``) at which ``text`` wraps into ``width``×``height``.

    Returns the font, the lines and the line height. Only below the smallest
    size (24 px) would lines be dropped, and the last kept line ends with "…".
    A ``direction`` ("ltr" or "rtl", the base direction) means the text is
    shaped (libraqm) and measured as shaped; None means Pillow's basic layout.
    A word wider than ``width`` is hyphenated in ``language`` (``hyphenation``).

    Bounded whatever the text: the sizes tried are ``_sizes(largest)`` (each
    6% below the last) searched by bisection, about six wraps instead of
    some forty; each wrap stops once the box is full and breaks an unbreakable
    word in linear time (``wrap``).
    """
    hyphenate = hyphenation(language)
    text = " ".join(text.split())
    sizes = _sizes(largest)
    tried: dict[int, tuple[FreeTypeFont, list[str], int, bool]] = {}

    def attempt(size: int) -> tuple[FreeTypeFont, list[str], int, bool]:
        if size not in tried:
            font = _font(font_data, size, direction is not None, index)

            def measure(line: str, font: FreeTypeFont = font) -> float:
                return font.getlength(line, direction=direction)

            line_height = round(size * 1.12)
            # One line more than fits is enough to know it does not fit.
            most = max(1, height // line_height) + 1
            lines = wrap(text, measure, width, hyphenate, max_lines=most)
            # Without hyphenation rules for the language (pyphen has none for Turkish), a
            # word of a script that hyphenates is never broken: the size shrinks until it fits.
            whole = hyphenate is not None or not any(
                measure(word) > width for word in text.split() if _hyphenating_script(word)
            )
            tried[size] = (font, lines, line_height, whole)
        return tried[size]

    def fits(size: int) -> bool:
        _, lines, line_height, whole = attempt(size)
        return len(lines) * line_height <= height and whole

    # The first size that fits; the smallest is taken whether or not it fits.
    low, high = 0, len(sizes) - 1
    while low < high:
        middle = (low + high) // 2
        if fits(sizes[middle]):
            high = middle
        else:
            low = middle + 1
    font, lines, line_height, _ = attempt(sizes[low])
    keep = max(1, height // line_height)
    if len(lines) > keep:
        last = lines[keep - 1].rstrip()
        # The ellipsis must fit on the line too: keep the longest prefix that leaves room.
        low, high = 0, len(last)
        while low < high:
            middle = (low + high + 1) // 2
            if font.getlength(last[:middle].rstrip() + " …", direction=direction) <= width:
                low = middle
            else:
                high = middle - 1
        lines = [*lines[: keep - 1], (last[:low].rstrip() + " …").lstrip()]
    return font, lines, line_height


#: Characters a line may not start with in Chinese and Japanese (JIS X 4051 kinsoku).
_NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》”’ゝゞーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
#: Characters a line may not end with (opening brackets and quotes).
_NO_LINE_END = frozenset("「『（【〔〈《“‘")


def _sizes(largest: int) -> list[int]:
    """The font sizes a fit tries, largest first, each about 6% below the last.

    >>> _sizes(40)
    [40, 37, 34, 31, 29, 27, 25, 24]
    """
    sizes = [largest]
    while sizes[-1] > _MIN_HEADLINE:
        sizes.append(max(_MIN_HEADLINE, int(sizes[-1] * 0.94)))
    return sizes


#: Where a word may break, as pyphen says: the positions, in characters, after which to break.
Hyphenator = Callable[[str], list[int]]


def hyphenation(language: str) -> Hyphenator | None:
    """The hyphenation points of words in ``language`` (pyphen's dictionaries), or None.

    pyphen comes with WeasyPrint, which hyphenates the PDF with the same
    dictionaries. None for a language without one (Arabic, Chinese...): its
    words are then broken between characters, without a hyphen, as those
    scripts are.

    >>> hyphenation("de")("Linienverkehr")
    [2, 4, 6, 9]
    >>> hyphenation("ar") is None, hyphenation("") is None
    (True, True)
    """
    if not language:
        return None
    import pyphen

    found = pyphen.language_fallback(language.replace("-", "_"))
    if found is None:
        return None
    dictionary = pyphen.Pyphen(lang=found)
    return lambda word: list(dictionary.positions(word))


def _hyphenating_script(word: str) -> bool:
    """Whether ``word`` is written in a script whose words break with a hyphen.

    >>> _hyphenating_script("renklendirdi"), _hyphenating_script("Москва")
    (True, True)
    >>> _hyphenating_script("محطة"), _hyphenating_script("東京都")
    (False, False)
    """
    return any(
        unicodedata.name(char, "").startswith(("LATIN", "GREEK", "CYRILLIC", "ARMENIAN"))
        for char in word
        if char.isalpha()
    )


#: Longer "words" are not words (no dictionary has them): they break between characters.
_LONGEST_WORD = 64


def _break_word(
    word: str, measure: Callable[[str], float], width: float, hyphenate: Hyphenator | None
) -> tuple[str, str]:
    """Split a word wider than ``width`` into (first line, the rest).

    At the last hyphenation point where the part and its hyphen fit; after a
    hyphen the word already has, no second one is added. Without a point that
    fits, between characters: with a hyphen when the language hyphenates.

    Linear in the line, whatever the word's length: the characters that can fit
    are found by summing each one's width (measured once, ``_fitting``), only
    points up to there are tried, and only a real word (at most
    ``_LONGEST_WORD`` characters) is looked up for hyphenation. The old way
    measured every prefix of the rest of the word, one character shorter each
    time: cubic per word (1,000 characters took 293 s on the cover).

    >>> _break_word("abcdefgh", len, 3, None)
    ('abc', 'defgh')
    >>> _break_word("Linienverkehr", len, 10, hyphenation("de"))
    ('Linienver-', 'kehr')
    """
    mark = "-" if hyphenate is not None else ""
    limit = _fitting(word, measure, width)
    points: set[int] = {i + 1 for i, char in enumerate(word[: limit + 1]) if char == "-"}
    if hyphenate is not None and len(word) <= _LONGEST_WORD:
        points |= set(hyphenate(word))
    for point in sorted((p for p in points if p <= limit + 1), reverse=True):
        if not 0 < point < len(word) or word[point] == "-":
            continue
        head = word[:point] if word[point - 1] == "-" else word[:point] + "-"
        if measure(head) <= width:
            return head, word[point:]
    cut = max(1, _fitting(word[: limit + 1] + mark, measure, width) - len(mark))
    if cut > 1 and measure(word[:cut] + mark) > width:
        # The sum was short (kerning, shaping): bisect for the longest part that fits.
        low, high = 1, cut - 1
        while low < high:
            middle = (low + high + 1) // 2
            if measure(word[:middle] + mark) <= width:
                low = middle
            else:
                high = middle - 1
        cut = low
    cut = min(cut, len(word) - 1)
    # Kinsoku: no line starts with a closing mark or small kana, none ends with an opening one.
    while cut > 1 and (word[cut] in _NO_LINE_START or word[cut - 1] in _NO_LINE_END):
        cut -= 1
    return word[:cut] + mark, word[cut:]


def _fitting(text: str, measure: Callable[[str], float], width: float) -> int:
    """How many leading characters of ``text`` fit in ``width``, by summed widths (at least 1).

    Each distinct character is measured once; the scan stops at the first that
    does not fit, so the cost is that of one line.

    >>> _fitting("abcdefgh", len, 3), _fitting("ab", len, 0.5)
    (3, 1)
    """
    widths: dict[str, float] = {}
    total = 0.0
    for index, char in enumerate(text):
        if char not in widths:
            widths[char] = measure(char)
        total += widths[char]
        if total > width:
            return max(1, index)
    return len(text)


def wrap(
    text: str,
    measure: Callable[[str], float],
    width: float,
    hyphenate: Hyphenator | None = None,
    *,
    max_lines: int | None = None,
) -> list[str]:
    """Greedy word wrap of ``text`` to ``width`` as measured by ``measure(str) -> float``.

    A word wider than the line is hyphenated (``_break_word``): at a
    hyphenation point of ``hyphenate`` with a hyphen, else between characters
    (with a hyphen when there is a ``hyphenate``). A word is never broken
    without a mark where its language hyphenates. With ``max_lines``, wrapping
    stops once that many lines are made: the caller only needs to know that
    the text does not fit.

    >>> wrap("a bb ccc dddddd", len, 6)
    ['a bb', 'ccc', 'dddddd']
    >>> wrap("abcdefgh", len, 3)
    ['abc', 'def', 'gh']
    >>> wrap("abcdefgh", len, 3, max_lines=2)
    ['abc', 'def']
    >>> wrap("im Linienverkehr", len, 10, hyphenation("de"))
    ['im', 'Linienver-', 'kehr']
    >>> wrap("pro-Iranian", len, 8, hyphenation("en"))
    ['pro-Ira-', 'nian']
    >>> wrap("京都市バス、観光客", len, 5)
    ['京都市バ', 'ス、観光客']
    >>> wrap("観光客向け「急行」路線", len, 6)
    ['観光客向け', '「急行」路線']
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        if max_lines is not None and len(lines) >= max_lines:
            return lines[:max_lines]
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while measure(word) > width and len(word) > 1:
            if max_lines is not None and len(lines) >= max_lines:
                return lines[:max_lines]
            head, word = _break_word(word, measure, width, hyphenate)
            lines.append(head)
        current = word
    if current:
        lines.append(current)
    return lines if max_lines is None else lines[:max_lines]
