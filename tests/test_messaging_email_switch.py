"""A person's own "Email me when I get a new message" (User.message_emails), on by
default, for patients and staff: off, no email about new messages, while the in-app
notification and the menu's unread count still come; safety alerts never depend on it;
turned back on, the next new message is emailed again. Set from the patient's Reminders
page and everyone's account page (one small form, no JavaScript), with a plain message
for anything but a tick or an empty box, at a constant query count, in Spanish too."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_alerts_factories import run_outbox
from tracking.messaging.services import message_send
from tracking.models import Alert, Notification, PracticeSettings

SECRET = "my knee twinges on the stairs zebra-7731"
CRISIS = "Honestly some days I want to die."
MESSAGE_EMAIL = "tracking.tasks_messaging.send_message_email"
SWITCH = reverse("account_message_emails")
REMINDERS = reverse("reminder_settings")
ACCOUNT = reverse("account_change_password")


def switch(client, person, on: bool, back_to: str = REMINDERS):
    """Save the switch as the page's form does: a ticked box posts "on", an empty one
    posts nothing."""
    client.force_login(person)
    data = {"next": back_to, **({"message_emails": "on"} if on else {})}
    return client.post(SWITCH, data)


def _box(page: str) -> str:
    return re.search(r'<input[^>]*name="message_emails"[^>]*>', page).group(0)


def _emails_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


# ------------------------------------------------------------------ the email
def test_it_is_on_by_default_and_the_email_has_no_words_of_the_message(cast, enrollment):
    assert cast.patient.message_emails and cast.clinician.message_emails
    message_send(enrollment=enrollment, author=cast.clinician, body=SECRET)
    assert run_outbox() == [MESSAGE_EMAIL]
    (email,) = mail.outbox
    assert email.to == [cast.patient.email]
    text = email.subject + email.body + email.alternatives[0][0]
    assert "zebra" not in text and "twinges" not in text
    assert reverse("messages") in email.body


def test_switched_off_the_patient_gets_no_email_but_sees_the_message(cast, enrollment, client):
    switch(client, cast.patient, on=False)
    cast.patient.refresh_from_db()
    assert not cast.patient.message_emails
    message_send(enrollment=enrollment, author=cast.clinician, body=SECRET)
    run_outbox()
    assert mail.outbox == []
    # Still told in the app, and the menu still counts it.
    assert Notification.objects.filter(user=cast.patient, url=reverse("messages")).exists()
    today = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("messages")}">Messages <span class="nav__badge">1' in today
    assert SECRET in client.get(reverse("messages")).content.decode()


def test_switched_back_on_the_next_message_is_emailed_again(cast, enrollment, client):
    switch(client, cast.patient, on=False)
    message_send(enrollment=enrollment, author=cast.clinician, body="While off")
    run_outbox()
    assert mail.outbox == []
    switch(client, cast.patient, on=True)
    # Not read in between: the message that came while it was off was never emailed,
    # so it does not count as "told already".
    message_send(enrollment=enrollment, author=cast.clinician, body="Back on")
    assert run_outbox() == [MESSAGE_EMAIL]
    (email,) = mail.outbox
    assert email.to == [cast.patient.email] and "Back on" not in email.body


def test_a_clinician_who_switched_off_gets_no_email_for_a_patients_message(
    cast, enrollment, client
):
    response = switch(client, cast.clinician, on=False, back_to=ACCOUNT)
    assert response.status_code == 302 and response.url == ACCOUNT
    message_send(enrollment=enrollment, author=cast.patient, body=SECRET)
    run_outbox()
    assert _emails_to(cast.clinician) == []
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages <span class="nav__badge">1' in page
    # Back on: the next message from the patient is emailed.
    switch(client, cast.clinician, on=True, back_to=ACCOUNT)
    message_send(enrollment=enrollment, author=cast.patient, body="Another")
    run_outbox()
    (email,) = _emails_to(cast.clinician)
    assert "Another" not in email.body + email.subject


def test_one_persons_choice_leaves_the_other_sides_emails_alone(cast, enrollment, client):
    switch(client, cast.clinician, on=False, back_to=ACCOUNT)
    message_send(enrollment=enrollment, author=cast.clinician, body="Hello Pat")
    run_outbox()
    assert len(_emails_to(cast.patient)) == 1


def test_a_crisis_phrase_still_alerts_a_clinician_who_switched_message_emails_off(
    cast, enrollment, client
):
    switch(client, cast.clinician, on=False, back_to=ACCOUNT)
    sent = message_send(enrollment=enrollment, author=cast.patient, body=CRISIS)
    alert = Alert.objects.get(enrollment=enrollment)
    assert sent.alert == alert and alert.severity == "urgent"
    ran = run_outbox()
    assert "tracking.tasks_alerts.send_alert_email" in ran
    subjects = [m.subject for m in _emails_to(cast.clinician)]
    # then when: its due time (tests/test_alert_due_wording.py)
    assert any(s.startswith("Urgent: a patient needs a call ") for s in subjects)
    assert "A patient sent you a message" not in subjects


def test_the_care_team_is_told_when_the_patient_gets_no_email(cast, enrollment, client):
    hint = "They chose not to get emails about new messages."
    client.force_login(cast.clinician)
    url = reverse("patient_messages", args=[enrollment.pk])
    assert hint not in client.get(url).content.decode()
    switch(client, cast.patient, on=False)
    client.force_login(cast.clinician)
    assert hint in client.get(url).content.decode()


# ------------------------------------------------------------------ the pages
def test_the_reminders_page_shows_the_switch_ticked_by_default(cast, enrollment, client):
    client.force_login(cast.patient)
    page = client.get(REMINDERS).content.decode()
    assert "Email me when I get a new message" in page
    assert "checked" in _box(page)
    assert f'action="{SWITCH}"' in page and f'name="next" value="{REMINDERS}"' in page


def test_saving_from_the_reminders_page_comes_back_with_a_confirmation(cast, enrollment, client):
    response = switch(client, cast.patient, on=False)
    assert response.status_code == 302 and response.url == REMINDERS
    page = client.get(REMINDERS).content.decode()
    assert "Saved. We will not email you about new messages." in page
    assert "checked" not in _box(page)
    switch(client, cast.patient, on=True)
    page = client.get(REMINDERS).content.decode()
    assert "Saved. We will email you when you get a new message." in page
    assert "checked" in _box(page)


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_staff_find_the_switch_on_their_account_page(cast, enrollment, client, who):
    person = getattr(cast, who)
    client.force_login(person)
    page = client.get(ACCOUNT).content.decode()
    assert "Emails about new messages" in page and "checked" in _box(page)
    response = client.post(SWITCH, {"next": ACCOUNT}, follow=True)
    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "checked" not in _box(response.content.decode())
    person.refresh_from_db()
    assert not person.message_emails


def test_the_switch_has_a_page_of_its_own(cast, client):
    client.force_login(cast.clinician)
    page = client.get(SWITCH).content.decode()
    assert "<h1>Emails about new messages</h1>" in page and "checked" in _box(page)
    response = client.post(SWITCH, {})
    assert response.status_code == 302 and response.url == SWITCH


@pytest.mark.parametrize(
    "data",
    [
        {"message_emails": "banana"},
        {"message_emails": "<script>alert(1)</script>"},
        {"message_emails": "a" * 6000},
        {"message_emails": "\x00"},
        {"message_emails": "on", "next": "https://evil.example/"},
    ],
)
def test_nonsense_gets_a_plain_message_and_changes_nothing(cast, enrollment, client, data):
    client.force_login(cast.patient)
    response = client.post(SWITCH, {"next": REMINDERS, **data})
    cast.patient.refresh_from_db()
    if data.get("message_emails") == "on":
        # A return address we do not know is ignored: back to the switch's own page.
        assert response.status_code == 302 and response.url == SWITCH
        assert cast.patient.message_emails
        return
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tick the box to get these emails, or leave it empty." in page
    assert "<script>alert(1)</script>" not in page
    assert cast.patient.message_emails  # unchanged
    assert cast.patient.message_emails_changed_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(SWITCH, {})
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_with_messaging_off_at_the_practice_the_switch_is_not_offered(cast, enrollment, client):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.messaging_enabled = False
    settings.save()
    client.force_login(cast.patient)
    assert 'name="message_emails"' not in client.get(REMINDERS).content.decode()
    client.force_login(cast.clinician)
    assert 'name="message_emails"' not in client.get(ACCOUNT).content.decode()


def test_saving_the_same_choice_again_keeps_its_time(cast, client):
    switch(client, cast.patient, on=False)
    cast.patient.refresh_from_db()
    first = cast.patient.message_emails_changed_at
    switch(client, cast.patient, on=False)
    cast.patient.refresh_from_db()
    assert first is not None and cast.patient.message_emails_changed_at == first


def test_the_patients_data_download_holds_their_choice(cast, enrollment, client):
    from tests.test_data_export import document, download, login

    switch(client, cast.patient, on=False)
    client.logout()
    login(client, cast.patient)  # a real login: the download asks for a recent one
    (person,) = document(download(client))["tables"]["accounts.user"]
    assert person["message_emails"] is False
    assert person["message_emails_changed_at"]


# ------------------------------------------------------------------ query counts
def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [REMINDERS, ACCOUNT, SWITCH])
def test_the_pages_cost_the_same_queries_whichever_way_it_is_set(cast, enrollment, client, url):
    client.force_login(cast.patient)
    client.get(url)  # the menu's badges cached, as on any later page
    on = _queries(client, url)
    switch(client, cast.patient, on=False)
    client.get(url)
    for i in range(5):
        message_send(enrollment=enrollment, author=cast.clinician, body=f"Note {i}")
    client.get(url)
    assert _queries(client, url) == on


# ------------------------------------------------------------------ Spanish
def test_a_spanish_speaker_gets_the_switch_and_its_messages_in_spanish(cast, enrollment, client):
    cast.patient.language = "es"
    cast.patient.save()
    client.force_login(cast.patient)
    page = client.get(REMINDERS).content.decode()
    assert "Enviarme un correo cuando reciba un mensaje nuevo" in page
    assert "Mensajes nuevos de su equipo de atención" in page
    assert "Email me when I get a new message" not in page
    response = client.post(SWITCH, {"next": REMINDERS}, follow=True)
    assert "Guardado. No le enviaremos correos sobre mensajes nuevos." in (
        response.content.decode()
    )
    response = client.post(SWITCH, {"message_emails": "banana"})
    assert "Marque la casilla para recibir estos correos, o déjela vacía." in (
        response.content.decode()
    )
