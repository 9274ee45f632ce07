"""A fake Discord webhook endpoint: POST /api/webhooks/<id>/<token>, answering like Discord does.

With `?wait=true` Discord returns the created message (200), without it nothing (204). Unknown webhooks get 404
code 10015; a message without content and embeds gets 400 code 50006; an over-long embed gets 400 code 50035.
"""

from __future__ import annotations

import datetime
import itertools
import re

from .server import FakeServer, Request, Response

_PATH = re.compile(r"^/api(?:/v\d+)?/webhooks/(?P<id>\d+)/(?P<token>[^/]+)$")


class FakeDiscord(FakeServer):
    """Webhooks by id -> token; `messages` lists the JSON payloads delivered, with the id given to each."""

    def __init__(self, webhooks: dict[str, str] | None = None) -> None:
        super().__init__()
        self.webhooks = webhooks or {"1234567890123456789": "fake-webhook-token"}
        self.messages: list[dict] = []
        self._message_ids = itertools.count(1300000000000000001)

    def webhook_url(self, webhook_id: str | None = None) -> str:
        webhook_id = webhook_id or next(iter(self.webhooks))
        return f"{self.url}/api/webhooks/{webhook_id}/{self.webhooks[webhook_id]}"

    # Scripted answers --------------------------------------------------------------------------------------
    @staticmethod
    def rate_limited(retry_after: float = 1.5) -> Response:
        # Discord's JSON has the exact float; its Retry-After header is rounded up to whole seconds.
        return Response(
            429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            headers={"Retry-After": str(int(retry_after) + 1)},
        )

    @staticmethod
    def unknown_webhook() -> Response:
        return Response(404, {"message": "Unknown Webhook", "code": 10015})

    @staticmethod
    def server_error() -> Response:
        return Response(502, {"message": "502: Bad Gateway", "code": 0})

    # Serving -----------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        match = _PATH.match(request.path)
        if request.method != "POST" or not match:
            return Response(404, {"message": "404: Not Found", "code": 0})
        if self.webhooks.get(match["id"]) != match["token"]:
            return self.unknown_webhook()
        payload = request.json() or {}
        if not payload.get("content") and not payload.get("embeds"):
            return Response(400, {"message": "Cannot send an empty message", "code": 50006})
        for embed in payload.get("embeds", []):
            if len(embed.get("title", "")) > 256 or len(embed.get("description", "")) > 4096:
                return Response(400, {"message": "Invalid Form Body", "code": 50035})
        message_id = str(next(self._message_ids))
        self.messages.append({"id": message_id, "webhook_id": match["id"], **payload})
        if request.query.get("wait", [""])[-1].lower() != "true":
            return Response(204)
        return Response(
            200,
            {
                "id": message_id,
                "type": 0,
                "channel_id": "1100000000000000001",
                "webhook_id": match["id"],
                "author": {"id": match["id"], "username": "Sachet", "bot": True},
                "content": payload.get("content", ""),
                "embeds": payload.get("embeds", []),
                "mentions": [],
                "mention_everyone": False,
                "timestamp": datetime.datetime.now(datetime.UTC).isoformat(),
            },
        )
