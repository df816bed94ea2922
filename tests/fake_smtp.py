"""A tiny SMTP server for tests (the outside world): it speaks just enough SMTP for
smtplib and Django's SMTP backend, and answers RCPT TO with the codes a test scripts.

No `smtpd` (gone in Python 3.12) and no extra package: a socket and a thread.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.faults import free_port


class FakeSmtpServer:
    """Listens on 127.0.0.1:<port>. Each RCPT TO takes the next reply from
    `rcpt_replies` (then "250 OK" once the list is empty); after a 421 it closes the
    connection, as RFC 5321 says a server shutting down does. `messages` holds the
    body of every message accepted after DATA."""

    def __init__(self, rcpt_replies: list[str] | None = None) -> None:
        self.port = free_port()
        self.rcpt_replies = list(rcpt_replies or [])
        self.messages: list[str] = []
        self.rcpt_seen: list[str] = []
        self._server: socket.socket | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> FakeSmtpServer:
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            with suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        server = self._server
        while server is not None:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            stream = conn.makefile("rb")

            def reply(line: str) -> None:
                conn.sendall(line.encode() + b"\r\n")

            reply("220 fake.test ESMTP")
            while raw := stream.readline():
                command = raw.decode(errors="replace").strip()
                verb = command.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250 fake.test")
                elif verb == "RCPT":
                    with self._lock:
                        self.rcpt_seen.append(command)
                        answer = self.rcpt_replies.pop(0) if self.rcpt_replies else "250 OK"
                    reply(answer)
                    if answer.startswith("421"):
                        return  # the server is going away: the connection ends
                elif verb == "DATA":
                    reply("354 go ahead")
                    body = []
                    while (line := stream.readline()) not in (b".\r\n", b""):
                        body.append(line.decode(errors="replace"))
                    with self._lock:
                        self.messages.append("".join(body))
                    reply("250 queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:  # MAIL, RSET, NOOP
                    reply("250 OK")
