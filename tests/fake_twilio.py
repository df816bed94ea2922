"""A fake Twilio Messages API on 127.0.0.1 (the outside world, for tests).

It answers each POST with the next scripted reply — (status, JSON body), or "hang" to
answer only after `hang_seconds` (longer than the client's timeout) — and 201 with a
queued message once the script is used up. `requests` records what arrived.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
FROM_NUMBER = "+15005550006"


@dataclass
class Received:
    path: str
    auth: tuple[str, str]
    form: dict[str, str]


class FakeTwilio:
    def __init__(self, replies: list | None = None, hang_seconds: float = 2.0) -> None:
        self.replies = list(replies or [])
        self.hang_seconds = hang_seconds
        self.requests: list[Received] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings(self) -> dict:
        """The Django settings that point painapp's Twilio provider at this server."""
        return {
            "SMS_PROVIDER": "twilio",
            "SMS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "SMS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "SMS_TWILIO_FROM_NUMBER": FROM_NUMBER,
            "SMS_TWILIO_API_URL": self.url,
            "SMS_TIMEOUT_SECONDS": 0.5,
        }

    def __enter__(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
                user, _, password = base64.b64decode(encoded).decode().partition(":")
                fake.requests.append(Received(self.path, (user, password), form))
                reply = fake.replies.pop(0) if fake.replies else None
                if reply == "hang":
                    time.sleep(fake.hang_seconds)
                    reply = None
                status, body = reply or (201, {"sid": "SM" + "1" * 32, "status": "queued"})
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
