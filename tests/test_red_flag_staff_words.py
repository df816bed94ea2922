"""Staff pages name a patient's red flags in third-person, clinical words
(tracking.rules.RED_FLAG_STAFF_LABELS), never the patient's own "your bladder"; the
patient's pages keep their plain words. English and Spanish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import EnrollmentStatus, Screening
from tests.clinical_data import add_alert
from tracking import rules
from tracking.models import Alert

FLAGS = ["bladder_bowel", "cancer_history"]

STAFF = {
    "en": ("New bladder or bowel dysfunction (retention or incontinence)", "History of cancer"),
    "es": (
        "Alteración nueva de la vejiga o del intestino (retención o incontinencia)",
        "Antecedentes de cáncer",
    ),
}
PATIENT = {
    "en": ("New trouble controlling your bladder or bowels", "Having had cancer at any time"),
    "es": ("Problemas nuevos para controlar la vejiga o el intestino",),
}


@pytest.fixture
def held(enrollment):
    enrollment.screening = Screening.HOLD
    enrollment.red_flags = FLAGS
    enrollment.status = EnrollmentStatus.INVITED
    enrollment.onboarded_at = None
    enrollment.save()
    return add_alert(
        enrollment,
        Alert.Kind.RED_FLAG,
        Alert.Severity.URGENT,
        source="screening",
        details={"red_flags": FLAGS},
    )


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "page", ["patient_detail", "patient_clear_hold", "patient_screening", "alert_detail"]
)
def test_staff_pages_use_clinical_words(cast, client, enrollment, held, language, page):
    speak(cast.clinician, language)
    client.force_login(cast.clinician)
    pk = held.pk if page == "alert_detail" else enrollment.pk
    response = client.get(reverse(page, args=[pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for words in STAFF[language]:
        assert words in html, words
    for words in PATIENT[language]:
        assert words not in html, words
    assert "your bladder" not in html and "Having had cancer" not in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_patients_own_hold_page_keeps_their_words(cast, client, held, language):
    speak(cast.patient, language)
    client.force_login(cast.patient)
    html = client.get(reverse("safety_hold")).content.decode()
    assert PATIENT[language][0] in html
    assert STAFF[language][0] not in html


def test_every_red_flag_has_staff_words_and_none_speaks_to_the_patient():
    assert set(rules.RED_FLAG_STAFF_LABELS) == set(rules.RED_FLAGS_BY_KEY)
    for key in rules.RED_FLAGS_BY_KEY:
        words = rules.red_flag_label(key, audience=rules.AUDIENCE_STAFF)
        assert words != rules.red_flag_label(key), key
        assert "you" not in words.lower().split(), key
        assert "your" not in words.lower(), key
    assert rules.red_flag_label("retired_key", audience=rules.AUDIENCE_STAFF) == "retired_key"
