"""The JSON reader: publisher's own article schema, read back; on real files, through the
real command line, and round trip (`normalise --json` out, then in again)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import epub_xhtml, run_cli
from conftest import SEED
from test_bad_inputs import assert_clean_failure
from test_readers_markdown import build_and_check, copy_sample, make_photo

from publisher.errors import InputError
from publisher.readers import read_article
from publisher.serialise import SCHEMA_VERSION

DATA = Path(__file__).parent / "data" / "readers"
SAMPLE = DATA / "article.json"

#: What survives a round trip unchanged.
ROUND_TRIP_FIELDS = ("headline", "caption", "dateline", "paragraphs", "metadata", "image")


def _json(tmp_path: Path, document: Any, name: str = "story.json") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def _minimal(**fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "headline": "Harbour reopens",
        "paragraphs": ["The harbour reopened on Tuesday."],
    }
    document.update(fields)
    return {k: v for k, v in document.items() if v is not ...}


def test_sample(tmp_path: Path) -> None:
    raw = read_article(copy_sample(SAMPLE, tmp_path))
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert raw.headline == document["headline"]
    assert (raw.caption, raw.credit) == (document["caption"], "AFP")
    # The date the normaliser took off the first paragraph is put back for it to find.
    assert raw.paragraphs == (document["dateline"], *document["paragraphs"])
    meta = raw.metadata
    assert meta.authors == ("Sam Carter",)
    assert (meta.date, meta.language, meta.rights) == ("2024-03-05", "en", None)
    assert meta.identifier == "urn:uuid:5a0e8a52-8f3e-4f8c-9a3c-3a9b2d1f7e10"
    assert raw.image is not None and raw.image.path == tmp_path / "photo.jpg"
    assert raw.warnings == ()


def test_minimal_document(tmp_path: Path) -> None:
    raw = read_article(_json(tmp_path, _minimal()))
    assert (raw.headline, raw.paragraphs) == (
        "Harbour reopens",
        ("The harbour reopened on Tuesday.",),
    )
    assert (raw.caption, raw.credit, raw.image) == (None, None, None)


def test_news_dateline_already_in_the_paragraph_is_not_repeated(tmp_path: Path) -> None:
    document = _minimal(
        dateline="WHITBY (AFP)", paragraphs=["WHITBY (AFP) — The harbour reopened."]
    )
    assert read_article(_json(tmp_path, document)).paragraphs == (
        "WHITBY (AFP) — The harbour reopened.",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"schema_version": "3.0"},
            'unknown schema_version "3.0". This publisher reads schema_version 1.0, 1.1, 2.0',
        ),
        ({"schema_version": 1}, "unknown schema_version 1"),
        ({"schema_version": ...}, "'schema_version' is missing"),
        ({"headline": ...}, "'headline' is missing"),
        ({"headline": 42}, "'headline' must be text, not a number"),
        ({"headline": "  "}, "has no headline"),
        ({"caption": ["a"]}, "'caption' must be text, not a list"),
        ({"credit": True}, "'credit' must be text, not true/false"),
        ({"dateline": {}}, "'dateline' must be text, not an object"),
        ({"paragraphs": ...}, "'paragraphs' is missing"),
        ({"paragraphs": "one"}, "'paragraphs' must be a list of texts, not text"),
        ({"paragraphs": ["one", 2]}, "'paragraphs' item 2 must be text, not a number"),
        ({"paragraphs": []}, "no paragraphs"),
        ({"paragraphs": [" "]}, "no paragraphs"),
        ({"metadata": []}, "'metadata' must be an object"),
        ({"metadata": {"authors": 3}}, "metadata: 'authors' must be a name or a list of names"),
        ({"metadata": {"date": "soon"}}, "metadata: 'soon' is not a date"),
        ({"metadata": {"language": "english"}}, "is not a language tag"),
        ({"metadata": {"colour": "red"}}, "unknown key 'colour'"),
        ({"image": "photo.jpg"}, "'image' must be null or an object with a 'path'"),
        ({"image": {"width": 3}}, "'image' must be null or an object with a 'path'"),
        ({"changes": {}}, "'changes' must be a list"),
        ({"source": 3}, "'source' must be text"),
        ({"headlines": "typo"}, "unknown field 'headlines'"),
        ({"kinds": "p"}, "'kinds' must be a list with one kind per paragraph (1)"),
        ({"kinds": ["p", "p"]}, "'kinds' must be a list with one kind per paragraph (1)"),
        ({"kinds": ["aside"]}, "'kinds' item 1 is \"aside\", not a kind"),
    ],
)
def test_bad_fields(tmp_path: Path, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_article(_json(tmp_path, _minimal(**fields)))


def test_image_outside_the_folder_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "in"
    inner.mkdir()
    make_photo(tmp_path, "secret.jpg")
    with pytest.raises(InputError, match="outside the article's folder"):
        read_article(_json(inner, _minimal(image={"path": "../secret.jpg"})))


# --- through the command line --------------------------------------------------------


def test_build_sample(tmp_path: Path) -> None:
    path = copy_sample(SAMPLE, tmp_path)
    article = build_and_check(path, tmp_path / "out")
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert article["dateline"] == document["dateline"]
    assert article["paragraphs"] == document["paragraphs"]
    assert "Fishing boats return" in epub_xhtml(tmp_path / "out" / "article.epub")


def _round_trip(tmp_path: Path, source: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """`normalise SOURCE --json > a.json`, then `normalise a.json --json`: both outputs."""
    first = run_cli("normalise", source, "--json")
    assert first.returncode == 0, first.stderr
    exported = source.with_name(f"{source.stem}-export.json")
    exported.write_text(first.stdout, encoding="utf-8")
    second = run_cli("normalise", exported, "--json")
    assert second.returncode == 0, second.stderr
    return json.loads(first.stdout), json.loads(second.stdout)


def test_round_trip_of_the_seed(tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    shutil.copy(SEED, source)
    make_photo(tmp_path, "story.jpg")
    before, after = _round_trip(tmp_path, source)
    assert before["image"] is not None
    for key in ROUND_TRIP_FIELDS:
        assert after[key] == before[key], key
    assert after["changes"] == []  # already clean: normalising again changes nothing


def test_round_trip_with_a_date_line(tmp_path: Path) -> None:
    source = tmp_path / "dated.txt"
    source.write_text(
        "Talks resume\n\nFriday, August 21, 2015\n\nBAGHDAD -- Talks resumed on Friday...\n\n"
        'The minister said "progress" was made.\n',
        encoding="utf-8",
    )
    before, after = _round_trip(tmp_path, source)
    assert before["dateline"] == "Friday, August 21, 2015"
    assert before["metadata"]["date"] == "2015-08-21"
    for key in ROUND_TRIP_FIELDS:
        assert after[key] == before[key], key


def test_round_trip_keeps_the_structure(tmp_path: Path) -> None:
    source = tmp_path / "structured.md"
    source.write_text(
        "# Talks resume\n\nThe talks resumed.\n\n## Next\n\n1. Vote\n2. Sign\n\n> Quoted.\n",
        encoding="utf-8",
    )
    before, after = _round_trip(tmp_path, source)
    assert before["kinds"] == ["p", "subhead", "number", "number", "quote"]
    assert after["kinds"] == before["kinds"]
    assert after["paragraphs"] == before["paragraphs"]


def test_a_version_1_0_document_without_kinds_is_read(tmp_path: Path) -> None:
    assert read_article(_json(tmp_path, _minimal(schema_version="1.0"))).kinds == ()


def test_round_trip_keeps_the_credit(tmp_path: Path) -> None:
    source = tmp_path / "story.txt"
    shutil.copy(SEED, source)
    before, after = _round_trip(tmp_path, source)
    assert before["credit"] == "AFP File Photo"
    assert after["credit"] == before["credit"]


BAD_INPUTS = [
    ("empty.json", b"", "is empty"),
    ("blank.json", b" \n\t\n  \n", "is empty"),
    ("bom-only.json", "\ufeff \n".encode(), "no text"),
    ("malformed.json", b'{"schema_version": "1.0",\n "headline": "x",,\n}', "not valid JSON"),
    ("truncated.json", b'{"schema_version": "1.0", "headline": "x", "paragr', "line 1, column"),
    ("list.json", b'["a", "b"]', "must be an object"),
    ("not-an-article.json", b'{"name": "my-package", "version": "1.0.0"}', "unknown field 'name'"),
    ("no-headline.json", json.dumps(_minimal(headline="")).encode(), "has no headline"),
    ("no-body.json", json.dumps(_minimal(paragraphs=[])).encode(), "no paragraphs"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize(("name", "content", "needle"), BAD_INPUTS)
def test_unusable_json(tmp_path: Path, name: str, content: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("build", path, "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", needle)


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    path = _json(
        tmp_path, '{\n  "schema_version": "1.0",\n  "headline": "x"\n  "paragraphs": []\n}'
    )
    result = run_cli("normalise", path)
    assert_clean_failure(result, tmp_path / "out", "not valid JSON", "on line 4, column 3")


def test_binary_renamed_json_is_refused(tmp_path: Path) -> None:
    make_photo(tmp_path, "x.png")
    (tmp_path / "x.png").rename(tmp_path / "x.json")
    result = run_cli("build", tmp_path / "x.json", "-o", tmp_path / "out")
    assert_clean_failure(result, tmp_path / "out", "PNG")


def test_invalid_utf8_json_is_repaired(tmp_path: Path) -> None:
    path = tmp_path / "pound.json"
    text = json.dumps(_minimal(paragraphs=["A pint now costs POUND4 in London."]))
    path.write_bytes(text.encode().replace(b"POUND", b"\xa3"))
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    assert "£4 in London" in epub_xhtml(tmp_path / "out" / "pound.epub")
    explain = run_cli("normalise", path, "--explain")
    assert "decode-stray-byte" in explain.stdout


def test_folder_build_picks_up_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for sample in (SAMPLE, DATA / "cms-article.md", DATA / "news-page.html"):
        shutil.copy(sample, folder / sample.name)
    make_photo(folder)
    shutil.copy(SEED, folder / "seed.txt")
    result = run_cli("build", folder, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 0, result.stderr
    built = sorted(p.name for p in (tmp_path / "out").glob("*.epub"))
    assert built == ["article.epub", "cms-article.epub", "news-page.epub", "seed.epub"]
