"""The disk cache (compiled templates, covers, font character maps and subsets) and lazy imports.

The cache only saves time: a hit gives the bytes a fresh build gives, a changed
input is a miss, and a folder that cannot be used means building without it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REPO, run_cli
from conftest import HEADLINE, SEED, run_epubcheck
from PIL import Image as PILImage

from publisher import cache
from publisher.model import Image
from publisher.render.cover import render_cover
from publisher.themes import load_theme

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "publisher"


def no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the cache at a regular file: no folder can be made there (even by root)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))


def entries(folder: Path) -> set[str]:
    return (
        {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        if folder.is_dir()
        else set()
    )


def photo(path: Path, colour: tuple[int, int, int]) -> Image:
    PILImage.new("RGB", (320, 200), colour).save(path, format="JPEG", quality=90)
    return Image(path=path, width=320, height=200, media_type="image/jpeg")


def cover(**changes: Any) -> bytes:
    values: dict[str, Any] = {
        "theme": load_theme(None),
        "publication": "Daily Sabah",
        "date": "2024-01-25",
        "image": None,
        "language": "en",
    }
    values.update(changes)
    title = values.pop("title", HEADLINE)
    return render_cover(title, **values)


def test_a_cover_hit_gives_the_drawn_bytes(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    picture = photo(tmp_path / "p.jpg", (200, 40, 40))
    drawn = cover(image=picture)
    (key,) = entries(cache_home / "covers")
    assert cover(image=picture) == drawn
    assert entries(cache_home / "covers") == {key}
    # The second call read the entry: a different entry under that key is what it returns.
    cache.store("covers", key, b"stored")
    assert cover(image=picture) == b"stored"
    cache.store("covers", key, drawn)
    no_cache(tmp_path, monkeypatch)
    assert cover(image=picture) == drawn


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Another headline"},
        {"publication": "The Courier"},
        {"publication": None},
        {"date": "2024-01-26"},
        {"language": "ar"},
        {"colour": (40, 40, 200)},  # the photo's bytes
        {"background": "#ffffff"},  # the theme's [cover] table
    ],
)
def test_every_input_is_part_of_the_key(
    cache_home: Path, tmp_path: Path, change: dict[str, Any]
) -> None:
    picture = photo(tmp_path / "p.jpg", (200, 40, 40))
    before = cover(image=picture)
    changed = dict(change)
    if "colour" in changed:
        photo(picture.path, changed.pop("colour"))  # same file name, new pixels
    if "background" in changed:
        (tmp_path / "theme.toml").write_text(
            f'[cover]\nbackground = "{changed.pop("background")}"\n'
        )
        changed["theme"] = load_theme(tmp_path)
    after = cover(image=picture, **changed)
    assert after != before
    assert len(entries(cache_home / "covers")) == 2


def test_a_damaged_entry_is_drawn_again(cache_home: Path) -> None:
    drawn = cover()
    (key,) = entries(cache_home / "covers")
    (cache_home / "covers" / key).write_bytes(b"\xff" * 100)
    assert cover() == drawn


def test_templates_compile_afresh_when_edited(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    probe = theme / "templates" / "probe.xhtml"
    probe.write_text("A{{ 1 + 1 }}")
    assert load_theme(theme).environment.get_template("probe.xhtml").render() == "A2"
    compiled = entries(cache_home / "templates")
    assert compiled  # every template of the theme
    assert load_theme(theme).environment.get_template("probe.xhtml").render() == "A2"
    assert entries(cache_home / "templates") == compiled  # nothing compiled again
    probe.write_text("B{{ 2 + 2 }}")
    assert load_theme(theme).environment.get_template("probe.xhtml").render() == "B4"
    assert len(entries(cache_home / "templates")) == len(compiled) + 1
    no_cache(tmp_path, monkeypatch)
    assert load_theme(theme).environment.get_template("probe.xhtml").render() == "B4"


def test_pruning_keeps_the_most_recent(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for number in range(5):
        cache.store("covers", f"k{number}", b"%d" % number)
    assert entries(cache_home / "covers") == {"k2", "k3", "k4"}
    assert cache.load("covers", "k4") == b"4" and cache.load("covers", "k0") is None


def epub_build(tmp_path: Path, name: str, cache_home: str) -> bytes:
    out = tmp_path / name
    result = run_cli(
        "build", SEED, "-o", out, "--format", "epub", env={**EPOCH, "XDG_CACHE_HOME": cache_home}
    )
    assert result.returncode == 0, result.stderr
    return (out / f"{SEED.stem}.epub").read_bytes()


def test_the_cli_builds_the_same_epub_with_a_cold_warm_or_unusable_cache(tmp_path: Path) -> None:
    home = tmp_path / "xdg"
    cold = epub_build(tmp_path, "cold", str(home))
    assert entries(home / "publisher" / "covers") and entries(home / "publisher" / "templates")
    warm = epub_build(tmp_path, "warm", str(home))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    unusable = epub_build(tmp_path, "none", str(blocker))
    assert cold == warm == unusable
    report = run_epubcheck(tmp_path / "warm" / f"{SEED.stem}.epub")
    assert report.clean, report.messages
    with zipfile.ZipFile(io.BytesIO(warm)) as epub:
        assert any(name.endswith("cover.jpg") for name in epub.namelist())


IMPORTS = """
import json, runpy, sys
sys.argv = ["publisher", *sys.argv[1:]]
try:
    runpy.run_module("publisher", run_name="__main__")
except SystemExit as end:
    assert not end.code, end.code
print(json.dumps(sorted(name.split(".")[0] for name in sys.modules)))
"""


def modules_after(tmp_path: Path, *args: str) -> set[str]:
    """Top-level modules loaded by one whole ``publisher`` run (in a fresh interpreter)."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "xdg")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_an_epub_build_imports_neither_weasyprint_nor_a_pdf_library(tmp_path: Path) -> None:
    loaded = modules_after(tmp_path, "build", str(SEED), "-o", str(tmp_path), "--format", "epub")
    assert {"ebooklib", "pycld2"} <= loaded
    assert not loaded & {"weasyprint", "pydyf", "tinycss2", "cssselect2", "pikepdf", "pypdfium2"}
    assert not loaded & {"ssl", "numpy"}  # no urllib.request, no py3langid
    # A clean English article: CLD2 names its language (lingua's 100 MB library
    # is for short text) and ftfy finds nothing to repair.
    assert not loaded & {"lingua", "ftfy"}


def test_a_pdf_build_does_not_import_ebooklib(tmp_path: Path) -> None:
    loaded = modules_after(tmp_path, "build", str(SEED), "-o", str(tmp_path), "--format", "pdf")
    assert "weasyprint" in loaded
    assert "ebooklib" not in loaded


# The EPUB's font subsets (publisher/render/epub_fonts.py): a cold one-article
# build spent most of its time cutting a dozen faces with fontTools.

CRANES = "".join(sorted(set("Harbour cranes, 2024")))
SUBSET_CHILD = """
import sys
from pathlib import Path
from publisher.render.epub_fonts import _subset
font = Path(sys.argv[1])
data = _subset(font, sys.argv[2], (font.parent,))
sys.stdout.buffer.write(data or b"")
"""


def theme_font(name: str) -> Path:
    theme = load_theme(None)
    return next(face.path for face in theme.fonts if face.path.name == name)


def fresh_subset(font: Path, characters: str = CRANES) -> bytes | None:
    """``_subset`` as a new process calls it: nothing kept in memory, only on disk."""
    from publisher.render import epub_fonts, fetch

    epub_fonts._subset_of.cache_clear()
    fetch._digest_of.cache_clear()
    return epub_fonts._subset(font, characters, (font.parent,))


def copied_font(tmp_path: Path, name: str) -> Path:
    font = tmp_path / "fonts" / "Face.otf"
    font.parent.mkdir(exist_ok=True)
    font.write_bytes(theme_font(name).read_bytes())
    return font


def test_a_font_subset_hit_gives_the_cut_bytes_without_cutting(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.render import epub_fonts

    font = copied_font(tmp_path, "SourceSansPro-Regular.otf")
    cut = fresh_subset(font)
    assert cut is not None and cut[:4] == b"OTTO"
    assert len(entries(cache_home / "font-subsets")) == 1

    def no_cutting(data: bytes, characters: str) -> bytes | None:
        raise AssertionError("cut again despite the disk cache")

    monkeypatch.setattr(epub_fonts, "_cut", no_cutting)
    assert fresh_subset(font) == cut
    # Another article in a Latin-script language needs no other subset...
    assert fresh_subset(font, "Zürich: Straße, çà, İstanbul, ğ, œ, «», €") == cut
    # ...while one with letters outside the shared repertoire is another entry.
    with pytest.raises(AssertionError, match="cut again"):
        fresh_subset(font, CRANES + "\u1ea1")  # Vietnamese a with dot below


def test_a_face_without_the_books_letters_is_remembered_as_none(cache_home: Path) -> None:
    arabic = theme_font("NotoNaskhArabic-Regular.ttf")
    assert fresh_subset(arabic) is None
    assert not entries(cache_home / "font-subsets")  # nothing cut: its code points decide
    assert len(entries(cache_home / "fonts")) == 1
    assert fresh_subset(arabic) is None


def test_a_changed_font_file_is_cut_afresh(cache_home: Path, tmp_path: Path) -> None:
    font = copied_font(tmp_path, "SourceSansPro-Regular.otf")
    sans = fresh_subset(font)
    # The same path, other bytes (and, as after an edit, another modification time).
    font.write_bytes(theme_font("SourceSerifPro-Regular.otf").read_bytes())
    os.utime(font, ns=(1_000_000_000, 1_000_000_000))
    serif = fresh_subset(font)
    assert serif is not None and serif != sans
    assert len(entries(cache_home / "font-subsets")) == 2
    # ...and within one process too, without clearing anything.
    from publisher.render import epub_fonts

    font.write_bytes(theme_font("SourceSansPro-Regular.otf").read_bytes())
    os.utime(font, ns=(2_000_000_000, 2_000_000_000))
    assert epub_fonts._subset(font, CRANES, (font.parent,)) == sans


def test_a_damaged_font_subset_entry_is_cut_again_and_replaced(
    cache_home: Path, tmp_path: Path
) -> None:
    font = copied_font(tmp_path, "SourceSansPro-Bold.otf")
    cut = fresh_subset(font)
    (key,) = entries(cache_home / "font-subsets")
    entry = cache_home / "font-subsets" / key
    entry.write_bytes(entry.read_bytes()[:-100] + b"\0" * 100)  # truncated by a crash, say
    assert fresh_subset(font) == cut
    assert cache.load("font-subsets", key) == cut


def test_concurrent_processes_cutting_one_font_agree(cache_home: Path, tmp_path: Path) -> None:
    font = copied_font(tmp_path, "SourceSansPro-It.otf")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = [
        subprocess.Popen(
            [sys.executable, "-c", SUBSET_CHILD, str(font), CRANES],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(4)
    ]
    outputs = [child.communicate(timeout=180) for child in children]
    assert all(child.returncode == 0 for child in children), [err for _, err in outputs]
    made = {out for out, _ in outputs}
    assert len(made) == 1 and next(iter(made))[:4] == b"OTTO"
    folder = cache_home / "font-subsets"
    (key,) = entries(folder)
    assert cache.load("font-subsets", key) == next(iter(made))
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]  # no leftovers
    assert fresh_subset(font) == next(iter(made))


def test_an_unusable_cache_still_cuts_fonts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = copied_font(tmp_path, "SourceSansPro-Regular.otf")
    no_cache(tmp_path, monkeypatch)
    cut = fresh_subset(font)
    assert cut is not None and cut[:4] == b"OTTO"


DATE_CHILD = """
import sys
from publisher.themes.language import long_date
print(long_date(sys.argv[1], sys.argv[2]))
print("babel.dates" in sys.modules)
"""


def test_a_long_date_is_written_once_then_read_without_babel(cache_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(cache_home.parent)}

    def child(day: str, language: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", DATE_CHILD, day, language],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        return done.stdout.split("\n")[:2]

    assert child("2024-02-20", "fr") == ["20 février 2024", "True"]
    assert len(entries(cache_home / "dates")) == 1
    assert child("2024-02-20", "fr") == ["20 février 2024", "False"]
    # Another language or day is another entry, written by Babel again.
    assert child("2024-02-20", "de") == ["20. Februar 2024", "True"]
    (cache_home / "dates" / sorted(entries(cache_home / "dates"))[0]).write_bytes(b"damaged")
    assert {child("2024-02-20", lang)[0] for lang in ("fr", "de")} == {
        "20 février 2024",
        "20. Februar 2024",
    }


# The EPUB zip's deflated fonts and pictures (publisher/render/epub_zip.py).


def fresh_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """``write_zip`` as a new process calls it: nothing kept in memory, only on disk."""
    from publisher.render import epub_zip

    epub_zip._deflated.cache_clear()
    return epub_zip.write_zip(entries, (2024, 1, 26, 9, 30, 0), stored=frozenset({"mimetype"}))


def test_a_deflated_font_is_kept_and_a_damaged_entry_deflated_again(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publisher.render import epub_zip

    font = theme_font("SourceSansPro-Regular.otf").read_bytes()
    files = [("mimetype", b"application/epub+zip"), ("EPUB/a.xhtml", b"<p/>"), ("f.otf", font)]
    written = fresh_zip(files)
    (key,) = entries(cache_home / "deflated")  # only the large entry is kept

    def no_deflating(data: bytes) -> tuple[int, bytes]:
        if len(data) >= 4096:
            raise AssertionError("deflated again despite the disk cache")
        return real(data)

    real = epub_zip._deflate
    monkeypatch.setattr(epub_zip, "_deflate", no_deflating)
    assert fresh_zip(files) == written
    entry = cache_home / "deflated" / key
    entry.write_bytes(entry.read_bytes()[:-100] + b"\0" * 100)
    monkeypatch.setattr(epub_zip, "_deflate", real)
    assert fresh_zip(files) == written
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.read("f.otf") == font
