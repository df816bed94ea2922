"""Log filters that keep secrets in URLs out of log lines.

Django logs the path of a refused request (`django.security.csrf`: "Forbidden (CSRF
token missing.): /invite/<token>/") and of a failed one (`django.request`). Some of
our paths carry a secret: an invitation link, a password-reset key, an unsubscribe
token. Anyone who reads the logs could use a pending invitation or reset a password
with them, so the secret part is replaced before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

_SECRET_IN_PATH = re.compile(r"(/invite/|/password/reset/key/|/unsubscribe/)[^/?#\s'\"]+")


def redact(text: str) -> str:
    return _SECRET_IN_PATH.sub(r"\1[redacted]", text)


class SecretPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True
