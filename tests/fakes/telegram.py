"""A fake Telegram Bot API: getMe, sendMessage, sendPhoto, setWebhook and deleteWebhook, answering like the real one;
and the other direction: `deliver_update` posts an update to the registered webhook as Telegram does (with the secret
token header) and carries out a method call in the webhook's answer (a reply sent that way).

It parses HTML captions and texts the way Telegram does (only Telegram's tags, entities decoded) and rejects
what Telegram rejects (unknown chat, bad token, unparsable HTML, too long), so tests see real failures.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser

from .server import FakeServer, Request, Response

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                 "span", "blockquote", "tg-emoji"}


class _TelegramHTML(HTMLParser):
    """Text as Telegram shows it; `error` set on a tag Telegram would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.error = f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_endtag(self, tag):
        if tag not in TELEGRAM_TAGS:
            self.error = f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"'

    def handle_data(self, data):
        self.text.append(data)


def parse_html(markup: str) -> tuple[str, list[str], str | None]:
    """(plain text, link targets, error) for a text sent with parse_mode HTML."""
    parser = _TelegramHTML()
    parser.feed(markup)
    parser.close()
    return "".join(parser.text), parser.links, parser.error


def _error(status: int, description: str, **parameters) -> Response:
    body = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Response(status, body)


class FakeTelegram(FakeServer):
    """Bot API for one bot token and a set of chats; `messages` lists what was delivered, in order."""

    BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Sachet Alerts", "username": "sachet_alerts_bot"}

    def __init__(self, token: str = "7000000001:AAF-fake-token", chats: tuple[str, ...] = ("@sachet_alerts",)):
        super().__init__()
        self.token = token
        self.chats = set(chats)
        self.messages: list[dict] = []
        self.webhook: dict | None = None
        self.blocked: set[str] = set()  # users who blocked the bot
        self.started: set[str] = set()  # private chats whose user started the bot (the bot may write to them)
        self._message_ids = itertools.count(101)
        self._update_ids = itertools.count(900000001)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to (the token is appended by the client)."""
        return f"{self.url}/bot"

    # Scripted answers --------------------------------------------------------------------------------------
    @staticmethod
    def too_many_requests(retry_after: int = 2) -> Response:
        return _error(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    @staticmethod
    def unauthorized() -> Response:
        return _error(401, "Unauthorized")

    @staticmethod
    def chat_not_found() -> Response:
        return _error(400, "Bad Request: chat not found")

    @staticmethod
    def bot_kicked() -> Response:
        return _error(403, "Forbidden: bot was kicked from the channel chat")

    @staticmethod
    def photo_unreachable() -> Response:
        return _error(400, "Bad Request: wrong file identifier/HTTP URL specified")

    @staticmethod
    def server_error() -> Response:
        return _error(500, "Internal Server Error")

    # Serving -----------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            return self.unauthorized() if request.path.startswith("/bot") else _error(404, "Not Found")
        method = request.path[len(prefix):]
        params = self._params(request)
        if method == "getMe":
            return self._ok(self.BOT_USER)
        if method in ("sendMessage", "sendPhoto"):
            return self._send(method, params)
        if method == "setWebhook":
            url = params.get("url", "")
            secret = params.get("secret_token", "")
            if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):  # loopback for tests
                return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
            allowed = params.get("allowed_updates")
            if isinstance(allowed, str):  # form-encoded requests carry lists as JSON
                allowed = json.loads(allowed)
            self.webhook = {"url": url, "secret_token": secret, "allowed_updates": allowed}
            return self._ok(True)
        if method == "deleteWebhook":
            self.webhook = None
            return self._ok(True)
        return _error(404, "Not Found")

    # Updates to the webhook ------------------------------------------------------------------------------------
    def private_message(self, chat_id: int, text: str, language_code: str = "en") -> dict:
        """An update as Telegram sends it when a user writes to the bot in a private chat."""
        user = {"id": chat_id, "is_bot": False, "first_name": "Meera", "language_code": language_code}
        return {"update_id": next(self._update_ids), "message": {
            "message_id": next(self._message_ids), "date": int(time.time()), "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Meera"}, "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/") else []}}

    def deliver_update(self, update: dict, *, url: str | None = None, secret: str | None = None) -> int:
        """POST the update to the webhook (or `url`) with the registered (or given) secret token, as Telegram does;
        a `sendMessage` in the answer is delivered like a call to the API. The HTTP status of the answer."""
        message = update.get("message") or {}
        if message.get("chat", {}).get("type") == "private":  # someone who writes to the bot has started it
            self.started.add(str(message["chat"]["id"]))
        target = url or self.webhook["url"]
        token = self.webhook["secret_token"] if secret is None and self.webhook else secret
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        request = urllib.request.Request(target, data=json.dumps(update).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code
        answer = json.loads(body or b"{}")
        if answer.get("method") == "sendMessage":
            self._send("sendMessage", {key: value for key, value in answer.items() if key != "method"})
        return status

    @staticmethod
    def _params(request: Request) -> dict:
        if request.headers.get("content-type", "").startswith("application/json"):
            return request.json() or {}
        return {name: values[-1] for name, values in request.form().items()}

    @staticmethod
    def _ok(result) -> Response:
        return Response(200, {"ok": True, "result": result})

    def _chat(self, chat_id: str) -> dict:
        if chat_id.startswith("@"):
            return {"id": -1001000000001, "type": "channel", "title": "Sachet alerts", "username": chat_id[1:]}
        if not chat_id.startswith("-"):
            return {"id": int(chat_id), "type": "private", "first_name": "Meera"}
        return {"id": int(chat_id), "type": "supergroup", "title": "Sachet staff"}

    def _send(self, method: str, params: dict) -> Response:
        chat_id = str(params.get("chat_id", ""))
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.chats and chat_id not in self.started:
            return self.chat_not_found()
        field, limit = ("caption", 1024) if method == "sendPhoto" else ("text", 4096)
        markup = params.get(field, "")
        if params.get("parse_mode") == "HTML":
            plain, links, error = parse_html(markup)
            if error:
                return _error(400, error)
        else:
            plain, links = markup, []
        if method == "sendMessage" and not plain.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(plain.encode("utf-16-le")) // 2 > limit:
            what = "message caption" if field == "caption" else "message"
            return _error(400, f"Bad Request: {what} is too long")
        message_id = next(self._message_ids)
        result = {"message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id), field: plain}
        if method == "sendPhoto":
            result["photo"] = [
                {"file_id": f"AgAC-{message_id}", "file_unique_id": f"AQAD{message_id}", "width": 800,
                 "height": 800, "file_size": 61234}
            ]
        self.messages.append(
            {
                "method": method,
                "chat_id": chat_id,
                "message_id": message_id,
                "html": markup,
                "text": plain,
                "links": links,
                "photo": params.get("photo"),
                "parse_mode": params.get("parse_mode"),
            }
        )
        return self._ok(result)

