"""Email reminders against a real SMTP conversation (a local fake server): a temporary
refusal at the recipient step is retried with backoff and the reminder goes out once;
a permanent one is recorded and shown, never retried."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from painapp.accounts.models import Role
from tests.factories import make_enrollment, make_member
from tests.fake_smtp import FakeSmtpServer
from tracking.models import Delivery
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders
from tracking.tasks import _send_one


@pytest.fixture
def smtp(settings):
    """Django's real SMTP backend, talking to a fake server on localhost."""
    with FakeSmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = False, False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def retries(monkeypatch):
    """The countdowns of the retries a send task queues (instead of the broker)."""
    queued: list[int] = []
    monkeypatch.setattr(
        "tracking.tasks.send_delivery.apply_async", lambda args, countdown: queued.append(countdown)
    )
    return queued


@pytest.fixture
def email_delivery(cast, program_version):
    patient = make_member(cast.practice, Role.PATIENT, "smtp@example.org", tz="Europe/London")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.in_app_enabled = time(9, 0), False
    prefs.save()
    schedules_sync(enrollment=enrollment, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    return Delivery.objects.get(channel="email")


@pytest.mark.parametrize("code", ["421", "450", "451", "452"])
def test_a_temporary_refusal_at_rcpt_is_retried_with_backoff_and_sent_once(
    smtp, retries, email_delivery, code
):
    smtp.rcpt_replies = [f"{code} 4.3.2 try again later", f"{code} 4.3.2 try again later"]
    assert _send_one(email_delivery.pk) == "retrying"
    assert _send_one(email_delivery.pk) == "retrying"
    assert retries == [30, 60]  # backoff, not a give-up
    email_delivery.refresh_from_db()
    assert email_delivery.status == "pending" and f"SMTP {code}" in email_delivery.error
    assert smtp.messages == []

    assert _send_one(email_delivery.pk) == "sent"
    assert _send_one(email_delivery.pk) == "sent"  # a repeat sends nothing more
    assert len(smtp.messages) == 1
    assert "Subject: A few minutes for your practice" in smtp.messages[0]
    email_delivery.refresh_from_db()
    assert email_delivery.status == "sent" and email_delivery.attempts == 3


@pytest.mark.parametrize("code", ["550", "553"])
def test_a_permanent_refusal_at_rcpt_is_recorded_not_retried(smtp, retries, email_delivery, code):
    smtp.rcpt_replies = [f"{code} 5.1.1 no such user"]
    assert _send_one(email_delivery.pk) == "failed"
    assert _send_one(email_delivery.pk) == "failed"
    assert retries == [] and smtp.messages == [] and len(smtp.rcpt_seen) == 1
    email_delivery.refresh_from_db()
    assert email_delivery.status == "failed" and email_delivery.attempts == 1
    assert f"SMTP {code}" in email_delivery.error and "refused" in email_delivery.error
