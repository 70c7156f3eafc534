"""Photos: inspection, the EPUB's screen copy and the PDF's print copy, on real files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from cli_helpers import run_cli
from conftest import sample_article
from PIL import Image as PILImage

from publisher.config import PdfOptions
from publisher.errors import ImageError
from publisher.model import Image
from publisher.readers.images import inspect_image
from publisher.render.epub import render_epub
from publisher.render.pdf import placed_width_mm, render_pdf
from publisher.render.photo import pixel_size, print_copy, screen_copy
from publisher.themes import load_theme

BUILD_TIME = datetime(2024, 1, 26, 9, 30, tzinfo=UTC)
RED, BLUE = (220, 20, 20), (20, 20, 220)
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
COMMENT = b"SECRET-COMMENT shot at the safe house"


def camera_jpeg(path: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """A camera-like JPEG: stored landscape with red top and blue bottom, EXIF
    orientation 6 (displayed turned a quarter clockwise), GPS tags, XMP and a comment."""
    picture = PILImage.new("RGB", size, BLUE)
    picture.paste(RED, (0, 0, size[0], size[1] // 2))
    exif = PILImage.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (41.0, 0.0, 52.0), 3: "E", 4: (28.0, 58.0, 0.0)})
    picture.save(path, quality=90, exif=exif, xmp=XMP, comment=COMMENT)
    return path


def assert_stripped(data: bytes) -> None:
    for marker in (b"Exif", b"CameraMaker", b"xmpmeta", b"SECRET-COMMENT", b"ICC_PROFILE"):
        assert marker not in data, marker
    with PILImage.open(io.BytesIO(data)) as copy:
        assert not copy.getexif()
        assert not copy.getexif().get_ifd(0x8825)
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(copy.info)


@pytest.fixture(scope="module")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Image:
    return inspect_image(camera_jpeg(tmp_path_factory.mktemp("camera") / "camera.jpg"))


def test_inspection_reports_the_displayed_size(camera: Image) -> None:
    assert (camera.media_type, camera.width, camera.height) == ("image/jpeg", 3000, 4000)


def test_the_screen_copy_is_turned_shrunk_and_stripped(camera: Image) -> None:
    data, media_type = screen_copy(camera)
    assert media_type == "image/jpeg"
    assert len(data) < 400_000
    assert_stripped(data)
    with PILImage.open(io.BytesIO(data)) as copy:
        assert copy.size == (1200, 1600)
        assert copy.info.get("progressive", 0) == 0 and copy.format == "JPEG"
        rgb = copy.convert("RGB")
        # Orientation 6: the stored top (red) is displayed on the right.
        left, right = rgb.getpixel((100, 800)), rgb.getpixel((1100, 800))
    assert isinstance(left, tuple) and isinstance(right, tuple)
    assert left[2] > 180 and left[0] < 60, left
    assert right[0] > 180 and right[2] < 60, right
    assert screen_copy(camera) == (data, media_type)


def test_a_small_photo_is_never_upsampled(tmp_path: Path) -> None:
    article = sample_article(tmp_path, photo_size=(64, 48))
    data, _ = screen_copy(article.image)
    with PILImage.open(io.BytesIO(data)) as copy:
        assert copy.size == (64, 48)


def test_the_epub_embeds_the_screen_copy_with_its_size(camera: Image, tmp_path: Path) -> None:
    article = replace(sample_article(tmp_path, image=False), image=camera)
    rendered = render_epub(article, load_theme(None), build_time=BUILD_TIME)
    with zipfile.ZipFile(io.BytesIO(rendered.data)) as archive:
        photo = archive.read("EPUB/images/photo.jpg")
        xhtml = archive.read("EPUB/article.xhtml").decode("utf-8")
    assert_stripped(photo)
    assert PILImage.open(io.BytesIO(photo)).size == (1200, 1600)
    assert 'width="1200" height="1600"' in xhtml


def _encoded(format: str, size: tuple[int, int], mode: str = "RGB", **options: object) -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, RED if mode == "RGB" else 128).save(buffer, format, **options)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        _encoded("JPEG", (1600, 2560), quality=88),
        _encoded("JPEG", (1201, 799), progressive=True),
        _encoded("JPEG", (640, 480), exif=PILImage.Exif().tobytes(), comment=COMMENT),
        _encoded("JPEG", (33, 17), "L", icc_profile=b"\0" * 2000),
        _encoded("PNG", (1920, 1080), "RGBA"),
        _encoded("PNG", (7, 3), "LA"),
        _encoded("WEBP", (320, 200)),
        _encoded("GIF", (90, 60), "L"),
    ],
    ids=["baseline", "progressive", "exif", "grey-icc", "png-rgba", "png-la", "webp", "gif"],
)
def test_pixel_size_agrees_with_pillow(data: bytes) -> None:
    with PILImage.open(io.BytesIO(data)) as picture:
        assert pixel_size(data) == picture.size


@pytest.mark.parametrize(
    ("mode", "colour", "fmt", "expected"),
    [
        ("RGBA", (10, 200, 10, 128), "PNG", "image/png"),  # real transparency stays PNG
        ("RGBA", (10, 200, 10, 255), "PNG", "image/jpeg"),  # an opaque alpha does not
        ("RGB", (10, 200, 10), "PNG", "image/jpeg"),
        ("RGB", (10, 200, 10), "WEBP", "image/jpeg"),
        ("P", 3, "GIF", "image/jpeg"),
    ],
)
def test_formats_become_jpeg_unless_transparent(
    tmp_path: Path, mode: str, colour: object, fmt: str, expected: str
) -> None:
    path = tmp_path / f"photo.{fmt.lower()}"
    PILImage.new(mode, (30, 20), colour).save(path, format=fmt)  # type: ignore[arg-type]
    data, media_type = screen_copy(inspect_image(path))
    assert media_type == expected
    assert PILImage.open(io.BytesIO(data)).size == (30, 20)


def test_an_animated_gif_becomes_its_first_frame(tmp_path: Path) -> None:
    frames = [PILImage.new("RGB", (40, 30), c) for c in (RED, BLUE)]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    image = inspect_image(path)
    assert image.media_type == "image/gif"
    data, media_type = screen_copy(image)
    copy = PILImage.open(io.BytesIO(data))
    assert media_type == "image/jpeg" and getattr(copy, "n_frames", 1) == 1
    pixel = copy.convert("RGB").getpixel((20, 15))
    assert isinstance(pixel, tuple) and pixel[0] > 180


def test_a_huge_photo_is_downsampled_to_300_dpi_at_its_placed_width(camera: Image) -> None:
    data, media_type, warnings = print_copy(camera, 82.5)
    assert media_type == "image/jpeg" and warnings == ()
    assert_stripped(data)
    with PILImage.open(io.BytesIO(data)) as copy:
        width, height = copy.size
    assert width == round(82.5 / 25.4 * 300) == 974
    assert abs(height - width * 4 / 3) <= 1


def test_a_small_photo_is_kept_and_warned_about(tmp_path: Path) -> None:
    PILImage.new("RGB", (642, 400), RED).save(tmp_path / "photo.jpg")
    image = inspect_image(tmp_path / "photo.jpg")
    data, _, warnings = print_copy(image, 170)
    assert warnings == (
        "photo.jpg is 96 dpi at its printed width of 170 mm; print needs 150 dpi or more",
    )
    assert PILImage.open(io.BytesIO(data)).size == (642, 400)
    assert print_copy(image, 100)[2] == ()  # 163 dpi at 100 mm


def test_the_pdf_prints_the_print_copy_at_its_measured_width(camera: Image, tmp_path: Path) -> None:
    article = replace(sample_article(tmp_path, image=False), image=camera)
    theme = load_theme(None)
    # The default print CSS caps the photo at 110 mm high: 82.5 mm wide for 3:4.
    assert placed_width_mm(article, theme, PdfOptions()) == pytest.approx(82.5, abs=0.1)
    rendered = render_pdf(article, theme, PdfOptions(), build_time=BUILD_TIME)
    assert not any("dpi" in w for w in rendered.warnings)
    with pikepdf.open(io.BytesIO(rendered.data)) as pdf:
        (image,) = [x for x in pdf.pages[0].Resources.XObject.values() if x.Subtype == "/Image"]
        assert (int(image.Width), int(image.Height)) == (974, 1299)
        raw = image.read_raw_bytes()
    assert_stripped(raw)
    again = render_pdf(article, theme, PdfOptions(), build_time=BUILD_TIME)
    assert again.data == rendered.data


def test_the_pdf_warns_about_a_tiny_photo_and_does_not_upsample_it(tmp_path: Path) -> None:
    article = sample_article(tmp_path, photo_size=(64, 48))  # shown at its natural 17 mm
    rendered = render_pdf(article, load_theme(None), PdfOptions(), build_time=BUILD_TIME)
    assert "photo.jpg is 96 dpi at its printed width of 17 mm; print needs 150 dpi or more" in (
        rendered.warnings
    )
    with pikepdf.open(io.BytesIO(rendered.data)) as pdf:
        sizes = [
            (int(x.Width), int(x.Height))
            for x in pdf.pages[0].Resources.XObject.values()
            if x.Subtype == "/Image"
        ]
    assert sizes == [(64, 48)]


# --- Broken, dangerous and unsupported files: one clear error naming the file ---


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (a decompression bomb)."""
    buffer = io.BytesIO()
    PILImage.new("L", (8, 8)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def _truncated_jpeg() -> bytes:
    buffer = io.BytesIO()
    PILImage.effect_noise((600, 600), 60).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()[:-4000]


def _bmp() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (10, 10)).save(buffer, format="BMP")
    return buffer.getvalue()


def _tiff() -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (10, 10)).save(buffer, format="TIFF")
    return buffer.getvalue()


BAD_IMAGES = [
    ("truncated.jpg", _truncated_jpeg, "not a readable JPEG, PNG, WebP or GIF"),
    ("bomb.png", lambda: _png_claiming(10_000, 9_000), "above the limit of 40 million"),
    ("huge.png", lambda: _png_claiming(60_000, 60_000), "too many pixels to open safely"),
    ("photo.bmp.jpg", _bmp, "not a readable JPEG, PNG, WebP or GIF"),
    ("photo.tif.png", _tiff, "not a readable JPEG, PNG, WebP or GIF"),
]


@pytest.mark.parametrize(("name", "make", "message"), BAD_IMAGES)
def test_a_bad_image_fails_with_one_clear_error(
    tmp_path: Path, name: str, make: object, message: str
) -> None:
    path = tmp_path / name
    assert callable(make)
    path.write_bytes(make())
    with pytest.raises(ImageError) as caught:
        inspect_image(path)
    assert message in caught.value.message and str(path) in caught.value.message
    assert caught.value.hint
    with pytest.raises(ImageError, match=name.replace(".", r"\.")):
        screen_copy(Image(path, "image/jpeg", 10, 10))


def test_the_cli_reports_a_bomb_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(
        "A headline\n\nThe first paragraph of the story.\n", encoding="utf-8"
    )
    (tmp_path / "story.png").write_bytes(_png_claiming(10_000, 9_000))
    result = run_cli("build", tmp_path / "story.txt", "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "story.png" in lines[0]
    assert "10000×9000 pixels" in lines[0] and "Traceback" not in result.stderr


def test_a_truncated_photo_fails_even_after_weasyprint_is_loaded(tmp_path: Path) -> None:
    import weasyprint  # noqa: F401  (it sets ImageFile.LOAD_TRUNCATED_IMAGES = True)

    path = tmp_path / "story.jpg"
    path.write_bytes(_truncated_jpeg())
    with pytest.raises(ImageError, match="truncated"):
        inspect_image(path)
    with pytest.raises(ImageError, match="truncated"):
        screen_copy(Image(path, "image/jpeg", 600, 600))
