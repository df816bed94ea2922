"""Unsubscribe works without login, only for its own patient, and cannot be forged."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import make_enrollment
from tracking.models import ReminderPreferences
from tracking.reminders.delivery import unsubscribe_token
from tracking.reminders.schedules import preferences_for


def test_one_click_unsubscribe_needs_no_login(client, cast, enrollment, other_enrollment):
    preferences_for(enrollment)
    preferences_for(other_enrollment)
    url = reverse("unsubscribe", args=[unsubscribe_token(enrollment.pk)])
    page = client.get(url)
    assert page.status_code == 200 and b"Stop reminder emails?" in page.content
    assert ReminderPreferences.objects.get(enrollment=enrollment).unsubscribed_at is None
    # what a mail client sends for List-Unsubscribe-Post: no session, no CSRF token
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert ReminderPreferences.objects.get(enrollment=enrollment).unsubscribed_at is not None
    assert ReminderPreferences.objects.get(enrollment=other_enrollment).unsubscribed_at is None
    assert "email" not in ReminderPreferences.objects.get(enrollment=enrollment).channels


def test_a_forged_or_altered_token_does_nothing(client, cast, enrollment):
    preferences_for(enrollment)
    token = unsubscribe_token(enrollment.pk)
    for bad in (token[:-2] + "xx", "MQ:forged:signature", str(enrollment.pk)):
        response = client.post(reverse("unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert ReminderPreferences.objects.get(enrollment=enrollment).unsubscribed_at is None


def test_turning_email_back_on_in_settings_resubscribes(client, cast, enrollment):
    preferences_for(enrollment)
    client.post(reverse("unsubscribe", args=[unsubscribe_token(enrollment.pk)]))
    client.force_login(cast.patient)
    page = client.get(reverse("reminder_settings")).content.decode()
    assert "You unsubscribed from reminder emails" in page
    client.post(
        reverse("reminder_settings"),
        {
            "practice_enabled": "on",
            "practice_time": "08:15",
            "checkin_enabled": "on",
            "email_enabled": "on",
            "in_app_enabled": "on",
            "practice_days": ["0", "2", "4"],
        },
    )
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.unsubscribed_at is None and prefs.practice_days == [0, 2, 4]
    assert str(prefs.practice_time) == "08:15:00"


def test_bad_reminder_settings_explain_and_keep_input(client, cast, enrollment, settings):
    settings.SMS_PROVIDER = "twilio"  # text messages are offered only with a provider
    client.force_login(cast.patient)
    response = client.post(
        reverse("reminder_settings"),
        {
            "practice_enabled": "on",
            "practice_time": "8 in the morning",
            "quiet_start": "22:00",
            "sms_enabled": "on",
            "phone": "",
        },
    )
    body = response.content.decode()
    assert "Enter a time like 9:00" in body
    assert "Set both quiet-hours times" in body
    assert "Add a mobile number" in body
    assert 'value="8 in the morning"' in body
    assert ReminderPreferences.objects.get(enrollment=enrollment).practice_time.hour == 9


def test_reminder_settings_are_the_patients_own(client, cast, enrollment, program_version):
    other = make_enrollment(
        cast.other_patient, cast.other_clinician, cast.practice, version=program_version
    )
    client.force_login(cast.other_patient)
    client.post(
        reverse("reminder_settings"),
        {"practice_enabled": "on", "practice_time": "21:00", "paused": "on"},
    )
    assert ReminderPreferences.objects.get(enrollment=other).paused is True
    assert not ReminderPreferences.objects.filter(enrollment=enrollment, paused=True).exists()
    client.force_login(cast.clinician)
    assert client.get(reverse("reminder_settings")).status_code == 404
