"""The urgent email names each alert's own reason (tracking.alerts.reasons): a PHQ-9 of
20 or more is not "a red flag at screening". One row per reason, in English and
Spanish, through the real email task with the alert in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tracking.alerts.emails import alert_email_send
from tracking.alerts.reasons import URGENT_REASONS
from tracking.models import Alert

K = Alert.Kind
# (kind, source, details, English reason, Spanish reason)
ROWS = [
    (
        K.DEPRESSION,
        "checkin:1",
        {"phq9": 22, "band": "severe"},
        "had a very high score on the depression questionnaire (PHQ-9) at a check-in.",
        "tuvo un puntaje muy alto en el cuestionario de depresión (PHQ-9) en un control.",
    ),
    (
        K.SELF_HARM,
        "checkin:1",
        {"item9": 2},
        "gave an answer in their check-in that means they need a call from you",
        "dio una respuesta en su control semanal que indica que necesita una llamada suya",
    ),
    (
        K.SELF_HARM,
        "message:1",
        {"crisis_words": True},
        "wrote something in a message to the care team that means they need a call",
        "escribió algo en un mensaje a su equipo de atención que indica que necesita una",
    ),
    (
        K.RED_FLAG,
        "screening:1",
        {"red_flags": ["bladder_bowel"]},
        "reported emergency signs at screening.",
        "informó señales de emergencia en la evaluación inicial.",
    ),
    (
        K.RED_FLAG,
        "screening:1",
        {"red_flags": ["fever_unwell"]},
        "reported a red flag at screening.",
        "informó una señal de alarma en la evaluación inicial. Su programa está en pausa",
    ),
    (
        K.EMERGENCY_SYMPTOMS,
        "checkin:1",
        {"emergency_signs": True},
        "reported emergency signs at a weekly check-in.",
        "informó señales de emergencia en un control semanal.",
    ),
    (
        K.EMERGENCY_SYMPTOMS,
        "diary:1",
        {"emergency_signs": True, "written": True, "entry": "diary"},
        "wrote something in a pain and fear diary entry that seems to describe emergency signs.",
        "escribió algo en una entrada de su diario de dolor y miedo que parece describir señales "
        "de emergencia.",
    ),
    (
        K.NEW_SYMPTOMS,
        "checkin:1",
        {"doctor_soon": True},
        "reported new symptoms at a weekly check-in that need a doctor to check them.",
        "informó síntomas nuevos en un control semanal",
    ),
    (
        K.DEPRESSION_SCREEN,
        "checkin:1",
        {"phq2": 6},
        "had a positive depression screen (PHQ-2) at a check-in.",
        "dio positivo en la prueba breve de depresión (PHQ-2) en un control.",
    ),
    (
        K.ANXIETY,
        "checkin:1",
        {"gad7": 21},
        "had a high score on the anxiety questionnaire (GAD-7) at a check-in.",
        "tuvo un puntaje alto en el cuestionario de ansiedad (GAD-7) en un control.",
    ),
    (
        K.PAIN_UP,
        "checkin:1",
        {},
        "reported pain well above their starting level on recent check-ins.",
        "informó un dolor muy por encima de su nivel inicial en los últimos controles.",
    ),
    (
        K.FEAR_HIGH,
        "checkin:1",
        {},
        "reported a high fear of movement at a check-in.",
        "informó un miedo alto a moverse en un control.",
    ),
    (
        K.MISSED,
        "missed:1",
        {},
        "has missed several check-ins in a row.",
        "no ha hecho varios controles seguidos.",
    ),
]


def test_every_kind_of_alert_has_a_row():
    assert {row[0] for row in ROWS} == set(K.values) <= set(URGENT_REASONS)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    ("kind", "source", "details", "english", "spanish"), ROWS, ids=[r[1] + r[0] for r in ROWS]
)
def test_the_urgent_email_names_the_alerts_own_reason(
    cast, enrollment, mailoutbox, language, kind, source, details, english, spanish
):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    # Every one urgent: any urgent alert gets the email (tracking.rules.needs_prompt_contact).
    alert = Alert.objects.create(
        enrollment=enrollment,
        practice=cast.practice,
        kind=kind,
        severity=Alert.Severity.URGENT,
        source=source,
        details=details,
        due_at=timezone.now() + timedelta(hours=1),
    )
    assert alert_email_send(alert_id=alert.pk)
    [email] = mailoutbox
    html = email.alternatives[0][0]
    said = english if language == "en" else spanish
    assert said in " ".join(email.body.split())
    assert said in " ".join(html.split())
    if kind != K.RED_FLAG:
        for screening in ("screening", "evaluación inicial"):
            assert screening not in email.body
            assert screening not in email.subject
