"""A tiny threaded HTTP server on 127.0.0.1 for faking third-party APIs in tests.

A fake is a subclass of FakeServer that implements `handle(request) -> Response`. Every request is recorded in
`requests`, so tests can assert exactly what the real client library sent. Scripted answers (errors, delays) are
queued with `script(...)` and consumed one per request before `handle` is used.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    received_at: float

    def json(self):
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict | list = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        return body, headers


class _Server(ThreadingHTTPServer):
    """A thread per connection (kept alive, HTTP/1.1), and a listen backlog for a burst of clients: the default of 5
    makes the kernel drop connection attempts beyond it, and each such client waits a second to try again."""

    daemon_threads = True
    request_queue_size = 128


class FakeServer:
    """Start with `with FakeServer() as fake:`; `fake.url` is the base URL (http://127.0.0.1:PORT)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._scripted: list[Response] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    received_at=time.monotonic(),
                )
                response = fake._respond(request)
                if response.delay:
                    time.sleep(response.delay)
                payload, headers = response.encoded()
                try:
                    self.send_response(response.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out test); nothing to answer

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
                return

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        # Stopping must not wait for a deliberately slow answer (time-out tests) to finish.
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *responses: Response) -> None:
        """Queue answers for the next requests, in order (e.g. a 500, then a time-out, then the normal answer)."""
        with self._lock:
            self._scripted.extend(responses)

    def _respond(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            scripted = self._scripted.pop(0) if self._scripted else None
        return scripted if scripted is not None else self.handle(request)

    def handle(self, request: Request) -> Response:
        return Response(404, {"error": "not found"})

    def start(self) -> "FakeServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "FakeServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
