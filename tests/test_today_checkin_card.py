"""Today's card for an open check-in: a proper heading for every kind of check-in, in
English and Spanish, and a blurb that counts the questions the patient will really be
asked (in their language) and the minutes they take.

Before: the card slotted the check-in's title into "Your … is open", so the extra PHQ-9
after a positive PHQ-2 read "Your a few more questions about your mood is open" (and
"Su unas preguntas más sobre su ánimo está abierto"), and every card promised "a few
short questions about your week, about 3 minutes", the 24-question starting check-in
and the 10-question mood questionnaire alike."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.test_i18n import english_in
from tracking.checkins.selectors import minutes_to_answer
from tracking.models import CheckIn

WEEKLY = ["pain_avg", "pain_worst", "fear_movement", "phq2", "phq9_item9", "gad2", "new_symptoms"]
BASELINE = ["pain_avg", "pain_worst", "fear_movement", "fabq_pa", "phq9", "gad7"]

# kind, slot, week, instruments, language, heading, blurb. The Spanish starting
# check-in has no FABQ (no licensed Spanish version: registry.asked_of), so 4 fewer
# questions.
CARDS = [
    ("baseline", "baseline", None, BASELINE, "en", "Your starting check-in is open",
     "24 short questions. It takes about 8 minutes."),
    ("baseline", "baseline", None, BASELINE, "es", "Su control inicial está abierto",
     "20 preguntas cortas. Toma alrededor de 7 minutos."),
    ("weekly", "week-3", 3, WEEKLY, "en", "Your week 3 check-in is open",
     "10 short questions. It takes about 3 minutes."),
    ("weekly", "week-3", 3, WEEKLY, "es", "Su control de la semana 3 está abierto",
     "10 preguntas cortas. Toma alrededor de 3 minutos."),
    ("extra", "week-3-more", 3, ["phq9"], "en", "More questions about your mood are ready",
     "10 short questions. It takes about 3 minutes."),
    ("extra", "week-3-more", 3, ["phq9"], "es", "Tiene más preguntas sobre su ánimo",
     "10 preguntas cortas. Toma alrededor de 3 minutos."),
    ("end", "end", None, BASELINE, "en", "Your end-of-program check-in is open",
     "24 short questions. It takes about 8 minutes."),
    ("end", "end", None, BASELINE, "es", "Su control final está abierto",
     "20 preguntas cortas. Toma alrededor de 7 minutos."),
    ("interim", "interim-week-4", 4, BASELINE, "en",
     "Your mid-program check-in (after week 4) is open",
     "24 short questions. It takes about 8 minutes."),
    ("interim", "interim-week-4", 4, BASELINE, "es",
     "Su control de mitad del programa (tras la semana 4) está abierto",
     "20 preguntas cortas. Toma alrededor de 7 minutos."),
    ("followup", "followup-3m", None, ["pain_avg", "pain_worst", "phq2"], "en",
     "Your 3-month follow-up is open", "4 short questions. It takes about 1 minute."),
    ("followup", "followup-3m", None, ["pain_avg", "pain_worst", "phq2"], "es",
     "Su seguimiento a los 3 meses está abierto",
     "4 preguntas cortas. Toma alrededor de 1 minuto."),
]  # fmt: skip


def _open(enrollment, *, kind, slot, week, keys, draft=None) -> CheckIn:
    """Only this check-in, open since an hour ago."""
    now = timezone.now()
    CheckIn.objects.filter(enrollment=enrollment).delete()
    return CheckIn.objects.create(
        enrollment=enrollment,
        slot=slot,
        kind=kind,
        week=week,
        due_date=enrollment.local_date(),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=3),
        status=CheckIn.Status.OPEN,
        instrument_keys=keys,
        draft=draft or {},
    )


def _card(client) -> str:
    html = client.get(reverse("today")).content.decode()
    match = re.search(r'<section[^>]*aria-labelledby="checkin-card-h".*?</section>', html, re.S)
    assert match, "no check-in card on Today"
    return " ".join(match.group(0).split())


@pytest.mark.parametrize(("kind", "slot", "week", "keys", "language", "heading", "blurb"), CARDS)
def test_the_card_has_a_heading_and_a_true_blurb_for_each_kind(
    client, cast, enrollment, kind, slot, week, keys, language, heading, blurb
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    _open(enrollment, kind=kind, slot=slot, week=week, keys=keys)
    client.force_login(cast.patient)
    card = _card(client)
    assert f'<h2 id="checkin-card-h">{heading}</h2>' in card
    assert blurb in card
    if language == "es":
        assert english_in(card) == []


def test_every_kind_of_check_in_is_in_the_table():
    assert {row[0] for row in CARDS} == set(CheckIn.Kind.values)
    assert {row[4] for row in CARDS} == {"en", "es"}


def test_a_started_check_in_says_its_answers_are_waiting(client, cast, enrollment):
    _open(enrollment, kind="extra", slot="week-3-more", week=3, keys=["phq9"], draft={"x": 1})
    client.force_login(cast.patient)
    card = _card(client)
    assert "Your saved answers are waiting." in card and "Finish my check-in" in card


@pytest.mark.parametrize(
    ("questions", "minutes"), [(0, 1), (1, 1), (4, 1), (9, 3), (10, 3), (20, 7), (24, 8)]
)
def test_minutes_to_answer(questions, minutes):
    assert minutes_to_answer(questions) == minutes
