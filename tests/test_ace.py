"""DAISY Ace on every kind of EPUB publisher makes, and `publisher check --accessibility`.

Every EPUB is built through the CLI once (module fixture) and checked by Ace
once: single articles in each seed language, with and without a photo
(left to right and right to left), in each built-in theme, and a collection
of every language with photos. Ace reports no violation of any impact.
Without Node, Ace or Chromium these tests fail (``CheckerUnavailableError``)
and say what to install; they are never skipped.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from cli_helpers import run_cli
from conftest import SEEDS

from publisher.package.ace import AceReport, run_ace

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
LANGUAGE_SEEDS = ("fr_marseille_quais", "de_hamburg_busse", "es_valencia_refugios")
LANGUAGE_SEEDS += ("tr_istanbul_isik", "ar_maghreb_solar")
#: name of the kind -> the EPUB's path relative to the build folder
KINDS = {
    "single": "seeds/000_90c6971acf190e9d.epub",
    **{f"language-{seed[:2]}": f"seeds/{seed}.epub" for seed in LANGUAGE_SEEDS},
    "photo": "photo/000_90c6971acf190e9d.epub",
    "photo-rtl": "photo/ar_maghreb_solar.epub",
    "theme-broadsheet": "broadsheet/000_90c6971acf190e9d.epub",
    "theme-digest": "digest/ar_maghreb_solar.epub",
    "collection": "collection/daily-digest.epub",
}


def _photo(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (900, 600), (30, 90, 160)).save(path, quality=85)


def _build(*args: str | Path) -> None:
    result = run_cli("build", *args, "--format", "epub", env=EPOCH, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of EPUB, built through the CLI into one folder."""
    root = tmp_path_factory.mktemp("ace")
    photos = root / "in-photo"
    photos.mkdir()
    for stem in ("000_90c6971acf190e9d", "ar_maghreb_solar"):
        for source in SEEDS.glob(f"{stem}.*"):
            shutil.copy(source, photos / source.name)
        _photo(photos / f"{stem}.jpg")
    everything = root / "in-all"
    shutil.copytree(SEEDS, everything)
    for picture in photos.glob("*.jpg"):
        shutil.copy(picture, everything / picture.name)
    _build(SEEDS, "-o", root / "seeds")
    _build(photos, "-o", root / "photo")
    _build(photos / "000_90c6971acf190e9d.txt", "-o", root / "broadsheet", "--theme", "broadsheet")
    _build(photos / "ar_maghreb_solar.txt", "-o", root / "digest", "--theme", "digest")
    _build(everything, "--collection", "Daily digest", "-o", root / "collection")
    return root


@pytest.fixture(scope="module")
def ace_reports(built: Path) -> dict[str, AceReport]:
    """Ace's report on each kind, run once each."""
    return {kind: run_ace(built / relative) for kind, relative in KINDS.items()}


@pytest.mark.parametrize("kind", list(KINDS))
def test_ace_finds_no_violation(ace_reports: dict[str, AceReport], kind: str) -> None:
    report = ace_reports[kind]
    assert report.version.startswith("1."), report
    assert report.violations == (), "\n".join(map(str, report.violations))


def _without_package_language(epub: bytes) -> bytes:
    """The EPUB with ``xml:lang`` removed from its ``<package>`` (the defect Ace must catch)."""
    source = zipfile.ZipFile(io.BytesIO(epub))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".opf"):
                assert b' xml:lang="en"' in data.split(b"<metadata")[0]
                head, rest = data.split(b"<metadata", 1)
                data = head.replace(b' xml:lang="en"', b"") + b"<metadata" + rest
            target.writestr(info, data)
    return output.getvalue()


def test_check_accessibility_passes_a_good_epub_and_fails_a_broken_one(
    built: Path, tmp_path: Path
) -> None:
    good = built / KINDS["photo"]
    result = run_cli("check", "--accessibility", good)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked epubcheck, ace" in result.stdout

    broken = tmp_path / "broken.epub"
    broken.write_bytes(_without_package_language(good.read_bytes()))
    result = run_cli("check", "--accessibility", broken)
    assert result.returncode == 1
    assert "EPUB-ACCESSIBILITY" in result.stdout
    assert "epub-lang (serious)" in result.stdout


def test_check_accessibility_without_node_says_so(built: Path, tmp_path: Path) -> None:
    # A PATH with Java (for EPUBCheck) but without Node.
    tools = tmp_path / "bin"
    tools.mkdir()
    java = shutil.which("java")
    assert java is not None, "EPUBCheck needs Java: apt-get install default-jre-headless"
    (tools / "java").symlink_to(java)
    env = {"PATH": str(tools), "PUBLISHER_ACE": ""}
    epub = built / KINDS["single"]
    result = run_cli("check", "--accessibility", epub, env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Node.js" in lines[0]
    assert "Traceback" not in result.stderr and "ok:" not in result.stdout
    # Without --accessibility the same file passes with the same PATH.
    assert run_cli("check", epub, env=env).returncode == 0
    assert os.path.isabs(sys.executable)
