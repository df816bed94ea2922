"""Patients read plain headings over questionnaires whose names are codes: "Your mood",
not "PHQ-2" (in English and Spanish). Clinicians keep the codes, the patient's "Where
these questions come from" still names them, and a practice's own version of one of
ours keeps its own title unless it gives its own plain heading."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.test_practice_version_safety import PHQ9_ES
from tracking.instruments import registry
from tracking.instruments.forms import validate_definition
from tracking.models import Instrument


def headings(html: str) -> list[str]:
    return re.findall(r'class="ci-section__title">([^<]*)<', html)


def form_page(client, cast, checkin, language="en") -> str:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    response = client.get(reverse("checkin_detail", args=[checkin.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_week3_headings_are_plain_words_for_the_patient(client, cast, week3):
    assert {"phq2", "gad2"} <= set(week3.instrument_keys)
    html = form_page(client, cast, week3)
    shown = headings(html)
    assert "Your mood" in shown and "Worry and nerves" in shown
    assert not {"PHQ-2", "GAD-2", "PHQ-9", "GAD-7"} & set(shown)
    # Where the questions come from still names them, with their citations.
    sources = html[html.index("ci-sources") :]
    assert "<strong>PHQ-2</strong>" in sources and "<strong>GAD-2</strong>" in sources


def test_week3_headings_are_plain_words_in_spanish(client, cast, week3):
    shown = headings(form_page(client, cast, week3, language="es"))
    assert "Su estado de ánimo" in shown and "Preocupación y nervios" in shown
    assert not {"PHQ-2", "GAD-2"} & set(shown)


@pytest.mark.parametrize(
    ("key", "code", "plain", "plain_es"),
    [
        ("phq9", "PHQ-9", "Your mood", "Su estado de ánimo"),
        ("phq2", "PHQ-2", "Your mood", "Su estado de ánimo"),
        ("gad7", "GAD-7", "Worry and nerves", "Preocupación y nervios"),
        ("gad2", "GAD-2", "Worry and nerves", "Preocupación y nervios"),
        ("pain_avg", "Average pain", "Average pain", "Dolor promedio"),
    ],
)
def test_clinicians_keep_the_code_patients_read_plain_words(db, key, code, plain, plain_es):
    ours = registry.current_instruments([key], None)[key]
    assert registry.title_in(ours, "en") == code  # what clinicians read
    assert registry.patient_title_in(ours, "en") == plain
    assert registry.patient_title_in(ours, "es") == plain_es


def _store(practice, definition) -> Instrument:
    clean, problems = validate_definition(definition)
    assert problems == []
    return registry.instrument_save(definition=clean, practice=practice)[0]


def test_a_practice_version_keeps_its_own_title_for_patients(cast):
    theirs = _store(cast.practice, PHQ9_ES)
    assert registry.current_instruments(["phq9"], cast.practice.pk)["phq9"] == theirs
    # No plain heading of its own: patients read its title, as before.
    assert registry.patient_title_in(theirs, "en") == "PHQ-9 (versión de la clínica)"


def test_a_practice_version_may_give_its_own_plain_heading(cast):
    definition = {
        **PHQ9_ES,
        "patient_title": "Cómo se siente",
        "translations": {"es": {"title": "PHQ-9", "patient_title": "Cómo se ha sentido"}},
    }
    theirs = _store(cast.practice, definition)
    assert theirs.patient_title == "Cómo se siente"
    assert registry.patient_title_in(theirs, "en") == "Cómo se siente"
    # (Its Spanish has no questions worded, so Spanish readers are shown the original.)
    assert registry.title_in(theirs, "en") == "PHQ-9 (versión de la clínica)"


def test_a_patient_title_that_is_not_text_is_refused_plainly():
    _, problems = validate_definition({**PHQ9_ES, "patient_title": 7})
    assert '"patient_title" must be text.' in problems


def test_the_patient_title_problems_are_in_spanish_too():
    with translation.override("es"):
        _, problems = validate_definition({**PHQ9_ES, "patient_title": 7})
        assert '"patient_title" debe ser texto.' in problems
        _, problems = validate_definition({**PHQ9_ES, "patient_title": "x" * 201})
        assert "Escriba un título para el paciente de menos de 200 caracteres." in problems
