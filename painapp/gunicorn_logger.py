"""gunicorn's logger, with the redaction of painapp/logfilters.py in its access log.

Used by docker/web.sh (`--logger-class painapp.gunicorn_logger.RedactingLogger`): an
access-log line shows the request line, path, query and Referer, and our invitation,
password-reset and unsubscribe links carry their secret in the path.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from painapp.logfilters import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
