"""A fake push service (what FCM or Mozilla's autopush are to a browser): subscriptions made here, pushes received.

`subscribe()` does what a browser does with PushManager.subscribe: a P-256 key pair and an auth secret of its own,
and an endpoint on this server; it returns the subscription JSON a page sends to the site. A push must carry a valid
VAPID authorisation (RFC 8292: an ES256 JWT for this origin, not expired, with a "sub" contact, signed by the key it
names, and the application server key the subscription was made with, when given) and an aes128gcm body (RFC 8291),
which is decrypted with the subscription's keys: `received` lists the JSON payloads, in order. A subscription in
`gone` answers 410, as a push service does once the user has revoked it.
"""

from __future__ import annotations

import base64
import json
import os
import time

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .server import FakeServer, Request, Response


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakePushService(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self._subscriptions: dict[str, dict] = {}
        self.received: list[dict] = []
        self.received_by: list[str] = []  # the subscription id of each received push
        self.gone: set[str] = set()
        self.rejected: list[str] = []

    def subscribe(self, application_server_key: str | None = None) -> dict:
        """A new browser subscription: {"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        subscription_id = b64url(os.urandom(12))
        self._subscriptions[subscription_id] = {"key": key, "auth": auth, "server_key": application_server_key}
        public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.url}/push/{subscription_id}", "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}

    def subscription_id(self, endpoint: str) -> str:
        return endpoint.rsplit("/", 1)[-1]

    def handle(self, request: Request) -> Response:
        if request.method != "POST" or not request.path.startswith("/push/"):
            return Response(404, {"error": "not found"})
        subscription_id = request.path.rsplit("/", 1)[-1]
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None or subscription_id in self.gone:
            return Response(410, {"error": "push subscription has unsubscribed or expired"})
        problem = self._vapid_problem(request.headers.get("authorization", ""), subscription)
        if problem:
            self.rejected.append(problem)
            return Response(403, {"error": problem})
        if request.headers.get("content-encoding") != "aes128gcm" or not request.headers.get("ttl"):
            self.rejected.append("content-encoding or TTL missing")
            return Response(400, {"error": "bad encoding"})
        try:
            plain = http_ece.decrypt(request.body, private_key=subscription["key"], auth_secret=subscription["auth"],
                                     version="aes128gcm")
        except Exception as error:  # noqa: BLE001 - any decryption failure is the sender's fault
            self.rejected.append(f"cannot decrypt: {type(error).__name__}")
            return Response(400, {"error": "cannot decrypt"})
        self.received.append(json.loads(plain))
        self.received_by.append(subscription_id)
        return Response(201, b"", headers={"Location": f"{self.url}/message/{len(self.received)}"})

    def _vapid_problem(self, authorization: str, subscription: dict) -> str:
        if not authorization.startswith("vapid "):
            return "no VAPID authorisation"
        fields = dict(part.strip().split("=", 1) for part in authorization[len("vapid "):].split(","))
        token, server_key = fields.get("t", ""), fields.get("k", "")
        if subscription["server_key"] and server_key != subscription["server_key"]:
            return "not the application server key of the subscription"
        try:
            header, claims, signature = token.split(".")
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
            raw = unb64url(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
            claims = json.loads(unb64url(claims))
        except (ValueError, InvalidSignature):
            return "VAPID signature does not verify"
        if claims.get("aud") != self.url:
            return f"VAPID audience is {claims.get('aud')!r}, not this push service"
        if not (time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600):
            return "VAPID token expired or valid for more than 24 hours"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "VAPID contact (sub) missing"
        return ""
