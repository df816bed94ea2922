"""Everything sent to a person is in their own language: emails (rendered by a real
worker), text messages and in-app reminders; whatever language the sender is in."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from painapp.accounts.emails import build_email
from painapp.accounts.models import Role
from tests.conftest import start_worker, stop_process
from tests.factories import make_enrollment, make_member
from tracking.models import Delivery, Notification
from tracking.reminders.delivery import build_message
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders

PATIENT_EMAILS = {
    # template: (English subject, Spanish subject)
    "emails/reminder_practice": (
        "A few minutes for your practice",
        "Unos minutos para su práctica",
    ),
    "emails/reminder_checkin": (
        "Your weekly check-in is ready",
        "Su control semanal está listo",
    ),
    "emails/reminder_checkin_followup": (
        "Your check-in is still open",
        "Su control sigue abierto",
    ),
    "emails/login_failures": (
        "Someone tried to log in to your painapp account",
        "Alguien intentó entrar en su cuenta de painapp",
    ),
}
CONTEXT = {
    "name": "Ana",
    "url": "https://painapp.example.org/x/",
    "settings_url": "https://painapp.example.org/s/",
    "unsubscribe_url": "https://painapp.example.org/u/",
    "reset_url": "https://painapp.example.org/r/",
    "failures": 10,
    "minutes": 60,
    "at": timezone.now(),
}


@pytest.mark.parametrize("template", sorted(PATIENT_EMAILS))
def test_each_email_is_in_the_recipients_language_not_the_senders(template):
    english, spanish = PATIENT_EMAILS[template]
    with translation.override("en"):  # an English-speaking admin's request, say
        message = build_email(template, to="ana@example.org", context=CONTEXT, language="es")
    html = message.alternatives[0][0]
    assert message.subject == spanish
    assert "Hola, Ana:" in message.body and "Hola, Ana:" in html
    assert '<html lang="es">' in html
    with translation.override("es"):
        message = build_email(template, to="ana@example.org", context=CONTEXT, language="en")
    assert message.subject == english
    assert "Hello Ana," in message.body and '<html lang="en">' in message.alternatives[0][0]


def test_the_invitation_is_in_the_invitees_language(db, cast):
    context = {
        "practice": cast.practice,
        "role": "patient",
        "is_patient": True,
        "name": "Ana",
        "url": "https://painapp.example.org/invite/t/",
        "expires_at": timezone.now(),
    }
    message = build_email("emails/invitation", to="a@example.org", context=context, language="es")
    assert message.subject == "Su invitación para empezar su programa para el dolor de espalda"
    assert f"{cast.practice.name} le invita a painapp" in message.body


@pytest.mark.celery_worker
def test_a_worker_sends_each_patient_their_reminder_in_their_own_language(
    transactional_db, cast, program_version, settings, tmp_path
):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    now = timezone.now().replace(microsecond=0)
    zone = "America/Mexico_City"
    local = now.astimezone(ZoneInfo(zone))
    if (local - timedelta(minutes=10)).date() != local.date():  # just after midnight
        now += timedelta(minutes=15)
    enrollments = {}
    for language in ("es", "en"):
        patient = make_member(cast.practice, Role.PATIENT, f"lang-{language}@example.org", tz=zone)
        patient.language = language
        patient.save()
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version, days_ago=1
        )
        prefs = preferences_for(enrollment)
        prefs.practice_time = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone)).time()
        prefs.checkin_enabled = False
        prefs.save()
        schedules_sync(enrollment=enrollment, now=now - timedelta(minutes=5))
        enrollments[language] = enrollment

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(
        "lang",
        TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
    )
    try:
        with translation.override("en"):
            sweep_due_reminders(now=now)
        deadline = time.monotonic() + 45
        while Delivery.objects.filter(status="sent").count() < 4:
            assert time.monotonic() < deadline, "reminders were not sent in time"
            time.sleep(0.3)
    finally:
        stop_process(worker)

    received = {}
    for path in mail_dir.iterdir():
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                received[str(message["To"])] = message
    spanish = received["lang-es@example.org"]
    assert str(spanish["Subject"]) == "Unos minutos para su práctica"
    assert "Empezar la práctica de hoy" in spanish.get_body(("html",)).get_content()
    assert str(received["lang-en@example.org"]["Subject"]) == "A few minutes for your practice"
    in_app = dict(Notification.objects.values_list("user__language", "title"))
    assert in_app == {
        "es": "Es hora de unos minutos de práctica",
        "en": "Time for a few minutes of practice",
    }


def test_a_text_message_is_in_the_patients_language(cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save()
    schedules_sync(enrollment=enrollment, now=timezone.now())
    delivery = Delivery(
        schedule=enrollment.reminder_schedules.get(kind="practice"),
        slot="2026-12-06",
        channel="sms",
        due_at=timezone.now(),
    )
    message = build_message(delivery)
    assert message.sms_text == ("painapp: le recordamos sus minutos de práctica de hoy.")
    assert message.language == "es"
