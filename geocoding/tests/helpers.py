"""Settings that point the provider chain at the local fakes, for tests of the cache, API, tasks and command."""

from __future__ import annotations

import functools

from geocoding import ratelimit
from tests.fakes.geocoders import FakeNominatim

USER_AGENT = "Sachet tests (sachet-tests@example.org)"


def use_fake_nominatim(settings, fake: FakeNominatim, *, interval: float = 0.0, redis_url: str = "") -> None:
    """Nominatim enabled against the fake, fast retries, no spacing unless asked (and a process limiter unless a
    Redis URL is given, so no schedule left in a shared Redis by another test can delay this one)."""
    settings.NOMINATIM_ENABLED = True
    settings.NOMINATIM_DOMAIN = f"127.0.0.1:{fake.port}"
    settings.NOMINATIM_SCHEME = "http"
    settings.NOMINATIM_USER_AGENT = USER_AGENT
    settings.NOMINATIM_MIN_INTERVAL = interval
    settings.REDIS_URL = redis_url
    settings.GOOGLE_MAPS_API_KEY = ""
    settings.GEOCODER_TIMEOUT = 0.5
    settings.GEOCODER_MAX_RETRIES = 1
    settings.GEOCODER_BACKOFF = 0.01


def searches(fake: FakeNominatim) -> list[str]:
    """The q= of each search the fake received, in order."""
    return [r.query["q"][0] for r in fake.requests if r.path == "/search"]


def limiters_on_a_still_clock(monkeypatch, now: float = 1000.0) -> list[float]:
    """Fresh shared rate limiters (process or Redis) whose clock stands still at `now` and which record each wait
    instead of sleeping it: a caller's granted time is `now` plus its wait. Returns the list of waits."""
    slept: list[float] = []
    monkeypatch.setattr(ratelimit, "_shared", {})
    for name in ("LocalRateLimiter", "RedisRateLimiter"):
        limiter = getattr(ratelimit, name)
        monkeypatch.setattr(ratelimit, name, functools.partial(limiter, clock=lambda: now, sleep=slept.append))
    return slept
