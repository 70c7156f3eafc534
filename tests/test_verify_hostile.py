"""Archives never destroy, and verify never hangs, never holds a whole attachment in
memory, and lists every problem of a hostile bag instead of crashing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zlib
from pathlib import Path

import bagit
import pikepdf
import pytest
from cli_helpers import REPO, run_cli
from conftest import SEED

from publisher.package.verify import verify_bag

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
NFC = unicodedata.normalize("NFC", "café.txt")
NFD = unicodedata.normalize("NFD", "café.txt")


@pytest.fixture(scope="module")
def made_bag(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bag made by `publisher archive`, copied by each test that changes it."""
    out = tmp_path_factory.mktemp("bags")
    result = run_cli("archive", SEED, "-o", out, env=EPOCH)
    assert result.returncode == 0, result.stderr
    return out / SEED.stem


def copy_of(bag: Path, tmp_path: Path) -> Path:
    target = tmp_path / bag.name
    shutil.copytree(bag, target)
    return target


def rebag(bag: Path) -> None:
    """Recompute manifests and Payload-Oxum after a change, as a careless tool would."""
    bagit.Bag(str(bag)).save(manifests=True)


def set_oxum(bag: Path) -> None:
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    oxum = f"{sum(p.stat().st_size for p in files)}.{len(files)}"
    info = bag / "bag-info.txt"
    info.write_text(re.sub(r"Payload-Oxum: \S+", f"Payload-Oxum: {oxum}", info.read_text()))


def one_error_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0]


# --- archive never destroys ------------------------------------------------------


def test_archive_refuses_to_replace_a_folder_that_is_not_its_bag(tmp_path: Path) -> None:
    out = tmp_path / "bags"
    (out / SEED.stem).mkdir(parents=True)
    (out / SEED.stem / "my-notes.txt").write_text("do not lose me")
    result = run_cli("archive", SEED, "-o", out, env=EPOCH, timeout=60)
    one_error_line(result, "not a bag", "left as it is")
    assert (out / SEED.stem / "my-notes.txt").read_text() == "do not lose me"
    assert sorted(p.name for p in out.iterdir()) == [SEED.stem]


def test_archive_refuses_to_replace_its_bag_with_files_added(
    made_bag: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bags"
    out.mkdir()
    bag = copy_of(made_bag, out)
    (bag / "data" / "my-notes.txt").write_text("added by hand")
    result = run_cli("archive", SEED, "-o", out, env=EPOCH, timeout=60)
    one_error_line(result, "data/my-notes.txt", "left as it is")
    assert (bag / "data" / "my-notes.txt").is_file()


def test_archive_refuses_another_tools_bag(made_bag: Path, tmp_path: Path) -> None:
    out = tmp_path / "bags"
    out.mkdir()
    bag = copy_of(made_bag, out)
    info = bag / "bag-info.txt"
    info.write_text(
        info.read_text().replace("Bag-Software-Agent: publisher", "Bag-Software-Agent: x")
    )
    one_error_line(run_cli("archive", SEED, "-o", out, env=EPOCH, timeout=60), "did not make")


def test_archive_of_two_inputs_with_one_stem_archives_neither(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(SEED, tmp_path / folder / "story.txt")
    out = tmp_path / "bags"
    result = run_cli(
        "archive", tmp_path / "a" / "story.txt", tmp_path / "b" / "story.txt", "-o", out
    )
    assert result.returncode == 1
    assert result.stderr.count("same name") == 2
    assert not (out / "story").exists()


# --- verify never hangs ----------------------------------------------------------


@pytest.mark.parametrize("name", ["x.zip", "bag"])
def test_verify_refuses_a_fifo_without_opening_it(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = run_cli("verify", fifo, timeout=30)
    one_error_line(result, "is a pipe")


def test_verify_refuses_a_device(tmp_path: Path) -> None:
    one_error_line(run_cli("verify", "/dev/zero", timeout=30), "is a device file")


def test_attachment_inflating_to_hundreds_of_mib_is_hashed_in_blocks(tmp_path: Path) -> None:
    """A 512 MiB attachment (half a megabyte compressed): the checker's peak memory
    must stay far below the attachment's size."""
    size = 512 * 1024 * 1024
    deflate = zlib.compressobj(9)
    block = bytes(1024 * 1024)
    compressed = b"".join(deflate.compress(block) for _ in range(size // len(block)))
    compressed += deflate.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, b"")
    stream.write(compressed, filter=pikepdf.Name.FlateDecode)
    stream.Type = pikepdf.Name.EmbeddedFile
    spec = pikepdf.Dictionary(
        Type=pikepdf.Name.Filespec, F="zeros.bin", UF="zeros.bin", EF=pikepdf.Dictionary(F=stream)
    )
    pdf.Root.Names = pikepdf.Dictionary(
        EmbeddedFiles=pikepdf.Dictionary(
            Names=pikepdf.Array(["zeros.bin", pdf.make_indirect(spec)])
        )
    )
    path = tmp_path / "big.pdf"
    pdf.save(path)
    script = f"""
import hashlib
from pathlib import Path
from publisher.package.checks import PdfExpectations, check_pdf
want = {{"zeros.bin": hashlib.sha256(b"").hexdigest()}}
problems = check_pdf(Path({str(path)!r}), PdfExpectations(require_source_attachments=want))
print([p.code for p in problems])
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so it would count
# the pytest process this one was forked from (hundreds of MiB late in a run).
hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")]
print(int(hwm[0].split()[1]) // 1024)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    codes, peak_mib = result.stdout.splitlines()
    assert codes == "['PDF-ATTACHMENT-MISMATCH']"  # it was hashed, all 512 MiB of it
    assert int(peak_mib) < 200, f"peak {peak_mib} MiB while hashing a 512 MiB attachment"


# --- Unicode names ---------------------------------------------------------------


def test_unlisted_nfd_twin_of_a_listed_nfc_name_is_reported(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    (bag / "data" / NFC).write_text("listed")
    rebag(bag)
    (bag / "data" / NFD).write_text("smuggled in")
    set_oxum(bag)
    report = verify_bag(bag)
    assert not report.ok
    unexpected = [p for p in report.problems if p.code == "BAG-UNEXPECTED-FILE"]
    assert [p.file for p in unexpected] == [f"data/{NFD}"]
    assert "Unicode normalization" in unexpected[0].message


def test_nfc_to_nfd_rename_warns(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    (bag / "data" / NFC).write_text("listed")
    rebag(bag)
    (bag / "data" / NFC).rename(bag / "data" / NFD)
    report = verify_bag(bag)
    assert report.ok, report.problems
    assert [p.code for p in report.warnings] == ["BAG-NORMALIZATION-MISMATCH"]
    assert report.warnings[0].file == f"data/{NFD}"


def test_every_unlisted_file_is_named(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    extra = ["data/one.txt", "data/source/two.txt", "data/deep/er/three.txt"]
    for name in extra:
        (bag / name).parent.mkdir(parents=True, exist_ok=True)
        (bag / name).write_text(name)
    report = verify_bag(bag)
    unexpected = sorted({p.file for p in report.problems if p.code == "BAG-UNEXPECTED-FILE"})
    assert unexpected == sorted(extra)


# --- a hostile bag: every problem listed, no crash ------------------------------------


def test_rot13_tag_file_encoding_is_a_problem(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: rot13\n")
    report = verify_bag(bag)
    messages = [p.message for p in report.problems if p.code == "BAG-BAGIT-TXT"]
    assert any("rot13" in m for m in messages)
    assert "fixity" in report.checks_run and any("epubcheck" in c for c in report.checks_run)


@pytest.mark.parametrize(
    ("content", "needle"),
    [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ('{"n": ' + "9" * 5000 + "}", "4,300")],
)
def test_hostile_article_json_is_a_problem(
    made_bag: Path, tmp_path: Path, content: str, needle: str
) -> None:
    bag = copy_of(made_bag, tmp_path)
    (bag / "data" / "article.json").write_text(content)
    rebag(bag)
    result = run_cli("verify", bag, "--json")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "JSON-INVALID" in result.stdout and needle in result.stdout


def test_embedded_file_spec_without_ef_is_a_problem(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    pdf_path = bag / "data" / f"{SEED.stem}.pdf"
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        names = pdf.Root.Names.EmbeddedFiles.Names
        del names[1]["/EF"]
        pdf.save(pdf_path)
    rebag(bag)
    report = verify_bag(bag)
    codes = report.codes()
    assert "PDF-ATTACHMENT-BROKEN" in codes
    broken = next(p for p in report.problems if p.code == "PDF-ATTACHMENT-BROKEN")
    assert "/EF" in broken.message
    # The rest of the report is still there.
    assert any(c.startswith("epubcheck") for c in report.checks_run)
    assert any(c.startswith("schema") for c in report.checks_run)


def test_a_giant_tag_file_is_not_read(made_bag: Path, tmp_path: Path) -> None:
    bag = copy_of(made_bag, tmp_path)
    with (bag / "manifest-md5.txt").open("wb") as giant:  # sparse: no disk space used
        giant.truncate(65 * 1024 * 1024)
    report = verify_bag(bag)
    assert any(
        p.file == "manifest-md5.txt" and "not read" in p.message and p.code == "BAG-TAG-FILE"
        for p in report.problems
    )
    assert not report.ok and "fixity" in report.checks_run


@pytest.mark.parametrize("name", ["out.epub", "out.pdf"])
def test_check_refuses_a_fifo_without_opening_it(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    one_error_line(run_cli("check", fifo, timeout=30), "not a regular file")
