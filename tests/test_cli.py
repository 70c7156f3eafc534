"""The command line, end to end, on the seed: what a newsroom producer runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import REPO, epub_xhtml, pdf_fonts_embedded, pdf_text, plain, run_cli
from conftest import SEED, run_epubcheck

MM = 72 / 25.4


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run_cli("build", SEED, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def normalised() -> dict[str, object]:
    result = run_cli("normalise", SEED, "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_build_writes_both_formats(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == [f"{SEED.stem}.epub", f"{SEED.stem}.pdf"]


def test_seed_epub_passes_epubcheck(built: Path) -> None:
    report = run_epubcheck(built / f"{SEED.stem}.epub")
    assert report.clean, report.messages


def test_seed_pdf_fonts_embedded_and_a4(built: Path) -> None:
    pdf = built / f"{SEED.stem}.pdf"
    assert pdf_fonts_embedded(pdf) == []
    with pikepdf.open(pdf) as doc:
        width, height = (float(v) for v in doc.pages[0].mediabox[2:])
        assert (round(width / MM), round(height / MM)) == (210, 297)
        assert "/StructTreeRoot" in doc.Root  # tagged by default
        assert (
            str(doc.docinfo["/Title"]) == "US, Iraq to hold meeting on future of coalition forces"
        )


def test_pdf_holds_every_paragraph_in_order(built: Path, normalised: dict[str, object]) -> None:
    text = plain(pdf_text(built / f"{SEED.stem}.pdf"))
    position = 0
    paragraphs = normalised["paragraphs"]
    assert isinstance(paragraphs, list)
    for paragraph in paragraphs:
        found = text.find(plain(paragraph), position)
        assert found >= 0, f"paragraph missing or out of order: {paragraph[:60]}"
        position = found + 1


def test_typography_caption_and_credit_in_both_outputs(
    built: Path, normalised: dict[str, object]
) -> None:
    pdf = plain(pdf_text(built / f"{SEED.stem}.pdf"))
    xhtml = plain(epub_xhtml(built / f"{SEED.stem}.epub"))
    caption, credit = normalised["caption"], normalised["credit"]
    assert credit == "AFP File Photo"
    assert isinstance(caption, str)
    for output in (pdf, xhtml):
        assert "“a specific and clear timeline … and to begin" in output
        assert "Iraq’s" in output
        assert plain(caption) in output
        assert "AFP File Photo" in output


def test_print_ready_a5_with_bleed_and_crop_marks(tmp_path: Path) -> None:
    result = run_cli(
        "build", SEED, "-o", tmp_path, "--format", "pdf",
        "--page-size", "A5", "--bleed", "3mm", "--marks", "crop",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / f"{SEED.stem}.pdf") as doc:
        for page in doc.pages:
            trim = [float(v) / MM for v in page.obj["/TrimBox"]]
            bleed = [float(v) / MM for v in page.obj["/BleedBox"]]
            assert round(trim[2] - trim[0], 1) == 148.0 and round(trim[3] - trim[1], 1) == 210.0
            assert [round(b - t, 1) for b, t in zip(bleed[:2], trim[:2], strict=True)] == [-3, -3]
            assert [round(b - t, 1) for b, t in zip(bleed[2:], trim[2:], strict=True)] == [3, 3]
            media = [float(v) / MM for v in page.mediabox]
            # marks need room outside the bleed
            assert media[2] - media[0] > bleed[2] - bleed[0]


def test_source_date_epoch_gives_identical_bytes(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1706140800"}
    for name in ("one", "two"):
        result = run_cli("build", SEED, "-o", tmp_path / name, env=env)
        assert result.returncode == 0, result.stderr
    for ext in ("epub", "pdf"):
        one = (tmp_path / "one" / f"{SEED.stem}.{ext}").read_bytes()
        two = (tmp_path / "two" / f"{SEED.stem}.{ext}").read_bytes()
        assert one == two, ext


def test_format_option_and_overrides(tmp_path: Path) -> None:
    result = run_cli(
        "build", SEED, "-o", tmp_path, "--format", "epub", "--lang", "en",
        "--author", "Jane Doe", "--author", "John Roe", "--date", "2024-01-25",
        "--publisher", "Daily Sabah", "--source", "https://example.com/a", "--id", "urn:isbn:123",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [p.suffix for p in tmp_path.iterdir()] == [".epub"]
    import zipfile

    with zipfile.ZipFile(tmp_path / f"{SEED.stem}.epub") as zf:
        opf = next(zf.read(n).decode() for n in zf.namelist() if n.endswith(".opf"))
    for value in ("Jane Doe", "John Roe", "2024-01-25", "Daily Sabah", "urn:isbn:123"):
        assert value in opf


def test_normalise_explain_lists_changes() -> None:
    result = run_cli("normalise", SEED, "--explain")
    assert result.returncode == 0, result.stderr
    assert "caption-credit" in result.stdout
    assert re.search(r"\bparagraph 2\b", result.stdout)


def test_normalise_json_is_the_article(normalised: dict[str, object]) -> None:
    assert normalised["headline"] == "US, Iraq to hold meeting on future of coalition forces"
    assert normalised["schema_version"] == "2.0"
    metadata = normalised["metadata"]
    assert isinstance(metadata, dict) and metadata["language"] == "en"


def test_version_and_help() -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and re.fullmatch(r"publisher \d+\.\d+\.\d+\n", version.stdout)
    helped = run_cli("build", "--help")
    assert helped.returncode == 0 and "Examples:" in helped.stdout and "--bleed" in helped.stdout


def test_several_inputs_one_bad(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SEED, inputs / "good.txt")
    (inputs / "empty.txt").write_text("   \n", encoding="utf-8")
    result = run_cli("build", inputs, "-o", tmp_path / "out", "--format", "epub")
    assert result.returncode == 1
    assert (tmp_path / "out" / "good.epub").is_file()
    assert "empty.txt is empty" in result.stderr
    assert "1 of 2 articles failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    """`publisher normalise big.txt | head -1`: the closed pipe ends the command quietly."""
    big = tmp_path / "big.txt"
    body = "\n\n".join(f"Paragraph {n} says something. " * 40 for n in range(3000))
    big.write_text(f"A long article\n\n{body}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "publisher", "normalise", str(big)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline()  # read one line, then stop reading
        process.stdout.close()
        errors = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert errors == ""
    assert status == 141  # 128 + SIGPIPE, as a shell reports a reader gone


PARSED = [
    ["in.txt"],
    ["a.txt", "b.md", "-o", "books", "--format", "epub", "-f", "pdf", "--lang", "en"],
    ["in.txt", "--jobs", "3", "--page-size", "A5", "--bleed", "3mm", "--force", "--no-record"],
    ["in.txt", "--author", "Jane Doe", "--author", "Ann Other", "--id", "", "--strict"],
    ["in.txt", "-j", "-2", "--output-profile", str(REPO / "README.md"), "--theme", "."],
]
REFUSED = [
    (["in.txt", "-j", "x"], "Invalid value for '--jobs' / '-j'"),
    (["in.txt", "-j", "1.5"], "Invalid value for '--jobs' / '-j'"),
    (["in.txt", "--format", "ebook"], "'ebook' is not one of 'epub', 'pdf'"),
    (["in.txt", "-f", "PDF"], "'PDF' is not one of 'epub', 'pdf'"),
]


def _build_command(typers_own: bool) -> object:
    """``publisher build`` as Click sees it; with ``typers_own``, Typer's pydantic conversion."""
    import typer.main
    from typer._coercion import build_runtime_param

    from publisher.cli import app

    command = typer.main.get_command(app).commands["build"]  # type: ignore[attr-defined]
    if typers_own:
        for param in command.params:
            param._runtime_param = build_runtime_param(param.type_descriptor)
    return command


@pytest.mark.parametrize("argv", PARSED)
def test_plain_option_values_parse_as_typer_parses_them(argv: list[str]) -> None:
    """cli_coercion.py converts without pydantic, to the very values Typer's own gives."""
    parsed = [
        _build_command(own).make_context("build", list(argv)).params  # type: ignore[attr-defined]
        for own in (False, True)
    ]
    assert parsed[0] == parsed[1]
    assert all(type(parsed[0][k]) is type(parsed[1][k]) for k in parsed[0])


@pytest.mark.parametrize(("argv", "message"), REFUSED)
def test_refused_option_values_get_typers_messages(argv: list[str], message: str) -> None:
    from typer._click.exceptions import BadParameter

    errors = []
    for own in (False, True):
        with pytest.raises(BadParameter) as caught:
            _build_command(own).make_context("build", list(argv))  # type: ignore[attr-defined]
        errors.append(caught.value.format_message())
    assert errors[0] == errors[1] and message in errors[0]


def test_a_build_runs_without_pydantic_and_a_bad_value_is_one_line(tmp_path: Path) -> None:
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['publisher', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('publisher', run_name='__main__')\n"
        "except SystemExit as end:\n    assert not end.code, end.code\n"
        "print('pydantic' in sys.modules)\n"
    )
    args = ["build", str(SEED), "-o", str(tmp_path), "--format", "epub", "-j", "1", "--lang", "en"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"
    bad = run_cli("build", SEED, "-o", tmp_path, "--jobs", "many")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith("error: Invalid value for '--jobs' / '-j'")
