"""The reminder settings form refuses settings that could never work as the patient
expects: reminders with no way to arrive, and (quiet hours) times that say one thing
and do another."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.edit_versions import with_version
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


def save(patient, data: dict):
    """The settings form posted as its page sends it (with the page's version)."""
    return patient.post(SETTINGS, with_version(patient, SETTINGS, data))


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
    response = save(patient, data)
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
    response = save(patient, settings_form(email_enabled=None, in_app_enabled=None))
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
    refused = save(patient, settings_form(email_enabled=None, in_app_enabled=None))
    assert refused.status_code == 200
    response = save(patient, settings_form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_text_message_counts_as_a_way_to_arrive(patient, enrollment, settings):
    settings.SMS_PROVIDER = "twilio"
    preferences_for(enrollment)
    refused = save(patient, settings_form(email_enabled=None, in_app_enabled=None))
    assert refused.status_code == 200
    data = settings_form(
        email_enabled=None, in_app_enabled=None, sms_enabled="on", phone="+44 7911 123456"
    )
    response = save(patient, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.channels == ["sms"]


# ------------------------------------------------------------------- quiet hours

IN_QUIET_HOURS = {
    "en": "This time is inside your quiet hours, so the reminder would only come when they "
    "end, at ",
    "es": "Esta hora está dentro de sus horas de silencio, así que el recordatorio solo "
    "llegaría cuando terminen, a las ",
}
SAME_START_AND_END = {
    "en": "Quiet hours cannot start and end at the same time. Change one of them, or leave "
    "both empty for no quiet hours.",
    "es": "Las horas de silencio no pueden empezar y terminar a la misma hora. Cambie una de "
    "las dos, o deje las dos vacías si no quiere horas de silencio.",
}


@pytest.mark.parametrize(
    ("at", "quiet_start", "quiet_end", "refused"),
    [
        ("22:00", "21:00", "07:00", True),  # the tester's case, across midnight
        ("21:00", "21:00", "07:00", True),  # equal to the start: quiet
        ("07:00", "21:00", "07:00", False),  # equal to the end: no longer quiet
        ("00:00", "21:00", "07:00", True),  # midnight, inside overnight hours
        ("06:59", "21:00", "07:00", True),
        ("20:59", "21:00", "07:00", False),
        ("12:00", "21:00", "07:00", False),
        ("13:00", "13:00", "15:00", True),  # quiet hours within a day
        ("14:30", "13:00", "15:00", True),
        ("15:00", "13:00", "15:00", False),
        ("23:00", "13:00", "15:00", False),
    ],
)
def test_a_practice_time_inside_quiet_hours_is_refused(
    patient, enrollment, at, quiet_start, quiet_end, refused
):
    preferences_for(enrollment)
    data = settings_form(practice_time=at, quiet_start=quiet_start, quiet_end=quiet_end)
    response = save(patient, data)
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    if refused:
        body = response.content.decode()
        assert response.status_code == 200
        assert IN_QUIET_HOURS["en"] in body
        assert f'value="{at}"' in body  # what they typed stays
        assert prefs.quiet_start is None  # nothing saved
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert prefs.practice_time.strftime("%H:%M") == at


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_quiet_hours_refusal_names_when_it_would_come(patient, cast, enrollment, language):
    speaking(cast, language)
    preferences_for(enrollment)
    data = settings_form(practice_time="22:00", quiet_start="21:00", quiet_end="07:00")
    body = save(patient, data).content.decode()
    assert IN_QUIET_HOURS[language] in body
    said = body.split(IN_QUIET_HOURS[language], 1)[1]
    assert said.startswith(("07:00", "7:00"))


def test_a_practice_time_in_quiet_hours_is_kept_while_practice_reminders_are_off(
    patient, enrollment
):
    """Off, the time sends nothing; it is checked again when they are turned back on."""
    preferences_for(enrollment)
    data = settings_form(
        practice_enabled=None, practice_time="22:00", quiet_start="21:00", quiet_end="07:00"
    )
    assert save(patient, data).status_code == 302
    data = settings_form(practice_time="22:00", quiet_start="21:00", quiet_end="07:00")
    assert IN_QUIET_HOURS["en"] in save(patient, data).content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_quiet_hours_that_start_when_they_end_are_refused(patient, cast, enrollment, language):
    speaking(cast, language)
    preferences_for(enrollment)
    data = settings_form(quiet_start="22:00", quiet_end="22:00")
    response = save(patient, data)
    assert response.status_code == 200
    assert escape(SAME_START_AND_END[language]) in response.content.decode()
    assert ReminderPreferences.objects.get(enrollment=enrollment).quiet_start is None
