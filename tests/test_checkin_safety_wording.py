"""What the crisis and symptoms panels say the clinic was told of is true on each page:
an answer saved ("as soon as it is saved"); an answer sent from a stale tab after the
check-in was done, or after it closed (not saved, but the clinic was told: no "as soon
as it is saved" a few lines above "we did not save"); a message ("this message", not
"this answer"); words written elsewhere ("what you wrote"). English and Spanish."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.checkin_data import post_for, record_at_open
from tracking import rules
from tracking.models import PracticeSettings
from tracking.safety.copy import response_promise

SAVED = "Your clinic is told about this answer as soon as it is saved."
NOT_SAVED = "We did not save this answer, but we have told your clinic about it."
MESSAGE = "We have told your clinic about this message."
CRISIS = "Honestly some days I want to die."


def text(html: str) -> str:
    return " ".join(html.split())


def _send_again(client, cast, checkin, **overrides) -> str:
    client.force_login(cast.patient)
    response = client.post(
        reverse("checkin_detail", args=[checkin.pk]), post_for(checkin.instrument_keys, **overrides)
    )
    assert response.status_code == 200
    return text(response.content.decode())


def test_a_stale_tab_self_harm_answer_says_not_saved_but_told(client, cast, week3):
    record_at_open(week3)  # done already: item 9 was 0
    page = _send_again(client, cast, week3, phq9_item9={"phq9": 2})
    assert "we did not save the answers you just sent" in page
    assert NOT_SAVED in page and SAVED not in page


def test_a_stale_tab_new_symptoms_answer_says_not_saved_but_told(client, cast, week3):
    record_at_open(week3)
    page = _send_again(client, cast, week3, new_symptoms={rules.NEW_SYMPTOMS_DOCTOR_ITEM: 1})
    assert 'id="symptoms-now"' in page
    assert NOT_SAVED in page and SAVED not in page


def test_the_same_answer_sent_twice_was_saved_and_says_so(client, cast, week3):
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    data = post_for(week3.instrument_keys, phq9_item9={"phq9": 1})
    assert client.post(url, data).status_code == 302  # recorded
    page = text(client.post(url, data).content.decode())
    assert "You do not have to face this alone" in page
    assert SAVED in page and NOT_SAVED not in page


def test_a_late_self_harm_answer_says_not_saved_but_told(client, cast, week3):
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    with time_machine.travel(week3.closes_at + timedelta(minutes=2), tick=False):
        page = text(
            client.post(
                url, post_for(week3.instrument_keys, phq9_item9={"phq9": 3})
            ).content.decode()
        )
    assert "We could not save these answers because it has closed." in page
    assert NOT_SAVED in page and SAVED not in page


def test_the_messages_page_calls_a_message_a_message(client, cast, enrollment):
    client.force_login(cast.patient)
    page = text(client.post(reverse("messages"), {"body": CRISIS}, follow=True).content.decode())
    assert "You do not have to face this alone" in page
    assert MESSAGE in page
    assert "this answer" not in page


@pytest.mark.parametrize(
    ("about", "english", "spanish"),
    [
        ("", SAVED, "Su clínica recibe un aviso de esta respuesta en cuanto se guarda."),
        ("unsaved", NOT_SAVED, "No guardamos esta respuesta, pero sí le avisamos a su clínica."),
        ("message", MESSAGE, "Le avisamos a su clínica de este mensaje."),
        (
            "words",
            "We have told your clinic about what you wrote.",
            "Le avisamos a su clínica de lo que escribió.",
        ),
    ],
)
def test_each_case_in_english_and_spanish(cast, about, english, spanish):
    for language, expected in (("en", english), ("es", spanish)):
        with translation.override(language):
            # Worked out in the reader's language, as a request does.
            promise = response_promise(
                PracticeSettings(practice=cast.practice),
                "urgent",
                practice_zone="Europe/London",
                patient_zone="Europe/London",
            )
            html = text(
                render_to_string(
                    "tracking/patient/checkin/_safety_next.html",
                    {"promise": promise, "about": about},
                )
            )
        assert expected in html
        others = {SAVED, NOT_SAVED, MESSAGE} - {english}
        assert not any(other in html for other in others)
    assert "Alguien allí lo revisará en menos de 1 hora" in html
