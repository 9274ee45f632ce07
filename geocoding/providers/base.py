"""What every geocoding provider returns and raises, and the retry loop the online providers share.

Callers see one `Place` shape whichever provider answered, and two failure kinds: `ProviderUnavailable` (try again
later or ask the next provider) and `ProviderRejected` (the request or the key is wrong; retrying will not help).
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Literal, Protocol, TypeVar

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, RequestsAdapter

logger = logging.getLogger(__name__)

ProviderName = Literal["google", "nominatim", "gazetteer"]
Precision = Literal["exact", "locality", "city"]


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    display_name: str
    provider: ProviderName
    precision: Precision


class ProviderError(Exception):
    """Base of the two failure kinds; `provider` names who failed."""

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status


class ProviderUnavailable(ProviderError):
    """Transient: time-out, connection refused, 5xx, 429 or quota. `retry_after` is the server's wish, if it said;
    `retryable` is False when waiting here would not help (our own rate limit is saturated), only later would."""

    def __init__(self, message: str, *, provider: str, status: int | None = None, retry_after: float | None = None,
                 retryable: bool = True):
        super().__init__(message, provider=provider, status=status)
        self.retry_after = retry_after
        self.retryable = retryable


class ProviderRejected(ProviderError):
    """Permanent: a 4xx other than 429, a bad or missing key, a request the provider will never answer."""


class Provider(Protocol):
    name: ProviderName

    def geocode(self, query: str) -> Place | None: ...

    def reverse(self, lat: float, lng: float) -> Place | None: ...


def http_status(error: BaseException) -> int | None:
    """geopy chains the HTTP error it translated; its status tells a 500 from a 404."""
    cause = error.__cause__
    return cause.status_code if isinstance(cause, AdapterHTTPError) else None


def translate_geopy_error(error: geopy_exc.GeopyError, provider: str) -> ProviderError:
    """Sort geopy's exceptions into transient and permanent ones."""
    status = http_status(error)
    message = f"{provider}: {error}"
    if isinstance(error, geopy_exc.GeocoderRateLimited):
        return ProviderUnavailable(message, provider=provider, status=status or 429, retry_after=error.retry_after)
    if isinstance(error, (geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderUnavailable, geopy_exc.GeocoderQuotaExceeded,
                          geopy_exc.GeocoderParseError)):
        return ProviderUnavailable(message, provider=provider, status=status)
    if isinstance(error, (geopy_exc.GeocoderQueryError, geopy_exc.GeocoderAuthenticationFailure,
                          geopy_exc.GeocoderInsufficientPrivileges, geopy_exc.ConfigurationError)):
        return ProviderRejected(message, provider=provider, status=status)
    if status is not None and 400 <= status < 500:
        return ProviderRejected(message, provider=provider, status=status)
    return ProviderUnavailable(message, provider=provider, status=status)


def single_try_adapter(*, proxies, ssl_context) -> RequestsAdapter:
    """geopy's default adapter retries inside urllib3, behind the rate limiter's back; retries are ours alone."""
    return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)


T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter for transient errors; a server's Retry-After wins when it asks for longer."""

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        exponential = min(self.max_backoff, self.backoff * (2**attempt)) * random.uniform(0.8, 1.0)
        return max(exponential, min(retry_after or 0.0, self.max_backoff))


def call_with_retries(
    call: Callable[[], T],
    *,
    provider: str,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call` (one HTTP request), retrying ProviderUnavailable up to `policy.max_retries` times."""
    attempt = 0
    while True:
        try:
            try:
                return call()
            except geopy_exc.GeopyError as error:
                raise translate_geopy_error(error, provider) from error
        except ProviderUnavailable as error:
            if attempt >= policy.max_retries or not error.retryable:
                raise
            pause = policy.delay(attempt, error.retry_after)
            logger.info("%s unavailable (%s, status %s); retry %d in %.2f s", provider, error, error.status,
                        attempt + 1, pause)
            sleep(pause)
            attempt += 1
