"""The same form sent again (a double tap, a retry, or a page kept with its one-time
token) saves one thing, not two: the diary, the fear ladder's "add a step", an
exposure plan and a message (painapp.submit_once). A fresh form is a new thing. Back
in a real browser: tests/browser/test_back_and_save_again_browser.py.
Reflections (one per activity) and practice sessions (the player's token) were once
already; their tests are in test_activities.py and test_practice.py."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.urls import reverse

from programs.models import Exposure, FearItem
from tracking.diary.models import DiaryEntry
from tracking.messaging.models import Message
from tracking.models import Alert


def diary_data(enrollment) -> dict:
    day = enrollment.local_date() - timedelta(days=1)
    return {"day": day.isoformat(), "at": "09:30", "pain": "6", "fear": "5", "self_talk": "Ow"}


# (the form's page, where it posts, the data, the rows it makes, the page it goes on to)
FORMS = {
    "diary": ("diary_new", "diary_new", diary_data, DiaryEntry, "diary_list"),
    "fear ladder": (
        "exposure",
        "fear_create",
        lambda e: {"label": "Lift the laundry basket", "harm_rating": "40"},
        FearItem,
        None,
    ),
    "exposure plan": (
        "exposure_plan",
        "exposure_plan",
        lambda e: {"activity": "Walk to the shop", "predicted_pain": "5", "predicted_harm": "30"},
        Exposure,
        None,
    ),
    "message": ("messages", "messages", lambda e: {"body": "A question for you"}, Message, None),
}


# What the patient changes to mean a second one on purpose: a ladder takes each
# activity once (programs.exposure.selectors.same_step), the other forms the same words.
SECOND = {"fear ladder": {"label": "Carry the shopping"}}


def token_on(client, page: str) -> str:
    html = client.get(reverse(page)).content.decode()
    tokens = re.findall(r'name="client_token" value="([0-9a-f-]{36})"', html)
    assert len(tokens) == 1, tokens
    return tokens[0]


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


@pytest.mark.parametrize("form", FORMS)
def test_sending_the_same_form_again_saves_it_once(patient, enrollment, form):
    page, action, data, model, goes_to = FORMS[form]
    sent = {**data(enrollment), "client_token": token_on(patient, page)}
    first = patient.post(reverse(action), sent)
    assert first.status_code == 302, first.status_code
    again = patient.post(reverse(action), sent)  # sent again
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert model.objects.count() == 1
    # A fresh form is a new one: a second one on purpose is two.
    fresh = {**data(enrollment), **SECOND.get(form, {}), "client_token": token_on(patient, page)}
    assert fresh["client_token"] != sent["client_token"]
    assert patient.post(reverse(action), fresh).status_code == 302
    assert model.objects.count() == 2


@pytest.mark.parametrize("form", FORMS)
def test_a_form_without_a_token_still_saves(patient, enrollment, form):
    _, action, data, model, _ = FORMS[form]
    for token, second in (("", {}), ("not-a-uuid", SECOND.get(form, {}))):
        sent = {**data(enrollment), **second, "client_token": token}
        assert patient.post(reverse(action), sent).status_code == 302
    assert model.objects.count() == 2


def test_the_diary_says_the_entry_was_already_saved(patient, enrollment):
    sent = {**diary_data(enrollment), "client_token": str(uuid4())}
    patient.post(reverse("diary_new"), sent)
    page = patient.post(reverse("diary_new"), sent, follow=True).content.decode()
    assert "This entry was already saved to your diary." in page


def test_a_token_only_finds_its_own_patients_entry(client, cast, enrollment, other_enrollment):
    token = str(uuid4())
    for who, e in ((cast.patient, enrollment), (other_enrollment.patient, other_enrollment)):
        client.force_login(who)
        client.post(reverse("diary_new"), {**diary_data(e), "client_token": token})
    assert DiaryEntry.objects.filter(enrollment=enrollment).count() == 1
    assert DiaryEntry.objects.filter(enrollment=other_enrollment).count() == 1


def test_a_form_sent_back_with_a_mistake_keeps_its_token(patient, enrollment):
    token = str(uuid4())
    wrong = {**diary_data(enrollment), "pain": "", "client_token": token}
    page = patient.post(reverse("diary_new"), wrong).content.decode()
    assert f'name="client_token" value="{token}"' in page


# A crisis phrase in each form's text (the field the patient writes in).
CRISIS = "Some days I want to die."
CRISIS_IN = {
    "diary": lambda e: {**diary_data(e), "self_talk": CRISIS},
    "fear ladder": lambda e: {"label": CRISIS, "harm_rating": "40"},
    "exposure plan": lambda e: {"activity": CRISIS, "predicted_pain": "5", "predicted_harm": "30"},
    "message": lambda e: {"body": CRISIS},
}
HELP = "You do not have to face this alone"


@pytest.mark.parametrize("form", FORMS)
def test_sending_a_crisis_phrase_again_shows_the_help_again_and_raises_no_second_alert(
    patient, enrollment, form
):
    page, action, _, model, _ = FORMS[form]
    sent = {**CRISIS_IN[form](enrollment), "client_token": token_on(patient, page)}
    first = patient.post(reverse(action), sent, follow=True).content.decode()
    assert HELP in first
    # The response was lost and the same form is sent again: the help is shown again.
    again = patient.post(reverse(action), sent, follow=True).content.decode()
    assert HELP in again
    assert model.objects.count() == 1
    assert Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).count() == 1


@pytest.mark.parametrize("form", FORMS)
def test_sending_ordinary_words_again_shows_no_help(patient, enrollment, form):
    page, action, data, _, _ = FORMS[form]
    sent = {**data(enrollment), "client_token": token_on(patient, page)}
    patient.post(reverse(action), sent)
    assert HELP not in patient.post(reverse(action), sent, follow=True).content.decode()
    assert not Alert.objects.filter(enrollment=enrollment).exists()
