"""Text-message reminders: sent through Twilio's REST API for real, or not offered.

Twilio is the outside world here: a fake Messages API on 127.0.0.1
(tests/fake_twilio.py). Everything on our side — the sweep, the claim, the send and
the recorded outcome — is the real code on the real database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from painapp.accounts.models import Role
from tests.conftest import ROOT
from tests.edit_versions import with_version
from tests.factories import make_enrollment, make_member
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio
from tracking.models import Delivery, ReminderPreferences
from tracking.reminders.delivery import deliver
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders
from tracking.reminders.transports import TransientError

PRACTICE_TEXT = "painapp: a gentle reminder for today's few minutes of practice."


@pytest.fixture
def twilio(settings):
    """A fake Twilio that painapp is configured to use; script replies on `.replies`."""
    with FakeTwilio() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def sms_delivery(cast, program_version, phone="+447911123456"):
    """A practice reminder due by text message (and email: not sent here)."""
    patient = make_member(cast.practice, Role.PATIENT, "texts@example.org", tz="Europe/London")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.sms_enabled, prefs.phone = time(9, 0), True, phone
    prefs.in_app_enabled = False
    prefs.save()
    schedules_sync(enrollment=enrollment, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    return Delivery.objects.get(channel="sms")


def test_it_sends_a_reminder_through_twilio_and_records_it_sent(cast, program_version, twilio):
    delivery = sms_delivery(cast, program_version, phone="+44 7911 123456")
    assert deliver(delivery.pk) == "sent"
    [request] = twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.auth == (ACCOUNT_SID, AUTH_TOKEN)
    # Sent in E.164, whatever spacing the patient typed.
    assert request.form == {"To": "+447911123456", "From": FROM_NUMBER, "Body": PRACTICE_TEXT}
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.sent_at is not None
    # A repeat (a redelivered task) sends nothing more.
    assert deliver(delivery.pk) == "sent" and len(twilio.requests) == 1


def test_a_rejected_number_is_recorded_as_failed_and_not_retried(cast, program_version, twilio):
    twilio.replies = [
        (
            400,
            {
                "code": 21211,
                "status": 400,
                "message": "The 'To' number +447911123456 is not valid.",
            },
        )
    ]
    delivery = sms_delivery(cast, program_version)
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    # Twilio's code is kept for the admin; its message (which quotes the number) is not.
    assert delivery.error == "Twilio HTTP 400, error 21211"
    assert deliver(delivery.pk) == "failed" and len(twilio.requests) == 1


@pytest.mark.parametrize(
    "reply",
    [(503, {"message": "busy"}), (429, {"code": 20429}), "hang"],
    ids=["server error", "too many requests", "timeout"],
)
def test_a_passing_failure_is_retried_and_then_sent_once(cast, program_version, twilio, reply):
    twilio.replies = [reply]
    delivery = sms_delivery(cast, program_version)
    with pytest.raises(TransientError):
        deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.error
    assert deliver(delivery.pk) == "sent"  # the retry
    assert len(twilio.requests) == 2
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_a_number_that_is_not_a_mobile_is_never_sent(cast, program_version, twilio):
    delivery = sms_delivery(cast, program_version, phone="12345")  # stored before validation
    assert deliver(delivery.pk) == "failed"
    assert twilio.requests == []


def test_with_no_provider_nothing_is_ever_marked_sent(cast, program_version, settings):
    settings.SMS_PROVIDER = ""
    delivery = sms_delivery(cast, program_version)  # chosen while a provider was set
    assert deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.sent_at is None and "not set up" in delivery.error


def test_with_no_provider_patients_are_not_offered_text_messages(
    client, cast, enrollment, settings
):
    settings.SMS_PROVIDER = ""
    client.force_login(cast.patient)
    page = client.get(reverse("reminder_settings")).content.decode()
    assert "By text message" not in page and "Mobile number" not in page
    client.post(
        reverse("reminder_settings"),
        with_version(
            client,
            reverse("reminder_settings"),
            {
                "practice_enabled": "on",
                "practice_time": "09:00",
                "email_enabled": "on",
                "sms_enabled": "on",
                "phone": "+447911123456",
            },
        ),
    )
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.sms_enabled is False and prefs.phone == ""


def test_with_a_provider_patients_choose_text_messages_to_a_valid_mobile(
    client, cast, enrollment, twilio
):
    client.force_login(cast.patient)
    page = client.get(reverse("reminder_settings")).content.decode()
    assert "By text message" in page and "Mobile number" in page

    def save(phone):
        return client.post(
            reverse("reminder_settings"),
            with_version(
                client,
                reverse("reminder_settings"),
                {
                    "practice_enabled": "on",
                    "practice_time": "09:00",
                    "email_enabled": "on",
                    "sms_enabled": "on",
                    "phone": phone,
                },
            ),
        )

    for wrong in ("07911 123456", "+44 12", "+44 20 7946 0958"):  # no country code, short,
        body = save(wrong).content.decode()  # a London landline
        assert "Enter a mobile number with its country code" in body, wrong
        assert not ReminderPreferences.objects.get(enrollment=enrollment).sms_enabled
    assert save("+44 (0)7911 123 456").status_code == 302
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.sms_enabled is True and prefs.phone == "+447911123456"


def _settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SMS_PROVIDER, s.SMS_TWILIO_ACCOUNT_SID, s.SMS_TWILIO_FROM_NUMBER)"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMS_", "TWILIO_", "DJANGO_SETTINGS"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "DJANGO_SETTINGS_MODULE": "painapp.settings_test", **env},
    )


def test_the_provider_is_configured_from_the_environment():
    on = _settings_in_a_fresh_process(
        SMS_PROVIDER="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM_NUMBER=FROM_NUMBER,
    )
    assert on.stdout.split() == ["twilio", ACCOUNT_SID, FROM_NUMBER], on.stderr
    off = _settings_in_a_fresh_process()
    assert off.stdout.strip() == "", off.stderr  # no provider: three empty values
    half = _settings_in_a_fresh_process(SMS_PROVIDER="twilio", TWILIO_ACCOUNT_SID=ACCOUNT_SID)
    assert half.returncode != 0
    assert "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN" in half.stderr
