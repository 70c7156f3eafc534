"""`publisher archive` end to end: bags the tool made, checked by `verify` and by bagit-python."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import REPO, run_cli
from conftest import SEED

from publisher.package.verify import verify_bag

STEM = SEED.stem
EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and mtime, to prove nothing changed."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("in")
    shutil.copy(SEED, source / SEED.name)
    (source / f"{STEM}.toml").write_text(
        'authors = ["Staff"]\ndate = 2024-01-25\npublisher = "Daily Sabah"\n', encoding="utf-8"
    )
    before = snapshot(source)
    out = tmp_path_factory.mktemp("bags")
    result = run_cli(
        "archive", source / SEED.name, "-o", out, "--zip",
        "--source-organization", "National Archive", env=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert snapshot(source) == before, "archiving changed the input folder"
    return out


def test_bag_layout(archived: Path) -> None:
    bag = archived / STEM
    names = sorted(str(p.relative_to(bag)) for p in bag.rglob("*") if p.is_file())
    assert names == sorted(
        [
            "bagit.txt", "bag-info.txt",
            "manifest-sha256.txt", "manifest-sha512.txt",
            "tagmanifest-sha256.txt", "tagmanifest-sha512.txt",
            f"data/source/{SEED.name}", f"data/source/{STEM}.toml",
            "data/article.json", f"data/{STEM}.epub", f"data/{STEM}.pdf", "data/provenance.json",
        ]
    )  # fmt: skip
    assert (bag / "bagit.txt").read_text() == (
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    )
    assert (bag / f"data/source/{SEED.name}").read_bytes() == SEED.read_bytes()
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    for field in (
        "Source-Organization: National Archive",
        "External-Identifier: urn:uuid:",
        "External-Description: US, Iraq to hold meeting on future of coalition forces",
        "Bagging-Date: 2024-01-25",
        "Payload-Oxum: ",
        "Bag-Software-Agent: publisher ",
    ):
        assert field in info


def test_verify_and_bagit_python_accept_the_bag_and_zip(archived: Path) -> None:
    result = run_cli("verify", archived / STEM, archived / f"{STEM}.zip", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = json.loads(result.stdout)
    assert [r["ok"] for r in reports] == [True, True]
    assert reports[0]["errors"] == 0 and reports[0]["warnings"] == 0
    independent = subprocess.run(
        [sys.executable, "-m", "bagit", "--validate", str(archived / STEM)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert independent.returncode == 0, independent.stderr


def test_plain_sha256sum_checks_the_payload(archived: Path) -> None:
    """What an archivist without this tool does in ten years: sha256sum -c."""
    if shutil.which("sha256sum") is None:
        pytest.fail("sha256sum (GNU coreutils) is needed for this test")
    bag = archived / STEM
    done = subprocess.run(
        ["sha256sum", "--check", "--strict", "manifest-sha256.txt", "tagmanifest-sha256.txt"],
        cwd=bag, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_pdf_is_pdf_a3_and_carries_the_source(archived: Path) -> None:
    bag = archived / STEM
    with pikepdf.open(bag / f"data/{STEM}.pdf") as pdf:
        meta = pdf.open_metadata()
        assert str(meta["pdfaid:part"]) == "3" and str(meta["pdfaid:conformance"]) == "B"
        files = dict(pdf.attachments.items())
        assert files[SEED.name].get_file().read_bytes() == SEED.read_bytes()
        assert files[SEED.name].obj["/AFRelationship"] == "/Source"
        embedded_json = files["article.json"].get_file().read_bytes()
        assert embedded_json == (bag / "data/article.json").read_bytes()
        assert files["article.json"].obj["/AFRelationship"] == "/Data"


def test_provenance_records_premis_events(archived: Path) -> None:
    bag = archived / STEM
    record = json.loads((bag / "data/provenance.json").read_text(encoding="utf-8"))
    types = [e["eventType"] for e in record["events"]]
    assert types == [
        "ingestion", "normalization", "creation", "validation", "message digest calculation",
    ]  # fmt: skip
    ingestion = record["events"][0]["eventOutcomeDetail"]
    assert ingestion["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert ingestion["encoding"] == "utf-8"
    assert record["events"][1]["eventOutcomeDetail"]["fixes"] > 0
    validation = record["events"][3]["eventOutcomeDetail"]
    assert validation["epubcheck"].startswith("5.") and validation["epub"]["errors"] == 0
    agents = {a["agentName"]: a["agentVersion"] for a in record["agents"]}
    assert {"publisher", "WeasyPrint", "ebooklib", "Python", "EPUBCheck"} <= set(agents)
    assert all(e["eventDateTime"] == "2024-01-25T00:00:00Z" for e in record["events"])


def test_archiving_twice_gives_identical_bytes(archived: Path, tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SEED, source / SEED.name)
    (source / f"{STEM}.toml").write_text(
        'authors = ["Staff"]\ndate = 2024-01-25\npublisher = "Daily Sabah"\n', encoding="utf-8"
    )
    out = tmp_path / "again"
    result = run_cli(
        "archive", source / SEED.name, "-o", out, "--zip",
        "--source-organization", "National Archive", env=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert snapshot_bytes(out) == snapshot_bytes(archived)


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(folder).items()}


def test_zip_entries_are_sorted_with_fixed_dates(archived: Path) -> None:
    with zipfile.ZipFile(archived / f"{STEM}.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(n.startswith(f"{STEM}/") for n in names)
        assert {i.date_time for i in archive.infolist()} == {(2024, 1, 25, 0, 0, 0)}


def test_symlinked_input_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(SEED)
    result = run_cli("archive", link, "-o", tmp_path / "bags")
    assert result.returncode == 1
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bags" / "link").exists()


def test_kill_at_any_moment_then_rerun(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(SEED, source / "story.txt")
    out = tmp_path / "bags"
    env = {**os.environ, "PYTHONPATH": str(REPO), **EPOCH}
    command = [sys.executable, "-m", "publisher", "archive", str(source / "story.txt")]
    command += ["-o", str(out), "--zip"]
    for delay in (0.2, 0.8, 1.6, 2.4, 3.2, 4.0):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        bag = out / "story"
        if bag.exists():  # only a complete bag may ever carry the real name
            assert verify_bag(bag).ok, delay
        if (out / "story.zip").exists():
            assert verify_bag(out / "story.zip").ok, delay
    result = run_cli("archive", source / "story.txt", "-o", out, "--zip", env=EPOCH)
    assert result.returncode == 0, result.stderr
    assert verify_bag(out / "story").ok and verify_bag(out / "story.zip").ok
    assert sorted(p.name for p in out.iterdir()) == ["story", "story.zip"]  # no debris left


FAULTS = ("bitflip-source", "bitflip-json", "bitflip-epub", "bitflip-pdf", "truncated", "missing",
          "extra", "bag-info", "dotdot-manifest")  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_injection_is_detected_and_named(archived: Path, tmp_path: Path, fault: str) -> None:
    bag = tmp_path / STEM
    shutil.copytree(archived / STEM, bag)
    named = inject(bag, fault)
    report = verify_bag(bag)
    assert not report.ok, fault
    assert any(named in p.file or named in p.message for p in report.errors), report.errors


def inject(bag: Path, fault: str) -> str:
    """Damage the bag one way; return the name the report must mention."""

    def flip(relative: str) -> str:
        path = bag / relative
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        return relative

    if fault == "bitflip-source":
        return flip(f"data/source/{SEED.name}")
    if fault == "bitflip-json":
        return flip("data/article.json")
    if fault == "bitflip-epub":
        return flip(f"data/{STEM}.epub")
    if fault == "bitflip-pdf":
        return flip(f"data/{STEM}.pdf")
    if fault == "truncated":
        path = bag / "data/provenance.json"
        path.write_bytes(path.read_bytes()[:100])
        return "data/provenance.json"
    if fault == "missing":
        (bag / "data/article.json").unlink()
        return "data/article.json"
    if fault == "extra":
        (bag / "data/extra.txt").write_text("not in any manifest", encoding="utf-8")
        return "data/extra.txt"
    if fault == "bag-info":
        path = bag / "bag-info.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("National", "Natioal"), "utf-8")
        return "bag-info.txt"
    if fault == "dotdot-manifest":
        path = bag / "manifest-sha256.txt"
        path.write_text(path.read_text(encoding="utf-8") + f"{'0' * 64}  ../x\n", "utf-8")
        return "../x"
    raise AssertionError(fault)


def test_zip_with_a_dotdot_entry_is_refused(archived: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    shutil.copy(archived / f"{STEM}.zip", evil)
    with zipfile.ZipFile(evil, "a") as archive:
        archive.writestr(f"{STEM}/../escaped.txt", "gotcha")
    result = run_cli("verify", evil)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "escaped.txt" in result.stdout + result.stderr
    assert not (tmp_path / "escaped.txt").exists()
