"""Nominatim's one-request-per-second policy, held by the process lock and by the Redis lock."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from geocoding.providers.base import ProviderUnavailable
from geocoding.ratelimit import LocalRateLimiter, RateLimitError, RateLimitTimeout, RedisRateLimiter, shared_limiter
from geocoding.tests.conftest import free_port, make_nominatim


def run_in_parallel(calls) -> list:
    """Run the calls in threads at once; their results, in the order of `calls`."""
    errors, results = [], [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - surfaced by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_process_lock_grants_five_parallel_callers_slots_one_second_apart(fake_nominatim):
    # The clock stands still and waits are recorded, not slept: each caller's slot is 100.0 + its wait.
    slept = []
    limiter = LocalRateLimiter(1.0, 30.0, clock=lambda: 100.0, sleep=slept.append)
    provider = make_nominatim(fake_nominatim, limiter=limiter)

    run_in_parallel([lambda: provider.geocode("Pune")] * 5)

    assert len(fake_nominatim.requests) == 5
    assert sorted(slept) == [1.0, 2.0, 3.0, 4.0]


def test_redis_lock_grants_callers_of_two_processes_slots_an_interval_apart(fake_nominatim, redis_url):
    # Two limiters with their own connections stand for two worker processes sharing one Redis.
    key, slept = f"sachet:test:nominatim:{uuid.uuid4().hex}", []
    limiters = [RedisRateLimiter(redis.Redis.from_url(redis_url), key, 0.3, 30.0, clock=lambda: 1000.0,
                                 sleep=slept.append) for _ in (1, 2)]
    providers = [make_nominatim(fake_nominatim, limiter=limiter) for limiter in limiters]

    run_in_parallel([lambda p=providers[i % 2]: p.geocode("Pune") for i in range(5)])

    assert len(fake_nominatim.requests) == 5
    assert sorted(slept) == [0.3, 0.6, 0.9, 1.2]


def test_redis_lock_takes_its_time_from_redis_unless_a_clock_is_given(redis_url):
    key = f"sachet:test:redis-time:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(redis_url)
    waits = [RedisRateLimiter(client, key, 30.0, 60.0, sleep=lambda s: None).acquire() for _ in range(2)]

    assert waits[0] == 0.0
    assert 0.0 < waits[1] <= 30.0  # the second caller waits for the slot after the first, on Redis' clock


def test_redis_lock_refuses_a_wait_longer_than_max_wait(redis_url):
    limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), f"sachet:test:refuse:{uuid.uuid4().hex}", 5.0, 1.0,
                               clock=lambda: 1000.0)
    assert limiter.acquire() == 0.0

    with pytest.raises(RateLimitTimeout) as raised:
        limiter.acquire()

    assert raised.value.wait == 5.0


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
