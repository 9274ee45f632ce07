"""What every alert channel shares: the message it takes, the result it returns, the two ways it can fail.

The outbox (one `Delivery` row per channel and recipient) stores `Message` as a dict (`dataclasses.asdict`) and calls
`get_channel(name).send(message, recipient)` from a Celery task. The task retries `TransientError` (after
`retry_after` when the provider said so) and marks the delivery failed at once on `PermanentError`.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

PUBLIC = "public"
STAFF = "staff"
AUDIENCES = frozenset({PUBLIC, STAFF})

# Known kinds; a renderer falls back to a neutral look for any other.
KINDS = ("new_case", "sighting", "status", "face_match")


@dataclass(frozen=True)
class Message:
    """One alert, already worded, with nothing channel-specific in it.

    `audience` decides where it may go: "public" messages go to the public channels (and to SMS), "staff" messages,
    which may carry a sighting's details or a face match, only to the staff channels (and to SMS).
    """

    title: str
    body: str
    link: str
    audience: str = PUBLIC
    kind: str = "new_case"
    photo_url: str | None = None

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {sorted(AUDIENCES)}, not {self.audience!r}")
        if not self.title.strip():
            raise ValueError("a message needs a title")
        # Links end up in href attributes and embeds: only web links, never javascript: or data: URLs.
        for field_name in ("link", "photo_url"):
            value = getattr(self, field_name)
            if value is not None and not value.startswith(("https://", "http://")):
                raise ValueError(f"{field_name} must be an http(s) URL, not {value!r}")


@dataclass(frozen=True)
class SendResult:
    """The provider's id for what was sent (Telegram message id, Discord message id, Twilio SID)."""

    provider_message_id: str


class ChannelError(Exception):
    """A send failed; `reason` is safe to store and show to staff (no tokens, no full phone numbers)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientError(ChannelError):
    """Worth retrying: time-out, connection error, 5xx, rate limit (then `retry_after` seconds, if known)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(ChannelError):
    """Retrying cannot help: bad token, unknown chat or webhook, invalid or unsubscribed number, rejected content."""


class RecipientGone(PermanentError):
    """The recipient no longer takes our messages (replied STOP, blocked the bot, push subscription expired): their
    subscription ends (`notifications.subscriptions.forget_address`)."""


class ChannelNotConfigured(PermanentError):
    """The channel named in a delivery is not (or no longer) configured."""


@runtime_checkable
class Channel(Protocol):
    """A configured way to deliver alerts. `name` is stable and stored on each delivery."""

    name: str
    audiences: frozenset[str]

    def recipients(self) -> list[str]:
        """The configured destinations (chat id, webhook id, phone numbers) to create one delivery each for."""
        ...

    def send(self, message: Message, recipient: str) -> SendResult:
        """Deliver now; raise TransientError or PermanentError."""
        ...


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from an HTTP Retry-After header, which is either a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
