"""Everywhere a patient is told how long a check-in takes, it is what Today's card says
for the same check-in (services.checkin_length: the questions really asked in their
language, 20 s each), in English and Spanish.

Before: the results page offered the extra mood questions (the PHQ-9 after a positive
PHQ-2) with "It takes about 2 minutes" while Today said about 3 for the same 10
questions, and the reminder emails and texts promised "about 3 minutes" for every
check-in and "about 5 minutes" for a follow-up (4 questions: about 1)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Role
from tests.checkin_data import post_for
from tests.factories import make_enrollment, make_member
from tests.fake_twilio import FakeTwilio
from tests.test_i18n import english_in
from tests.test_today_checkin_card import CARDS, _card, _open
from tracking.instruments import registry
from tracking.models import CheckIn, Delivery, ReminderSchedule
from tracking.reminders.delivery import deliver, deliver_many
from tracking.reminders.schedules import preferences_for, schedules_sync

# Today's two sentences: "N short questions. It takes about M minutes." (and Spanish).
LENGTH = re.compile(
    r"\d+ (?:short questions?|preguntas? cortas?)\. "
    r"(?:It takes about \d+ minutes?|Toma alrededor de \d+ minutos?)\."
)
MINUTES = re.compile(r"(?:It takes about \d+ minutes?|Toma alrededor de \d+ minutos?)\.")


def _one(pattern: re.Pattern, text: str) -> str:
    found = pattern.findall(" ".join(text.split()))
    assert len(found) == 1, found
    return found[0]


def _speaks(patient, language: str) -> None:
    patient.language = language
    patient.save(update_fields=["language"])


# ---------------------------------------------------------------- the results page
@pytest.mark.parametrize(
    ("language", "length"),
    [
        # The PHQ-9's 10 less the 3 the weekly check-in asked (CheckIn.answered_before).
        ("en", "7 short questions. It takes about 2 minutes."),
        ("es", "7 preguntas cortas. Toma alrededor de 2 minutos."),
    ],
)
def test_the_offer_of_more_mood_questions_says_what_today_says(
    client, cast, week3, language, length
):
    _speaks(cast.patient, language)
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    client.post(url, post_for(week3.instrument_keys, phq2={"phq1": 2, "phq2": 1}))
    page = client.get(url + "?done=1").content.decode()
    match = re.search(r'<section[^>]*aria-labelledby="extra-h".*?</section>', page, re.S)
    assert match, "no offer of the extra questions"
    offer = " ".join(match.group(0).split())
    # The extra check-in is now the open one: Today's card is about it.
    assert _one(LENGTH, offer) == _one(LENGTH, _card(client)) == length
    if language == "es":
        assert english_in(offer) == []


# ---------------------------------------------------------------- the reminders
@pytest.fixture
def twilio(settings):
    with FakeTwilio() as fake:
        for name, value in fake.settings().items():
            setattr(settings, name, value)
        yield fake


def _reminder(enrollment, checkin: CheckIn, channel: str, stage: str = "open") -> Delivery:
    """A check-in reminder by `channel` for `checkin`, due now."""
    prefs = preferences_for(enrollment)
    prefs.sms_enabled, prefs.phone = True, "+447911123456"
    prefs.save()
    schedules_sync(enrollment=enrollment, now=timezone.now())
    return Delivery.objects.create(
        schedule=enrollment.reminder_schedules.get(kind=ReminderSchedule.Kind.CHECKIN),
        slot=f"checkin:{checkin.pk}:{stage}",
        channel=channel,
        due_at=timezone.now(),
    )


@pytest.mark.parametrize("stage", ["open", "followup"])
@pytest.mark.parametrize(("kind", "slot", "week", "keys", "language", "_h", "_b"), CARDS)
def test_a_reminder_email_says_what_today_says(
    client, cast, enrollment, kind, slot, week, keys, language, _h, _b, stage
):
    _speaks(cast.patient, language)
    checkin = _open(enrollment, kind=kind, slot=slot, week=week, keys=keys)
    client.force_login(cast.patient)
    today = _one(LENGTH, _card(client))
    assert deliver(_reminder(enrollment, checkin, "email", stage).pk) == "sent"
    [email] = mail.outbox
    html = email.alternatives[0][0]
    assert _one(LENGTH, email.body) == _one(LENGTH, re.sub(r"<[^>]+>", " ", html)) == today
    if language == "es":
        assert english_in(email.body.split("http")[0]) == []


@pytest.mark.parametrize("stage", ["open", "followup"])
@pytest.mark.parametrize(("kind", "slot", "week", "keys", "language", "_h", "_b"), CARDS)
def test_a_reminder_text_says_what_today_says(
    client, cast, enrollment, twilio, kind, slot, week, keys, language, _h, _b, stage
):
    _speaks(cast.patient, language)
    checkin = _open(enrollment, kind=kind, slot=slot, week=week, keys=keys)
    client.force_login(cast.patient)
    today_minutes = _one(MINUTES, _card(client))
    assert deliver(_reminder(enrollment, checkin, "sms", stage).pk) == "sent"
    [request] = twilio.requests
    text = request.form["Body"]
    assert text.startswith("painapp: ") and text.endswith(" " + today_minutes)
    assert _one(MINUTES, text) == today_minutes


def test_a_batch_of_check_in_reminders_reads_the_instruments_once(cast, program_version, settings):
    """However many patients: one read of the check-ins (with their instruments'
    current versions) and at most one of the versions' content per group; each email
    costs only its own "sent"."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = []
    for n, language in enumerate(["en", "es"] * 3):
        patient = make_member(cast.practice, Role.PATIENT, f"len-{n}@example.org")
        _speaks(patient, language)
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version
        )
        checkin = _open(enrollment, kind="baseline", slot="baseline", week=None, keys=CARDS[0][3])
        prefs = preferences_for(enrollment)
        prefs.in_app_enabled = False
        prefs.save()
        ids.append(_reminder(enrollment, checkin, "email").pk)
    # The shipped instruments stored (as the first check-in page does).
    registry.current_instruments(list(CARDS[0][3]), cast.practice.pk)

    def cost(batch: list[int]) -> tuple[int, int]:
        registry._versions.clear()  # cold: the versions' content read in this batch
        with CaptureQueriesContext(connection) as queries:
            deliver_many(batch)
        # A read of the versions themselves (not the check-ins' subquery of their ids).
        content = [q for q in queries if '"tracking_instrument"."items"' in q["sql"]]
        return len(queries), len(content)

    small, small_reads = cost(ids[:1])
    large, large_reads = cost(ids[1:])
    assert small_reads == large_reads == 1
    assert large - small == 4  # the four more emails' "sent"
    bodies = [m.body for m in mail.outbox]
    assert sum("24 short questions. It takes about 8 minutes." in b for b in bodies) == 3
    assert sum("20 preguntas cortas. Toma alrededor de 7 minutos." in b for b in bodies) == 3
