"""Issue 18, the clinician's side: a Spanish-speaking clinician (User.language "es",
logged in with password and code) sees the caseload, the alert inbox, an alert, its
resolve form (and a refused resolve's errors) and the patient's record in Spanish: no
English string of our catalogue, no English function word. Names and questionnaire
items are data, not our words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.clinical_data import add_alert, build_history
from tests.factories import PASSWORD, totp_code
from tests.test_i18n import english_in, visible_text
from tracking.models import Alert


@pytest.fixture
def spanish_clinician(client, cast):
    """cast.clinician, whose language is Spanish, logged in with password and code."""
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    response = client.post(
        reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 302
    return client


@pytest.fixture
def history(enrollment):
    build_history(enrollment, weeks=6, pain_start=7, pain_end=3, missed_weeks=(3,))
    return enrollment


@pytest.fixture
def alert(history):
    return add_alert(history, Alert.Kind.SELF_HARM, Alert.Severity.URGENT, details={"item9": 2})


def names(cast, *more: str) -> tuple[str, ...]:
    """Data, not our words: people and the practice."""
    people = [cast.admin, cast.clinician, cast.other_clinician, cast.patient, cast.other_patient]
    return (
        *more,
        *(p.email for p in people),
        *(p.full_name for p in people if p.full_name),
        *(p.display_name for p in people),
        cast.practice.name,
    )


def spanish_page(client, url: str, allowed: tuple[str, ...], status: int = 200, **kw) -> str:
    response = client.post(url, kw["data"]) if "data" in kw else client.get(url)
    assert response.status_code == status, url
    page = response.content.decode()
    assert '<html lang="es">' in page, url
    found = english_in(page, allowed=allowed)
    text = visible_text(page)
    assert found == [], (
        url,
        found,
        [text[max(0, text.find(w) - 60) : text.find(w) + 60] for w in found],
    )
    return page


def test_the_caseload_is_in_spanish(spanish_clinician, cast, alert):
    page = spanish_page(spanish_clinician, reverse("caseload"), names(cast))
    assert "Sus pacientes" in page
    filtered = spanish_page(
        spanish_clinician, reverse("caseload") + "?has_alerts=on&not_improving=on", names(cast)
    )
    assert "Ningún paciente coincide con estos filtros." in filtered or "1 paciente" in filtered


def test_the_alert_pages_are_in_spanish(spanish_clinician, cast, alert):
    allowed = names(cast)
    inbox = spanish_page(spanish_clinician, reverse("alert_inbox"), allowed)
    assert "Registrar el contacto y resolver" in inbox
    detail = spanish_page(spanish_clinician, reverse("alert_detail", args=[alert.pk]), allowed)
    assert "Qué pasó" in detail
    form = spanish_page(spanish_clinician, reverse("alert_resolve", args=[alert.pk]), allowed)
    assert "Resolver la alerta" in form
    refused = spanish_page(
        spanish_clinician,
        reverse("alert_resolve", args=[alert.pk]),
        allowed,
        status=400,
        data={"contacted": "yes", "note": ""},
    )
    assert "Escriba una nota breve" in refused
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


# ------------------------------------------------------------------ staff emails
@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        (
            "es",
            # The email names the clinician's zone (UTC here) after the due time.
            "Urgente: un paciente necesita una llamada hoy a más tardar a las 11:00 (hora de UTC)",
            "Abrir la alerta",
        ),
        ("en", "Urgent: a patient needs a call today by 11:00 (UTC time)", "Open the alert"),
    ],
)
def test_the_urgent_alert_email_is_in_the_clinicians_language(
    cast, enrollment, mailoutbox, language, subject, body
):
    """Through the real path: a check-in's PHQ-9 item 9 raises the alert, the outbox
    task sends the clinician's email as a worker would, in the clinician's language."""
    from tests.test_alerts_factories import make_checkin, pain, phq9, run_outbox
    from tracking.alerts.evaluate import evaluate_checkin

    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    # Tuesday 8 December 2026, 10:00 UTC, in office hours: due an hour later.
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=UTC), tick=False):
        checkin = make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1), **pain(5)})
        evaluate_checkin(checkin)
        run_outbox()
    [message] = [m for m in mailoutbox if cast.clinician.email in m.to]
    assert message.subject == subject
    html = message.alternatives[0][0]
    assert body in html
    assert f'<html lang="{language}">' in html
    if language == "es":
        assert english_in(html, allowed=names(cast)) == []
        assert english_in(message.body, allowed=names(cast)) == []


SECTIONS = [
    "patient_detail",
    "patient_summary",
    "patient_checkins",
    "patient_practice",
    "patient_exposures",
    "patient_causes",
    "patient_reflections",
    "patient_diary",
    "patient_sessions",
    "patient_screening",
    "patient_safety_plan",
    "patient_medical_assessment",
]


@pytest.mark.parametrize("name", SECTIONS)
def test_the_patient_record_sections_are_in_spanish(spanish_clinician, cast, alert, name):
    """The patient answered the English program and questionnaires: its title, the
    instruments' titles and items are data (the patient's language), not our words."""
    spanish_page(spanish_clinician, reverse(name, args=[alert.enrollment_id]), data(cast, alert))


def data(cast, alert) -> tuple[str, ...]:
    from programs.models import Exposure, FearItem
    from tracking.models import Instrument

    # What the patient wrote (fear ladder rungs, exposures) is theirs, in their words.
    written = [f.label for f in FearItem.objects.all()]
    written += [e.activity for e in Exposure.objects.all()]

    instruments = list(Instrument.objects.all())
    titles = [i.title for i in instruments]
    items = [str(item.get("text", "")) for i in instruments for item in i.items or []]
    labels = [
        str(label)
        for i in instruments
        for item in i.items or []
        for label in (item.get("labels") or {}).values()
    ]
    return names(cast, alert.enrollment.program_version.title, *written, *items, *labels, *titles)


def test_the_coding_queue_is_in_spanish(spanish_clinician, cast, alert):
    page = spanish_page(spanish_clinician, reverse("coding_queue"), names(cast))
    assert "Codificar las causas del dolor" in page


def test_every_jinja2_string_of_the_clinic_templates_is_in_the_catalogue_list():
    """makemessages does not read Jinja2: jinja2_strings.CLINIC lists each msgid of the
    caseload rows and the overview's measures."""
    import re
    from pathlib import Path

    from tracking.practice_admin import jinja2_strings

    root = Path(__file__).resolve().parent.parent / "templates/jinja2/tracking/clinic"
    pattern = re.compile(r"""_\((?:"((?:[^"\\]|\\.)*)"|'([^']*)')""")
    used: set[str] = set()
    for path in (root / "caseload.html", root / "measures.html", root.parent / "charts.html"):
        used |= {a or b for a, b in pattern.findall(path.read_text())}
    assert used and used <= set(jinja2_strings.CLINIC)


def test_the_printed_summary_tells_an_alerts_contact_in_spanish(spanish_clinician, cast, alert):
    # The resolved-alert line of the one-page summary: every word of ours in Spanish.
    # Raised before the contact below (a contact before the alert is refused).
    Alert.objects.filter(pk=alert.pk).update(created_at=datetime(2026, 11, 30, 9, tzinfo=UTC))
    response = spanish_clinician.post(
        reverse("alert_resolve", args=[alert.pk]),
        {
            "contacted": "yes",
            "contacted_at": "2026-12-01T14:05",
            "method": "video",
            "risk_after": "medium",
            "plan": ["safety_plan"],
            "note": "Plan de seguridad acordado.",
        },
    )
    assert response.status_code == 302
    page = spanish_page(
        spanish_clinician, reverse("patient_summary", args=[alert.enrollment_id]), data(cast, alert)
    )
    assert "se contactó con el paciente el 1 dic 2026, 14:05" in page
    assert "riesgo tras el contacto:" in page
    assert "plan: se hizo un plan de seguridad" in page
    for english in ("raised", "resolved", "contacted", "risk after contact"):
        assert english not in page
