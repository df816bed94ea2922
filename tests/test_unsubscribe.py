"""Unsubscribe works without login, only for its own patient, and cannot be forged."""

from __future__ import annotations

import re
from datetime import time

from django.urls import reverse
from django.utils import timezone

from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tracking.models import ReminderPreferences
from tracking.reminders.delivery import unsubscribe_token
from tracking.reminders.schedules import preferences_for, reminder_preferences_save


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
        with_version(
            client,
            reverse("reminder_settings"),
            {
                "practice_enabled": "on",
                "practice_time": "08:15",
                "checkin_enabled": "on",
                "email_enabled": "on",
                "in_app_enabled": "on",
                "practice_days": ["0", "2", "4"],
            },
        ),
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
        with_version(
            client,
            reverse("reminder_settings"),
            {"practice_enabled": "on", "practice_time": "21:00", "paused": "on"},
        ),
    )
    assert ReminderPreferences.objects.get(enrollment=other).paused is True
    assert not ReminderPreferences.objects.filter(enrollment=enrollment, paused=True).exists()
    client.force_login(cast.clinician)
    assert client.get(reverse("reminder_settings")).status_code == 404


# ------------------------------------------- an unsubscribe and a reminders tab left open

SETTINGS = reverse("reminder_settings")
EMAIL_BOX = r'<input type="checkbox" name="email_enabled"[^>]*>'


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


def version_in(page: str) -> str:
    [tag] = re.findall(r'<input type="hidden" name="edited_from"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def unsubscribe(client, enrollment) -> None:
    response = client.post(reverse("unsubscribe", args=[unsubscribe_token(enrollment.pk)]))
    assert response.status_code == 200


def test_a_reminders_tab_opened_before_an_unsubscribe_cannot_undo_it(client, cast, enrollment):
    """Open Reminders, unsubscribe from an email, go back to the old tab and change the
    practice time: refused, calmly, and the emails stay off."""
    preferences_for(enrollment)
    client.force_login(cast.patient)
    stale = version_in(client.get(SETTINGS).content.decode())
    unsubscribe(client, enrollment)
    response = client.post(SETTINGS, {**settings_form(practice_time="18:30"), "edited_from": stale})
    page = response.content.decode()
    assert response.status_code == 409
    assert "This was changed in another tab or window" in page
    assert "Saved now: By email" in page and "Not ticked" in page
    assert "You unsubscribed from reminder emails" in page
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert prefs.unsubscribed_at is not None and "email" not in prefs.channels
    assert str(prefs.practice_time) == "09:00:00"


def test_by_email_shows_unticked_while_unsubscribed_and_other_saves_keep_it_off(
    client, cast, enrollment
):
    preferences_for(enrollment)
    client.force_login(cast.patient)
    [box] = re.findall(EMAIL_BOX, client.get(SETTINGS).content.decode())
    assert " checked" in box
    unsubscribe(client, enrollment)
    page = client.get(SETTINGS).content.decode()
    [box] = re.findall(EMAIL_BOX, page)
    assert " checked" not in box
    # A new practice time, the box left as shown: still unsubscribed.
    chosen = settings_form(practice_time="18:30", email_enabled=None)
    response = client.post(SETTINGS, {**chosen, "edited_from": version_in(page)})
    assert response.status_code == 302
    prefs = ReminderPreferences.objects.get(enrollment=enrollment)
    assert str(prefs.practice_time) == "18:30:00"
    assert prefs.unsubscribed_at is not None and "email" not in prefs.channels


def test_only_ticking_by_email_undoes_an_unsubscribe(enrollment):
    """A save of the settings that did not tick "By email" (it was shown ticked) keeps
    the unsubscribe, whatever the row in hand says."""
    prefs = preferences_for(enrollment)
    unsubscribed = ReminderPreferences.objects.filter(pk=prefs.pk)
    unsubscribed.update(unsubscribed_at=timezone.now())
    prefs.practice_time = time(18, 30)  # email_enabled: True, as before the unsubscribe
    reminder_preferences_save(enrollment=enrollment, prefs=prefs)
    assert unsubscribed.get().unsubscribed_at is not None
    reminder_preferences_save(enrollment=enrollment, prefs=prefs, resubscribe=True)
    assert unsubscribed.get().unsubscribed_at is None
    assert "email" in unsubscribed.get().channels
