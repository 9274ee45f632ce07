"""Partner feeds and the API at a few thousand cases: the CAP Atom feed's size and time, a CAP message, a page of the
case list, a PFIF export and feeds, and a PFIF import of that export into an empty database.

Run from the repository root: .venv/bin/python bench/partners.py [--cases N]
It uses a throwaway SQLite database in a temporary folder and Django's test client (no network, no server).
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SCRATCH = tempfile.mkdtemp(prefix="sachet-bench-partners-")
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "sachet.settings", "SACHET_IGNORE_DOTENV": "1", "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3", "MEDIA_ROOT": f"{SCRATCH}/media", "LOG_LEVEL": "WARNING",
    "LOG_REQUESTS": "false", "TASKS_IN_PROCESS": "true", "RATE_PARTNER_API": "100000/m",
})

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import cap  # noqa: E402
from cases.models import Case, CapMessage  # noqa: E402
from cases.pfif import importing  # noqa: E402
from sachet.partners.keys import create_key  # noqa: E402


def timed(func, rounds: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    count = parser.parse_args().cases
    call_command("migrate", verbosity=0)
    now = timezone.now()
    cases = Case.objects.bulk_create([Case(
        reference=f"MC{now:%Y%m%d}{n:08X}", name=f"Child Number {n}", age=n % 18, gender="male",
        description="Red T-shirt, blue shorts, white sandals, a small scar above the left eyebrow.",
        last_seen_place="Koregaon Park, Pune", latitude=Decimal("18.536200"), longitude=Decimal("73.893900"),
        last_seen_at=now - timedelta(hours=n % 200), contact_name="Priya Sharma", contact_phone="+919822000101",
        verification="verified", verification_method="import", verification_at=now, consent_at=now,
        consent_version="2026-12") for n in range(count)])
    for case in cases:
        cap.alert(case, key="reported")
    _row, key = create_key(name="Bench", domain="bench.example.org", scopes=["read", "full_read", "write"],
                           expires_at=now + timedelta(days=1))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    ms, feed = timed(lambda: client.get("/alerts/cap.atom"))
    print(f"{count} cases, {CapMessage.objects.count()} CAP messages")
    print(f"/alerts/cap.atom: {len(feed.content) / 1024:.1f} KB ({len(gzip.compress(feed.content)) / 1024:.1f} KB "
          f"gzipped), {ms:.0f} ms")
    identifier = CapMessage.objects.first().identifier
    ms, message = timed(lambda: client.get(f"/alerts/cap/{identifier}.xml"))
    print(f"one CAP message: {len(message.content) / 1024:.1f} KB, {ms:.1f} ms")
    ms, _ = timed(lambda: client.get("/api/v1/cases/?page_size=50"))
    print(f"/api/v1/cases/ (50, full_read: each read recorded): {ms:.0f} ms")
    ms, export = timed(lambda: client.get("/api/v1/pfif/export/?max_results=200"), rounds=3)
    print(f"/api/v1/pfif/export/ (200 persons): {len(export.content) / 1024:.0f} KB, {ms:.0f} ms")
    ms, _ = timed(lambda: client.get("/api/v1/pfif/feeds/note?max_results=200"), rounds=3)
    print(f"/api/v1/pfif/feeds/note (200 notes over {count} cases): {ms:.0f} ms")
    Case.objects.all().delete()
    started = time.perf_counter()
    result = importing.import_pfif(export.content, domain="bench.example.org")
    print(f"PFIF import of that export into an empty database: {result.created} cases in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
