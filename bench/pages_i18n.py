"""Public pages in each language: render time and bytes (raw and gzip-compressed as sent), home with a full page of
cases, the report form, a case page, and the JavaScript catalogue.

Run from the repository root: .venv/bin/python bench/pages_i18n.py [--rounds N]
It uses a throwaway SQLite database in a temporary folder, and Django's test client (no network, no server).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
import warnings
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SCRATCH = tempfile.mkdtemp(prefix="sachet-bench-i18n-")
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "sachet.settings", "SACHET_IGNORE_DOTENV": "1", "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3", "MEDIA_ROOT": f"{SCRATCH}/media", "LOG_LEVEL": "WARNING",
    "LOG_REQUESTS": "false",
})

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")  # staticfiles/ exists only after collectstatic

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases.models import Case, Sighting  # noqa: E402

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACES = ["Koregaon Park, Pune", "Howrah Station, Kolkata", "Charminar, Hyderabad", "Hazratganj, Lucknow"]


def seed() -> Case:
    now = timezone.now()
    cases = []
    for number in range(settings.CASES_PER_PAGE + 3):
        case = Case.objects.create(
            name=f"Child Number{number}", age=4 + number % 12, gender="female" if number % 2 else "male",
            description="Red T-shirt, blue shorts, white sandals.", last_seen_place=PLACES[number % len(PLACES)],
            last_seen_at=now - timedelta(hours=number + 1), contact_name="Priya Sharma",
            contact_phone="+919822000101", reporter_phone="+919822000999")
        if number % 2:
            Sighting.objects.create(case=case, place="Kalyani Nagar, Pune", seen_at=now - timedelta(minutes=30),
                                    description="Seen near the bridge.")
        cases.append(case)
    return cases[0]


def page_weight(client: Client, body: bytes) -> int:
    """The document and the styles and scripts it links, gzip-compressed (as sachet/tests/test_languages.py)."""
    total = len(gzip.compress(body))
    for asset in re.findall(rb'(?:href|src)="(/(?:static|jsi18n)/[^"]+)"', body):
        response = client.get(asset.decode())
        content = b"".join(response.streaming_content) if response.streaming else response.content
        total += len(gzip.compress(content))
    return total


def measure(path: str, rounds: int) -> dict[str, tuple[float, int, int, int]]:
    """Per language: median milliseconds of a GET, raw and gzip bytes of the document, and the page weight.
    Languages take turns in every round, so a busy moment on the machine does not favour one of them."""
    clients = {}
    for language in LANGUAGES:
        clients[language] = Client()
        clients[language].cookies[settings.LANGUAGE_COOKIE_NAME] = language
        clients[language].get(path)  # warm: templates, catalogues, formats
    timings = {language: [] for language in LANGUAGES}
    for _ in range(rounds):
        for language, client in clients.items():
            start = time.perf_counter()
            response = client.get(path)
            timings[language].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    results = {}
    for language, client in clients.items():
        body = client.get(path).content
        results[language] = (statistics.median(timings[language]), len(body), len(gzip.compress(body)),
                             page_weight(client, body))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    case = seed()
    pages = {"home (12 cases)": "/", "report form": "/report", "case page": f"/case/{case.reference}",
             "sighting form": f"/found/{case.reference}", "jsi18n": "/jsi18n/{language}.js"}
    print(f"median of {options.rounds} GETs per page and language (Django test client, SQLite, languages in turn);")
    print("document bytes raw and gzip; weight = document + linked styles and scripts, gzip (photos left out)")
    print(f"{'page':<17}{'lang':<5}{'ms':>7}{'ms vs en':>10}{'raw B':>8}{'gzip B':>8}{'weight B':>10}{'vs en':>8}")
    for label, path in pages.items():
        if "{language}" in path:
            results = {language: measure(path.format(language=language), options.rounds)[language]
                       for language in LANGUAGES}
        else:
            results = measure(path, options.rounds)
        en_ms, _raw, _packed, en_weight = results["en"]
        for language, (ms, raw, packed, weight) in results.items():
            print(f"{label:<17}{language:<5}{ms:>7.2f}{(ms / en_ms - 1) * 100:>+9.0f}%{raw:>8}{packed:>8}"
                  f"{weight:>10}{(weight / en_weight - 1) * 100:>+7.1f}%")


if __name__ == "__main__":
    main()
