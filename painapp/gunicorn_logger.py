"""gunicorn's logger: the redaction of painapp/logfilters.py in its access log, and the
same one-JSON-object-a-line format as the app's own logs under LOG_FORMAT=json.

Used by docker/web.sh (`--logger-class painapp.gunicorn_logger.RedactingLogger`): an
access-log line shows the request line, path, query and Referer, and our invitation,
password-reset and unsubscribe links carry their secret in the path (a query string's
q, email, name and the like lose their values too: painapp/logfilters.py).
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from painapp.logfilters import redact, redact_query
from painapp.observability import JsonLogFormatter


def _json_wanted() -> bool:
    # Read as settings.py reads it; gunicorn's master process has no Django settings.
    return os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json"


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        self._json = _json_wanted()
        if self._json:
            for log in (self.access_log, self.error_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonLogFormatter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # "q" is the bare query string; every other atom that holds one (the request
        # line, the Referer) has its "?".
        return {
            k: (redact_query(v) if k == "q" else redact(v)) if isinstance(v, str) else v
            for k, v in atoms.items()
        }

    def access(self, resp, req, environ, request_time):
        if not getattr(self, "_json", False):
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        # The request line, status, size and time; the request id the app gave the
        # response (painapp.accounts.middleware), so a line joins the app's own logs.
        request_id = dict((k.lower(), v) for k, v in resp.headers).get("x-request-id", "-")
        message = f'"{atoms["r"]}" {atoms["s"]} {atoms["B"] or 0}B {atoms["M"]}ms'
        self.access_log.info(message, extra={"request_id": request_id})
        return None
