"""Lighthouse 12 scores (performance, accessibility, best practices, SEO) of every public page, served as in
production: gunicorn with 2 workers, DEBUG off, static files collected with hashed names and served compressed by
WhiteNoise, on a throwaway SQLite database with cases in every public state. Map tiles come from the site itself
(the plain tile), so nothing is fetched from the internet.

Run from the repository root after `scripts/install.sh --test` (Lighthouse in tests/lighthouse):
    .venv/bin/python bench/lighthouse.py [--pages home,case_missing,...]
Mobile emulation with Lighthouse's simulated throttling; a page is run once (Lighthouse's own variance is a few
points of performance on a busy machine: run again before trusting one low figure).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRATCH = Path(tempfile.mkdtemp(prefix="sachet-bench-lighthouse-"))
ENV = {
    **os.environ, "DJANGO_SETTINGS_MODULE": "sachet.settings", "SACHET_IGNORE_DOTENV": "1", "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false", "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": f"sqlite:///{SCRATCH}/bench.sqlite3",
    "VAR_DIR": str(SCRATCH / "var"), "MEDIA_ROOT": str(SCRATCH / "media"), "STATIC_ROOT": str(SCRATCH / "static"),
    "STATIC_MANIFEST": "true", "LOG_LEVEL": "WARNING", "LOG_REQUESTS": "false", "REPORT_VERIFICATION": "sms+staff",
    "TWILIO_ACCOUNT_SID": "AC-bench", "TWILIO_AUTH_TOKEN": "bench", "TWILIO_FROM_NUMBER": "+15005550006",
    "MAP_TILE_URL": "/static/img/tile-offline.png?{z}/{x}/{y}", "SITE_URL": "http://127.0.0.1:8000",
}
os.environ.update(ENV)
sys.path.insert(0, str(REPO))
STATES = ["unverified", "missing", "found", "found_withdrawn", "closed", "rejected", "erased"]
PAGES = ["home", "search", "report", "confirm", "sighting_form", "found_child_form", "found_child_sent", "appeal",
         "subscribe", "offline", *(f"case_{s}" for s in STATES)]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def seed() -> dict[str, str]:
    """Cases in every public state, with photos; the path of each page."""
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from cases import retention, verification
    from cases.models import Case, FoundChild, FoundChildPhoto, Sighting
    from media.images import normalise_photo
    from notifications.models import PhoneCode
    from tests.factories import FACES_DIR

    now = timezone.now()
    faces = sorted(FACES_DIR.glob("*.jpg"))
    paths: dict[str, str] = {}
    values = {"unverified": {"verification": "unverified"}, "missing": {},
              "found": {"status": "found", "resolved_at": now - timedelta(days=1)},
              "found_withdrawn": {"status": "found", "resolved_at": now - timedelta(days=8)},
              "closed": {"status": "closed", "resolved_at": now - timedelta(days=1)},
              "rejected": {"verification": "rejected"},
              "erased": {"status": "found", "resolved_at": now - timedelta(days=100)}}
    for number in range(14):
        state = STATES[number] if number < len(STATES) else "missing"
        fields = dict(verification="verified", verification_method="import", verification_at=now)
        fields.update(values[state])
        case = Case.objects.create(
            name=["Aarav Sharma", "Kavya Reddy", "Ishaan Patel", "Meera Iyer"][number % 4], age=5 + number % 10,
            gender="female" if number % 2 else "male", description="Red T-shirt, blue shorts, white sandals.",
            last_seen_place="Koregaon Park, Pune", latitude=18.5362, longitude=73.8939,
            last_seen_at=now - timedelta(hours=number + 2), contact_name="Priya Sharma",
            contact_phone="+919822000101", reporter_phone="+919822000999", consent_at=now,
            consent_given_by="Priya Sharma", consent_version="2026-12", **fields)
        photo = normalise_photo(ContentFile(faces[number % len(faces)].read_bytes(), name="photo.jpg"))
        case.photo.save(photo.name, photo, save=True)  # as the report form stores it
        Sighting.objects.create(case=case, place="Kalyani Nagar, Pune", latitude=18.5486, longitude=73.9023,
                                seen_at=now - timedelta(hours=1), description="Seen near the bridge.",
                                published_at=now)
        if state == "erased":
            retention.erase_personal_data(case=case, by=None)
        if number < len(STATES):
            paths[f"case_{state}"] = case.get_absolute_url()
            if state == "missing":
                paths["sighting_form"] = f"/found/{case.reference}"
    # The family's code page (a code sent, waiting), and a found child's published appeal with a photo.
    waiting = Case.objects.create(
        name="Ishaan Patel", age=6, gender="male", description="Green jumper.", last_seen_place="Aundh, Pune",
        last_seen_at=now - timedelta(hours=1), contact_name="Ravi Patel", contact_phone="+919822000102",
        reporter_phone="+919822000102", consent_at=now, consent_given_by="Ravi Patel", consent_version="2026-12")
    PhoneCode.objects.create(purpose=verification.CODE_PURPOSE, subject=waiting.reference, phone=waiting.contact_phone,
                             code_hash="0" * 64, nonce="0" * 32, expires_at=now + timedelta(hours=2))
    child = FoundChild.objects.create(found_place="Pune railway station", found_at=now - timedelta(hours=5),
                                      apparent_age=6, gender="male", stated_name="Raju", language="Marathi",
                                      appeal_contact="Pune Police, 020 2612 2880", appeal_published_at=now)
    photo = normalise_photo(ContentFile(faces[0].read_bytes(), name="photo.jpg"))
    FoundChildPhoto(found_child=child).photo.save(photo.name, photo, save=True)
    paths.update(home="/", search="/?q=Kavya", report="/report", subscribe="/subscribe", offline="/offline",
                 confirm=f"/case/{waiting.reference}/confirm", found_child_form="/found-a-child",
                 found_child_sent="/found-a-child/sent", appeal=f"/appeal/{child.reference}")
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated: " + ",".join(PAGES))
    pages = parser.parse_args().pages.split(",")
    tool = REPO / "tests" / "lighthouse"
    if not (tool / "node_modules" / "lighthouse").is_dir():
        sys.exit("Lighthouse is not installed: run scripts/install.sh --test first")
    python = str(REPO / ".venv" / "bin" / "python")
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=REPO, env=ENV, check=True)
    paths = seed()
    port = free_port()
    server = subprocess.Popen([str(REPO / ".venv" / "bin" / "gunicorn"), "sachet.wsgi", "--bind",
                               f"127.0.0.1:{port}", "--workers", "2"], cwd=REPO, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("the server did not start")
                time.sleep(0.2)
        urls = {base + paths[page]: page for page in pages}
        started = time.monotonic()
        answer = subprocess.run([shutil.which("node") or "node", str(tool / "run.mjs"), ",".join(CATEGORIES),
                                 *urls], capture_output=True, text=True, env={**ENV, "CHROME_PATH": "/usr/bin/chromium"})
        if answer.returncode:
            sys.exit(answer.stderr[-3000:])
        if os.environ.get("LIGHTHOUSE_DETAILS"):
            print(answer.stderr)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"Lighthouse 12, mobile, simulated throttling; {len(urls)} pages in {time.monotonic() - started:.0f} s; "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'page':22} " + " ".join(f"{category:>14}" for category in CATEGORIES))
    for line in answer.stdout.splitlines():
        result = json.loads(line)
        scores = result["scores"]
        print(f"{urls[result['url']]:22} " + " ".join(f"{str(scores.get(c)):>14}" for c in CATEGORIES))
        for audit in result["failing"]:
            where = f" ({', '.join(audit.get('where', [])[:2])})" if audit.get("where") else ""
            print(f"{'':24}- {audit['category']}: {audit['title']} {audit['value']}{where}")
    shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
