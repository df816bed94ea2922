"""Seeing production without seeing patients: Sentry events, JSON logs, and the
request id followed from a web request into the Celery worker that ran its task."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import IntegrityError, close_old_connections
from django.test import Client
from django.urls import reverse
from sentry_sdk.transport import Transport

from painapp.observability import sentry_init
from tests.conftest import ROOT, stop_process, subprocess_env

LABEL = "Lifting my grandson Ezekiel"


class CapturingTransport(Transport):
    """Sentry's outside edge: keeps each envelope, exactly as it would go out."""

    envelopes: list[bytes] = []

    def capture_envelope(self, envelope) -> None:
        CapturingTransport.envelopes.append(envelope.serialize())


@pytest.fixture
def sentry():
    CapturingTransport.envelopes = []
    sentry_init(
        "https://public@sentry.example.invalid/1", environment="test", transport=CapturingTransport
    )
    yield CapturingTransport.envelopes
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: the SDK's hooks stay installed but send nothing


def wsgi_post(path: str, query: str, form: dict, cookies: dict, **headers) -> str:
    """POST through Django's WSGI handler, as gunicorn calls it: Sentry's Django
    integration reads the request (URL, headers, cookies, body) at that level, which
    the test client bypasses. Returns the status line."""
    csrf = "c" * 32  # an unmasked CSRF secret is a valid token for its own cookie
    body = urlencode({**form, "csrfmiddlewaretoken": csrf}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in {**cookies, "csrftoken": csrf}.items())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": cookie,
        **{f"HTTP_{k.upper()}": v for k, v in headers.items()},
    }
    status = []
    # Like the test client: keep the test's transaction (and its data) open.
    request_started.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, lambda line, headers, exc_info=None: status.append(line))
    finally:
        request_started.connect(close_old_connections)
    return status[0]


def test_an_error_in_a_view_reaches_sentry_without_patient_data(
    cast, enrollment, sentry, monkeypatch, client
):
    def broken(**kwargs):
        # What Postgres says about a duplicate row: its DETAIL quotes the values.
        raise IntegrityError(
            'duplicate key value violates unique constraint "fear_label"\n'
            f"DETAIL:  Key (label, email)=({kwargs['label']}, "
            f"{cast.patient.email}) already exists."
        )

    monkeypatch.setattr("programs.exposure.views.fear_item_create", broken)
    client.force_login(cast.patient)
    session = client.cookies["sessionid"].value
    status = wsgi_post(
        "/exposure/fears/new/",
        f"note={cast.patient.email}",
        {"label": LABEL, "harm_rating": "40"},
        {"sessionid": session, "tracking": "pat-cookie-value"},
        user_agent="Pat's phone",
        x_request_id="req-sentry-0001",
    )
    assert status.startswith("500")

    [envelope] = sentry
    text = envelope.decode()
    event = json.loads(text.splitlines()[2])  # envelope header, item header, event
    # The error is there, with where it happened…
    [error] = [e for e in event["exception"]["values"] if e["type"] == "IntegrityError"]
    assert error["value"] == 'duplicate key value violates unique constraint "fear_label"'
    assert any(frame["function"] == "fear_create" for frame in error["stacktrace"]["frames"])
    assert event["request"] == {"method": "POST", "url": "http://testserver/exposure/fears/new/"}
    # …and nothing about who it happened to.
    for secret in (
        cast.patient.full_name,
        cast.patient.email,
        LABEL,
        "Ezekiel",
        session,
        "pat-cookie-value",
        "Pat's phone",
        "harm_rating=",  # the form's body (a query may name the column: not the patient's)
        "c" * 32,
    ):
        assert secret not in text, secret
    assert "user" not in event and "extra" not in event
    assert not any("vars" in frame for frame in error["stacktrace"]["frames"])


def run_settings_process(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(**env),
    )


def test_json_logs_keep_the_request_id_and_the_redaction(db):
    # A refused form post to an invitation link: Django logs the path (with its token).
    code = """
import django; django.setup()
from django.test import Client
client = Client(enforce_csrf_checks=True)
response = client.post("/invite/SECRET-TOKEN-1234/", HTTP_X_REQUEST_ID="req-abcdef123456")
print(response.status_code)
"""
    result = run_settings_process(code, LOG_FORMAT="json")
    assert result.stdout.strip() == "403", result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [refused] = [line for line in lines if line["logger"] == "django.security.csrf"]
    assert refused["request_id"] == "req-abcdef123456" and refused["level"] == "WARNING"
    assert "/invite/[redacted]/" in refused["message"]
    assert set(refused) == {"time", "level", "logger", "request_id", "message"}
    assert "SECRET-TOKEN-1234" not in result.stderr  # nor in any extra attribute


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_a_logged_database_error_keeps_no_row_values(db, log_format):
    code = """
import django, logging; django.setup()
from django.db import IntegrityError
try:
    raise IntegrityError('duplicate key value violates unique constraint "email"\\n'
                         'DETAIL:  Key (email)=(pat@example.org) already exists.')
except IntegrityError:
    logging.getLogger("django.request").exception("Internal Server Error: /x/")
"""
    result = run_settings_process(code, LOG_FORMAT=log_format)
    assert "violates unique constraint" in result.stderr, result.stderr
    assert "pat@example.org" not in result.stderr and "DETAIL" not in result.stderr


def test_an_unknown_log_format_stops_start_up():
    result = run_settings_process("import django; django.setup()", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT='xml' is unknown" in result.stderr


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return found


@pytest.mark.celery_worker
def test_the_worker_logs_a_task_under_the_request_id_that_queued_it(
    transactional_db, cast, settings, tmp_path
):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "painapp",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                "ids@%h",
            ],
            cwd=ROOT,
            env=subprocess_env(LOG_FORMAT="json"),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        # Too many wrong passwords for one account: the request queues the owner's alert.
        settings.LOGIN_ALERT_FAILURES = 1
        client = Client()
        response = client.post(
            reverse("account_login"),
            {"login": cast.patient.email, "password": "not-the-password"},
            HTTP_X_REQUEST_ID="req-login-0001",
        )
        assert response["X-Request-ID"] == "req-login-0001"

        def task_lines():
            lines = [
                json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")
            ]
            return [
                line
                for line in lines
                if line["logger"] == "celery.app.trace" and "succeeded" in line["message"]
            ]

        [done] = wait_for(task_lines)
        assert done["request_id"] == "req-login-0001", done
        assert cast.patient.email not in log.read_text()
    finally:
        stop_process(worker)
    assert os.path.getsize(log) > 0
