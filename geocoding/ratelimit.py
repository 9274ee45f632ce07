"""One request per interval across every process that talks to a provider (Nominatim's policy: 1 per second).

With `settings.REDIS_URL` the schedule lives in Redis: a key holds the next free send time (Redis' own clock) and a
Lua script takes a slot atomically, so web and worker processes on several machines share one budget. Without Redis
(the embedded default, one process) a threading lock does the same inside the process. Callers reserve a slot and
sleep until it comes; a wait longer than `max_wait` is refused rather than queued.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Protocol

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


class RateLimitError(Exception):
    """No slot could be had: the queue is longer than max_wait, or the shared lock (Redis) is unreachable."""


class RateLimitTimeout(RateLimitError):
    def __init__(self, wait: float) -> None:
        super().__init__(f"next free slot in {wait:.1f} s, longer than the allowed wait")
        self.wait = wait


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Block until the caller may send; return the seconds waited."""


class LocalRateLimiter:
    """Slots handed out under a threading lock; the sleeping happens outside it so callers queue in order."""

    def __init__(self, interval: float, max_wait: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_free = 0.0

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_free)
            wait = slot - now
            if wait > self.max_wait:
                raise RateLimitTimeout(wait)
            self._next_free = slot + self.interval
        if wait > 0:
            self._sleep(wait)
        return wait


# Takes the next slot at or after Redis' TIME (or ARGV[3] ms, a clock given by tests); refuses (0, wait) when the wait
# would exceed ARGV[2] ms.
_TAKE_SLOT = """
local now
if ARGV[3] then
  now = tonumber(ARGV[3])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[1])
local next_free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, next_free)
local wait = slot - now
if wait > tonumber(ARGV[2]) then
  return {0, wait}
end
redis.call('SET', KEYS[1], slot + interval, 'PX', wait + interval + 60000)
return {1, wait}
"""


class RedisRateLimiter:
    """The same schedule kept in Redis, shared by all processes that use the same key.

    Times come from Redis' own clock, the same for every process; `clock` (seconds) replaces it in tests.
    """

    def __init__(self, client: redis.Redis, key: str, interval: float, max_wait: float, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] | None = None) -> None:
        self.key = key
        self.interval = interval
        self.max_wait = max_wait
        self._script = client.register_script(_TAKE_SLOT)
        self._sleep = sleep
        self._clock = clock

    def acquire(self) -> float:
        try:
            args = [int(self.interval * 1000), int(self.max_wait * 1000)]
            if self._clock is not None:
                args.append(int(self._clock() * 1000))
            granted, wait_ms = self._script(keys=[self.key], args=args)
        except redis.RedisError as error:
            raise RateLimitError(f"rate limit store unreachable: {error}") from error
        wait = int(wait_ms) / 1000
        if not int(granted):
            raise RateLimitTimeout(wait)
        if wait > 0:
            self._sleep(wait)
        return wait


_shared: dict[tuple, RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(name: str, *, interval: float, max_wait: float, redis_url: str = "") -> RateLimiter:
    """The process-wide limiter for `name` (one per settings combination), in Redis when a URL is given."""
    key = (name, interval, max_wait, redis_url)
    with _shared_lock:
        if key not in _shared:
            if redis_url:
                # No client-side retries: a resent script could take a second slot, and a dead store should fail fast.
                client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5,
                                              retry=Retry(NoBackoff(), 0))
                _shared[key] = RedisRateLimiter(client, f"sachet:ratelimit:{name}", interval, max_wait)
            else:
                _shared[key] = LocalRateLimiter(interval, max_wait)
        return _shared[key]
