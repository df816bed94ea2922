"""Issue 18: a check-in leaves out any questionnaire with no version in the patient's
language (the FABQ has no licensed Spanish version in the app), the clinician is told so
in plain words, the outcomes cope with the missing scores (missing, never zero), and a
practice that adds its own licensed Spanish FABQ has it asked. Also: the progress
charts, staff notifications and the PHQ credit line in the reader's language."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.checkin_data import record_at_open, schedule_from_start
from tests.clinical_data import build_history
from tracking.instruments.forms import validate_definition
from tracking.instruments.registry import instrument_save
from tracking.instruments.shipped import definition_for
from tracking.models import CheckIn, Response

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

NOTE_EN = "Not asked: Fear-avoidance beliefs: physical activity."
NOTE_ES = "No se pregunta: Creencias de miedo y evitación: actividad física (FABQ)."


def open_baseline(enrollment):
    """The enrollment's baseline check-in, open now."""
    baseline = schedule_from_start(enrollment)["baseline"]
    now = timezone.now()
    baseline.opens_at, baseline.closes_at = now - timedelta(hours=1), now + timedelta(days=2)
    baseline.status = CheckIn.Status.OPEN
    baseline.save(update_fields=["opens_at", "closes_at", "status"])
    return baseline


@pytest.fixture
def spanish_baseline(cast, enrollment):
    """cast.patient reads Spanish and did the baseline check-in through the service."""
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    enrollment.refresh_from_db()
    baseline = schedule_from_start(enrollment)["baseline"]
    assert "fabq_pa" in baseline.instrument_keys
    record_at_open(baseline)
    return baseline


def test_it_records_a_spanish_baseline_without_the_fabq(spanish_baseline):
    answered = dict(
        Response.objects.filter(checkin=spanish_baseline).values_list("instrument_key", "language")
    )
    assert "fabq_pa" not in answered
    # The docs say what the app does: not asked, not asked in English.
    for doc in ("function-measures.md", "questionnaires-es.md"):
        text = " ".join((ROOT / "docs" / doc).read_text().split())
        assert "Spanish-speaking patients see its items in English" not in text, doc
        assert "Answered in English" not in text, doc
    spanish = " ".join((ROOT / "docs" / "function-measures.md").read_text().split())
    spanish = spanish.split("## In Spanish", 1)[1]
    assert "Spanish-speaking patients are not asked it" in spanish
    assert set(answered.values()) == {"es"}
    spanish_baseline.refresh_from_db()
    assert spanish_baseline.figures["totals"]["pain_avg"] is not None
    assert "fabq_pa" not in spanish_baseline.figures["totals"]  # missing, not 0


@pytest.mark.parametrize(("language", "note"), [("en", NOTE_EN), ("es", NOTE_ES)])
def test_it_tells_the_clinician_the_fabq_was_not_asked(
    client, cast, spanish_baseline, language, note
):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    pk = spanish_baseline.enrollment_id
    for name in ("patient_detail", "patient_checkins"):
        page = client.get(reverse(name, args=[pk])).content.decode()
        assert escape(note) in page, name
    # The measures table: the baseline's FABQ-PA is "Not asked", never a 0.
    page = client.get(reverse("patient_detail", args=[pk])).content.decode()
    row = page[page.index("FABQ-PA (0–24)") :]
    row = row[row.index("<tbody>") :]
    first = row[: row.index("</tr>")]
    assert ("Not asked" if language == "en" else "No se preguntó") in first
    assert "<td>0</td>" not in first


def test_it_says_nothing_for_an_english_patient(client, cast, enrollment):
    record_at_open(schedule_from_start(enrollment)["baseline"])
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    assert "Not asked:" not in page


LICENSED_FABQ_ES = {
    "fabq2": "La actividad física empeora mi dolor",
    "fabq3": "La actividad física podría dañarme la espalda",
    "fabq4": "No debería hacer actividades físicas que (podrían) empeorar mi dolor",
    "fabq5": "No puedo hacer actividades físicas que (podrían) empeorar mi dolor",
}


def _practice_fabq_with_spanish() -> dict:
    """What a practice with a licence imports: our FABQ's questions (same keys), with its
    licensed Spanish wording (these words stand in for it here)."""
    data = copy.deepcopy(definition_for("fabq_pa"))
    data.pop("translations")
    data["translations"] = {
        "es": {
            "title": "FABQ en español (con licencia del consultorio)",
            "items": {
                key: {"text": text, "labels": {"0": "Nada de acuerdo", "6": "Muy de acuerdo"}}
                for key, text in LICENSED_FABQ_ES.items()
            },
        }
    }
    definition, problems = validate_definition(data)
    assert problems == []
    return definition


def test_a_practices_own_spanish_fabq_is_asked(client, cast, enrollment):
    from tests.checkin_data import post_for

    instrument_save(definition=_practice_fabq_with_spanish(), practice=cast.practice)
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    baseline = open_baseline(enrollment)
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_detail", args=[baseline.pk])).content.decode()
    assert escape(LICENSED_FABQ_ES["fabq2"]) in page
    response = client.post(
        reverse("checkin_detail", args=[baseline.pk]), post_for(baseline.instrument_keys)
    )
    assert response.status_code == 302
    fabq = Response.objects.get(checkin=baseline, instrument_key="fabq_pa")
    assert fabq.language == "es" and fabq.instrument.practice_id == cast.practice.pk
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    assert "Not asked:" not in page


def test_a_shipped_key_with_other_questions_is_still_refused():
    data = copy.deepcopy(definition_for("fabq_pa"))
    data["items"] = data["items"][:2]
    _, problems = validate_definition(data)
    assert any("already used by a questionnaire we provide" in p for p in problems)


def test_a_translation_must_word_known_questions():
    data = copy.deepcopy(definition_for("fabq_pa"))
    data["translations"] = {"es": {"items": {"nope": {"text": "¿?"}}}, "fr": {}}
    _, problems = validate_definition(data)
    assert any('"nope"' in p for p in problems)
    assert any('"fr" is not a language of the app' in p for p in problems)


def test_the_admin_sees_which_languages_each_questionnaire_is_asked_in(client, cast):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    page = client.get(reverse("admin_instruments")).content.decode()
    assert "Se pregunta en" in page
    fabq_row = page[page.index("<code>fabq_pa</code>") :]
    fabq_row = fabq_row[: fabq_row.index("</tr>")]
    assert ">inglés<" in fabq_row and "español" not in fabq_row.split("</td>")[4]


# ---------------------------------------------------------------- item 3
def test_the_phq_credit_line_is_in_spanish_for_a_spanish_patient(client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    baseline = open_baseline(enrollment)
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_detail", args=[baseline.pk])).content.decode()
    assert (
        "Elaborado por los doctores Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke y "
        "colegas, mediante una subvención educativa otorgada por Pfizer Inc."
    ) in page
    assert "Developed by" not in page


@pytest.mark.parametrize(("language", "word"), [("en", ">missed<"), ("es", ">perdido<")])
def test_the_progress_chart_marks_a_missed_check_in_in_the_readers_language(
    client, cast, enrollment, language, word
):
    """charts.draw compares the check-in's status code, not the words shown: a Spanish
    "Perdido" note still draws the missed mark."""
    build_history(enrollment, weeks=4, missed_weeks=(2,))
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    page = client.get(reverse("progress")).content.decode()
    assert word in page
    if language == "es":
        assert "Su dolor promedio fue" in page and "Dolor promedio (0 a 10)" in page
