"""The weekly check-in open in two tabs (painapp.edit_version, by its saved draft): a
"Save and finish later" from the tab opened before the other tab's save never loses
the answers saved since. It is refused calmly (409) with what is saved now shown and
what was picked kept; the autosave (htmx) hears 409 with X-Changed-Elsewhere. Answers
that only add to what is saved go through. Crisis words or a safety answer in the
refused save still raise the alert; the final submit still counts once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tracking.models import Alert, CheckIn, Response

CHANGED = "This was changed in another tab or window"
FIRST_FIVE = {
    "pain_avg__pain_avg": "4",
    "pain_worst__pain_worst": "7",
    "fear_movement__fear_movement": "5",
    "phq2__phq1": "1",
    "phq2__phq2": "2",
}
HX = {"HTTP_HX_REQUEST": "true"}


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def version_in(page: str) -> str:
    [value] = re.findall(r'<input type="hidden" name="edited_from" value="([^"]*)"', page)
    return value


def checked(page: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]*checked', page))


@pytest.fixture
def patient(client, cast, week3):
    client.force_login(cast.patient)
    return client


def open_tab(client, checkin: CheckIn) -> str:
    response = client.get(url(checkin))
    assert response.status_code == 200
    return version_in(response.content.decode())


def test_an_older_tab_cannot_replace_the_newer_draft(patient, week3):
    """Tab A answers Q1–Q5 and saves; tab B, opened earlier, saves with only Q1."""
    tab_b = open_tab(patient, week3)
    tab_a = open_tab(patient, week3)
    response = patient.post(url(week3), {"action": "save", **FIRST_FIVE, "edited_from": tab_a})
    assert response.status_code == 302
    week3.refresh_from_db()
    saved = week3.draft

    response = patient.post(
        url(week3), {"action": "save", "pain_avg__pain_avg": "9", "edited_from": tab_b}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page and "nothing is lost" in page
    week3.refresh_from_db()
    assert week3.draft == saved  # tab A's answers are all there
    assert checked(page, "pain_avg__pain_avg", "9")  # what tab B picked stays
    assert not checked(page, "pain_worst__pain_worst", "7")
    # What is saved now, under each question that differs.
    assert page.count("Saved now:") == 5
    assert 'id="id_pain_worst__pain_worst_saved"' in page

    # Saved again from that page (they kept their 9, and added tab A's others): saved.
    merged = {**FIRST_FIVE, "pain_avg__pain_avg": "9", "edited_from": version_in(page)}
    assert patient.post(url(week3), {"action": "save", **merged}).status_code == 302
    week3.refresh_from_db()
    assert week3.draft["pain_avg"] == {"pain_avg": 9}
    assert week3.draft["phq2"] == {"phq1": 1, "phq2": 2}


def test_the_autosave_of_an_older_tab_is_refused_and_says_so(patient, week3):
    tab_b = open_tab(patient, week3)
    response = patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}, **HX
    )
    assert response.status_code == 204
    # Its next save carries the new version: the same tab saves on.
    newer = response["X-Edited-From"]
    response = patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "gad2__gad1": "1", "edited_from": newer}, **HX
    )
    assert response.status_code == 204
    week3.refresh_from_db()
    saved = week3.draft

    response = patient.post(
        url(week3), {"action": "save", "pain_avg__pain_avg": "2", "edited_from": tab_b}, **HX
    )
    assert response.status_code == 409 and response["X-Changed-Elsewhere"] == "1"
    week3.refresh_from_db()
    assert week3.draft == saved
    # The page gives the saved-note its words for it (static/js/checkin.js).
    page = patient.get(url(week3)).content.decode()
    assert "These answers were changed in another tab or window" in page


def test_answers_that_only_add_to_the_saved_ones_are_saved(patient, week3):
    stale = open_tab(patient, week3)
    patient.post(url(week3), {"action": "save", **FIRST_FIVE, "edited_from": stale})
    more = {**FIRST_FIVE, "gad2__gad1": "3"}
    response = patient.post(url(week3), {"action": "save", **more, "edited_from": stale})
    assert response.status_code == 302
    week3.refresh_from_db()
    assert week3.draft["gad2"] == {"gad1": 3}


def test_a_save_without_the_version_does_not_overwrite(patient, week3):
    patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}
    )
    response = patient.post(url(week3), {"action": "save", "pain_avg__pain_avg": "1"})
    assert response.status_code == 409
    week3.refresh_from_db()
    assert week3.draft["pain_avg"] == {"pain_avg": 4} and "phq2" in week3.draft


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_crisis_words_in_a_refused_save_still_raise_the_alert(patient, enrollment, week3, htmx):
    week3.instrument_keys = [*week3.instrument_keys, "causes"]
    week3.save(update_fields=["instrument_keys"])
    stale = open_tab(patient, week3)
    patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}
    )
    typed = {"causes__cause1__text": "Some days I want to die", "causes__cause1__category": ""}
    response = patient.post(
        url(week3), {"action": "save", **typed, "edited_from": stale}, **(HX if htmx else {})
    )
    assert response.status_code == 409
    week3.refresh_from_db()
    assert "causes" not in week3.draft
    [alert] = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert alert.details.get("unsaved") is True
    if not htmx:
        assert 'id="crisis-now"' in response.content.decode()


def test_the_submit_still_counts_once(patient, week3):
    from tests.checkin_data import post_for

    stale = open_tab(patient, week3)
    patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}
    )
    answers = {**post_for(week3.instrument_keys), "edited_from": stale}
    assert patient.post(url(week3), answers).status_code == 302
    assert patient.post(url(week3), answers).status_code == 200  # already done
    week3.refresh_from_db()
    assert week3.status == CheckIn.Status.COMPLETED
    keys = list(Response.objects.filter(checkin=week3).values_list("instrument_key", flat=True))
    assert len(keys) == len(set(keys)) == len(week3.instrument_keys)


@pytest.mark.parametrize(
    ("typed", "told", "not_said"),
    [
        (
            {"phq9__phq9": "2"},
            "We did not save this answer, but we have told your clinic about it.",
            "We have told your clinic about what you wrote.",
        ),
        (
            {"causes__cause1__text": "Some days I want to die", "causes__cause1__category": ""},
            "We did not save what you wrote, but we have told your clinic about it.",
            "We did not save this answer",
        ),
    ],
    ids=["safety-answer", "crisis-words"],
)
def test_a_refused_save_says_what_the_clinic_was_told_of(
    patient, enrollment, week3, typed, told, not_said
):
    """A safety answer in a refused save is an answer the clinic heard of, not words the
    patient wrote; crisis words in one are words, not saved."""
    week3.instrument_keys = [*week3.instrument_keys, "phq9", "causes"]
    week3.save(update_fields=["instrument_keys"])
    stale = open_tab(patient, week3)
    patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}
    )
    response = patient.post(url(week3), {"action": "save", **typed, "edited_from": stale})
    assert response.status_code == 409
    assert Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).exists()
    page = " ".join(response.content.decode().split())
    panel = page[page.index('id="crisis-now"') :]
    assert told in panel
    assert not_said not in panel


def test_a_refused_safety_answer_is_said_in_spanish(patient, cast, enrollment, week3):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    week3.instrument_keys = [*week3.instrument_keys, "phq9"]
    week3.save(update_fields=["instrument_keys"])
    stale = open_tab(patient, week3)
    patient.post(
        url(week3), {"action": "save", **FIRST_FIVE, "edited_from": open_tab(patient, week3)}
    )
    response = patient.post(url(week3), {"action": "save", "phq9__phq9": "2", "edited_from": stale})
    page = " ".join(response.content.decode().split())
    assert "No guardamos esta respuesta, pero sí le avisamos a su clínica." in page
    assert "Le avisamos a su clínica de lo que escribió." not in page
