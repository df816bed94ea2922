"""The safety plan open in two tabs (painapp.edit_version): a save from the tab opened
before the other tab's save is refused, calmly, with what was typed still in the boxes
and what the plan says now under each part that differs; nothing saved is lost. A save
from the current version works as before. Crisis words in a refused save still reach
the care team and bring the help at once. All without JavaScript (the test client)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from painapp.edit_version import version_of
from tracking.models import Alert, SafetyPlan

URL = reverse("safety_plan")
TAB_A = {
    "warning_signs": "I stop answering messages",
    "coping": "",
    "people_places": "",
    "people_to_call": "Sam 0100 200 300\nAna 0100 400 500",
    "professionals": "",
}
TAB_B = {**{name: "" for name in TAB_A}, "coping": "Walk the dog, slow breathing"}


def version_in(page: str) -> str:
    [tag] = re.findall(r'<input type="hidden" name="edited_from"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""  # no plan yet: the version is empty


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def open_tab(client, edit: bool = True) -> str:
    response = client.get(URL + ("?edit=1" if edit else ""))
    assert response.status_code == 200
    return version_in(response.content.decode())


@pytest.mark.parametrize("plan_before", [False, True], ids=["no plan yet", "a plan already"])
def test_the_second_tab_cannot_wipe_the_first_tabs_plan(patient, enrollment, plan_before):
    if plan_before:
        patient.post(URL, {"coping": "Music", "edited_from": open_tab(patient)}, follow=True)
    tab_a, tab_b = open_tab(patient, edit=True), open_tab(patient, edit=True)
    assert tab_a == tab_b

    response = patient.post(URL, {**TAB_A, "edited_from": tab_a}, follow=True)
    assert "Your safety plan is saved." in response.content.decode()  # tab A
    saved = SafetyPlan.objects.get(enrollment=enrollment)
    assert saved.people_to_call == TAB_A["people_to_call"]

    response = patient.post(URL, {**TAB_B, "edited_from": tab_b})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Your safety plan is saved" not in page
    assert "Your plan was changed in another tab or window" in page
    assert "We have not saved this yet, so nothing is lost." in page
    # Nothing saved is lost: tab A's warning signs and numbers are still the plan.
    plan = SafetyPlan.objects.get(enrollment=enrollment)
    assert plan.warning_signs == TAB_A["warning_signs"]
    assert plan.people_to_call == TAB_A["people_to_call"]
    assert plan.updated_at == saved.updated_at  # not written at all
    # What tab B typed is still in its box; what is saved now is shown beside it.
    assert re.search(r'<textarea name="coping"[^>]*>\s*Walk the dog, slow breathing<', page)
    assert "Saved in your plan now: My warning signs" in page
    assert escape(TAB_A["warning_signs"]) in page
    assert "Sam 0100 200 300" in page and "Ana 0100 400 500" in page
    assert "Saved in your plan now: Things I can do on my own" in page  # it differs too
    # A part the same in both is not repeated.
    assert "Saved in your plan now: People and places" not in page

    # The page carries the version saved now: merged and saved again, it goes through.
    assert version_in(page) == version_of(plan)
    merged = {**TAB_A, "coping": TAB_B["coping"], "edited_from": version_in(page)}
    response = patient.post(URL, merged)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.warning_signs, plan.coping, plan.people_to_call) == (
        TAB_A["warning_signs"],
        TAB_B["coping"],
        TAB_A["people_to_call"],
    )
    assert "Your safety plan is saved." in patient.get(URL).content.decode()


def test_saves_one_after_the_other_work_as_before(patient, enrollment):
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    response = patient.post(URL, {**TAB_A, "coping": "Music", "edited_from": open_tab(patient)})
    assert response.status_code == 302
    assert SafetyPlan.objects.get(enrollment=enrollment).coping == "Music"


def test_the_refusal_speaks_spanish(patient, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    stale = open_tab(patient)
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    page = patient.post(URL, {**TAB_B, "edited_from": stale}).content.decode()
    assert "Su plan se cambió en otra pestaña o ventana" in page
    assert "Todavía no guardamos esto, así que no se perdió nada." in page
    assert "Lo que dice su plan ahora: Mis señales de alerta" in page


def test_crisis_words_in_a_refused_save_still_reach_the_care_team(patient, enrollment):
    stale = open_tab(patient)
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    response = patient.post(
        URL, {**TAB_B, "coping": "Some days I want to die.", "edited_from": stale}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "You do not have to face this alone" in page  # the crisis panel, at once
    plan = SafetyPlan.objects.get(enrollment=enrollment)
    [alert] = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert (alert.source, alert.details["entry"]) == (f"safety_plan:{plan.pk}", "safety_plan")
    assert "die" not in plan.coping  # still not saved


def test_the_alert_for_a_refused_save_says_the_words_were_not_saved(
    patient, client, cast, enrollment
):
    """The clinician follows the alert to the safety plan and finds no crisis words
    there: the alert page says they were typed but not saved, and this alert is all
    that was kept of them. An alert for words that were saved does not say so."""
    stale = open_tab(patient)
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    patient.post(URL, {**TAB_B, "coping": "Some days I want to die.", "edited_from": stale})
    [alert] = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert alert.details["unsaved"] is True

    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "They typed words that can mean a crisis, but the save was refused" in page
    assert "The words themselves are not kept" in page
    assert "check-in could not take it" not in page  # not the check-in wording

    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Escribió palabras que pueden indicar una crisis, pero no se pudieron guardar" in page


def test_the_alert_for_a_saved_plan_does_not_say_unsaved(patient, client, cast, enrollment):
    patient.post(
        URL, {**TAB_A, "coping": "Some days I want to die.", "edited_from": open_tab(patient)}
    )
    [alert] = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert "unsaved" not in alert.details
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "they were not saved" not in page


def test_a_tampered_version_is_refused_the_same_calm_way(patient, enrollment):
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    response = patient.post(URL, {**TAB_B, "edited_from": "<script>nonsense"})
    assert response.status_code == 409
    assert SafetyPlan.objects.get(enrollment=enrollment).warning_signs == TAB_A["warning_signs"]
