"""The plain-text reader, the sidecar and image lookup, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED
from PIL import Image as PILImage

from publisher.errors import ImageError, InputError
from publisher.model import Metadata
from publisher.readers import read_article
from publisher.readers.text import split_article, unwrap

WRAPPED = """\
Hard-wrapped headline
Caption line. (Reuters)

The U.S. and Iraq agreed to establish a committee to start discussions
on a timeline to reduce the presence of coalition troops in the country,
Baghdad said Thursday.
The two countries agreed to form working groups that would eventually
lead to formulating a timeline.
"""


def test_seed_structure() -> None:
    raw = read_article(SEED)
    assert raw.headline == "US, Iraq to hold meeting on future of coalition forces"
    assert raw.caption is not None and raw.caption.endswith("(AFP File Photo)")
    assert len(raw.paragraphs) == 10
    assert raw.paragraphs[0].startswith("The U.S. and Iraq agreed")
    assert raw.paragraphs[-1].endswith("three years later.")
    assert raw.image is None


def test_hard_wrapped_text_is_joined() -> None:
    headline, caption, paragraphs = split_article(WRAPPED)
    assert headline == "Hard-wrapped headline"
    assert caption == "Caption line. (Reuters)"
    assert paragraphs == (
        "The U.S. and Iraq agreed to establish a committee to start discussions on a timeline "
        "to reduce the presence of coalition troops in the country, Baghdad said Thursday.",
        "The two countries agreed to form working groups that would eventually lead to "
        "formulating a timeline.",
    )


def test_one_paragraph_per_line() -> None:
    seed_paragraphs = read_article(SEED).paragraphs
    text = "Headline\n\n" + "\n".join(seed_paragraphs) + "\n"
    assert split_article(text)[2] == seed_paragraphs


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_blank_lines_with_whitespace_and_any_newline(newline: str) -> None:
    text = newline.join(["", "  Title  ", "Caption", " \t ", "", "One.", "   ", "Two."])
    assert split_article(text) == ("Title", "Caption", ("One.", "Two."))


def test_hyphen_at_wrap_is_kept() -> None:
    lines = ["A well-known example of a line that ends in a hyphenated well-", "known word."]
    assert unwrap(lines) == [
        "A well-known example of a line that ends in a hyphenated well-known word."
    ]


def _article(folder: Path, text: str = "Title\nCaption. (AP)\n\nBody text.\n") -> Path:
    path = folder / "story.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_sidecar_and_overrides(tmp_path: Path) -> None:
    path = _article(tmp_path)
    (tmp_path / "story.toml").write_text(
        'authors = ["Jane Doe", "John Roe"]\ndate = 2015-08-21\nlanguage = "en"\n'
        'publisher = "Daily Sabah"\nsection = "World"\n',
        encoding="utf-8",
    )
    raw = read_article(path, overrides=Metadata(publisher="Wire"))
    assert raw.metadata.authors == ("Jane Doe", "John Roe")
    assert raw.metadata.date == "2015-08-21"
    assert raw.metadata.publisher == "Wire"  # the command line wins over the sidecar
    assert raw.metadata.section == "World"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("autor = 'typo'\n", "unknown key 'autor'"),
        ("date = 'yesterday'\n", "is not a date"),
        ("language = 'english please'\n", "is not a language tag"),
        ("authors = 3\n", "'authors' must be"),
        ("title = \n", "is not valid TOML"),
    ],
)
def test_bad_sidecar(tmp_path: Path, toml: str, message: str) -> None:
    path = _article(tmp_path)
    (tmp_path / "story.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_article(path)


def test_image_found_by_stem(tmp_path: Path) -> None:
    path = _article(tmp_path)
    PILImage.new("RGB", (40, 30), "navy").save(tmp_path / "story.jpg")
    raw = read_article(path)
    assert raw.image is not None
    assert (raw.image.media_type, raw.image.width, raw.image.height) == ("image/jpeg", 40, 30)


def test_sidecar_image_outside_the_folder_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "in"
    inner.mkdir()
    PILImage.new("RGB", (4, 4)).save(tmp_path / "secret.png")
    path = _article(inner)
    (inner / "story.toml").write_text('image = "../secret.png"\n', encoding="utf-8")
    with pytest.raises(ImageError, match="outside the article's folder"):
        read_article(path)


def test_truncated_image_fails_cleanly(tmp_path: Path) -> None:
    path = _article(tmp_path)
    PILImage.new("RGB", (300, 300), "red").save(tmp_path / "full.jpg", quality=95)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "story.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"story\.jpg"):
        read_article(path)


def test_image_that_is_not_an_image(tmp_path: Path) -> None:
    path = _article(tmp_path)
    (tmp_path / "story.png").write_text("not a png", encoding="utf-8")
    with pytest.raises(ImageError, match="not a readable"):
        read_article(path)


def test_each_extension_names_the_reader_module_that_claims_it() -> None:
    """READER_MODULES (names, so a .txt build imports no other reader) agrees with the modules."""
    import importlib

    from publisher.readers import READER_MODULES

    claimed = {
        extension: name
        for name in ("text", "markdown", "html", "jsonfile", "wire")
        for extension in importlib.import_module(f"publisher.readers.{name}").FILE_EXTENSIONS
    }
    assert claimed == READER_MODULES
