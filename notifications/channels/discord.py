"""Discord through an incoming webhook: one embed per alert, posted with `?wait=true` so Discord returns the message.

A webhook URL holds its own secret token, so the recipient stored on a delivery is only the webhook's numeric id;
the URL stays in settings. Each process keeps one HTTP client (its connections kept alive) for all sends.
"""

from __future__ import annotations

import os
import re
import threading

import httpx
from django.conf import settings

from .base import PUBLIC, Message, PermanentError, SendResult, TransientError, parse_retry_after
from .formatting import discord_payload

POOL_SIZE = 32  # connections kept: as many as the alerts worker's threads that may send at once
_lock = threading.Lock()
_client: tuple[int, float, httpx.Client] | None = None  # (pid, time-out, client): a forked process makes its own


def shared_client() -> httpx.Client:
    """This process's client for Discord (httpx clients are safe to share between threads)."""
    global _client
    timeout = settings.ALERT_HTTP_TIMEOUT
    with _lock:
        if _client is None or _client[:2] != (os.getpid(), timeout):
            limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
            _client = (os.getpid(), timeout, httpx.Client(timeout=timeout, limits=limits))
        return _client[2]


_WEBHOOK = re.compile(r"^https?://[^/]+/api(?:/v\d+)?/webhooks/(?P<id>\d+)/(?P<token>[^/?#]+)/?$")


def webhook_id(url: str) -> str | None:
    """The webhook's id from its URL, or None when the URL is not a Discord webhook URL."""
    match = _WEBHOOK.match(url)
    return match["id"] if match else None


class DiscordChannel:
    """One webhook (a public alerts channel, or a staff-only one)."""

    def __init__(self, name: str, webhook_url: str, audiences: frozenset[str] = frozenset({PUBLIC})) -> None:
        self.name = name
        self.audiences = audiences
        self._url = webhook_url
        self._id = webhook_id(webhook_url)

    def recipients(self) -> list[str]:
        return [self._id] if self._id else []

    def send(self, message: Message, recipient: str) -> SendResult:
        if recipient != self._id:
            raise PermanentError(f"webhook {recipient} is not the configured webhook of {self.name}")
        try:
            response = shared_client().post(self._url, params={"wait": "true"}, json=discord_payload(message))
        except httpx.TimeoutException:
            raise TransientError("timed out waiting for Discord") from None
        except httpx.TransportError as error:
            # The error text may contain the URL, and with it the webhook token: name the class only.
            raise TransientError(f"connection to Discord failed ({type(error).__name__})") from None
        return self._result(response)

    def _result(self, response: httpx.Response) -> SendResult:
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.is_success:
            return SendResult(str(data.get("id", "")))
        reason = f"Discord {response.status_code}: {data.get('message') or response.reason_phrase}"
        if data.get("code"):
            reason += f" (code {data['code']})"
        if response.status_code == 429:
            retry_after = data.get("retry_after")
            if not isinstance(retry_after, (int, float)):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise TransientError(reason, retry_after=float(retry_after) if retry_after is not None else None)
        if response.status_code >= 500:
            raise TransientError(reason)
        raise PermanentError(reason)
