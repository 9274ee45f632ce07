"""Alert latency: from a report's commit to the fake Telegram, Discord and Twilio servers holding its message.

A real Celery worker consuming only the "alerts" queue, started as the Procfile's `alerts` process is (thread pool,
16 threads; `--pool prefork --concurrency 2` gives the old setting), sends through the real client libraries to
local fakes. A few reports one at a time (each waits for its alerts), then a burst of 100 committed back to back;
it prints p50/p95 per channel and for all three. Target: the burst's p95 within 3 s of each commit. Needs PostgreSQL
and Redis, e.g. the throwaway ones of scripts/services.sh:

    bash -c 'source scripts/services.sh; start_services; trap stop_services EXIT; .venv/bin/python bench/alerts.py'
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TIMEOUT = 120.0
PUBLIC_CHAT = "@sachet_alerts"
WEBHOOK_ID = "1111111111111111111"


def need_services() -> None:
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/alerts.py needs DATABASE_URL (PostgreSQL) and REDIS_URL; run it under scripts/services.sh:\n"
                 "  bash -c 'source scripts/services.sh; start_services; trap stop_services EXIT; "
                 ".venv/bin/python bench/alerts.py'")


def create_database(url: str) -> None:
    """services.sh starts an empty cluster: create the database DATABASE_URL names if it is missing."""
    import psycopg
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"  {label:<28} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   "
            f"max {max(ms):7.1f} ms   mean {statistics.fmean(ms):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=100, help="reports committed back to back")
    parser.add_argument("--one-by-one", type=int, default=10, help="reports first sent one at a time")
    parser.add_argument("--pool", default="threads", help="the alerts worker's pool (Procfile: threads)")
    parser.add_argument("--concurrency", type=int, default=16, help="its concurrency (Procfile: 16)")
    args = parser.parse_args()
    need_services()
    from tests.fakes.discord import FakeDiscord
    from tests.fakes.telegram import FakeTelegram
    from tests.fakes.twilio import FakeTwilio

    telegram = FakeTelegram(chats=(PUBLIC_CHAT,)).start()
    discord = FakeDiscord({WEBHOOK_ID: "bench-token"}).start()
    twilio = FakeTwilio().start()
    fakes = {"telegram": telegram, "discord": discord, "sms": twilio}
    channel_env = {
        "SITE_URL": "https://sachet.example.org",
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_CHAT_ID": PUBLIC_CHAT,
        "DISCORD_WEBHOOK_URL": discord.webhook_url(WEBHOOK_ID),
        "TWILIO_API_BASE_URL": twilio.url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_FROM_NUMBER": "+15005550006",
        "SMS_RECIPIENTS": "+919876543210",
        "LOG_LEVEL": "WARNING",
        "SACHET_IGNORE_DOTENV": "1",
    }
    os.environ.update(channel_env)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sachet.settings")
    create_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from cases.services import report_case
    from tests.worker import CeleryWorker

    call_command("migrate", verbosity=0)
    log_dir = Path(tempfile.mkdtemp(prefix="sachet-bench-"))
    worker_env = {**os.environ, **channel_env, "PYTHONUNBUFFERED": "1"}
    worker = CeleryWorker(env=worker_env, log_path=log_dir / "worker.log", queues=("alerts",), pool=args.pool,
                          concurrency=args.concurrency).start()
    committed: dict[str, float] = {}

    def report(number: int) -> str:
        with transaction.atomic():
            # Registered before report_case's own hooks, so it runs first: the moment of the commit.
            marker: dict[str, float] = {}
            transaction.on_commit(lambda: marker.setdefault("at", time.monotonic()))
            case = report_case(
                name=f"Bench Child {number}", age=8, gender="female", description="Yellow frock, red sandals.",
                last_seen_place="Connaught Place, New Delhi", contact_name="Bench Parent",
                contact_phone="+919811000000", last_seen_at=datetime.now(timezone.utc) - timedelta(hours=1),
            )
        committed[case.reference] = marker["at"]
        return case.reference

    arrived: dict[str, dict[str, float]] = {}  # reference -> channel -> when its fake first got it
    seen = dict.fromkeys(fakes, 0)
    reference_pattern = re.compile(rb"MC[0-9]{8}[0-9A-F]{8}")

    def collect() -> None:
        """Read the requests that reached the fakes since the last call (each one once)."""
        for channel, fake in fakes.items():
            new = fake.requests[seen[channel]:]
            seen[channel] += len(new)
            for request in new:
                for reference in set(reference_pattern.findall(request.body)):
                    arrived.setdefault(reference.decode(), {}).setdefault(channel, request.received_at)

    def wait_for(references: list[str]) -> dict[str, dict[str, float]]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            collect()
            if all(len(arrived.get(reference, {})) == len(fakes) for reference in references):
                return {reference: arrived[reference] for reference in references}
            if time.monotonic() > deadline:
                sys.exit(f"alerts missing after {TIMEOUT:.0f} s; worker log:\n{worker.log_tail()}")
            time.sleep(0.005)

    def latencies(arrivals: dict[str, dict[str, float]]) -> tuple[list[float], dict[str, list[float]]]:
        every = [max(times.values()) - committed[ref] for ref, times in arrivals.items()]
        per_channel = {ch: [arrivals[ref][ch] - committed[ref] for ref in arrivals] for ch in fakes}
        return every, per_channel

    try:
        wait_for([report(0)])  # warm-up: the worker opens its database connection and its provider clients
        one_by_one = {}
        for number in range(1, args.one_by_one + 1):
            reference = report(number)
            one_by_one.update(wait_for([reference]))
        burst_refs = [report(args.one_by_one + number) for number in range(1, args.burst + 1)]
        burst = wait_for(burst_refs)
    finally:
        worker.stop()
        for fake in fakes.values():
            fake.stop()

    duplicates = sum(len(fake.messages) for fake in fakes.values()) - 3 * (args.one_by_one + args.burst + 1)
    print(f"Alert latency, commit -> fake provider received (alerts worker: {args.pool} x{args.concurrency}, "
          f"{os.cpu_count()} cores)")
    for title, arrivals in ((f"{args.one_by_one} reports one at a time", one_by_one),
                            (f"{args.burst} reports back to back", burst)):
        if not arrivals:
            continue
        every, per_channel = latencies(arrivals)
        print(f"{title}:")
        print(summary("all 3 channels received", every))
        for channel, values in per_channel.items():
            print(summary(channel, values))
    last = max(max(times.values()) for times in burst.values())
    span = last - min(committed[reference] for reference in burst)
    print(f"burst: {3 * args.burst} messages out {span:.1f} s after the first commit ({3 * args.burst / span:.0f}/s)")
    print(f"messages beyond one per channel and report: {duplicates}")


if __name__ == "__main__":
    main()
