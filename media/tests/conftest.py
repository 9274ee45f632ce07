"""Real face photographs for the media tests, and one cached analysis per photo variant for the whole session
(each analysis costs about 0.3 s of face detection and encoding)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw

from media import faces
from tests.factories import FACES_DIR


def jpeg(image: Image.Image, *, max_side: int = 800, quality: int = 85) -> bytes:
    """The photo as the upload pipeline stores it: RGB JPEG no larger than max_side."""
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.LANCZOS)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=quality)
    return output.getvalue()


def landscape() -> Image.Image:
    """A drawn landscape (sky, sun, hills, a house) with no face in it."""
    image = Image.new("RGB", (800, 600))
    draw = ImageDraw.Draw(image)
    for y in range(600):
        draw.line([(0, y), (800, y)], fill=(90 + y // 8, 150 + y // 10, 235 - y // 6))
    draw.ellipse((600, 60, 700, 160), fill=(250, 220, 90))
    draw.polygon([(0, 420), (250, 300), (520, 430), (800, 330), (800, 600), (0, 600)], fill=(60, 140, 70))
    draw.rectangle((300, 380, 420, 480), fill=(180, 90, 60))
    draw.polygon([(290, 380), (360, 320), (430, 380)], fill=(120, 40, 40))
    draw.rectangle((345, 430, 375, 480), fill=(80, 50, 30))
    return image


def _open(name: str) -> Image.Image:
    with Image.open(FACES_DIR / f"{name}.jpg") as image:
        return image.convert("RGB")


def _crop_fraction(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    width, height = image.size
    return image.crop((int(width * left), int(height * top), int(width * right), int(height * bottom)))


def _big_and_small_face() -> bytes:
    """Obama's face pasted large and Biden's small on one canvas: the largest face is unambiguous."""
    obama = _crop_fraction(_open("obama_1"), 0.12, 0.02, 0.93, 0.46)
    biden = _crop_fraction(_open("biden_2"), 0.25, 0.12, 0.89, 0.76)
    canvas = Image.new("RGB", (800, 500), (200, 200, 200))
    obama = obama.resize((round(obama.width * 440 / obama.height), 440))
    biden = biden.resize((round(biden.width * 200 / biden.height), 200))
    canvas.paste(biden, (20, 150))
    canvas.paste(obama, (800 - obama.width - 20, 30))
    return jpeg(canvas, quality=90)


def _beside(large: Image.Image, small: Image.Image, *, large_height: int = 440, small_height: int = 200) -> bytes:
    """Two people's photos side by side on one canvas, one face much larger than the other: a group photo in
    which the person looked for may be either one."""
    canvas = Image.new("RGB", (800, 500), (200, 200, 200))
    large = large.resize((round(large.width * large_height / large.height), large_height))
    small = small.resize((round(small.width * small_height / small.height), small_height))
    canvas.paste(small, (20, 150))
    canvas.paste(large, (800 - large.width - 20, 30))
    return jpeg(canvas, quality=90)


def _obama_face(name: str = "obama_2") -> Image.Image:
    return _crop_fraction(_open(name), 0.15, 0.05, 0.9, 0.6) if name == "obama_2" else _crop_fraction(
        _open(name), 0.12, 0.02, 0.93, 0.46)


def _hopper() -> Image.Image:
    return _crop_fraction(_open("grace_hopper"), 0.1, 0.0, 0.9, 0.7)


PHOTOS: dict[str, Callable[[], bytes]] = {
    "obama_1": lambda: jpeg(_open("obama_1")),
    "obama_2": lambda: jpeg(_open("obama_2")),
    "biden_1": lambda: jpeg(_open("biden_1")),
    "biden_2": lambda: jpeg(_open("biden_2")),
    "two_people": lambda: jpeg(_open("two_people")),
    "obama_1_resized": lambda: jpeg(_open("obama_1"), max_side=400),
    "obama_1_rotated": lambda: jpeg(_open("obama_1").rotate(8, Image.BICUBIC, expand=True, fillcolor=(255, 255, 255))),
    "obama_1_quality_30": lambda: jpeg(_open("obama_1"), quality=30),
    "obama_1_cropped": lambda: jpeg(_crop_fraction(_open("obama_1"), 0.2, 0.05, 0.85, 0.5)),
    "big_and_small_face": _big_and_small_face,
    # Group photos for "every face": Obama (obama_2) beside Grace Hopper, the matching face the smaller or the larger.
    "hopper_big_obama_small": lambda: _beside(_hopper(), _obama_face()),
    "obama_big_hopper_small": lambda: _beside(_obama_face(), _hopper()),
    "grace_hopper": lambda: jpeg(_open("grace_hopper")),
    "astronaut": lambda: jpeg(_open("astronaut")),
    "landscape": lambda: jpeg(landscape()),
}


class Analyses:
    """Analyses by photo name, computed on first use and kept for the session."""

    def __init__(self):
        self._cache: dict[str, faces.FaceAnalysis] = {}

    def __getitem__(self, name: str) -> faces.FaceAnalysis:
        if name not in self._cache:
            self._cache[name] = faces.analyse_photo(PHOTOS[name]())
        return self._cache[name]


@pytest.fixture(scope="session")
def analyses() -> Analyses:
    return Analyses()


@pytest.fixture
def match_settings(settings):
    """Pin the thresholds the scoring tests are written against, whatever the environment says."""
    settings.FACE_MATCH_LIKELY_DISTANCE = 0.45
    settings.FACE_MATCH_POSSIBLE_DISTANCE = 0.55
    settings.FACE_MATCH_ZERO_DISTANCE = 0.65
    return settings
