"""Face benchmark: analysis time per photo size on one core, and 1:N search time by index size.

Run from the repository root: .venv/bin/python bench/faces.py
"""

import io
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")  # settings refuse to load without one

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from PIL import Image  # noqa: E402

from media import faces  # noqa: E402
from media.face_index import FaceIndex  # noqa: E402

FACES_DIR = Path(os.environ.get("SACHET_FACES_DIR") or REPO.parent / "shared" / "testdata" / "faces")
ROUNDS = 5


def timed(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, min(times), statistics.median(times)


def photo_at(side: int) -> bytes:
    """biden_2 (1200 x 1200, one face) as a side x side JPEG; 1600 px is an upscale."""
    with Image.open(FACES_DIR / "biden_2.jpg") as image:
        image = image.convert("RGB").resize((side, side), Image.LANCZOS)
        output = io.BytesIO()
        image.save(output, "JPEG", quality=85)
        return output.getvalue()


def bench_analysis() -> None:
    print(f"analyse_photo (detect on a copy <= {settings.FACE_DETECT_MAX_SIDE} px, encode the largest face),"
          f" best / median of {ROUNDS}, one core:")
    faces.analyse_photo(photo_at(400))  # loads the dlib models (~2-3 s) outside the timings
    for side in (400, 800, 1600):
        data = photo_at(side)
        analysis, best, median = timed(lambda: faces.analyse_photo(data), ROUNDS)
        print(f"  {side:>5} px  {best * 1000:6.0f} ms  {median * 1000:6.0f} ms  {analysis.status}")
    import face_recognition

    data = photo_at(800)
    image, decode, _ = timed(lambda: faces._open_rgb(data), ROUNDS)
    boxes, detect, _ = timed(lambda: faces._detect(image, settings.FACE_DETECT_MAX_SIDE), ROUNDS)
    pixels = np.asarray(image)
    _, encode, _ = timed(lambda: face_recognition.face_encodings(pixels, known_face_locations=boxes[:1]), ROUNDS)
    print(f"    800 px parts (best): decode {decode * 1000:.0f} ms, detect {detect * 1000:.0f} ms,"
          f" encode {encode * 1000:.0f} ms")
    detect_max_side = settings.FACE_DETECT_MAX_SIDE
    settings.FACE_DETECT_MAX_SIDE = 10_000
    try:
        data = photo_at(800)
        _, best, median = timed(lambda: faces.analyse_photo(data), ROUNDS)
        print(f"    800 px  {best * 1000:6.0f} ms  {median * 1000:6.0f} ms  detecting on the full 800 px instead")
    finally:
        settings.FACE_DETECT_MAX_SIDE = detect_max_side


def bench_search() -> None:
    print("FaceIndex.search(max_distance=0.55, limit=10) over random encodings, best / median of 50:")
    rng = np.random.default_rng(0)
    for size in (1_000, 10_000, 100_000):
        encodings = rng.normal(0, 0.09, (size, 128))  # real encodings have a norm of about 1, like these
        start = time.perf_counter()
        index = FaceIndex(enumerate(encodings))
        built = time.perf_counter() - start
        query = encodings[size // 2] + rng.normal(0, 0.02, 128)
        result, best, median = timed(lambda: index.search(query, max_distance=0.55, limit=10), 50)
        print(f"  {size:>7,} faces  {best * 1000:6.2f} ms  {median * 1000:6.2f} ms  (built in {built:.2f} s,"
              f" {size * 128 * 4 / 1e6:.1f} MB, {len(result)} found)")


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    bench_analysis()
    bench_search()
