"""SMS through Twilio, one segment per message where possible: alerts to the configured staff and volunteer numbers
(SMS_RECIPIENTS), and messages addressed to one number (one-time codes) to any number in E.164 form."""

from __future__ import annotations

import requests
from requests.structures import CaseInsensitiveDict
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sachet.phones import mask

from .base import AUDIENCES, Message, PermanentError, SendResult, TransientError, parse_retry_after
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
        # The Twilio client does not surface response headers on errors; a response hook keeps the last ones.
        seen_headers: CaseInsensitiveDict = CaseInsensitiveDict()
        http_client = TwilioHttpClient(
            timeout=settings.ALERT_HTTP_TIMEOUT,
            request_hooks={"response": [lambda response, **_: seen_headers.update(response.headers)]},
        )
        client = Client(self._account_sid, self._auth_token, http_client=http_client)
        if settings.TWILIO_API_BASE_URL:
            client.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        try:
            sent = client.messages.create(to=recipient, from_=self._from_number, body=sms_text(message))
        except requests.Timeout:
            raise TransientError(f"timed out sending SMS to {mask(recipient)}") from None
        except requests.RequestException as error:
            raise TransientError(f"connection to Twilio failed ({type(error).__name__})") from None
        except TwilioRestException as error:
            raise self._translate(error, recipient, seen_headers) from None
        finally:
            http_client.session.close()
        return SendResult(sent.sid)

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
