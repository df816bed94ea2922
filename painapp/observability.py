"""Error tracking, log format and request ids in Celery: seeing production without
seeing patients.

- Sentry (optional, `SENTRY_DSN`): no request bodies, no local variables, no personal
  data; `scrub_event` strips what the SDK would still send (user, cookies, headers,
  query strings, breadcrumb data) and cuts database error details, which quote the
  row's values.
- `LOG_FORMAT=json`: one JSON object a line, with only the fields we name. Records
  carry "extra" attributes (Django's request log attaches the request object, whose
  text is its path with any secret in it): those are never written.
- The request id of the request that queued a task travels in the task's message
  headers, and the worker logs under it while it runs the task (and passes it on to
  tasks that task queues).
"""

from __future__ import annotations

import logging
import logging.config
import re
import warnings
from typing import TYPE_CHECKING, Any

from celery import signals
from pythonjsonlogger.json import JsonFormatter

from painapp.accounts.middleware import _request_id, current_request_id
from painapp.logfilters import redact

if TYPE_CHECKING:
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

REQUEST_ID_HEADER = "painapp_request_id"
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


# ---------------------------------------------------------------- Sentry
def sentry_init(dsn: str, *, environment: str = "production", **options: Any) -> None:
    """Start reporting errors to Sentry. `options` go to sentry_sdk.init (tests pass a
    fake `transport`)."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    with warnings.catch_warnings():
        # Newer SDKs (2.7x) prefer `data_collection`, whose defaults follow this flag;
        # it stays explicit so that a reader sees it is off.
        warnings.filterwarnings(
            "ignore", "The send_default_pii option is deprecated", DeprecationWarning
        )
        sentry_sdk.init(
            dsn=dsn,
            environment=environment,
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            # No performance tracing: spans would carry SQL and URLs.
            traces_sample_rate=0.0,
            integrations=[DjangoIntegration(), CeleryIntegration()],
            before_send=scrub_event,
            before_breadcrumb=scrub_breadcrumb,
            **options,
        )


_EMAIL = re.compile(r"[^\s@<>()\"',;:]+@[^\s@<>()\"',;:]+\.[A-Za-z]{2,}")
# Postgres's DETAIL line quotes the values of the row concerned:
# "DETAIL:  Key (email)=(pat@example.org) already exists."
_DETAIL = re.compile(r"\n?[ \t]*DETAIL:.*$", re.MULTILINE)


def scrub_text(text: Any) -> Any:
    """An error message or traceback without database values, emails or URL secrets."""
    if not isinstance(text, str):
        return text
    return _EMAIL.sub("[email]", redact(_DETAIL.sub("", text)))


def scrub_event(event: Event, hint: Hint | None = None) -> Event:
    """Keep what says where the code failed; drop what could say who it failed for."""
    event.pop("user", None)
    event.pop("extra", None)
    request = event.get("request")
    if isinstance(request, dict):
        url = scrub_text(str(request.get("url", "")).split("?", 1)[0])
        event["request"] = {"method": request.get("method"), "url": url}
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = scrub_text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        event["logentry"] = {
            "message": scrub_text(logentry.get("formatted") or logentry.get("message"))
        }
    if "message" in event:
        event["message"] = scrub_text(event["message"])
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else crumbs
    if isinstance(values, list):  # (or an AnnotatedValue, when the SDK trimmed them)
        for crumb in values:
            scrub_breadcrumb(crumb)
    return event


def scrub_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint | None = None) -> Breadcrumb:
    """A breadcrumb's data holds SQL parameters, URLs and log arguments: dropped."""
    crumb.pop("data", None)
    crumb["message"] = scrub_text(crumb.get("message"))
    return crumb


# ---------------------------------------------------------------- log formats
class PlainLogFormatter(logging.Formatter):
    """One line a record; a traceback's error message goes through `scrub_text` (a
    database error quotes the row it failed on)."""

    def __init__(self, format: str | None = None, **kwargs: Any) -> None:  # noqa: A002 (logging's name)
        # `format`, as in a plain formatter's LOGGING entry (dictConfig passes it on).
        super().__init__(fmt=format, **kwargs)

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's naming)
        return scrub_text(super().formatException(ei))


class JsonLogFormatter(JsonFormatter):
    """python-json-logger's formatter, writing only the fields of its format (plus a
    scrubbed traceback): never a record's extra attributes."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's naming)
        return scrub_text(super().formatException(ei))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", ["asctime", "levelname", "name", "request_id", "message"])
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        for field in self._required_fields:
            log_data[self._get_rename(field)] = record.__dict__.get(field)
        # The traceback (exc_info, stack_info), or the dict a caller logged as its message.
        log_data.update(message_dict)


# ---------------------------------------------------------------- Celery
@signals.before_task_publish.connect
def _send_request_id(headers: dict | None = None, **kwargs: Any) -> None:
    """A task queued while serving a request (or running a task) carries its id."""
    request_id = current_request_id()
    if headers is not None and request_id != "-":
        headers.setdefault(REQUEST_ID_HEADER, request_id)


_tokens: dict[str, Any] = {}


@signals.task_prerun.connect
def _adopt_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    incoming = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    request_id = incoming if isinstance(incoming, str) and _VALID_ID.match(incoming) else "-"
    if task_id:
        _tokens[task_id] = _request_id.set(request_id)


@signals.task_postrun.connect
def _drop_request_id(task_id: str | None = None, **kwargs: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context (a thread pool): just clear it
            _request_id.set("-")


@signals.setup_logging.connect
def _worker_logging(loglevel: Any = None, **kwargs: Any) -> None:
    """Workers and beat log through Django's LOGGING (request ids, redaction, JSON),
    not Celery's own format. The command line's --loglevel still sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
