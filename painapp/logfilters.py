"""Log filters that keep secrets in URLs out of log lines.

Django logs the path of a refused request (`django.security.csrf`: "Forbidden (CSRF
token missing.): /invite/<token>/") and of a failed one (`django.request`). Some of
our paths carry a secret: an invitation link, a password-reset key, an unsubscribe
token. Anyone who reads the logs could use a pending invitation or reset a password
with them, so the secret part is replaced before any handler sees the record.

A query string can carry personal data too: a name or email typed in a search (the
caseload's search is posted, never sent in a URL, but an old bookmark or a hand-made
link still could). The values of such parameters are replaced the same way.
"""

from __future__ import annotations

import logging
import re

_SECRET_IN_PATH = re.compile(r"(/invite/|/password/reset/key/|/unsubscribe/)[^/?#\s'\"]+")

# Query parameters whose value may be a person's name or email (or a search for one).
# (The caseload's `search=on` only says a search is kept: it stays readable.)
PERSONAL_PARAMS = ("q", "email", "name", "full_name", "term", "query", "login")
_PERSONAL_IN_QUERY = re.compile(
    r"([?&](?:" + "|".join(PERSONAL_PARAMS) + r")=)[^&#\s'\"]*", re.IGNORECASE
)


def redact(text: str) -> str:
    text = _SECRET_IN_PATH.sub(r"\1[redacted]", text)
    return _PERSONAL_IN_QUERY.sub(r"\1[redacted]", text)


def redact_query(query: str) -> str:
    """A bare query string (no "?"), as gunicorn's %(q)s atom shows it."""
    return redact("?" + query)[1:] if query else query


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
