"""PDF/X-4 for the printer: the printing condition's profile as OutputIntent, RGB made ICC-based."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import pdf_fonts_embedded, run_cli
from conftest import SEED
from icc_helpers import DESCRIPTION, cmyk_profile, write_cmyk_profile
from PIL import Image as PILImage
from test_bad_inputs import assert_clean_failure

from publisher.package.checks import PdfExpectations, check_pdf

EPOCH = {"SOURCE_DATE_EPOCH": "1706140800"}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed with a photo beside it (an RGB JPEG, painted as an image)."""
    folder = tmp_path_factory.mktemp("pdfx")
    path = folder / "story.txt"
    shutil.copy(SEED, path)
    PILImage.new("RGB", (1200, 800), (30, 90, 160)).save(folder / "story.jpg", quality=90)
    write_cmyk_profile(folder)
    return path


def build_pdfx(story: Path, out: Path, *extra: str) -> Path:
    result = run_cli(
        "build", story, "--format", "pdf", "--pdf-variant", "pdf/x-4",
        "--output-profile", story.parent / "printer.icc", "--page-size", "A5",
        "--bleed", "3mm", "--marks", "crop", "-o", out, *extra, env=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / "story.pdf"


def test_the_printing_condition_is_the_output_intent(story: Path, tmp_path: Path) -> None:
    path = build_pdfx(story, tmp_path / "out")
    with pikepdf.open(path) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == DESCRIPTION
        assert intent.DestOutputProfile.read_bytes() == cmyk_profile()  # embedded, unchanged
        assert int(intent.DestOutputProfile.N) == 4
        assert str(pdf.open_metadata()["pdfxid:GTS_PDFXVersion"]) == "PDF/X-4"
        for page in pdf.pages:
            assert "/TrimBox" in page.obj and "/BleedBox" in page.obj
        # The photo is RGB; where it is painted, DefaultRGB makes it ICC-based sRGB.
        photos = list(rgb_images(pdf.pages[0].Resources))
        assert photos
        for resources in photos:
            default = resources.ColorSpace.DefaultRGB
            assert default[0] == "/ICCBased" and int(default[1].N) == 3
    assert pdf_fonts_embedded(path) == []
    problems = check_pdf(path, PdfExpectations(variant="pdf/x-4", bleed_mm=3))
    assert problems == ()
    checked = run_cli("check", path, "--pdf-variant", "pdf/x-4", "--bleed", "3mm")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def rgb_images(resources: pikepdf.Dictionary, depth: int = 0) -> list[pikepdf.Dictionary]:
    """The resource dictionaries (page's or a form's) that paint an RGB image."""
    found = []
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Image" and xobject.get("/ColorSpace") == "/DeviceRGB":
            found.append(resources)
        elif xobject.get("/Subtype") == "/Form" and "/Resources" in xobject and depth < 5:
            found += rgb_images(xobject.Resources, depth + 1)
    return found


def test_a_pdfx_rebuild_is_byte_identical(story: Path, tmp_path: Path) -> None:
    first = build_pdfx(story, tmp_path / "a").read_bytes()
    assert build_pdfx(story, tmp_path / "b").read_bytes() == first


def test_a_collection_in_pdfx_has_the_output_intent(story: Path, tmp_path: Path) -> None:
    result = run_cli(
        "build", story, SEED, "--collection", "Print run", "--format", "pdf",
        "--pdf-variant", "pdf/x-4", "--output-profile", story.parent / "printer.icc",
        "-o", tmp_path / "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = tmp_path / "out" / "print-run.pdf"
    assert check_pdf(path, PdfExpectations(variant="pdf/x-4")) == ()


def test_a_plain_weasyprint_pdfx_claim_is_not_enough(story: Path, tmp_path: Path) -> None:
    """What WeasyPrint writes for pdf/x-4 on its own: a claim without a printing condition."""
    import weasyprint

    path = tmp_path / "bare.pdf"
    path.write_bytes(
        weasyprint.HTML(string="<p style='color: red'>Hi</p>").write_pdf(pdf_variant="pdf/x-4")
    )
    messages = [p.message for p in check_pdf(path, PdfExpectations(variant="pdf/x-4"))]
    assert any("no PDF/X OutputIntent" in m for m in messages)
    assert any("DeviceRGB without a DefaultRGB" in m for m in messages)


@pytest.mark.parametrize(
    ("args", "needles", "code"),
    [
        (["--pdf-variant", "pdf/x-4"], ["pdf/x-4 needs the printing condition's ICC profile"], 2),
        (["--pdf-variant", "pdf/x-1a", "--output-profile", "printer.icc"], ["only CMYK"], 2),
        (["--output-profile", "printer.icc"], ["--output-profile is for PDF/X"], 2),
        (["--pdf-variant", "pdf/x-4", "--output-profile", "missing.icc"], ["cannot be read"], 1),
        (["--pdf-variant", "pdf/x-4", "--output-profile", "story.txt"], ["not an ICC"], 1),
        (["--pdf-variant", "pdf/x-4", "--output-profile", "srgb.icc"], ["RGB 'mntr' profile"], 1),
    ],
)
def test_a_pdfx_without_a_usable_profile_is_refused(
    story: Path, tmp_path: Path, args: list[str], needles: list[str], code: int
) -> None:
    from importlib.resources import files

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(story, folder / "story.txt")
    write_cmyk_profile(folder)
    (folder / "srgb.icc").write_bytes((files("weasyprint.pdf") / "sRGB2014.icc").read_bytes())
    resolved = [str(folder / a) if a.endswith((".icc", ".txt")) else a for a in args]
    out = tmp_path / "out"
    result = run_cli("build", folder / "story.txt", "--format", "pdf", *resolved, "-o", out)
    assert_clean_failure(result, out, *needles, code=code)
