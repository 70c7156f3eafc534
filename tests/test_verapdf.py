"""veraPDF judges every PDF/A and PDF/UA claim publisher makes.

The PDFs are made once per module (through the CLI where a user would make
them: every seed, with photos, in a collection, inside an archive) and judged
by veraPDF in one JVM; each (variant, input) pair is then its own test case.
A PDF/A or PDF/UA file veraPDF does not call compliant fails the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import run_cli
from conftest import SEEDS, sample_article
from PIL import Image, ImageDraw

from publisher.config import PdfOptions
from publisher.package import verapdf
from publisher.render.pdf import render_pdf, variants
from publisher.themes import load_theme

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}
BUILD_TIME = dt.datetime(2024, 1, 25, tzinfo=dt.UTC)
#: Every PDF/A and PDF/UA variant publisher offers (WeasyPrint's, less pdf/a-4f, which
#: build refuses without embedded files, and pdf/ua-2: see NOT_YET).
OFFERED = tuple(v for v in variants() if v.startswith(("pdf/a-", "pdf/ua-")))
NOT_YET = {"pdf/ua-2": "structure destinations and caption order (ISO 14289-2 8.8, 8.2.5.27)"}
SINGLE = tuple(v for v in OFFERED if v not in (*NOT_YET, "pdf/a-4f"))
SEED_STEMS = tuple(sorted(p.stem for p in SEEDS.glob("*.txt")))
#: Made through the CLI: (what, variant) -> the command's extra arguments.
ALL_SEEDS_VARIANT = "pdf/a-3a"
COLLECTION_VARIANTS = ("pdf/ua-1", "pdf/a-2u")
ARCHIVE_VARIANT = "pdf/a-3b"


def _photo(path: Path) -> None:
    picture = Image.new("RGB", (1600, 1000), (180, 40, 40))
    ImageDraw.Draw(picture).ellipse((200, 200, 900, 800), fill=(20, 120, 200))
    picture.save(path, quality=85)


@pytest.fixture(scope="module")
def seeds_with_photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every seed, each with a photo named in its sidecar."""
    folder = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.iterdir():
        shutil.copy(path, folder / path.name)
    _photo(folder / "photo.jpg")
    for stem in SEED_STEMS:
        sidecar = folder / f"{stem}.toml"
        old = sidecar.read_text(encoding="utf-8") if sidecar.exists() else ""
        sidecar.write_text('image = "photo.jpg"\n' + old, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def made(seeds_with_photos: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every PDF to judge, by a name saying what it is."""
    out = tmp_path_factory.mktemp("made")
    files: dict[str, Path] = {}
    theme = load_theme(None)
    article = sample_article(out / "sample")
    for variant in SINGLE:
        rendered = render_pdf(article, theme, PdfOptions(variant=variant), build_time=BUILD_TIME)
        path = out / f"single-{variant.replace('/', '_')}.pdf"
        path.write_bytes(rendered.data)
        files[f"{variant} single article with a photo"] = path

    texts = sorted(str(p) for p in seeds_with_photos.glob("*.txt"))
    done = run_cli(
        "build", *texts, "-o", out / "seeds", "-f", "pdf", "--pdf-variant", ALL_SEEDS_VARIANT,
        env=EPOCH,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for stem in SEED_STEMS:
        files[f"{ALL_SEEDS_VARIANT} seed {stem} with a photo"] = out / "seeds" / f"{stem}.pdf"

    for variant in COLLECTION_VARIANTS:
        folder = out / f"collection-{variant.replace('/', '_')}"
        done = run_cli(
            "build", *texts, "--collection", "Digest", "-o", folder, "-f", "pdf",
            "--pdf-variant", variant, env=EPOCH,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        files[f"{variant} collection of every seed"] = folder / "digest.pdf"

    stem = "ar_maghreb_solar"
    done = run_cli(
        "archive", seeds_with_photos / f"{stem}.txt", "-o", out / "bags",
        "--pdf-variant", ARCHIVE_VARIANT, env=EPOCH,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    files[f"{ARCHIVE_VARIANT} inside an archive"] = out / "bags" / stem / "data" / f"{stem}.pdf"
    return files


def _claimed(path: Path) -> str:
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        part = str(meta.get("pdfaid:part", "") or "")
        if part:
            level = str(meta.get("pdfaid:conformance", "") or "").lower()
            return f"pdf/a-{part}{level or 'u'}"
        return f"pdf/ua-{meta['pdfuaid:part']}"


@pytest.fixture(scope="module")
def verdicts(made: dict[str, Path]) -> dict[str, verapdf.Verdict]:
    """veraPDF's verdict on each file against the variant it claims, in one JVM."""
    names = list(made)
    found = verapdf.validate([(made[n], _claimed(made[n])) for n in names])
    return dict(zip(names, found, strict=True))


CASES = [
    *(f"{v} single article with a photo" for v in SINGLE),
    *(f"{ALL_SEEDS_VARIANT} seed {stem} with a photo" for stem in SEED_STEMS),
    *(f"{v} collection of every seed" for v in COLLECTION_VARIANTS),
    f"{ARCHIVE_VARIANT} inside an archive",
]


@pytest.mark.parametrize("case", CASES)
def test_verapdf_says_compliant(case: str, verdicts: dict[str, verapdf.Verdict]) -> None:
    verdict = verdicts[case]
    assert verdict.variant == case.split()[0], "the file does not claim what was asked"
    assert not verdict.error, verdict.error
    assert verdict.compliant, "\n".join(str(rule) for rule in verdict.failed)


def test_every_offered_variant_is_judged_or_explained() -> None:
    assert {"pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u", "pdf/ua-1"} <= set(SINGLE)
    assert set(OFFERED) == {*SINGLE, *NOT_YET, "pdf/a-4f"}


def test_pdf_a_4f_without_embedded_files_is_refused(tmp_path: Path) -> None:
    done = run_cli(
        "build", SEEDS / "de_hamburg_busse.txt", "-o", tmp_path / "out", "-f", "pdf",
        "--pdf-variant", "pdf/a-4f",
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("error: pdf/a-4f is PDF/A-4 with embedded files")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_archive_provenance_records_verapdf(made: dict[str, Path]) -> None:
    pdf = made[f"{ARCHIVE_VARIANT} inside an archive"]
    record = json.loads((pdf.parent / "provenance.json").read_text(encoding="utf-8"))
    agents = {a["agentName"]: a["agentVersion"] for a in record["agents"]}
    assert agents["veraPDF"] == verapdf.version() != "unknown"
    validation = next(e for e in record["events"] if e["eventType"] == "validation")
    assert "veraPDF" in validation["linkingAgentIdentifiers"]
    judged = validation["eventOutcomeDetail"]["pdf"]["verapdf"]
    assert judged["compliant"] is True and judged["failedRules"] == []
    assert judged["variant"] == ARCHIVE_VARIANT and judged["profile"].startswith("PDF/A-3b")


def _break(source: Path, target: Path) -> Path:
    """A copy of ``source`` whose images ask to be interpolated (forbidden in PDF/A)."""
    with pikepdf.open(source) as pdf:
        images = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
        assert images, "the file has no image to break"
        for image in images:
            image["/Interpolate"] = True
        pdf.save(target)
    return target


def test_check_fails_on_a_claim_verapdf_rejects(made: dict[str, Path], tmp_path: Path) -> None:
    good = made["pdf/a-3u single article with a photo"]
    bad = _break(good, tmp_path / "bad.pdf")
    done = run_cli("check", good, bad, "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    reports = {Path(r["target"]).name: r for r in json.loads(done.stdout)}
    assert reports[good.name]["ok"] is True
    assert "verapdf-pdf/a-3u" in reports[good.name]["checks_run"]
    problems = reports["bad.pdf"]["problems"]
    # veraPDF's verdict, and publisher's own check of the same defect (which needs no Java).
    assert sorted(p["code"] for p in problems) == ["PDF-IMAGE-INTERPOLATE", "PDF-VERAPDF"]
    (verapdf,) = [p for p in problems if p["code"] == "PDF-VERAPDF"]
    assert "clause 6.2.8 test 3" in verapdf["message"]


def test_verify_fails_on_a_bag_whose_pdf_verapdf_rejects(
    made: dict[str, Path], tmp_path: Path
) -> None:
    pdf = made[f"{ARCHIVE_VARIANT} inside an archive"]
    bag = tmp_path / "bag"
    shutil.copytree(pdf.parents[1], bag)
    broken = bag / "data" / pdf.name
    _break(pdf, tmp_path / "broken.pdf").replace(broken)
    done = run_cli("verify", bag, "--json")
    assert done.returncode == 1
    problems = json.loads(done.stdout)[0]["problems"]
    assert any(p["code"] == "PDF-VERAPDF" and "6.2.8" in p["message"] for p in problems)


def test_without_java_check_says_so_and_never_passes(made: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_cli("check", made["pdf/a-2b single article with a photo"], env={"PATH": str(empty)})
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: veraPDF (which judges PDF/A and PDF/UA claims) needs Java"
    )
    assert "ok:" not in done.stdout


def test_without_the_jar_check_says_so(made: dict[str, Path], tmp_path: Path) -> None:
    env = {"PUBLISHER_VERAPDF_JAR": str(tmp_path / "missing.jar")}
    done = run_cli("check", made["pdf/ua-1 single article with a photo"], env=env)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: veraPDF (which judges PDF/A and PDF/UA claims) is missing"
    )
    assert "ok:" not in done.stdout
