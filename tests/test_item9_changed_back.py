"""The weekly check-in's self-harm question (PHQ-9 item 9; the extra PHQ-9 after a
positive PHQ-2 carries that answer over and does not ask it again): the patient picks
2 ("Several days"), goes Back, changes it to 0 and sends. The urgent alert stays (the answer was
seen), but the results page says what was sent, not "You said you have had
thoughts…", while still offering the help; the clinician's alert page says plainly
that the check-in was then sent with 0 on item 9 after the earlier 2."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checkin_data import post_for, started_two_weeks_ago
from tracking.models import Alert, CheckIn

YOU_SAID = {
    "en": "You said you have had thoughts that you would be better off dead",
    "es": "Usted dijo que ha tenido pensamientos de que estaría mejor",
}
CHANGED = {
    "en": (
        "Before you sent them, you chose an answer about having thoughts that you would "
        "be better off dead, or of hurting yourself. Then you changed it, and we saved "
        "your new answer."
    ),
    "es": (
        "Antes de enviarlas, eligió una respuesta sobre pensamientos de que estaría "
        "mejor muerto(a), o de hacerse daño. Luego la cambió, y guardamos su nueva "
        "respuesta."
    ),
}
TOLD_FIRST = {
    "en": "We told your clinic about your first answer.",
    "es": "Le avisamos a su clínica de su primera respuesta.",
}
STAFF = {
    "en": (
        "They saved this answer before finishing the check-in. They then submitted the "
        "check-in with item 9 answered 0 (not at all), after this earlier answer of 2. "
        "The earlier answer was seen, so this alert stands: please still contact them."
    ),
    "es": (
        "Guardó esta respuesta antes de terminar el control semanal. Después envió el "
        "control con la pregunta 9 respondida con 0 (ningún día), tras esta respuesta "
        "anterior de 2. La respuesta anterior se vio, así que esta alerta sigue en pie: "
        "comuníquese con el paciente de todos modos."
    ),
}
MAY_NOT = "they may not have submitted it"

MOOD = {"phq1": 2, "phq2": 2}


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


@pytest.fixture
def weekly(cast, client, enrollment) -> CheckIn:
    """The week 3 check-in, open, its self-harm question not answered yet."""
    enrollment.country = "GB"
    enrollment.save(update_fields=["country"])
    week3 = started_two_weeks_ago(enrollment)["week-3"]
    client.force_login(cast.patient)
    return week3


def sent(checkin: CheckIn, item9: int) -> dict:
    return post_for(checkin.instrument_keys, phq2=MOOD, phq9_item9={"phq9": item9})


def self_harm(enrollment) -> Alert:
    return Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def changed_back(client, weekly: CheckIn) -> None:
    """Item 9 = 2 saved (the quiet save on Next), then sent with 0."""
    client.post(url(weekly), {"action": "save", "phq9_item9__phq9": "2"}, HTTP_HX_REQUEST="true")
    assert self_harm(weekly.enrollment).details.get("draft") is True
    client.post(url(weekly), sent(weekly, 0))
    weekly.refresh_from_db()
    assert weekly.status == CheckIn.Status.COMPLETED


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_results_say_what_was_sent_and_still_offer_help(cast, client, weekly, language):
    speak(cast.patient, language)
    changed_back(client, weekly)
    assert self_harm(weekly.enrollment).status == Alert.Status.OPEN  # the alert stands
    page = client.get(url(weekly) + "?done=1").content.decode()
    assert YOU_SAID[language] not in page
    assert CHANGED[language] in page
    assert TOLD_FIRST[language] in page
    # The help is still there: the crisis numbers and Get help now.
    assert 'class="crisis"' in page and 'class="crisis__resources"' in page
    assert reverse("get_help") in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_sent_answer_above_zero_still_reads_as_said(cast, client, weekly, language):
    speak(cast.patient, language)
    client.post(url(weekly), {"action": "save", "phq9_item9__phq9": "2"}, HTTP_HX_REQUEST="true")
    client.post(url(weekly), sent(weekly, 1))
    page = client.get(url(weekly) + "?done=1").content.decode()
    assert YOU_SAID[language] in page
    assert CHANGED[language] not in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_alert_page_says_the_check_in_was_sent_with_0(cast, client, weekly, language):
    changed_back(client, weekly)
    alert = self_harm(weekly.enrollment)
    speak(cast.clinician, language)
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert STAFF[language] in " ".join(page.split())
    assert MAY_NOT not in page


def test_before_it_is_sent_the_alert_page_says_it_may_not_be(cast, client, weekly):
    client.post(url(weekly), {"action": "save", "phq9_item9__phq9": "2"}, HTTP_HX_REQUEST="true")
    client.force_login(cast.clinician)
    alert = self_harm(weekly.enrollment)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert MAY_NOT in page
    assert "They then submitted" not in page


def test_sent_with_the_same_answer_the_alert_page_says_so(cast, client, weekly):
    client.post(url(weekly), {"action": "save", "phq9_item9__phq9": "2"}, HTTP_HX_REQUEST="true")
    client.post(url(weekly), sent(weekly, 2))
    client.force_login(cast.clinician)
    alert = self_harm(weekly.enrollment)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "They then submitted the check-in with the same answer." in page
