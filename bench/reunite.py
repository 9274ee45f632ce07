"""Reunite benchmark: analysing a photo with five faces against one with one face, and searching a new case in both
directions with 100,000 face prints stored (warm, and first in a fresh worker process, with the index's memory).

Run from the repository root:  .venv/bin/python bench/reunite.py [analysis] [search]
The search part uses DATABASE_URL when set (e.g. a throwaway PostgreSQL from scripts/services.sh), else a temporary
SQLite file. It fills the tables with 100,000 random prints (60,000 case photos with their cases, 25,000 sighting
photos of which a fifth hold 2-3 faces, 15,000 found children's photos), then measures.
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("SACHET_IGNORE_DOTENV", "true")
_TEMP_DIR = tempfile.TemporaryDirectory()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TEMP_DIR.name}/bench.sqlite3")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

FACES_DIR = REPO / "tests" / "data" / "faces"
ROUNDS = 7
PRINTS = {"case": 60_000, "sighting": 25_000, "found": 15_000}


def timed(function, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, min(times), statistics.median(times)


def _tile(name: str, box) -> Image.Image:
    with Image.open(FACES_DIR / name) as image:
        image = image.convert("RGB")
        width, height = image.size
        tile = image.crop((int(width * box[0]), int(height * box[1]), int(width * box[2]), int(height * box[3])))
    tile = tile.resize((round(tile.width * 300 / tile.height), 300))
    return tile.crop((0, 0, min(tile.width, 300), 300))


def group_photos() -> tuple[bytes, bytes]:
    """Two 800 x 800 JPEGs: one face, and five faces of about the same size (the test photos, pasted)."""
    tiles = [_tile("obama_1.jpg", (0.12, 0.02, 0.93, 0.46)), _tile("biden_2.jpg", (0.25, 0.12, 0.89, 0.76)),
             _tile("obama_2.jpg", (0.1, 0.05, 0.95, 0.6)), _tile("grace_hopper.jpg", (0.1, 0.0, 0.9, 0.7)),
             _tile("astronaut.jpg", (0.25, 0.05, 0.65, 0.4))]
    photos = []
    for chosen in (tiles[:1], tiles):
        canvas = Image.new("RGB", (800, 800), (200, 200, 200))
        spots = [(250, 250)] if len(chosen) == 1 else [(20, 20), (420, 20), (20, 420), (420, 420), (250, 250)]
        for tile, spot in zip(chosen, spots):
            canvas.paste(tile, spot)
        output = io.BytesIO()
        canvas.save(output, "JPEG", quality=90)
        photos.append(output.getvalue())
    return photos[0], photos[1]


def bench_analysis() -> None:
    from django.conf import settings

    from media import faces

    one, five = group_photos()
    faces.analyse_photo(one)  # loads the dlib models outside the timings
    print(f"analyse_photo, 800 x 800 (detect once on <= {settings.FACE_DETECT_MAX_SIDE} px, encode every face in one"
          f" call), best / median of {ROUNDS}, one core:")
    results = {}
    for label, data in (("1 face", one), ("5 faces", five)):
        analysis, best, median = timed(lambda: faces.analyse_photo(data), ROUNDS)
        results[label] = median
        print(f"  {label:<8} {best * 1000:6.0f} ms  {median * 1000:6.0f} ms  ({analysis.face_count} found)")
    print(f"  5 faces / 1 face (medians): {results['5 faces'] / results['1 face']:.2f}x")
    import face_recognition

    image = faces._open_rgb(five)
    boxes, detect, _ = timed(lambda: faces._detect(image, settings.FACE_DETECT_MAX_SIDE), ROUNDS)
    pixels = np.asarray(image)
    _, one_encoding, _ = timed(lambda: face_recognition.face_encodings(pixels, known_face_locations=boxes[:1]), ROUNDS)
    _, all_encodings, _ = timed(lambda: face_recognition.face_encodings(pixels, known_face_locations=boxes), ROUNDS)
    print(f"    parts (best): detect {detect * 1000:.0f} ms, encode 1 face {one_encoding * 1000:.0f} ms, encode "
          f"{len(boxes)} faces {all_encodings * 1000:.0f} ms (dlib's encoder: one face at a time, holding the GIL)")


def fill(rng) -> None:
    """PRINTS random face prints (and a case row per case print), analysed over the last two days."""
    from django.core.management import call_command
    from django.utils import timezone

    from cases.models import Case
    from media.models import FacePrint

    call_command("migrate", verbosity=0)
    FacePrint.objects.all().delete()
    Case.objects.all().delete()
    now = timezone.now()
    start = time.perf_counter()
    letters = np.array(list("abdeghijklmnoprstuvy"))

    def random_name() -> str:
        return " ".join("".join(rng.choice(letters, int(rng.integers(4, 8)))) for _ in range(2))

    total_faces = 0
    for group, count in PRINTS.items():
        for first in range(0, count, 5000):
            rows, cases = [], []
            for _ in range(first, min(first + 5000, count)):
                faces = 1 if group != "sighting" or rng.random() > 0.2 else int(rng.integers(2, 4))
                total_faces += faces
                name = f"{group}/{uuid.uuid4().hex}.jpg"
                rows.append(FacePrint(
                    photo_name=name, group=group, status="one_face" if faces == 1 else "several_faces",
                    face_count=faces, boxes=[[10, 60, 60, 10]] * faces, width=800, height=800,
                    encodings=rng.normal(0, 0.09, (faces, 128)).astype("<f4").tobytes(),
                    analysed_at=now - timedelta(seconds=float(rng.uniform(600, 2 * 86400))),
                    chosen_face=0 if group == "case" else None))
                if group == "case":
                    child = random_name()
                    cases.append(Case(reference=f"MC20260101{len(rows) + first:08X}", name=child.title(),
                                      name_key=child, age=int(rng.integers(0, 18)),
                                      gender="male", description="-", last_seen_place="Pune",
                                      last_seen_at=rows[-1].analysed_at, contact_name="-", photo=name,
                                      contact_phone=f"+9198{int(rng.integers(10**7, 10**8))}"))
            FacePrint.objects.bulk_create(rows)
            Case.objects.bulk_create(cases)
    print(f"  stored {sum(PRINTS.values()):,} prints ({total_faces:,} faces) in {time.perf_counter() - start:.1f} s")


def bench_search() -> None:
    from django.db import connection

    rng = np.random.default_rng(1)
    print(f"a new case searched in both directions, {sum(PRINTS.values()):,} prints in {connection.vendor}:")
    fill(rng)
    # A fresh worker process: its first search loads every group's index from the table.
    script = (
        "import os, sys, time, json, resource; sys.path.insert(0, %r);"
        "import django; django.setup();"
        "from bench.reunite import new_case_search, rss_mb;"
        "before = rss_mb(); start = time.perf_counter(); new_case_search();"
        "first = time.perf_counter() - start; after = rss_mb();"
        "print(json.dumps({'first': first, 'before': before, 'after': after}))"
    ) % str(REPO)
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=os.environ,
                            check=True).stdout
    fresh = json.loads(output.strip().splitlines()[-1])
    print(f"  first search in a fresh worker process (loads the indexes) {fresh['first'] * 1000:7.0f} ms")
    print(f"  memory of that process for the indexes: {fresh['after'] - fresh['before']:.0f} MB "
          f"(RSS {fresh['before']:.0f} -> {fresh['after']:.0f} MB)")
    from django.core.cache import cache

    from media import services

    for group in PRINTS:  # as after the last write: each group's change token is in the cache
        cache.set(services._version_key(group), uuid.uuid4().hex, None)
    new_case_search()
    _, best, median = timed(new_case_search, 30)
    print(f"  warm: the case photo against found children, sightings and cases  {best * 1000:6.1f} ms  "
          f"median {median * 1000:.1f} ms")
    _, best, median = timed(new_case_candidates, 15)
    print(f"  warm: the whole cases.candidates.for_case (faces, names, phones, "
          f"rows)  {best * 1000:6.1f} ms  median {median * 1000:.1f} ms")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


_CASE = None


def _new_case():
    global _CASE
    if _CASE is None:
        from cases.models import Case

        _CASE = Case.objects.order_by("-pk").first()
    return _CASE


def new_case_search():
    """media.matching's three searches for a case photo: found children, sightings, other cases."""
    from media import matching

    name = _new_case().photo.name
    return [matching.search(name, group=group, limit=5) for group in ("found", "sighting", "case")]


def new_case_candidates():
    from cases import candidates

    return candidates.for_case(_new_case())


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    for section in sys.argv[1:] or ["analysis", "search"]:
        globals()[f"bench_{section}"]()
