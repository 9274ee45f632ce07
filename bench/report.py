"""`POST /report` with a 3 MB, 4000 px phone photo, in production mode: gunicorn as the Procfile runs it,
PostgreSQL and Redis (the broker and the cache), rate limits raised for the bench. Prints the median and p95 of the
time in Django (Server-Timing, SERVER_TIMING=true) and at the client, one report after another (each with its own
contact phone, so that none is taken for a repeat).

Run from the repository root: .venv/bin/python bench/report.py [--reports 30]
It starts a throwaway PostgreSQL and Redis (scripts/services.sh) and removes them at the end; no worker runs, so
the tasks the reports queue wait in Redis and cost the request only their publishing. --repo DIR serves another
checkout, as in bench/pages.py.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.pages import PYTHON, create_database, free_port, serve, start_services, stop_services  # noqa: E402

OLD_APP_MS = 192.0  # the old app's median, issue 13


def phone_photo(target_bytes: int = 3_000_000) -> bytes:
    """A 4000 x 3000 JPEG of about `target_bytes`: smooth gradients with grain, as a phone photo compresses."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000]
    base = np.stack([(x / 16) % 256, (y / 12) % 256, ((x + y) / 28) % 256], axis=-1)
    grain = rng.normal(0, 9, size=base.shape)
    pixels = np.clip(base + grain, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    for quality in (95, 92, 90, 88, 85, 82, 80, 75, 70, 65, 60):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if buffer.tell() <= target_bytes:
            return buffer.getvalue()
    return buffer.getvalue()


def post_report(client: httpx.Client, photo: bytes, number: int) -> tuple[float, float]:
    form = client.get("/report")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    seen = (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "csrfmiddlewaretoken": token, "name": f"Ishita Das {number}", "age": "5", "gender": "female",
        "description": "Yellow frock with white flowers, curly hair.", "last_seen_place": "Howrah Station, Kolkata",
        "last_seen_specific": "platform 9", "last_seen_at": seen, "contact_name": "Sujata Das",
        "contact_phone": f"+9198310{number:05d}", "reporter_name": "", "reporter_phone": "", "consent": "on",
        "latitude": "22.583900", "longitude": "88.342600",
    }
    start = time.perf_counter()
    response = client.post("/report", data=data, files={"photo": ("ishita.jpg", photo, "image/jpeg")},
                           headers={"Referer": str(client.base_url) + "/report"})
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 302:
        raise RuntimeError(f"report {number}: {response.status_code} {response.text[:500]}")
    timing = dict(part.strip().split(";dur=") for part in response.headers["Server-Timing"].split(","))
    return float(timing["app"]), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout gunicorn serves (default: this one)")
    options = parser.parse_args()
    repo = options.repo.resolve()

    photo = phone_photo()
    scratch = Path(tempfile.mkdtemp(prefix="sachet-bench-report-"))
    services = start_services()
    server = None
    try:
        create_database(services)
        port = free_port()
        env = {**os.environ, "SACHET_IGNORE_DOTENV": "1", "DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 40,
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
               "DATABASE_URL": services["DATABASE_URL"], "REDIS_URL": services["REDIS_URL"],
               "MEDIA_ROOT": str(scratch / "media"), "STATIC_ROOT": str(scratch / "static"),
               "STATIC_MANIFEST": "true", "LOG_LEVEL": "WARNING", "SITE_URL": f"http://127.0.0.1:{port}",
               "SERVER_TIMING": "true", "RATE_REPORT": "100000/h", "REPORT_VERIFICATION": "staff"}
        if repo != REPO:
            shutil.copy(REPO / "sachet" / "servertiming.py", repo / "sachet" / "servertiming.py")
        subprocess.run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], cwd=repo, env=env, check=True)
        subprocess.run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=repo, env=env,
                       check=True)
        server = serve(repo, env, port)
        print(f"load: {' '.join(f'{value:.2f}' for value in os.getloadavg())}; photo {len(photo) / 1e6:.1f} MB, "
              f"4000 x 3000 px; {options.reports} reports one after another; gunicorn 2 sync workers, "
              "production settings, PostgreSQL + Redis, no worker")
        server_ms, client_ms = [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for number in range(3):  # warm both workers: imports, templates, connections
                post_report(client, photo, 90000 + number)
            for number in range(options.reports):
                app, elapsed = post_report(client, photo, number)
                server_ms.append(app)
                client_ms.append(elapsed)

        def p95(values: list[float]) -> float:
            return sorted(values)[max(0, int(len(values) * 0.95) - 1)]

        print(f"server (in Django): median {statistics.median(server_ms):.0f} ms, p95 {p95(server_ms):.0f} ms")
        print(f"client (upload included): median {statistics.median(client_ms):.0f} ms, p95 {p95(client_ms):.0f} ms")
        print(f"old app: median {OLD_APP_MS:.0f} ms; ratio {OLD_APP_MS / statistics.median(server_ms):.1f}x; "
              f"load after: {os.getloadavg()[0]:.2f}")
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        stop_services(services)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
