"""Email backends that stand in for an SMTP server in worker processes (the outside
world): they write messages to files, and one can hang mid-send so a test can kill
the worker at exactly that moment."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class HangOnceBackend(FileBackend):
    """The first send announces itself in HANG_MARKER and then hangs; later sends
    (after the marker exists) go straight to files."""

    def send_messages(self, email_messages):
        marker = Path(os.environ["HANG_MARKER"])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(600)
        return super().send_messages(email_messages)


class SendThenHangOnceBackend(FileBackend):
    """The first send is written (the server has accepted it) and then hangs before
    the worker can record it; later sends go straight to files."""

    def send_messages(self, email_messages):
        marker = Path(os.environ["HANG_MARKER"])
        sent = super().send_messages(email_messages)
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(600)
        return sent
