import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.images import JPEG_QUALITY, InvalidPhoto, normalise_photo
from tests.factories import jpeg_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def exif_with_gps_and_camera(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x013B] = "Priya Sharma"  # artist: the photographer's name
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (18.0, 32.0, 10.3), 3: "E", 4: (73.0, 53.0, 38.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def test_gps_and_all_other_metadata_are_stripped():
    source = jpeg_bytes(exif=exif_with_gps_and_camera())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the input really has GPS

    result = Image.open(io.BytesIO(normalise_photo(upload(source)).read()))
    assert dict(result.getexif()) == {}
    assert result.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in result.info and "icc_profile" not in result.info and "comment" not in result.info


def test_exif_orientation_is_applied_to_the_pixels():
    # A 400x200 landscape sensor image that the phone says to rotate 90 degrees: people see it upright, 200x400.
    source = jpeg_bytes(400, 200, exif=exif_with_gps_and_camera(orientation=6))
    result = Image.open(io.BytesIO(normalise_photo(upload(source)).read()))
    assert result.size == (200, 400)


def test_large_photo_is_stored_as_jpeg_fitting_800_by_800():
    result = Image.open(io.BytesIO(normalise_photo(upload(jpeg_bytes(3000, 2000))).read()))
    assert result.format == "JPEG"
    assert result.size == (800, 533)


def test_png_with_transparency_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    result = Image.open(io.BytesIO(normalise_photo(upload(out.getvalue(), "a.png")).read()))
    assert result.format == "JPEG" and result.mode == "RGB"
    assert result.getpixel((50, 50)) == (255, 255, 255)


def test_text_file_named_jpg_is_refused():
    with pytest.raises(InvalidPhoto, match="not a photo we can read"):
        normalise_photo(upload(b"GIF89a? no, just text pretending\n" * 10))


def test_truncated_jpeg_is_refused():
    data = jpeg_bytes(800, 600)
    with pytest.raises(InvalidPhoto, match="damaged or incomplete"):
        normalise_photo(upload(data[: len(data) // 2]))


def test_huge_pixel_png_is_refused_before_decoding(settings):
    # 9000 x 5000 = 45 million pixels of one colour: a few kB on disk, 135 MB once decoded.
    image = Image.new("1", (9000, 5000))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < 200_000
    with pytest.raises(InvalidPhoto, match="too many pixels"):
        normalise_photo(upload(out.getvalue(), "bomb.png"))


def test_photo_over_the_size_cap_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 10_000
    with pytest.raises(InvalidPhoto, match="too large"):
        normalise_photo(upload(jpeg_bytes(1200, 1200) + b"\0" * 20_000))


def test_empty_file_is_refused():
    with pytest.raises(InvalidPhoto, match="empty"):
        normalise_photo(upload(b""))


# --- Decoding large JPEGs at reduced scale (draft mode) ------------------------------------------------------------


def detailed_photo(width: int, height: int) -> Image.Image:
    """Fine detail in every channel (fractal, gradient, noise): a fair test of resampling quality."""
    return Image.merge("RGB", (
        Image.effect_mandelbrot((width, height), (-2.2, -1.2, 1.0, 1.2), 120),
        Image.linear_gradient("L").resize((width, height)),
        Image.effect_noise((width, height), 40),
    ))


def encoded(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", **{"quality": 92, **options})
    return out.getvalue()


def psnr(a: Image.Image, b: Image.Image) -> float:
    import numpy as np

    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    return float(10 * np.log10(255**2 / (difference**2).mean()))


@pytest.fixture
def decoded_sizes(monkeypatch) -> list[tuple[int, int]]:
    """The size at which each JPEG is really decoded."""
    from PIL import JpegImagePlugin

    sizes = []
    original_load = JpegImagePlugin.JpegImageFile.load

    def recording_load(self):
        if self.tile:  # pixels still to decode: this is the decode
            sizes.append(self.size)
        return original_load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", recording_load)
    return sizes


def test_a_large_jpeg_is_decoded_once_at_a_reduced_scale(decoded_sizes):
    result = Image.open(io.BytesIO(normalise_photo(upload(jpeg_bytes(4000, 3000))).read()))

    # 4000 x 3000 fits 800 x 800 as 800 x 600; twice that is reached at 1/2 scale: 2000 x 1500, not 12 megapixels.
    assert decoded_sizes[0] == (2000, 1500)
    assert result.size == (800, 600)


def test_a_jpeg_near_the_output_size_is_decoded_in_full(decoded_sizes):
    result = Image.open(io.BytesIO(normalise_photo(upload(jpeg_bytes(1000, 700))).read()))

    assert decoded_sizes[0] == (1000, 700)
    assert result.size == (800, 560)


def test_reduced_scale_decoding_keeps_the_quality_of_a_full_decode():
    source = encoded(detailed_photo(4000, 3000))
    full = Image.open(io.BytesIO(source)).convert("RGB")  # decoded at full size, then resized and stored alike
    full.thumbnail((800, 800), Image.Resampling.LANCZOS)
    full = Image.open(io.BytesIO(encoded(full, quality=JPEG_QUALITY, optimize=True)))

    result = Image.open(io.BytesIO(normalise_photo(upload(source)).read()))

    assert result.size == full.size == (800, 600)
    assert psnr(result, full) > 40  # measured 47 dB: the two are alike to the eye


# (EXIF orientation, where the sensor's top-left red quadrant is seen) for the eight orientations.
ORIENTATIONS = {1: "top-left", 2: "top-right", 3: "bottom-right", 4: "bottom-left",
                5: "top-left", 6: "top-right", 7: "bottom-right", 8: "bottom-left"}


@pytest.mark.parametrize(("orientation", "corner"), ORIENTATIONS.items())
def test_orientation_is_right_for_large_jpegs_decoded_at_reduced_scale(orientation, corner):
    sensor = Image.new("RGB", (3200, 2000), (255, 255, 255))
    sensor.paste((255, 0, 0), (0, 0, 1600, 1000))  # the sensor's top-left quadrant
    exif = Image.Exif()
    exif[ORIENTATION] = orientation

    result = Image.open(io.BytesIO(normalise_photo(upload(encoded(sensor, exif=exif))).read()))

    turned = orientation >= 5
    assert result.size == ((500, 800) if turned else (800, 500))
    width, height = result.size
    corners = {"top-left": (width // 4, height // 4), "top-right": (3 * width // 4, height // 4),
               "bottom-left": (width // 4, 3 * height // 4), "bottom-right": (3 * width // 4, 3 * height // 4)}
    red = [name for name, point in corners.items() if result.getpixel(point)[1] < 60]
    assert red == [corner]
