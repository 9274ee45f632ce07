"""Public pages under load: `/`, `/?q=`, `/?page=2` and `/case/<ref>` at 10,000 and 100,000 cases on PostgreSQL,
served by gunicorn as the Procfile runs it (2 sync workers, production settings, Redis as the cache), driven by
32 concurrent connections for a fixed time. Prints req/s, p50 and p99 latency at the client, and the median time in
Django and in SQL per request (from the Server-Timing header, SERVER_TIMING=true), with the page cache on (what
visitors get) and off (every request renders and queries), and the ratio to the old app's figures.

Run from the repository root: .venv/bin/python bench/pages.py [--sizes 10000 100000] [--seconds 10]
The load comes from wrk when it is installed (`apt-get install wrk`, as the issue measured the old app), otherwise
from Python threads, which take a good part of the two cores themselves and so inflate p99 (`--driver python`).
It starts a throwaway PostgreSQL and Redis (scripts/services.sh) and removes them at the end. Do not run it while
the test suite runs: both need the machine's cores. --repo DIR serves another checkout (e.g. an older commit made
with `git archive`) from the same data, for a before/after comparison; sachet/servertiming.py is copied into it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
PYTHON = REPO / ".venv" / "bin" / "python"
OLD_APP = {"home": 114.0, "case": 148.0}  # req/s, issue 13 (wrk -c32, 2 gunicorn workers, 10,000 cases)
FIRST = ["Aarav", "Vivaan", "Aditya", "Ishita", "Ananya", "Diya", "Kabir", "Meera", "Rohan", "Sana", "Arjun", "Priya",
         "Sai", "Riya", "Zoya", "Krish", "Tara", "Neha", "Dev", "Kavya", "Ayaan", "Isha", "Reyansh", "Myra", "Vihaan",
         "Aisha", "Shaurya", "Anika", "Atharv", "Saanvi", "Ira", "Om", "Pari", "Yash", "Navya", "Advait", "Kiara",
         "Rudra", "Aadhya", "Laksh"]
LAST = ["Sharma", "Verma", "Khan", "Patil", "Joshi", "Das", "Reddy", "Iyer", "Singh", "Gupta", "Mehta", "Nair",
        "Pawar", "Ghosh", "Bose", "Kulkarni", "Yadav", "Mishra", "Chauhan", "Shaikh", "Rao", "Naidu", "Pillai",
        "Banerjee", "Kapoor", "Malhotra", "Jain", "Agarwal", "Desai", "Bhatt"]
PLACES = ["Koregaon Park, Pune", "Howrah Station, Kolkata", "Charminar, Hyderabad", "Hazratganj, Lucknow",
          "Connaught Place, New Delhi", "Whitefield, Bengaluru", "Navrangpura, Ahmedabad", "Andheri West, Mumbai",
          "Marina Beach, Chennai", "Sitabuldi, Nagpur", "Civil Lines, Jaipur", "Gandhi Maidan, Patna"]


def start_services() -> dict[str, str]:
    script = "source scripts/services.sh && start_services >/dev/null && env"
    output = subprocess.run(["bash", "-c", script], cwd=REPO, check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return {key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "SACHET_SERVICES_DIR", "SACHET_PG_PORT")}


def stop_services(services: dict[str, str]) -> None:
    subprocess.run(["bash", "-c", f"source scripts/services.sh && SERVICES_DIR={services['SACHET_SERVICES_DIR']} "
                                  "stop_services"], cwd=REPO, check=False)


def create_database(services: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=int(services["SACHET_PG_PORT"]), user="postgres",
                         dbname="postgres", autocommit=True) as connection:
        connection.execute("CREATE DATABASE sachet")


def seed(total: int, *, start: int) -> None:
    """Cases up to `total`: 80 % listed (verified, missing), 10 % found, 10 % waiting for confirmation; half as
    many sightings, half of them published."""
    from django.utils import timezone

    from cases.models import Case, Sighting
    from cases.names import name_key

    rng = random.Random(start)
    now = timezone.now()
    keys: dict[str, str] = {}
    batch = 5000
    for first in range(start, total, batch):
        cases = []
        for number in range(first, min(first + batch, total)):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if name not in keys:
                keys[name] = name_key(name)
            kind = rng.random()
            status = "found" if kind < 0.1 else "missing"
            verification = "unverified" if 0.1 <= kind < 0.2 else "verified"
            created = now - timedelta(minutes=(total - number) * 5)
            cases.append(Case(
                reference=f"MC{created:%Y%m%d}{number:08X}", name=name, name_key=keys[name], age=rng.randint(2, 17),
                gender=rng.choice(["male", "female"]), description="Red T-shirt, blue shorts, white sandals.",
                last_seen_place=rng.choice(PLACES), last_seen_at=created - timedelta(hours=2),
                contact_name="Priya Sharma", contact_phone="+919822000101", status=status,
                resolved_at=created + timedelta(days=1) if status == "found" else None,
                verification=verification, verification_method="import" if verification == "verified" else "",
                verification_at=created if verification == "verified" else None, consent_at=created,
                consent_given_by="Priya Sharma", consent_version="2026-12", created_at=created,
            ))
        Case.objects.bulk_create(cases)
        ids = list(Case.objects.filter(reference__in=[case.reference for case in cases]).values_list("id", flat=True))
        Sighting.objects.bulk_create([
            Sighting(case_id=rng.choice(ids), place=rng.choice(PLACES), seen_at=now - timedelta(hours=1),
                     description="Seen near the bus stand.", created_at=now,
                     published_at=now if rng.random() < 0.5 else None)
            for _ in range(len(ids) // 2)
        ])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case") if connection.vendor == "postgresql" else None
        cursor.execute("VACUUM ANALYZE cases_sighting") if connection.vendor == "postgresql" else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(repo: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    command = [str(PYTHON), "-m", "gunicorn", "sachet.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--access-logfile", "-", "--timeout", "30"]
    log = open(Path(env["STATIC_ROOT"]).parent / f"gunicorn-{port}.log", "w")
    process = subprocess.Popen(command, cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def drive(port: int, path: str, *, seconds: float, connections: int) -> dict:
    """`connections` threads, each sending GETs one after another for `seconds`."""
    latencies: list[float] = []
    apps: list[float] = []
    sqls: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, mine_app, mine_sql, failed = [], [], [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                continue
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                failed += 1
            timing = dict(part.strip().split(";dur=") for part in
                          (response.getheader("Server-Timing") or "app;dur=nan, sql;dur=nan").split(","))
            mine_app.append(float(timing["app"]))
            mine_sql.append(float(timing["sql"]))
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        with lock:
            latencies.extend(mine)
            apps.extend(mine_app)
            sqls.extend(mine_sql)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    if not latencies:
        return {"rps": 0.0, "p50": float("nan"), "p99": float("nan"), "app": float("nan"), "sql": float("nan"),
                "errors": errors[0], "requests": 0}
    return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000, "app": statistics.median(apps),
            "sql": statistics.median(sqls), "errors": errors[0], "requests": len(latencies)}


WRK = shutil.which("wrk")
WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def drive_wrk(port: int, path: str, *, seconds: float, connections: int) -> dict:
    """The load from wrk (as the issue measured the old app: C, two threads, so the client takes little of the
    machine's two cores), and the time inside Django and SQL from a few requests beside it (Server-Timing)."""
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s",
               "-H", "Accept-Encoding: gzip", f"http://127.0.0.1:{port}{path}"]
    inside: dict = {}
    sampler = threading.Thread(target=lambda: inside.update(drive(port, path, seconds=seconds, connections=1)))
    sampler.start()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    sampler.join()

    def latency(percentile: str) -> float:
        value = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(value.group(1)) * WRK_UNITS[value.group(2)] if value else float("nan")

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), "p50": latency("50"),
            "p99": latency("99"), "app": inside["app"], "sql": inside["sql"],
            "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0) + inside["errors"],
            "requests": int(requests.group(1)) if requests else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout gunicorn serves (default: this one)")
    parser.add_argument("--modes", nargs="+", default=["cache", "nocache"], choices=["cache", "nocache"])
    parser.add_argument("--driver", choices=["wrk", "python"], default="wrk" if WRK else "python",
                        help="wrk (apt-get install wrk; the default when installed) or Python threads")
    options = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="sachet-bench-pages-"))
    services = start_services()
    try:
        create_database(services)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sachet.settings", "SACHET_IGNORE_DOTENV": "1",
               "DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "SECURE_SSL_REDIRECT": "false", "DATABASE_URL": services["DATABASE_URL"],
               "REDIS_URL": services["REDIS_URL"], "MEDIA_ROOT": str(scratch / "media"),
               "STATIC_ROOT": str(scratch / "static"), "STATIC_MANIFEST": "true", "LOG_LEVEL": "WARNING",
               "SITE_URL": "https://sachet.example", "SERVER_TIMING": "true"}
        os.environ.update({key: env[key] for key in ("DJANGO_SETTINGS_MODULE", "SACHET_IGNORE_DOTENV", "DEBUG",
                                                     "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT",
                                                     "STATIC_ROOT", "SITE_URL")})
        repo = options.repo.resolve()
        if repo != REPO:
            shutil.copy(REPO / "sachet" / "servertiming.py", repo / "sachet" / "servertiming.py")
        subprocess.run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], cwd=repo, env=env, check=True)
        subprocess.run([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=repo, env=env,
                       check=True)
        import django

        django.setup()
        from cases.models import Case

        print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}; "
              f"{options.connections} connections ({options.driver}), {options.seconds:.0f} s per page, gunicorn 2 "
              f"sync workers, serving {repo}")
        print("app and sql: median ms per request inside Django (Server-Timing); p50/p99 at the client")
        seeded = 0
        for size in options.sizes:
            started = time.monotonic()
            seed(size, start=seeded)
            seeded = size
            listed = Case.objects.filter(status="missing", verification="verified").order_by("-created_at")
            reference = listed[size // 20].reference
            pages = {"home": "/", "search": "/?q=Aarav", "page 2": "/?page=2", "case": f"/case/{reference}"}
            print(f"\n== {size:,} cases (seeded in {time.monotonic() - started:.0f} s) ==")
            print(f"{'page':<8}{'mode':<9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'app ms':>9}{'sql ms':>9}"
                  f"{'errors':>8}{'vs old':>8}")
            for mode in options.modes:
                port = free_port()
                server = serve(repo, {**env, "PUBLIC_PAGE_CACHE_SECONDS": "300" if mode == "cache" else "0"}, port)
                try:
                    for label, path in pages.items():
                        drive(port, path, seconds=1, connections=4)  # warm: imports, templates, connections
                        load = drive_wrk if options.driver == "wrk" else drive
                        result = load(port, path, seconds=options.seconds, connections=options.connections)
                        old = OLD_APP["case" if label == "case" else "home"]
                        print(f"{label:<8}{mode:<9}{result['rps']:>8.0f}{result['p50']:>9.1f}{result['p99']:>9.1f}"
                              f"{result['app']:>9.2f}{result['sql']:>9.2f}{result['errors']:>8}"
                              f"{result['rps'] / old:>7.1f}x")
                finally:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(timeout=30)
        print(f"\nload after: {os.getloadavg()[0]:.2f}")
    finally:
        stop_services(services)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
