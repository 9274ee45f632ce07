"""SMS through Twilio, one segment per message where possible: alerts to the configured staff and volunteer numbers
(SMS_RECIPIENTS), and messages addressed to one number (one-time codes) to any number in E.164 form.

Each process keeps one Twilio client per account (one requests session, its connections kept alive) for all sends.
"""

from __future__ import annotations

import os
import threading

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sachet.phones import mask

from .base import AUDIENCES, PUBLIC, Message, PermanentError, RecipientGone, SendResult, TransientError, parse_retry_after
from .formatting import redact_phones, sms_text

# Twilio error codes worth a plain-words reason for staff; any other 4xx is permanent too.
TWILIO_REASONS = {
    20003: "Twilio rejected the account SID or auth token",
    21211: "invalid phone number",
    21408: "sending to this region is not enabled on the Twilio account",
    21610: "the recipient has unsubscribed (replied STOP)",
    21612: "this number cannot receive messages from the sender",
    21614: "not a mobile number",
}


POOL_SIZE = 32  # connections kept: as many as the alerts worker's threads that may send at once
_lock = threading.Lock()
_clients: dict[tuple, Client] = {}
# The Twilio client does not surface response headers on errors (Retry-After): a response hook keeps the last ones
# each thread saw.
_last_response = threading.local()


def _remember_headers(response: requests.Response, **_) -> None:
    _last_response.headers = response.headers


def shared_client(account_sid: str, auth_token: str) -> Client:
    """One Twilio client per account, base URL and time-out in this process (a forked process makes its own)."""
    key = (os.getpid(), account_sid, auth_token, settings.TWILIO_API_BASE_URL, settings.ALERT_HTTP_TIMEOUT)
    with _lock:
        if key not in _clients:
            http_client = TwilioHttpClient(timeout=settings.ALERT_HTTP_TIMEOUT,
                                           request_hooks={"response": [_remember_headers]})
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
            http_client.session.mount("https://", adapter)
            http_client.session.mount("http://", adapter)
            client = Client(account_sid, auth_token, http_client=http_client)
            if settings.TWILIO_API_BASE_URL:
                client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
            _clients[key] = client
        return _clients[key]


class SmsChannel:
    """Twilio Messages API; recipients are full E.164 numbers, which never appear in logs or reasons unmasked."""

    name = "sms"
    audiences = AUDIENCES

    def __init__(self, account_sid: str, auth_token: str, from_number: str, numbers: list[str]) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._from_number = from_number
        self._numbers = list(numbers)

    def recipients(self) -> list[str]:
        return list(self._numbers)

    def send(self, message: Message, recipient: str) -> SendResult:
        client = shared_client(self._account_sid, self._auth_token)
        _last_response.headers = CaseInsensitiveDict()
        try:
            sent = client.messages.create(to=recipient, from_=self._from_number, body=self.render(message))
        except requests.Timeout:
            raise TransientError(f"timed out sending SMS to {mask(recipient)}") from None
        except requests.RequestException as error:
            raise TransientError(f"connection to Twilio failed ({type(error).__name__})") from None
        except TwilioRestException as error:
            raise self._translate(error, recipient, _last_response.headers) from None
        return SendResult(sent.sid)

    def render(self, message: Message) -> str:
        return sms_text(message, ucs2_segments=settings.SMS_UCS2_MAX_SEGMENTS)

    def _translate(
        self, error: TwilioRestException, recipient: str, headers: CaseInsensitiveDict
    ) -> TransientError | PermanentError:
        # The client prefixes every message with "Unable to create record: ".
        message = (error.msg or "no message").removeprefix("Unable to create record: ")
        detail = TWILIO_REASONS.get(error.code) or redact_phones(message)
        reason = f"Twilio {error.status}" + (f" code {error.code}" if error.code else "")
        reason += f": {detail} (to {mask(recipient)})"
        if error.status == 429:
            return TransientError(reason, retry_after=parse_retry_after(headers.get("Retry-After")))
        if error.status >= 500:
            return TransientError(reason)
        return PermanentError(reason)


class SubscriberSmsChannel(SmsChannel):
    """SMS to area subscribers: the body is the finished text (worded in their language, cut to
    SUBSCRIPTION_SMS_MAX_SEGMENTS, ending with how to stop), sent as it is. No configured recipients."""

    name = "sms_subscriber"
    audiences = frozenset({PUBLIC})

    def __init__(self, account_sid: str, auth_token: str, from_number: str) -> None:
        super().__init__(account_sid, auth_token, from_number, numbers=[])

    def render(self, message: Message) -> str:
        return message.body

    def _translate(self, error, recipient, headers):
        translated = super()._translate(error, recipient, headers)
        if error.code == 21610:  # they replied STOP and Twilio blocks the number: their subscription ends too
            return RecipientGone(translated.reason)
        return translated
