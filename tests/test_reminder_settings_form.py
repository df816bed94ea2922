"""The reminder settings form refuses settings that could never work as the patient
expects: reminders with no way to arrive, and (quiet hours) times that say one thing
and do another."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tracking.models import ReminderPreferences
from tracking.reminders.schedules import preferences_for

SETTINGS = reverse("reminder_settings")


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def speaking(cast, language: str) -> None:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])


def settings_form(**changes) -> dict:
    data = {
        "practice_enabled": "on",
        "practice_time": "09:00",
        "checkin_enabled": "on",
        "email_enabled": "on",
        "in_app_enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------- a way to reach them

NO_CHANNEL = {
    "en": "Choose at least one way to get your reminders: by email or in the app. "
    "To get no reminders, untick them above or pause them.",
    "es": "Elija al menos una forma de recibir sus recordatorios: por correo electrónico "
    "o en la aplicación. Para no recibir recordatorios, desmárquelos arriba o páuselos.",
}
NO_CHANNEL_SMS = {
    "en": "Choose at least one way to get your reminders: by email, in the app or by text "
    "message. To get no reminders, untick them above or pause them.",
    "es": "Elija al menos una forma de recibir sus recordatorios: por correo electrónico, "
    "en la aplicación o por mensaje de texto. Para no recibir recordatorios, "
    "desmárquelos arriba o páuselos.",
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "reminder",
    [{"checkin_enabled": None}, {"practice_enabled": None}],
    ids=["practice on", "check-in on"],
)
def test_a_reminder_with_no_way_to_arrive_is_refused_keeping_the_input(
    patient, cast, enrollment, language, reminder
):
    speaking(cast, language)
    before = preferences_for(enrollment)
    data = settings_form(practice_time="07:45", email_enabled=None, in_app_enabled=None, **reminder)
    response = patient.post(SETTINGS, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(NO_CHANNEL[language]) in body
    assert 'value="07:45"' in body
    after = ReminderPreferences.objects.get(enrollment=enrollment)
    assert (after.email_enabled, after.in_app_enabled) == (True, True)
    assert after.practice_time == before.practice_time


@pytest.mark.parametrize("language", ["en", "es"])
def test_with_text_messages_offered_the_message_names_them(
    patient, cast, enrollment, settings, language
):
    settings.SMS_PROVIDER = "twilio"
    speaking(cast, language)
    preferences_for(enrollment)
    response = patient.post(SETTINGS, settings_form(email_enabled=None, in_app_enabled=None))
    assert escape(NO_CHANNEL_SMS[language]) in response.content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"email_enabled": None},
        {"in_app_enabled": None},
        {
            "practice_enabled": None,
            "checkin_enabled": None,
            "email_enabled": None,
            "in_app_enabled": None,
        },
        {"paused": "on", "email_enabled": None, "in_app_enabled": None},
    ],
    ids=["in the app only", "email only", "no reminders", "paused"],
)
def test_settings_that_need_no_more_channels_are_saved(patient, enrollment, changes):
    preferences_for(enrollment)
    refused = patient.post(SETTINGS, settings_form(email_enabled=None, in_app_enabled=None))
    assert refused.status_code == 200
    response = patient.post(SETTINGS, settings_form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_text_message_counts_as_a_way_to_arrive(patient, enrollment, settings):
    settings.SMS_PROVIDER = "twilio"
    preferences_for(enrollment)
    refused = patient.post(SETTINGS, settings_form(email_enabled=None, in_app_enabled=None))
    assert refused.status_code == 200
    data = settings_form(
        email_enabled=None, in_app_enabled=None, sms_enabled="on", phone="+44 7911 123456"
    )
    response = patient.post(SETTINGS, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.channels == ["sms"]
