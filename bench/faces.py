"""Face benchmark: analysis time per photo size on one core, 1:N search time by index size, and the cost of
keeping media.services' per-process index in sync with 100,000 face prints in the database.

Run from the repository root: .venv/bin/python bench/faces.py
The database part uses DATABASE_URL when set (e.g. a throwaway PostgreSQL), else a temporary SQLite file.
"""

import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")  # settings refuse to load without one
os.environ.setdefault("SACHET_IGNORE_DOTENV", "true")  # never the developer's database
_TEMP_DIR = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from PIL import Image  # noqa: E402

from media import faces  # noqa: E402
from media.face_index import FaceIndex  # noqa: E402

FACES_DIR = REPO / "tests" / "data" / "faces"  # the test suite's real face photographs
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
    print(f"analyse_photo (detect on a copy <= {settings.FACE_DETECT_MAX_SIDE} px, encode every face),"
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


def bench_search_group(size: int = 100_000) -> None:
    """media.services.search_group with `size` prints in the table: the first (loading) search, a search when
    nothing changed, and searches right after one print was added or deleted by another process."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from media import services
    from media.models import FacePrint

    call_command("migrate", "media", verbosity=0)
    FacePrint.objects.all().delete()
    rng = np.random.default_rng(1)
    encodings = rng.normal(0, 0.09, (size, 128)).astype("<f4")
    earlier = timezone.now() - timedelta(days=2)  # prints analysed over time, not all in the last minute
    start = time.perf_counter()
    for first in range(0, size, 5000):
        FacePrint.objects.bulk_create(
            FacePrint(photo_name=f"cases/photos/{uuid.uuid4().hex}.jpg", group="case", status="one_face",
                      face_count=1, boxes=[[10, 60, 60, 10]], encodings=encodings[row].tobytes(), analysed_at=earlier)
            for row in range(first, min(first + 5000, size))
        )
    inserted = time.perf_counter() - start
    print(f"search_group over {size:,} prints in {connection.vendor} (inserted in {inserted:.1f} s):")
    query = encodings[size // 2].astype(np.float64)

    def search():
        return services.search_group(query, "case", max_distance=0.55, limit=6)

    def changed():
        cache.set(services._version_key("case"), uuid.uuid4().hex, None)

    start = time.perf_counter()
    search()
    print(f"  first search, loading every print   {(time.perf_counter() - start) * 1000:8.1f} ms")
    changed()
    search()
    _, best, median = timed(search, 50)
    print(f"  nothing changed (one cache read)    {best * 1000:8.2f} ms  median {median * 1000:.2f} ms")

    def after_add():
        FacePrint.objects.create(photo_name=f"cases/photos/{uuid.uuid4().hex}.jpg", group="case",
                                 status="one_face", face_count=1, boxes=[[1, 2, 2, 1]],
                                 encodings=encodings[0].tobytes())
        changed()
        start = time.perf_counter()
        search()
        return time.perf_counter() - start

    def after_delete():
        services.forget_photos([FacePrint.objects.filter(group="case").order_by("-pk").values_list(
            "photo_name", flat=True)[0]])
        changed()  # forget_photos sets it after commit; autocommit here: set it the same way
        start = time.perf_counter()
        search()
        return time.perf_counter() - start

    def periodic_check():
        services._index_for("case").checked_at = -float("inf")
        start = time.perf_counter()
        search()
        return time.perf_counter() - start

    for label, step in (("one print added (rows since last)", after_add),
                        ("periodic count check (every 30 s)", periodic_check),
                        ("one print deleted (deletion log)", after_delete)):
        times = [step() for _ in range(10)]
        print(f"  {label:<36}{min(times) * 1000:8.1f} ms  median {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sections = sys.argv[1:] or ["analysis", "search", "search_group"]  # e.g. bench/faces.py search_group
    for section in sections:
        globals()[f"bench_{section}"]()
