"""Secure messaging (issue 19.1): one thread per enrollment between the patient and their
care team; unread counts in the menu; notifications and emails that never carry the
message; crisis phrases in a patient's message show help at once and raise the urgent
alert; staff reads audited; outsiders get 404; htmx and plain POST; the practice's
switch; bad input kept; constant query counts as a thread and the inbox grow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import make_enrollment
from tests.test_alerts_factories import run_outbox
from tracking.messaging import selectors
from tracking.messaging.models import MESSAGE_MAX_LENGTH, Message, MessageThread
from tracking.messaging.services import MessagingOff, message_send
from tracking.models import Alert, Notification, PracticeSettings
from tracking.safety.scanner import FINGERPRINT, text_fingerprint

SECRET = "my knee twinges on the stairs zebra-7731"
CRISIS = "Honestly some days I want to die."


def patient_url() -> str:
    return reverse("messages")


def staff_url(enrollment) -> str:
    return reverse("patient_messages", args=[enrollment.pk])


def turn_off(practice) -> None:
    settings = PracticeSettings.for_practice(practice.pk)
    settings.messaging_enabled = False
    settings.save()


# ------------------------------------------------------------------ services
def test_it_keeps_one_thread_per_enrollment(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.clinician, body="Hello Pat")
    message_send(enrollment=enrollment, author=cast.patient, body="Hello Dr Kim")
    thread = MessageThread.objects.get()
    assert thread.enrollment == enrollment and thread.practice == cast.practice
    assert [(m.from_patient, m.body) for m in thread.messages.all()] == [
        (False, "Hello Pat"),
        (True, "Hello Dr Kim"),
    ]
    assert thread.last_message_at == thread.messages.last().sent_at


def test_it_tells_the_clinician_in_the_app_without_the_words(cast, enrollment, client):
    message_send(enrollment=enrollment, author=cast.patient, body=SECRET)
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages <span class="nav__badge">1' in page
    inbox = client.get(reverse("message_inbox")).content.decode()
    assert staff_url(enrollment) in inbox and "zebra" not in page + inbox
    assert not Notification.objects.exists()  # no row nobody would see, and none for Pat


def test_it_emails_the_clinician_without_the_message_or_the_patients_name(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.patient, body=SECRET)
    assert run_outbox() == ["tracking.tasks_messaging.send_message_email"]
    (email,) = mail.outbox
    assert email.to == [cast.clinician.email]
    text = email.subject + email.body + email.alternatives[0][0]
    assert "zebra" not in text and "twinges" not in text
    assert "Pat One" not in text and cast.patient.email not in text
    assert staff_url(enrollment) in email.body


def test_it_emails_the_patient_in_their_own_language(cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save()
    message_send(enrollment=enrollment, author=cast.clinician, body=SECRET)
    run_outbox()
    (email,) = mail.outbox
    assert email.to == [cast.patient.email]
    assert "equipo de atención" in email.subject
    assert "zebra" not in email.subject + email.body + email.alternatives[0][0]
    assert Notification.objects.get(user=cast.patient).title.startswith("Nuevo mensaje")


def test_it_does_not_email_about_a_message_already_read(cast, enrollment, client):
    message_send(enrollment=enrollment, author=cast.clinician, body="Hello Pat")
    client.force_login(cast.patient)
    client.get(patient_url())
    run_outbox()
    assert mail.outbox == []


def test_it_emails_once_until_the_first_unread_message_is_read(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.patient, body="One")
    message_send(enrollment=enrollment, author=cast.patient, body="Two")
    run_outbox()
    assert len(mail.outbox) == 1


def test_a_sent_message_is_read_by_its_author(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.clinician, body="Hello")
    assert (
        selectors.unread_in_thread(MessageThread.objects.get(), cast.clinician, from_patient=True)
        == 0
    )
    assert (
        selectors.unread_in_thread(MessageThread.objects.get(), cast.patient, from_patient=False)
        == 1
    )


def test_it_sends_nothing_when_the_practice_has_messaging_off(cast, enrollment):
    turn_off(cast.practice)
    with pytest.raises(MessagingOff):
        message_send(enrollment=enrollment, author=cast.patient, body="Hello")
    assert not Message.objects.exists()


# ------------------------------------------------------------------ the safety scanner
def test_a_crisis_phrase_raises_the_urgent_alert_without_the_words(cast, enrollment):
    sent = message_send(enrollment=enrollment, author=cast.patient, body=CRISIS)
    alert = Alert.objects.get(enrollment=enrollment)
    assert sent.alert == alert
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")
    # A keyed fingerprint of the words, never the words (tracking.safety.scanner).
    assert alert.details == {
        "crisis_words": True,
        "entry": "message",
        FINGERPRINT: text_fingerprint([CRISIS]),
    }


def test_a_staff_message_is_not_scanned(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.clinician, body=CRISIS)
    assert not Alert.objects.exists()


def test_the_patient_sees_help_at_once_with_htmx(cast, enrollment, client):
    client.force_login(cast.patient)
    response = client.post(patient_url(), {"body": CRISIS}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "You do not have to face this alone" in page and "Get help now" in page
    assert 'id="conversation"' in page and "<html" not in page
    client.force_login(cast.clinician)
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert "Pat One" in inbox


def test_the_patient_sees_help_at_once_without_javascript(cast, enrollment, client):
    client.force_login(cast.patient)
    response = client.post(patient_url(), {"body": CRISIS})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "You do not have to face this alone" in page
    # once: the next visit is the plain thread again
    assert "You do not have to face this alone" not in client.get(patient_url()).content.decode()


# ------------------------------------------------------------------ the patient's page
def test_the_patient_page_has_the_banner_and_office_hours(cast, enrollment, client):
    client.force_login(cast.patient)
    page = client.get(patient_url()).content.decode()
    assert "Not for emergencies." in page
    assert f'href="{reverse("get_help")}"' in page
    assert "Mon–Fri, 9:00–17:00" in page


def test_with_no_staffed_days_patients_are_told_no_office_hours(cast, enrollment, client):
    PracticeSettings.objects.filter(practice=cast.practice).update(working_days=[])
    client.force_login(cast.patient)
    page = client.get(patient_url()).content.decode()
    assert "office hours:" not in page and "9:00" not in page
    assert "Your care team has no set office hours for messages." in page
    assert "Your care team reads messages when they can." in page
    assert "during office hours" not in page
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    page = client.get(patient_url()).content.decode()
    assert "Su equipo de atención no tiene un horario fijo para los mensajes." in page
    assert "Su equipo de atención lee los mensajes cuando puede." in page


def test_a_plain_post_sends_and_redirects(cast, enrollment, client):
    client.force_login(cast.patient)
    response = client.post(patient_url(), {"body": "  Walked to the shop today  "})
    assert response.status_code == 302 and response.url.startswith(patient_url())
    assert Message.objects.get().body == "Walked to the shop today"
    assert "Walked to the shop today" in client.get(patient_url()).content.decode()


def test_an_htmx_post_returns_the_conversation_with_an_empty_form(cast, enrollment, client):
    client.force_login(cast.patient)
    response = client.post(patient_url(), {"body": "Walked today"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Walked today" in page and "Message sent." in page
    textarea = page[page.index("<textarea") : page.index("</textarea>")]
    assert "Walked today" not in textarea


@pytest.mark.parametrize("htmx", [False, True])
def test_an_empty_message_gets_a_plain_message(cast, enrollment, client, htmx):
    client.force_login(cast.patient)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(patient_url(), {"body": "   "}, **extra)
    assert response.status_code == 400  # htmx swaps a 400 in (base.html: responseHandling)
    assert "Write your message before sending it." in response.content.decode()
    assert not Message.objects.exists()


def test_a_too_long_message_is_kept_with_a_plain_message(cast, enrollment, client):
    client.force_login(cast.patient)
    text = "word " * (MESSAGE_MAX_LENGTH // 5 + 10)
    response = client.post(patient_url(), {"body": text})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please keep a message under 2000 characters" in page
    assert text.strip()[:200] in page
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("side", "language", "hint"),
    [
        ("patient", "en", "Up to 2000 characters."),
        ("patient", "es", "Hasta 2000 caracteres."),
        ("staff", "en", "Up to 2000 characters."),
        ("staff", "es", "Hasta 2000 caracteres."),
    ],
)
def test_the_box_says_its_limit_before_sending(cast, enrollment, client, side, language, hint):
    """The limit shows under the box from the start (no maxlength: it would cut pasted
    text), tied to the box for screen readers, with the live count's place after it."""
    user = cast.patient if side == "patient" else cast.clinician
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(patient_url() if side == "patient" else staff_url(enrollment))
    body = page.content.decode()
    assert f'<p class="hint" id="id_body_limit">{hint}</p>' in body
    textarea = re.search(r"<textarea[^>]*>", body).group(0)
    assert 'aria-describedby="id_body_limit id_body_helptext"' in textarea
    assert "maxlength" not in textarea
    assert body.index('id="id_body_limit"') < body.index('id="id_body_count"')


def test_with_messaging_off_the_page_says_so_and_nothing_is_sent(cast, enrollment, client):
    turn_off(cast.practice)
    client.force_login(cast.patient)
    page = client.get(patient_url()).content.decode()
    assert "Messaging is turned off at your practice." in page
    assert 'name="body"' not in page
    assert f'href="{patient_url()}"' not in client.get(reverse("today")).content.decode()
    response = client.post(patient_url(), {"body": "Hello?"})
    assert response.status_code == 409
    assert not Message.objects.exists()


# ------------------------------------------------------------------ unread counts in the menu
def test_the_patient_menu_shows_the_unread_count(cast, enrollment, client):
    message_send(enrollment=enrollment, author=cast.clinician, body="One")
    message_send(enrollment=enrollment, author=cast.clinician, body="Two")
    client.force_login(cast.patient)
    today = client.get(reverse("today")).content.decode()
    assert f'href="{patient_url()}">Messages <span class="nav__badge">2' in today
    client.get(patient_url())  # read
    today = client.get(reverse("today")).content.decode()
    assert f'href="{patient_url()}">Messages</a>' in today


def test_the_clinician_menu_shows_the_unread_count(cast, enrollment, client):
    message_send(enrollment=enrollment, author=cast.patient, body="One")
    client.force_login(cast.clinician)
    inbox_url = reverse("message_inbox")
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{inbox_url}">Messages <span class="nav__badge">1' in page
    client.get(staff_url(enrollment))
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{inbox_url}">Messages</a>' in page


def test_the_menu_count_is_one_query(cast, enrollment, rf, django_assert_num_queries):
    from painapp.accounts.middleware import membership_for

    message_send(enrollment=enrollment, author=cast.patient, body="One")
    request = rf.get("/")
    request.user = cast.clinician
    request.session = {}
    membership_for(request)  # the menu's membership comes with every page already
    with django_assert_num_queries(1):
        found = selectors.menu_messages(request)
    assert (found.enabled, found.unread) == (True, 1)


def test_a_colleagues_reply_is_not_unread_for_a_clinician(cast, enrollment):
    message_send(enrollment=enrollment, author=cast.admin, body="From the admin")
    thread = MessageThread.objects.get()
    assert selectors.unread_in_thread(thread, cast.clinician, from_patient=True) == 0


# ------------------------------------------------------------------ staff: access and audit
@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_the_care_team_reads_the_thread_and_it_is_audited(cast, enrollment, client, who):
    message_send(enrollment=enrollment, author=cast.patient, body=SECRET)
    client.force_login(getattr(cast, who))
    page = client.get(staff_url(enrollment)).content.decode()
    assert SECRET in page
    event = AuditEvent.objects.get(action="messages.viewed")
    assert (event.actor, event.subject) == (getattr(cast, who), cast.patient)
    assert event.object_type == "tracking.messagethread"


@pytest.mark.parametrize("who", ["other_clinician", "outsider_admin", "outsider_clinician"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_a_404_and_change_nothing(cast, enrollment, client, who, method):
    message_send(enrollment=enrollment, author=cast.patient, body=SECRET)
    client.force_login(getattr(cast, who))
    response = getattr(client, method)(staff_url(enrollment), {"body": "Hi"})
    assert response.status_code == 404
    assert Message.objects.count() == 1
    assert not AuditEvent.objects.filter(action="messages.viewed").exists()
    assert AuditEvent.objects.filter(action="access.denied").exists()


@pytest.mark.parametrize("who", ["patient", "other_patient"])
def test_patients_get_a_404_on_the_staff_pages(cast, enrollment, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(staff_url(enrollment)).status_code == 404
    assert client.get(reverse("message_inbox")).status_code == 404


def test_staff_get_a_404_on_the_patient_page(cast, enrollment, client):
    client.force_login(cast.clinician)
    assert client.get(patient_url()).status_code == 404


def test_a_patient_only_ever_sees_their_own_thread(cast, enrollment, other_enrollment, client):
    message_send(enrollment=other_enrollment, author=cast.other_clinician, body=SECRET)
    client.force_login(cast.patient)
    assert SECRET not in client.get(patient_url()).content.decode()


def test_a_staff_message_is_sent_redirected_and_audited(cast, enrollment, client):
    client.force_login(cast.clinician)
    response = client.post(staff_url(enrollment), {"body": "How was the walk?"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.author, message.from_patient) == (cast.clinician, False)
    sent = AuditEvent.objects.get(action="messages.sent")
    assert (sent.subject, sent.object_id) == (cast.patient, str(message.pk))


def test_the_inbox_lists_unread_threads_first(cast, program_version, enrollment, client):
    second = make_enrollment(
        cast.other_patient, cast.clinician, cast.practice, version=program_version
    )
    message_send(enrollment=enrollment, author=cast.patient, body="Old but unread")
    message_send(enrollment=second, author=cast.other_patient, body="Newer")
    client.force_login(cast.clinician)
    client.get(staff_url(second))  # read the newer one
    page = client.get(reverse("message_inbox")).content.decode()
    assert page.index("Pat One") < page.index(cast.other_patient.display_name)
    assert "1 unread" in page
    reads = AuditEvent.objects.filter(action="messages.inbox_viewed")
    assert {e.subject_id for e in reads} == {cast.patient.pk, cast.other_patient.pk}


def test_the_inbox_hides_other_clinicians_patients(cast, enrollment, other_enrollment, client):
    message_send(enrollment=other_enrollment, author=cast.other_patient, body="Hi")
    client.force_login(cast.clinician)
    page = client.get(reverse("message_inbox")).content.decode()
    assert cast.other_patient.display_name not in page


# ------------------------------------------------------------------ the admin's inbox
def test_an_admin_has_messages_in_the_menu_counting_the_practices_unread(
    cast, enrollment, other_enrollment, client
):
    message_send(enrollment=enrollment, author=cast.patient, body="One")
    message_send(enrollment=other_enrollment, author=cast.other_patient, body="Two")
    message_send(enrollment=other_enrollment, author=cast.other_patient, body="Three")
    client.force_login(cast.admin)
    page = client.get(reverse("practice_overview")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages <span class="nav__badge">3' in page
    client.get(staff_url(other_enrollment))  # read: two fewer
    page = client.get(reverse("practice_overview")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages <span class="nav__badge">1' in page
    # Another practice's admin counts none of it.
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("practice_overview")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages</a>' in page


def test_an_admin_has_no_messages_link_when_the_practice_turned_messaging_off(
    cast, enrollment, client
):
    message_send(enrollment=enrollment, author=cast.patient, body="One")
    client.force_login(cast.admin)
    from tracking.safety.services import practice_safety_settings_update

    practice_safety_settings_update(
        request=None, practice=cast.practice, data={"messaging_enabled": False}
    )
    page = client.get(reverse("practice_overview")).content.decode()
    assert f'href="{reverse("message_inbox")}"' not in page


def listed(client) -> set[str]:
    """The patients the inbox lists (the links to their threads)."""
    page = client.get(reverse("message_inbox")).content.decode()
    return set(re.findall(r'<a href="/[^"]*/messages/">([^<]+)</a>', page))


def test_an_admins_inbox_lists_every_thread_of_their_practice_and_no_other(
    cast, program_version, enrollment, other_enrollment, client
):
    elsewhere = make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    message_send(enrollment=enrollment, author=cast.patient, body="Hi")
    message_send(enrollment=other_enrollment, author=cast.other_patient, body="Hi")
    message_send(enrollment=elsewhere, author=cast.outsider_patient, body=SECRET)
    client.force_login(cast.admin)
    assert listed(client) == {cast.patient.display_name, cast.other_patient.display_name}
    assert client.get(staff_url(elsewhere)).status_code == 404
    reads = AuditEvent.objects.filter(action="messages.inbox_viewed", actor=cast.admin)
    assert {e.subject_id for e in reads} == {cast.patient.pk, cast.other_patient.pk}
    # The other practice's admin sees only theirs, and gets a 404 on ours.
    client.force_login(cast.outsider_admin)
    assert listed(client) == {cast.outsider_patient.display_name}
    assert client.get(staff_url(enrollment)).status_code == 404


def test_staff_reach_messages_from_the_patient_record(cast, enrollment, client):
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    assert f'href="{staff_url(enrollment)}"' in page


# ------------------------------------------------------------------ the practice's switch
def _checkbox(page: str) -> str:
    return re.search(r'<input[^>]*name="messaging_enabled"[^>]*>', page).group(0)


def test_an_admin_turns_messaging_off_on_the_safety_settings_screen(cast, client):
    from tracking.safety.services import practice_safety_settings_update

    client.force_login(cast.admin)
    page = client.get(reverse("admin_safety_settings")).content.decode()
    assert "checked" in _checkbox(page)  # on by default
    request = client.get(reverse("admin_safety_settings")).wsgi_request
    changes = practice_safety_settings_update(
        request=request, practice=cast.practice, data={"messaging_enabled": False}
    )
    assert changes == {"messaging_enabled": [True, False]}
    assert not PracticeSettings.for_practice(cast.practice.pk).messaging_enabled
    assert AuditEvent.objects.filter(action="practice_safety.changed").exists()
    page = client.get(reverse("admin_safety_settings")).content.decode()
    assert "checked" not in _checkbox(page)


def test_the_settings_form_turns_messaging_off_and_on(cast, client):
    from tests.test_safety_settings import settings_post

    client.force_login(cast.admin)
    data = settings_post(cast)
    del data["messaging_enabled"]  # the box unticked
    assert client.post(reverse("admin_safety_settings"), data).status_code == 302
    assert not PracticeSettings.for_practice(cast.practice.pk).messaging_enabled
    client.post(reverse("admin_safety_settings"), settings_post(cast))
    assert PracticeSettings.for_practice(cast.practice.pk).messaging_enabled


# ------------------------------------------------------------------ query counts
def _fill(cast, enrollment, n):
    for i in range(n):
        message_send(enrollment=enrollment, author=cast.patient, body=f"Patient {i}")
        message_send(enrollment=enrollment, author=cast.clinician, body=f"Clinician {i}")


def _count_queries(client, url, django_assert_max_num_queries=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["patient", "clinician"])
def test_the_thread_costs_the_same_queries_as_it_grows(cast, enrollment, client, who):
    client.force_login(getattr(cast, who))
    url = patient_url() if who == "patient" else staff_url(enrollment)
    _fill(cast, enrollment, 1)
    client.get(url)
    small = _count_queries(client, url)
    _fill(cast, enrollment, 15)
    assert _count_queries(client, url) == small


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_the_inbox_costs_the_same_queries_as_it_grows(
    cast, program_version, enrollment, client, django_assert_num_queries, who
):
    from tests.factories import Role, make_member

    client.force_login(getattr(cast, who))
    _fill(cast, enrollment, 1)
    client.get(reverse("message_inbox"))
    small = _count_queries(client, reverse("message_inbox"))
    for i in range(8):
        patient = make_member(cast.practice, Role.PATIENT, f"grow{i}@riverside.test")
        more = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
        message_send(enrollment=more, author=patient, body="Hello")
    client.get(reverse("message_inbox"))  # the menu's badges counted afresh after the news
    with django_assert_num_queries(small):
        client.get(reverse("message_inbox"))


# ------------------------------------------------------------------ Spanish
def test_the_pages_speak_spanish_to_a_spanish_speaker(cast, enrollment, client):
    for person in (cast.patient, cast.clinician):
        person.language = "es"
        person.save()
    message_send(enrollment=enrollment, author=cast.clinician, body="Hola")
    client.force_login(cast.patient)
    page = client.get(patient_url()).content.decode()
    assert "Mensajes con su equipo de atención" in page and "No es para emergencias." in page
    assert "Obtener ayuda ahora" in page and "Enviar mensaje" in page
    assert "Not for emergencies" not in page
    response = client.post(patient_url(), {"body": ""}, HTTP_HX_REQUEST="true")
    assert "Escriba su mensaje antes de enviarlo." in response.content.decode()
    client.force_login(cast.clinician)
    message_send(enrollment=enrollment, author=cast.patient, body="Gracias")
    inbox = client.get(reverse("message_inbox")).content.decode()
    assert "1 sin leer" in inbox
    thread = client.get(staff_url(enrollment)).content.decode()
    assert "Sus mensajes con Pat One" in thread
    cast.admin.language = "es"
    cast.admin.save()
    client.force_login(cast.admin)
    overview = client.get(reverse("practice_overview")).content.decode()
    assert f'href="{reverse("message_inbox")}">Mensajes <span class="nav__badge">1' in overview
