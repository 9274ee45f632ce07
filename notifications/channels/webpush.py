"""Web push (VAPID, RFC 8030/8291/8292) through pywebpush: a notification on a subscriber's phone or computer.

The delivery's recipient is the subscription's address ("wp:" + a hash of its endpoint); the endpoint and keys are
read from the Subscription row when sending, so a browser that unsubscribed is never sent to. The push service
answers 404 or 410 for a subscription that is gone: `RecipientGone`, and the subscription is deleted. Each process
keeps one requests session (its connections kept alive) for all pushes.
"""

from __future__ import annotations

import json
import os
import threading
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

from .base import PUBLIC, Message, PermanentError, RecipientGone, SendResult, TransientError, parse_retry_after
from .formatting import fit

PAYLOAD_LIMIT = 3000  # bytes of JSON; push services take about 4 KB after encryption
POOL_SIZE = 32

_lock = threading.Lock()
_sessions: dict[int, requests.Session] = {}
_keys: dict[str, Vapid] = {}


def shared_session() -> requests.Session:
    with _lock:
        pid = os.getpid()
        if pid not in _sessions:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            _sessions[pid] = session
        return _sessions[pid]


def vapid_key(private_key: str) -> Vapid:
    """The signing key, parsed once per process (a raw 32-byte key in base64url, or DER)."""
    with _lock:
        if private_key not in _keys:
            _keys[private_key] = Vapid.from_string(private_key)
        return _keys[private_key]


def payload(message: Message, tag: str = "") -> str:
    """What the service worker (/sw.js) shows: title, text, the page to open, and a tag that replaces an
    earlier notification about the same thing."""

    def render(body: str) -> str:
        data = {"title": message.title, "body": body, "url": message.link, "tag": tag}
        return json.dumps(data, ensure_ascii=False)

    body = fit(message.body.strip(), lambda b: len(render(b).encode()) <= PAYLOAD_LIMIT)
    return render(body)


class WebPushChannel:
    name = "webpush"
    audiences = frozenset({PUBLIC})

    def __init__(self, private_key: str, claims_email: str) -> None:
        self._private_key = private_key
        self._claims_email = claims_email

    def recipients(self) -> list[str]:
        return []

    def send(self, message: Message, recipient: str) -> SendResult:
        from ..subscriptions import push_target  # the subscription table is the address book

        target = push_target(recipient)
        if target is None:
            raise RecipientGone("the browser's subscription was removed")
        endpoint = target["endpoint"]
        claims = {"sub": f"mailto:{self._claims_email}",
                  "aud": "{0.scheme}://{0.netloc}".format(urlsplit(endpoint))}
        try:
            response = webpush(
                subscription_info=target, data=payload(message, tag=message.link),
                vapid_private_key=vapid_key(self._private_key), vapid_claims=claims,
                timeout=settings.ALERT_HTTP_TIMEOUT, ttl=settings.WEBPUSH_TTL_SECONDS,
                headers={"Urgency": "high"}, requests_session=shared_session(),
            )
        except WebPushException as error:
            raise self._translate(error) from None
        except requests.Timeout:
            raise TransientError("timed out sending a push notification") from None
        except requests.RequestException as error:
            raise TransientError(f"connection to the push service failed ({type(error).__name__})") from None
        return SendResult(response.headers.get("Location", "")[-100:])

    @staticmethod
    def _translate(error: WebPushException) -> TransientError | PermanentError:
        status = error.status_code
        host = urlsplit(getattr(error.response, "url", "") or "").hostname or "the push service"
        reason = f"push service {host} answered {status}"
        if status in (404, 410):
            return RecipientGone(reason + ": the subscription has expired or was cancelled")
        if status == 429:
            return TransientError(reason, retry_after=parse_retry_after(error.retry_after))
        if status is None or status >= 500:
            return TransientError(reason)
        return PermanentError(reason)
