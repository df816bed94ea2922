"""A check-in sent after the practice stopped the program (the form was open when it
was withdrawn): nothing is saved and the patient lands on /ended/, but a yes to "any
new symptoms?" still raises the HIGH alert for the care team, and the ended page shows
the same "where to get care now" guidance the results page gives for that answer
(templates/tracking/patient/checkin/_symptoms_panel.html), saying the answer was not
saved but the clinic was told. A PHQ-9 item 9 answer still brings the crisis panel.
English and Spanish. Real Postgres."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.models import Enrollment, EnrollmentStatus
from tests.checkin_data import post_for
from tracking import rules
from tracking.access import EnrollmentScope, alerts_in_scope
from tracking.models import Alert, Response

ENDED = reverse("program_ended")
YES = {rules.NEW_SYMPTOMS_DOCTOR_ITEM: 1}  # a sign for a doctor soon (HIGH)

WORDS = {
    "en": {
        "heading": "New symptoms need a doctor to check them",
        "go_now": "Go to the emergency department today",
        "told": "We did not save this answer, but we have told your clinic about it.",
        "seen": "Your clinic was already told about this same answer",
    },
    "es": {
        "heading": "Los síntomas nuevos necesitan que un médico los revise",
        "go_now": "Vaya hoy a la sala de emergencias",
        "told": "No guardamos esta respuesta, pero sí le avisamos a su clínica.",
        "seen": "Ya avisamos a su clínica sobre esta misma respuesta",
    },
}
EN = WORDS["en"]
CRISIS = "You do not have to face this alone"
ENDED_TITLE = "Your program has ended"


def text(html: str) -> str:
    return " ".join(html.split())


def guidance(page: str) -> str:
    """The new-symptoms panel's guidance: its heading, where to go and the signs to
    watch for, without what it then says the clinic was told (saved or not)."""
    found = re.search(r'<section [^>]*id="symptoms-[a-z]+"[^>]*>(.*?)</section>', page, re.S)
    assert found, "no new-symptoms guidance on the page"
    signs, _rest = found.group(1).split("</ul>")
    return text(re.sub(r' id="[^"]*"', "", signs))  # ids differ


@pytest.fixture
def patient(client, cast, week3):
    week3.enrollment.country = "US"
    week3.enrollment.save(update_fields=["country"])
    client.force_login(cast.patient)
    return client


def speak(cast, language: str) -> None:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])


def withdraw(enrollment: Enrollment) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)


def send(client, checkin, **overrides):
    data = post_for(checkin.instrument_keys, **overrides)
    return client.post(reverse("checkin_detail", args=[checkin.pk]), data, follow=True)


def symptoms_alerts(enrollment) -> list[Alert]:
    return list(Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.NEW_SYMPTOMS))


@pytest.mark.parametrize("language", ["en", "es"])
def test_new_symptoms_sent_after_the_end_alert_the_team_and_say_where_to_get_care(
    patient, cast, week3, language
):
    speak(cast, language)
    words = WORDS[language]
    withdraw(week3.enrollment)

    response = send(patient, week3, new_symptoms=YES)

    assert response.redirect_chain[-1][0] == ENDED
    page = text(response.content.decode())
    assert words["heading"] in page
    assert words["go_now"] in page
    assert words["told"] in page  # not saved, but the clinic was told
    assert words["seen"] not in page
    # The care team has the HIGH alert, saying the answer was not saved, and the
    # patient's clinician sees it in their inbox, withdrawn or not.
    [alert] = symptoms_alerts(week3.enrollment)
    assert alert.severity == Alert.Severity.HIGH
    assert alert.details["unsaved"] is True
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    assert list(alerts_in_scope(scope).filter(pk=alert.pk)) == [alert]
    assert not Response.objects.filter(checkin=week3).exists()  # nothing saved
    # Not the crisis panel: no self-harm answer was sent.
    assert not Alert.objects.filter(enrollment=week3.enrollment, kind=Alert.Kind.SELF_HARM)
    assert 'id="crisis-help"' not in page
    # The guidance shows once: the ended page is plain the next time.
    again = text(patient.get(ENDED).content.decode())
    assert words["heading"] not in again


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_ended_page_gives_the_results_pages_own_guidance(client, cast, enrollment, language):
    """The same words, item by item, as the results page shows for the same answer."""
    from tests.checkin_data import started_two_weeks_ago

    speak(cast, language)
    client.force_login(cast.patient)
    slots = started_two_weeks_ago(enrollment)
    week3, week4 = slots["week-3"], slots["week-4"]
    # Before the end: sent and recorded, the results page gives the guidance.
    recorded = send(client, week3, new_symptoms=YES)
    assert recorded.redirect_chain[-1][0].endswith("?done=1")
    on_results = guidance(recorded.content.decode())
    # After the end: the next check-in, open in a tab, sent anyway.
    week4.opens_at, week4.due_date = week3.opens_at, week3.due_date
    week4.save(update_fields=["opens_at", "due_date"])
    withdraw(enrollment)
    ended = send(client, week4, new_symptoms=YES)
    assert ended.redirect_chain[-1][0] == ENDED
    assert guidance(ended.content.decode()) == on_results
    assert WORDS[language]["heading"] in on_results


def test_an_answer_already_dealt_with_says_nobody_was_told_again(patient, week3):
    withdraw(week3.enrollment)
    send(patient, week3, new_symptoms=YES)
    Alert.objects.filter(enrollment=week3.enrollment).update(status=Alert.Status.RESOLVED)

    page = text(send(patient, week3, new_symptoms=YES).content.decode())

    assert EN["heading"] in page
    assert EN["seen"] in page
    assert EN["told"] not in page
    assert len(symptoms_alerts(week3.enrollment)) == 1  # nobody told twice


def test_item_9_with_new_symptoms_after_the_end_brings_both_panels(patient, week3):
    withdraw(week3.enrollment)

    response = send(patient, week3, phq9_item9={"phq9": 2}, new_symptoms=YES)

    assert response.redirect_chain[-1][0] == ENDED
    page = response.content.decode()
    crisis, symptoms = page.find('id="crisis-help"'), page.find('id="symptoms-help"')
    assert -1 < crisis < symptoms  # the crisis panel first, as on the results page
    assert "988" in page  # the US crisis line
    kinds = set(Alert.objects.filter(enrollment=week3.enrollment).values_list("kind", flat=True))
    assert kinds == {Alert.Kind.SELF_HARM, Alert.Kind.NEW_SYMPTOMS}


def test_item_9_alone_after_the_end_brings_only_the_crisis_panel(patient, week3):
    withdraw(week3.enrollment)

    page = send(patient, week3, phq9_item9={"phq9": 1}).content.decode()

    assert 'id="crisis-help"' in page and "988" in page
    assert EN["heading"] not in page
    assert symptoms_alerts(week3.enrollment) == []


def test_an_ordinary_check_in_after_the_end_shows_neither(patient, week3):
    withdraw(week3.enrollment)

    page = send(patient, week3).content.decode()

    assert ENDED_TITLE in page
    assert EN["heading"] not in page and CRISIS not in page
    assert not Alert.objects.filter(enrollment=week3.enrollment).exists()
