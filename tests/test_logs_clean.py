"""No patient data or secrets in application logs (SECURITY.md, "What is logged").

Every log record of every logger, at every level (DEBUG and up, except the loggers
settings.LOGGING pins to a level on purpose: those pins hold even with
LOG_LEVEL=DEBUG), is captured while realistic flows run: logins that fail, succeed
and get throttled; a check-in with a self-harm answer and the emails it sends; a
practice session with a note; an invitation made, sent (once failing), resent and
accepted; a data export; a 404, a 403 and a 400; a reminder delivered and one that
fails; a Celery task that fails on the SMTP server. Only the SMTP transport is
replaced. No record's message, arguments, formatted text or traceback may hold a
person's email or name, a note, an answer, a password, an invitation link, a session
key or SECRET_KEY; and no URL the app hands out in these flows holds an email or name
(a clinician searching the caseload for a patient by name or email included). The web
servers' request lines (gunicorn's access log, runserver's) drop tokens and the values
of query parameters that may hold a name or email.
"""

from __future__ import annotations

import logging
import re
import smtplib
import uuid
from datetime import timedelta
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db.models import F
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.middleware import RequestIdLogFilter
from painapp.accounts.models import Invitation, Role
from painapp.accounts.services import invitation_token
from tests.factories import PASSWORD, form_login, make_enrollment, make_member, make_practice
from tests.test_alerts_factories import registered_task
from tests.test_hostile_text import _Markup
from tracking.models import CheckIn, Delivery, OutboxTask, ReminderSchedule
from tracking.reminders.delivery import deliver
from tracking.reminders.schedules import schedules_sync
from tracking.reminders.sweep import sweep_due_reminders
from tracking.tasks import send_alert_email

PATIENT_EMAIL = "zelda.quintrell@patient.example"
PATIENT_NAME = "Zelda Quintrell"
CLINICIAN_EMAIL = "orrin.vasquez-dr@clinic.example"
CLINICIAN_NAME = "Orrin Vasquez"
ADMIN_EMAIL = "ilse.marchetti@clinic.example"
INVITEE_EMAIL = "bram.oduya@invitee.example"
INVITEE_NAME = "Bram Oduya"
NEW_PASSWORD = "Invitee-pass-Hn47-long"
WRONG_PASSWORD = "Wrong-pass-Kc19-long"
NOTE = "note-Xq81 felt my back soften after the walk"
CAUSE = "cause-Vb22 my divorce and stress at work"
CRISIS = "answer-Tm05 I think about ending it"


# ---------------------------------------------------------------- capture
class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdLogFilter())
        self.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))

    def emit(self, record):
        self.records.append(record)

    def texts(self) -> list[tuple[logging.LogRecord, str]]:
        """Everything a log line could show: message, arguments, the formatted line
        with its traceback and stack, and any extra attributes."""
        out = []
        for record in self.records:
            parts = [str(record.msg), repr(record.args), self.format(record)]
            if record.exc_info:
                parts.append(self.formatter.formatException(record.exc_info))
            # Extra attributes too, except the request object Django attaches for
            # handlers that ask for it (no handler here formats it).
            parts += [
                repr(v)
                for k, v in vars(record).items()
                if k not in _STANDARD and not isinstance(v, HttpRequest)
            ]
            out.append((record, "\n".join(parts)))
        return out


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


@pytest.fixture
def logs():
    """Every record from every logger, at DEBUG and above, while the test runs."""
    capture = _Capture()
    root = logging.getLogger()
    pinned = set(settings.LOGGING.get("loggers", {}))
    saved_root = root.level
    saved = {}
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            saved[name] = (logger.level, logger.disabled, logger.propagate)
            logger.disabled = False
            if name not in pinned:
                logger.setLevel(logging.NOTSET)
            if not logger.propagate:
                logger.addHandler(capture)
    root.setLevel(logging.DEBUG)
    root.addHandler(capture)
    yield capture
    root.removeHandler(capture)
    root.setLevel(saved_root)
    for name, (level, disabled, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.disabled = disabled
        logger.propagate = propagate
        logger.removeHandler(capture)


def _variants(secret: str) -> set[str]:
    return {secret, secret.lower(), quote(secret), quote_plus(secret), quote(secret, safe="")}


def leaks(logs: _Capture, secrets: dict[str, str]) -> list[str]:
    found = []
    for record, text in logs.texts():
        lowered = text.lower()
        for label, secret in secrets.items():
            if secret and any(v.lower() in lowered for v in _variants(secret)):
                found.append(f"{label} in {record.name} {record.levelname}: {text[:300]!r}")
    return found


# ---------------------------------------------------------------- the app's URLs
class RecordingClient(Client):
    """A test client that keeps every URL the app hands out: redirects, links, form
    actions and htmx URLs on every page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.urls: list[str] = []

    def request(self, **request):
        response = super().request(**request)
        for header in ("Location", "HX-Push-Url", "HX-Redirect"):
            if response.get(header):
                self.urls.append(response[header])
        if response.get("Content-Type", "").startswith("text/html") and response.content:
            self.urls += _page_urls(response.content.decode())
        return response


class _Links(_Markup):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in self.URL_ATTRIBUTES and v]


def _page_urls(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def email_urls() -> list[str]:
    return [
        u
        for m in mail.outbox
        for body in [m.body, *(a[0] for a in m.alternatives)]
        for u in re.findall(r"https?://[^\s\"'<>]+", body)
    ] + [v for m in mail.outbox for v in m.extra_headers.values() if "http" in v]


def urls_with_people(urls: list[str], people: dict[str, str]) -> list[str]:
    bad = []
    for url in urls:
        lowered = url.lower()
        for label, secret in people.items():
            if any(v.lower() in lowered for v in _variants(secret)):
                bad.append(f"{label} in {url}")
            # Names also as slugs, and the part of an email before the @.
            for word in re.split(r"[\s@]+", secret)[:1]:
                if len(word) > 4 and word.lower() in lowered:
                    bad.append(f"{label} ({word}) in {url}")
    return bad


# ---------------------------------------------------------------- SMTP stand-in
class FailingSmtp:
    """Stands in for an SMTP server (the outside world). While `refuse` is set, every
    send is refused the way real servers refuse: naming the recipients."""

    def __init__(self):
        self.refuse = False
        self.sent = []

    def __call__(self, *args, **kwargs):
        return self

    def send_messages(self, messages):
        if self.refuse:
            recipients = {
                r: (550, f"5.1.1 <{r}>: Recipient address rejected".encode())
                for m in messages
                for r in m.recipients()
            }
            raise smtplib.SMTPRecipientsRefused(recipients)
        self.sent.extend(messages)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def smtp(monkeypatch):
    server = FailingSmtp()
    monkeypatch.setattr("django.core.mail.get_connection", server)
    return server


# ---------------------------------------------------------------- the cast
@pytest.fixture
def people(db, program_version):
    practice = make_practice("Harbourside Spine Clinic")
    admin = make_member(practice, Role.ADMIN, ADMIN_EMAIL, name="Ilse Marchetti")
    clinician = make_member(practice, Role.CLINICIAN, CLINICIAN_EMAIL, name=CLINICIAN_NAME)
    patient = make_member(practice, Role.PATIENT, PATIENT_EMAIL, name=PATIENT_NAME)
    enrollment = make_enrollment(patient, clinician, practice, version=program_version, days_ago=10)
    return practice, admin, clinician, patient, enrollment


def secrets_for(people, *extra: str, **named: str) -> dict[str, str]:
    practice, admin, clinician, patient, _ = people
    secrets = {
        "patient email": PATIENT_EMAIL,
        "patient name": PATIENT_NAME,
        "clinician email": CLINICIAN_EMAIL,
        "clinician name": CLINICIAN_NAME,
        "admin email": ADMIN_EMAIL,
        "invitee email": INVITEE_EMAIL,
        "invitee name": INVITEE_NAME,
        "note": NOTE,
        "cause": CAUSE,
        "crisis answer": CRISIS,
        "password": PASSWORD,
        "new password": NEW_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "SECRET_KEY": settings.SECRET_KEY,
        **named,
    }
    for key in Session.objects.values_list("session_key", flat=True):
        secrets[f"session key {key[:4]}"] = key
    for invitation in Invitation.objects.all():
        secrets[f"invitation token {invitation.pk}"] = invitation_token(invitation)
    for n, value in enumerate(extra):
        secrets[f"secret {n}"] = value
    return secrets


PEOPLE = {
    "patient email": PATIENT_EMAIL,
    "patient name": PATIENT_NAME,
    "clinician email": CLINICIAN_EMAIL,
    "clinician name": CLINICIAN_NAME,
    "admin email": ADMIN_EMAIL,
    "invitee email": INVITEE_EMAIL,
    "invitee name": INVITEE_NAME,
}


def run_outbox() -> int:
    """Run every pending outbox task the way a worker would (same task, same
    arguments, through Celery's own tracer so its error logging runs too)."""
    ran = 0
    for row in OutboxTask.objects.filter(done_at__isnull=True).order_by("pk"):
        registered_task(row.task).apply(kwargs={**row.kwargs, "outbox_id": row.pk})
        ran += 1
    return ran


# ---------------------------------------------------------------- the checks can fail
def test_it_notices_a_leak(logs, people):
    logging.getLogger("tracking.views").info("Saved note for %s", PATIENT_EMAIL)
    try:
        raise ValueError(NOTE)
    except ValueError:
        logging.getLogger("celery.app.trace").exception("Task failed")
    logging.getLogger("painapp.anything").debug("x", extra={"who": PATIENT_NAME.upper()})
    found = leaks(logs, secrets_for(people))
    assert [f.split(" in ")[0] for f in found] == ["patient email", "note", "patient name"]
    assert urls_with_people([f"/x/?q={quote_plus(PATIENT_EMAIL)}", "/ok/zelda/"], PEOPLE)
    assert not urls_with_people(["/patients/12/", "/checkin/3/?done=1"], PEOPLE)


# ---------------------------------------------------------------- flows
def test_it_logs_no_personal_data_when_people_log_in(logs, people, smtp):
    practice, admin, clinician, patient, _ = people
    other = RecordingClient()
    assert form_login(other, patient).status_code == 302
    assert other.get(reverse("today")).status_code == 200
    other.post(reverse("account_logout"))
    client = RecordingClient()
    for _ in range(6):  # wrong passwords until the account is throttled
        response = client.post(
            reverse("account_login"), {"login": PATIENT_EMAIL, "password": WRONG_PASSWORD}
        )
    assert response.status_code in (200, 429)
    assert b"Too many" in response.content or response.status_code == 429
    client.post(
        reverse("account_login"),
        {"login": "nobody-Qw93@nowhere.example", "password": WRONG_PASSWORD},
    )
    staff = RecordingClient()
    assert form_login(staff, clinician).status_code == 302
    assert staff.get(reverse("caseload")).status_code == 200
    session_key = staff.session.session_key
    client.post(reverse("account_reset_password"), {"email": PATIENT_EMAIL})
    [reset_url] = {u for u in email_urls() if "/password/reset/key/" in u}  # text and HTML
    reset_key = reset_url.rstrip("/").rsplit("/", 1)[1]
    # A login form and a new-password form posted without their CSRF token
    # (django.security.csrf logs each, with the path).
    strict = Client(enforce_csrf_checks=True)
    reset_path = reset_url.split("://", 1)[1].split("/", 1)[1]
    assert strict.post("/" + reset_path, {"password1": NEW_PASSWORD}).status_code == 403
    assert (
        strict.post(
            reverse("account_login"), {"login": PATIENT_EMAIL, "password": PASSWORD}
        ).status_code
        == 403
    )
    refused = [r.getMessage() for r in logs.records if r.name == "django.security.csrf"]
    assert any("/password/reset/key/[redacted]" in m for m in refused), refused
    secrets = secrets_for(
        people,
        session_key,
        **{"unknown email": "nobody-Qw93@nowhere.example", "reset key": reset_key},
    )
    assert not leaks(logs, secrets), "\n".join(leaks(logs, secrets))
    bad = urls_with_people(client.urls + staff.urls + other.urls + email_urls(), PEOPLE)
    assert not bad, bad


def test_it_logs_no_personal_data_through_a_patients_week(logs, people, smtp):
    practice, admin, clinician, patient, enrollment = people
    client = RecordingClient()
    assert form_login(client, patient).status_code == 302
    # A check-in with a self-harm answer and words of crisis in the three causes.
    now = timezone.now()
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot="followup-1m",
        kind=CheckIn.Kind.FOLLOWUP,
        due_date=now.date(),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
        instrument_keys=["phq9", "causes"],
    )
    answers = {"action": "submit", **{f"phq9__phq{n}": "1" for n in range(1, 9)}, "phq9__phq9": "3"}
    for n, text in ((1, CAUSE), (2, CRISIS), (3, CAUSE)):
        answers[f"causes__cause{n}__text"] = text
        answers[f"causes__cause{n}__category"] = "stress"
    response = client.post(reverse("checkin_detail", args=[checkin.pk]), answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert enrollment.alerts.filter(kind="self_harm").exists()
    # The clinician's mail server refuses the alert email once (the task fails in
    # Celery, which logs it), then takes it.
    smtp.refuse = True
    assert run_outbox() == 1
    smtp.refuse = False
    assert run_outbox() == 1
    assert len(smtp.sent) == 1
    # Somatic tracking with a note.
    response = client.post(
        reverse("practice_save"),
        {
            "client_token": str(uuid.uuid4()),
            "pain_before": "6",
            "threat_before": "5",
            "pain_after": "3",
            "threat_after": "2",
            "note": NOTE,
            "duration_seconds": "240",
        },
    )
    assert response.status_code == 302
    # The data export (password entered at login).
    response = client.post(reverse("my_data_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    # A 404, a 403 (no CSRF token), a 400 (a host we do not serve) and a form's 400.
    assert (
        client.get(f"/patients/{enrollment.pk}/?email={quote_plus(PATIENT_EMAIL)}").status_code
        == 404
    )
    assert client.get("/no-such-page/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(
            reverse("account_login"), {"login": PATIENT_EMAIL, "password": PASSWORD}
        ).status_code
        == 403
    )
    assert client.get(reverse("today"), HTTP_HOST="evil.example").status_code == 400
    staff = RecordingClient()
    assert form_login(staff, clinician).status_code == 302
    assert staff.get(f"/patients/{enrollment.pk}/").status_code == 200
    assert staff.post(
        reverse("patient_note_add", args=[enrollment.pk]), {"body": NOTE}
    ).status_code in (200, 302)
    # A reminder that the patient's mail server refuses, and one that goes out (owed:
    # practised the day before, as a practised day's practice reminder is skipped).
    enrollment.practice_sessions.update(local_date=F("local_date") - timedelta(days=1))
    schedules_sync(enrollment=enrollment)
    schedule = ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")
    due = schedule.next_due_at
    assert sweep_due_reminders(due) >= 1
    smtp.refuse = True
    [email_delivery] = Delivery.objects.filter(channel="email")
    assert deliver(email_delivery.pk, now=due) == "failed"
    smtp.refuse = False
    Delivery.objects.filter(pk=email_delivery.pk).update(status=Delivery.Status.PENDING)
    assert deliver(email_delivery.pk, now=due + timedelta(minutes=1)) == "sent"

    secrets = secrets_for(people, client.session.session_key, staff.session.session_key)
    assert not leaks(logs, secrets), "\n".join(leaks(logs, secrets))
    names = {r.name for r in logs.records}
    assert {"django.security.csrf", "django.security.DisallowedHost"} <= names, names
    bad = urls_with_people(client.urls + staff.urls + email_urls(), PEOPLE)
    assert not bad, bad


def test_it_logs_no_personal_data_around_invitations(logs, people, smtp):
    practice, admin, clinician, patient, enrollment = people
    staff = RecordingClient()
    assert form_login(staff, admin).status_code == 302
    # The invitee's mail server refuses the first email; the admin resends it.
    smtp.refuse = True
    response = staff.post(
        reverse("invitation_create"),
        {
            "email": INVITEE_EMAIL,
            "full_name": INVITEE_NAME,
            "role": "clinician",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code in (200, 302)
    invitation = Invitation.objects.get(membership__user__email=INVITEE_EMAIL)
    assert invitation.sent_at is None
    smtp.refuse = False
    assert staff.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 302
    invitation.refresh_from_db()
    token = invitation_token(invitation)
    assert staff.get(reverse("invitation_list")).status_code == 200
    # The invitee follows the link, sets a password, and is in.
    guest = RecordingClient()
    url = reverse("invitation_accept", args=[token])
    assert guest.get(url).status_code == 200
    # First without the CSRF token (a form left open too long): refused, and logged.
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"password1": NEW_PASSWORD}).status_code == 403
    response = guest.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": "Europe/London"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
    # A used link, and a made-up one.
    assert RecordingClient().get(url).status_code in (200, 410)
    RecordingClient().get(reverse("invitation_accept", args=["x" + token[1:]]))

    secrets = secrets_for(people, token, staff.session.session_key)
    assert not leaks(logs, secrets), "\n".join(leaks(logs, secrets))
    assert any(r.name == "painapp.accounts.services" for r in logs.records)
    refused = [r.getMessage() for r in logs.records if r.name == "django.security.csrf"]
    assert refused == ["Forbidden (CSRF cookie not set.): /invite/[redacted]/"], refused
    bad = urls_with_people(staff.urls + guest.urls + email_urls(), PEOPLE)
    assert not bad, bad


def test_it_logs_no_personal_data_when_background_sends_fail(logs, people, smtp):
    """Celery logs a failed task with its exception: the exception must not carry the
    addresses a mail server named."""
    practice, admin, clinician, patient, enrollment = people
    from tracking.alerts.services import alert_raise

    alert = alert_raise(enrollment=enrollment, kind="self_harm", severity="urgent", source="test")
    smtp.refuse = True
    result = send_alert_email.apply(kwargs={"alert_id": alert.pk})
    assert result.failed()
    assert any(r.name.startswith("celery") for r in logs.records)
    assert not leaks(logs, secrets_for(people)), "\n".join(leaks(logs, secrets_for(people)))


def test_it_keeps_tokens_out_of_the_web_servers_access_log():
    """gunicorn's access log (docker/web.sh) shows the request line and the Referer."""
    from datetime import timedelta as duration
    from types import SimpleNamespace

    from gunicorn.config import Config

    from painapp.gunicorn_logger import RedactingLogger

    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    lines = []
    capture = logging.Handler()
    capture.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(capture)
    token = "AbC123.signed-token_xyz"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/invite/{token}/",
        "PATH_INFO": f"/invite/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://painapp.example/accounts/password/reset/key/1-{token}/",
    }
    response = SimpleNamespace(status="403 Forbidden", headers=[], sent=12)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, duration(milliseconds=5))
    [line] = lines
    assert token not in line
    assert "/invite/[redacted]/" in line and "/password/reset/key/[redacted]" in line


def test_the_web_servers_access_log_is_json_like_every_other_log(monkeypatch, capsys):
    """LOG_FORMAT=json: gunicorn's access lines are JSON objects with the app's fields,
    the request id the app gave the response, and the path still redacted."""
    import json
    from datetime import timedelta as duration
    from types import SimpleNamespace

    from gunicorn.config import Config

    from painapp.gunicorn_logger import RedactingLogger

    monkeypatch.setenv("LOG_FORMAT", "json")
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    token = "AbC123.signed-token_xyz"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/unsubscribe/{token}/",
        "PATH_INFO": f"/unsubscribe/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(
        status="200 OK", headers=[("X-Request-ID", "req-1234abcd")], sent=512
    )
    logger.access(response, SimpleNamespace(headers=[]), environ, duration(milliseconds=7))
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.strip()]
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "request_id", "message"}
    assert entry["level"] == "INFO" and entry["request_id"] == "req-1234abcd"
    assert entry["message"] == '"GET /unsubscribe/[redacted]/ HTTP/1.1" 200 512B 7ms'
    assert token not in line


def test_it_keeps_a_searched_name_out_of_urls_and_logs(logs, people, smtp):
    """A clinician searches the caseload for the patient by name (no JavaScript) and by
    email (htmx), then sorts and pages: no URL handed out (redirect, pushed URL, link,
    form) and no log line holds either."""
    practice, admin, clinician, patient, _ = people
    staff = RecordingClient()
    assert form_login(staff, clinician).status_code == 302
    found = staff.post(reverse("caseload"), {"q": PATIENT_NAME}, follow=True)
    assert [row.name for row in found.context["page"].rows] == [PATIENT_NAME]
    swapped = staff.post(reverse("caseload"), {"q": PATIENT_EMAIL}, HTTP_HX_REQUEST="true")
    assert swapped["HX-Push-Url"] == "/caseload/?search=on"
    sorted_ = staff.get(reverse("caseload"), {"search": "on", "sort": "name"})
    assert [row.name for row in sorted_.context["page"].rows] == [PATIENT_NAME]
    staff.get(reverse("caseload"), {"search": "on", "page": "2"}, HTTP_HX_REQUEST="true")
    assert len(staff.urls) > 10
    bad = urls_with_people(staff.urls, PEOPLE)
    assert not bad, bad
    secrets = secrets_for(people)
    assert not leaks(logs, secrets), "\n".join(leaks(logs, secrets))


def _access_line(environ: dict, request_headers=(), log_format: str | None = None) -> str:
    from datetime import timedelta as duration
    from types import SimpleNamespace

    from gunicorn.config import Config

    from painapp.gunicorn_logger import RedactingLogger

    config = Config()
    config.set("accesslog", "-")
    if log_format:
        config.set("access_log_format", log_format)
    logger = RedactingLogger(config)
    lines = []
    capture = logging.Handler()
    capture.emit = lambda record: lines.append(record.getMessage())
    logger.access_log.addHandler(capture)
    environ = {"SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1", **environ}
    response = SimpleNamespace(status="200 OK", headers=[], sent=12)
    logger.access(
        response, SimpleNamespace(headers=list(request_headers)), environ, duration(seconds=0)
    )
    [line] = lines
    return line


def test_it_keeps_names_and_emails_in_a_query_out_of_the_web_servers_access_log():
    """Defence in depth: a name or email in a query string (an old bookmark, a hand-made
    link) is not written to gunicorn's access log, in the request line, the query or
    the Referer; the other parameters stay, to read the log by."""
    query = f"q={quote_plus(PATIENT_NAME)}&status=active&EMAIL={quote(PATIENT_EMAIL)}&name=Zelda"
    referer = f"https://painapp.example/caseload/?sort=name&q={quote_plus(PATIENT_NAME)}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/caseload/?{query}",
        "PATH_INFO": "/caseload/",
        "QUERY_STRING": query,
        "HTTP_REFERER": referer,
    }
    line = _access_line(
        environ, [("REFERER", referer)], log_format='"%(r)s" %(s)s q=[%(q)s] "%(f)s"'
    )
    assert "zelda" not in line.lower() and "quintrell" not in line.lower(), line
    assert line == (
        '"GET /caseload/?q=[redacted]&status=active&EMAIL=[redacted]&name=[redacted] HTTP/1.1"'
        " 200 q=[q=[redacted]&status=active&EMAIL=[redacted]&name=[redacted]]"
        ' "https://painapp.example/caseload/?sort=name&q=[redacted]"'
    )
    # A parameter whose name only ends in one of those keeps its value.
    plain = _access_line({"REQUEST_METHOD": "GET", "RAW_URI": "/x/?freq=2", "QUERY_STRING": ""})
    assert "/x/?freq=2 " in plain


def test_the_development_servers_request_lines_are_redacted_like_gunicorns():
    """bin/run serves with runserver, which logs each request line (django.server) to
    the console: an invitation link's token and a searched name are left out of it, as
    in production. (The console email backend still prints an email's body in
    development: that is the email, not a log line.)"""
    import io

    from django.core.servers.basehttp import WSGIRequestHandler

    token = "AbC123.signed-token_xyz"
    console = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert console, "settings.LOGGING's console handler"
    out = io.StringIO()
    saved = [(h, h.setStream(out)) for h in console]
    try:
        handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
        handler.requestline = f"GET /invite/{token}/?email={quote(PATIENT_EMAIL)} HTTP/1.1"
        handler.request = None
        handler.log_message('"%s" %s %s', handler.requestline, "200", "512")
    finally:
        for h, stream in saved:
            h.setStream(stream)
    text = out.getvalue()
    assert '"GET /invite/[redacted]/?email=[redacted] HTTP/1.1" 200 512' in text, text
    assert token not in text and "zelda" not in text.lower()
