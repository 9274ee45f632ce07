"""How long a delivery waits after a transient error."""

from __future__ import annotations

import pytest

from notifications.services import retry_delay


class Extreme:
    """Jitter pinned to one end of its range, so the schedule itself can be read off exactly."""

    def __init__(self, end: str) -> None:
        self.end = end

    def uniform(self, low: float, high: float) -> float:
        return high if self.end == "high" else low


@pytest.fixture(autouse=True)
def backoff_settings(settings):
    settings.ALERT_RETRY_BASE_DELAY = 15.0
    settings.ALERT_RETRY_MAX_DELAY = 900.0


def test_delay_doubles_from_the_base_up_to_the_cap():
    delays = [retry_delay(attempt, rng=Extreme("high")) for attempt in range(1, 10)]

    assert delays == [15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 900.0, 900.0, 900.0]


def test_jitter_never_goes_below_half_the_delay():
    delays = [retry_delay(attempt, rng=Extreme("low")) for attempt in (1, 2, 8)]

    assert delays == [7.5, 15.0, 450.0]


def test_providers_retry_after_wins_when_it_is_longer():
    assert retry_delay(1, retry_after=42.0, rng=Extreme("high")) == 42.0


def test_short_retry_after_does_not_shorten_the_backoff():
    assert retry_delay(3, retry_after=1.0, rng=Extreme("high")) == 60.0


def test_retry_after_beyond_the_cap_is_still_honoured():
    assert retry_delay(1, retry_after=3600.0, rng=Extreme("high")) == 3600.0


def test_huge_attempt_numbers_stay_at_the_cap():
    assert retry_delay(10_000, rng=Extreme("high")) == 900.0
