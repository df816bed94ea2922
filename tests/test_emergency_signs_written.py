"""Emergency signs written in a diary entry or a message (tracking.rules.symptom_words):
the clinician gets the URGENT emergency-symptoms alert (where, never the words), and the
patient's next page (no JavaScript) or htmx part shows the check-in's emergency guidance
with their country's emergency number; a negated sentence does nothing; English and
Spanish; with crisis words too, both alerts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import test_diary
from tests.test_diary import form_data
from tracking.models import Alert
from tracking.safety.scanner import FINGERPRINT, text_fingerprint

SIGNS = "Since this morning I can't feel anything between my legs and I can't control my bladder"
SIGNS_ES = "Ambas piernas se me duermen y no controlo la vejiga"
NEGATED = "No bladder problems, and no numbness between my legs."
GO = "Please go to the emergency department today, or call"
GO_ES = "vaya hoy a la sala de emergencias"
CRISIS_HELP = "You do not have to face this alone"


# The diary tests' signed-in patient, in London (their country's number: 999).
pat = test_diary.pat


def spanish(cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])


def emergency_alerts(enrollment):
    return list(
        Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.EMERGENCY_SYMPTOMS).values_list(
            "severity", "details"
        )
    )


def test_a_diary_entry_raises_the_urgent_alert_and_shows_the_guidance(pat, cast, enrollment):
    response = pat.post(reverse("diary_new"), form_data(self_talk=SIGNS), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert GO in page and 'href="tel:999"' in page  # the UK: the patient's country
    assert "What you wrote sounds like one of these signs" in page
    assert "We have told your clinic about what you wrote." in page
    assert emergency_alerts(enrollment) == [
        (
            "urgent",
            {
                "emergency_signs": True,
                "written": True,
                "entry": "diary",
                FINGERPRINT: text_fingerprint([SIGNS]),
            },
        )
    ]
    # Shown once, and the clinician's inbox has it, without the words.
    assert GO not in pat.get(reverse("today")).content.decode()
    pat.force_login(cast.clinician)
    inbox = pat.get(reverse("alert_inbox")).content.decode()
    assert "Pat One" in inbox and "between my legs" not in inbox
    alert = Alert.objects.get(kind=Alert.Kind.EMERGENCY_SYMPTOMS)
    detail = pat.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "seems to describe emergency signs" in detail and "diary" in detail
    assert "between my legs" not in detail


def test_a_diary_entry_in_spanish(pat, cast, enrollment):
    spanish(cast)
    page = pat.post(reverse("diary_new"), form_data(self_talk=SIGNS_ES), follow=True)
    assert GO_ES in page.content.decode()
    assert [s for s, _ in emergency_alerts(enrollment)] == ["urgent"]


@pytest.mark.parametrize("words", [NEGATED, "No tengo problemas de vejiga."])
def test_a_negated_sentence_does_nothing(pat, enrollment, words):
    page = pat.post(reverse("diary_new"), form_data(self_talk=words), follow=True)
    assert GO not in page.content.decode() and GO_ES not in page.content.decode()
    assert not Alert.objects.exists()


def test_a_message_with_htmx_shows_the_guidance_at_once(pat, cast, enrollment):
    response = pat.post(reverse("messages"), {"body": SIGNS}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert GO in page
    assert [(s, d["entry"]) for s, d in emergency_alerts(enrollment)] == [("urgent", "message")]


def test_a_message_without_javascript_in_spanish(pat, cast, enrollment):
    spanish(cast)
    response = pat.post(reverse("messages"), {"body": SIGNS_ES})
    assert response.status_code == 302
    assert GO_ES in pat.get(response.url).content.decode()
    assert len(emergency_alerts(enrollment)) == 1


def test_crisis_words_and_emergency_signs_raise_both(pat, enrollment):
    words = f"{SIGNS}. Some days I want to die."
    page = pat.post(reverse("diary_new"), form_data(self_talk=words), follow=True)
    text = page.content.decode()
    assert CRISIS_HELP in text
    kinds = sorted(Alert.objects.values_list("kind", "severity"))
    assert kinds == [("emergency_symptoms", "urgent"), ("self_harm", "urgent")]


def test_an_edit_keeping_the_signs_raises_no_second_alert(pat, enrollment):
    from tests.edit_versions import with_version
    from tracking.diary.models import DiaryEntry

    pat.post(reverse("diary_new"), form_data(self_talk=SIGNS))
    url = reverse("diary_edit", args=[DiaryEntry.objects.get().pk])
    pat.post(url, with_version(pat, url, form_data(self_talk=SIGNS, pain="5")))
    assert len(emergency_alerts(enrollment)) == 1


@pytest.mark.parametrize(
    ("language", "written", "checkin"),
    [
        (
            "en",
            "Emergency signs reported in a message to the care team",
            "Emergency signs reported in a check-in",
        ),
        (
            "es",
            "Señales de emergencia comunicadas en un mensaje a su equipo de atención",
            "Señales de emergencia comunicadas en un control semanal",
        ),
    ],
)
def test_the_alerts_title_names_where_the_signs_were_reported(
    client, cast, enrollment, language, written, checkin
):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    for source, details in (
        ("message:1", {"emergency_signs": True, "written": True, "entry": "message"}),
        ("checkin:1", {"emergency_signs": True}),
    ):
        Alert.objects.create(
            enrollment=enrollment,
            practice=cast.practice,
            kind=Alert.Kind.EMERGENCY_SYMPTOMS,
            severity=Alert.Severity.URGENT,
            source=source,
            details=details,
        )
    client.force_login(cast.clinician)
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert written in inbox and checkin in inbox
    alert = Alert.objects.get(source="message:1")
    detail = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert f"<h1>{written}</h1>" in detail
