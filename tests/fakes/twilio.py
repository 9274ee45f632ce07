"""A fake Twilio Messages API: POST /2010-04-01/Accounts/<sid>/Messages.json with HTTP basic auth.

Answers 201 with a message resource, or Twilio's error JSON: 401 code 20003 for bad credentials, 400 code 21211
for a number that is not E.164, 400 code 21610 for an unsubscribed recipient. The other direction: `send_inbound`
posts an incoming SMS to the messaging webhook as Twilio does, signed with X-Twilio-Signature (the real library's
RequestValidator computes it), and delivers the TwiML reply; a STOP marks the number unsubscribed, as Twilio's
opt-out handling does.
"""

from __future__ import annotations

import base64
import datetime
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from .server import FakeServer, Request, Response

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _error(status: int, code: int, message: str) -> Response:
    return Response(
        status,
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
    )


class FakeTwilio(FakeServer):
    """One account; `messages` lists the SMS accepted, `unsubscribed` holds numbers that replied STOP."""

    def __init__(
        self,
        account_sid: str = "AC" + "f" * 32,
        auth_token: str = "fake-twilio-auth-token",
        unsubscribed: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.unsubscribed = set(unsubscribed)
        self.messages: list[dict] = []

    # Scripted answers --------------------------------------------------------------------------------------
    @staticmethod
    def too_many_requests(retry_after: int | None = None) -> Response:
        response = _error(429, 20429, "Too Many Requests")
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @staticmethod
    def server_error() -> Response:
        return _error(500, 20500, "Internal Server Error")

    # Serving -----------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        match = _PATH.match(request.path)
        if request.method != "POST" or not match:
            return _error(404, 20404, "The requested resource was not found")
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if match["sid"] != self.account_sid or request.headers.get("authorization") != expected:
            return _error(401, 20003, "Authenticate")
        form = {name: values[-1] for name, values in request.form().items()}
        to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not _E164.match(to):
            return _error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in self.unsubscribed:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        if not body:
            return _error(400, 21602, "Message body is required.")
        sid = "SM" + uuid.uuid4().hex
        self.messages.append({"sid": sid, "to": to, "from": sender, "body": body})
        now = datetime.datetime.now(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        return Response(
            201,
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": sender,
                "body": body,
                "status": "queued",
                "direction": "outbound-api",
                "date_created": now,
                "date_updated": now,
                "date_sent": None,
                "error_code": None,
                "error_message": None,
                "price": None,
                "api_version": "2010-04-01",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )

    # Incoming messages ---------------------------------------------------------------------------------------
    OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
    OPT_IN = {"START", "YES", "UNSTOP"}

    def send_inbound(self, url: str, *, from_: str, body: str, to: str = "+15005550006",
                     signature: str | None = None) -> tuple[int, list[str]]:
        """POST an incoming SMS to `url` as Twilio does; (HTTP status, texts of the TwiML reply's messages)."""
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": self.account_sid, "From": from_, "To": to,
                  "Body": body, "NumMedia": "0"}
        keyword = body.strip().upper()
        if keyword in self.OPT_OUT:
            self.unsubscribed.add(from_)
        elif keyword in self.OPT_IN:
            self.unsubscribed.discard(from_)
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, []
        replies = [element.text or "" for element in ElementTree.fromstring(answer).iter("Message")]
        for reply in replies:
            self.messages.append({"sid": "SM" + uuid.uuid4().hex, "to": from_, "from": to, "body": reply})
        return status, replies
