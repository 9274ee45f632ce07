"""Poster benchmark: render time and PDF size, with and without a photo, English and Hindi text.

Run from the repository root: .venv/bin/python bench/posters.py
"""

import io
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from media.posters import render_poster  # noqa: E402

FACES_DIR = REPO / "tests" / "data" / "faces"  # the test suite's real face photographs
ROUNDS = 20


def photo() -> bytes:
    """A normalised upload: obama_2 as an 800 px JPEG."""
    with Image.open(FACES_DIR / "obama_2.jpg") as image:
        image = image.convert("RGB")
    image.thumbnail((800, 800), Image.LANCZOS)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


FIELDS = dict(
    status="missing",
    name="Aarav Sharma",
    age=8,
    gender="Boy",
    last_seen_place="Koregaon Park, Pune",
    last_seen_at_text="12 March 2025, around 4:30 pm",
    description="Blue school shirt, grey shorts, black shoes, red schoolbag. Speaks Hindi and Marathi. " * 3,
    contact="+91 98765 43210",
    reference="SCH-2025-00042",
    case_url="https://sachet.example.org/cases/SCH-2025-00042/",
)
HINDI = dict(name="आरव शर्मा", last_seen_place="कोरेगांव पार्क, पुणे", description="नीली स्कूल कमीज़, स्लेटी निकर। " * 6)


def main() -> None:
    start = time.perf_counter()
    render_poster(**FIELDS, photo=None)
    print(f"first poster in the process (loads and parses the font): {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"render_poster, best / median of {ROUNDS}, and PDF size:")
    cases = {
        "English, photo": dict(FIELDS, photo=photo()),
        "English, no photo": dict(FIELDS, photo=None),
        "Hindi, photo": dict(FIELDS, **HINDI, photo=photo()),
        "long description": dict(FIELDS, description="word " * 5000, photo=photo()),
    }
    for label, fields in cases.items():
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            pdf = render_poster(**fields)
            times.append(time.perf_counter() - start)
        photo_size = len(fields["photo"]) if fields["photo"] else 0
        print(f"  {label:<18} {min(times) * 1000:6.1f} ms  {statistics.median(times) * 1000:6.1f} ms"
              f"  {len(pdf) / 1024:6.1f} KiB (photo {photo_size / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
