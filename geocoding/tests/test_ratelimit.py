"""Nominatim's one-request-per-second policy, held by the process lock and by the Redis lock."""

from __future__ import annotations

import threading

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from geocoding.providers.base import ProviderUnavailable
from geocoding.ratelimit import LocalRateLimiter, RateLimitError, RateLimitTimeout, RedisRateLimiter, shared_limiter
from geocoding.tests.conftest import free_port, make_nominatim


def run_in_parallel(calls) -> None:
    errors = []

    def run(call):
        try:
            call()
        except Exception as error:  # noqa: BLE001 - surfaced by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def gaps(fake) -> list[float]:
    arrivals = sorted(r.received_at for r in fake.requests)
    return [later - earlier for earlier, later in zip(arrivals, arrivals[1:])]


def test_process_lock_spaces_five_parallel_callers_one_second_apart(fake_nominatim):
    provider = make_nominatim(fake_nominatim, limiter=LocalRateLimiter(1.0, 30.0))

    run_in_parallel([lambda: provider.geocode("Pune")] * 5)

    assert len(fake_nominatim.requests) == 5
    assert min(gaps(fake_nominatim)) >= 0.95


def test_redis_lock_spaces_callers_of_two_processes(redis_url):
    # Two limiters with their own connections stand for two worker processes sharing one Redis. The slots they are
    # granted are read from Redis (its own clock, in ms), so no wall-clock timing of this machine enters the test.
    key = "sachet:test:nominatim"
    store = redis.Redis.from_url(redis_url)
    store.delete(key)
    slept: list[float] = []
    limiters = [RedisRateLimiter(redis.Redis.from_url(redis_url), key, 0.3, 30.0, sleep=slept.append) for _ in (1, 2)]

    granted = []
    for number in range(5):
        limiters[number % 2].acquire()
        granted.append(int(store.get(key)) - 300)  # the key holds the granted slot plus the interval

    assert min(later - earlier for earlier, later in zip(granted, granted[1:])) >= 300
    assert all(0 < wait <= 0.3 * 4 for wait in slept)  # callers after the first were told to wait for their slot


def test_redis_lock_refuses_a_wait_longer_than_max_wait(redis_url):
    limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), "sachet:test:refuse", 5.0, 1.0)
    assert limiter.acquire() == 0.0

    with pytest.raises(RateLimitTimeout) as raised:
        limiter.acquire()

    assert 4.0 < raised.value.wait <= 5.0


def test_redis_lock_unreachable_is_a_rate_limit_error():
    client = redis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))

    with pytest.raises(RateLimitError):
        RedisRateLimiter(client, "sachet:test:down", 1.0, 1.0).acquire()


def test_process_lock_waits_for_the_next_slot():
    now = [100.0]
    slept = []
    limiter = LocalRateLimiter(1.0, 30.0, clock=lambda: now[0], sleep=slept.append)

    waits = [limiter.acquire(), limiter.acquire(), limiter.acquire()]

    assert waits == [0.0, 1.0, 2.0]
    assert slept == [1.0, 2.0]


def test_process_lock_refusal_does_not_take_a_slot():
    now = [100.0]
    limiter = LocalRateLimiter(1.0, 1.5, clock=lambda: now[0], sleep=lambda s: None)
    limiter.acquire()
    limiter.acquire()  # waits 1.0

    with pytest.raises(RateLimitTimeout):
        limiter.acquire()  # would wait 2.0

    now[0] = 102.0
    assert limiter.acquire() == 0.0


def test_saturated_limiter_sends_no_request(fake_nominatim):
    limiter = LocalRateLimiter(10.0, 1.0)
    provider = make_nominatim(fake_nominatim, limiter=limiter)
    provider.geocode("Pune")

    with pytest.raises(ProviderUnavailable) as raised:
        provider.geocode("Pune")

    assert raised.value.retryable is False
    assert len(fake_nominatim.requests) == 1


def test_shared_limiter_is_one_per_process_and_settings():
    first = shared_limiter("test-shared", interval=1.0, max_wait=5.0)

    assert shared_limiter("test-shared", interval=1.0, max_wait=5.0) is first
    assert isinstance(first, LocalRateLimiter)


def test_shared_limiter_uses_redis_when_a_url_is_set(redis_url):
    assert isinstance(shared_limiter("test-shared", interval=1.0, max_wait=5.0, redis_url=redis_url), RedisRateLimiter)
