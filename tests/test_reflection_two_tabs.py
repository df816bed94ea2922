"""A reflection open in two tabs (painapp.edit_version, as the safety plan): a save
from the tab opened before the other tab's save is refused, calmly, keeping what was
typed and showing what is saved now; a save from the current version works as before;
a form without the version is refused the same way. Plain, structured and checklist answers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.models import Activity, ActivityKind, Reflection
from programs.services import enrollment_unlock_week


def version_in(page: str) -> str:
    [tag] = re.findall(r'<input type="hidden" name="edited_from"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


@pytest.fixture
def patient(client, cast, enrollment):
    enrollment_unlock_week(enrollment=enrollment, week=8)
    client.force_login(cast.patient)
    return client


def first(enrollment, **where) -> Activity:
    return (
        Activity.objects.filter(week__version=enrollment.program_version, **where)
        .order_by("week__number", "order")
        .first()
    )


def open_tab(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return version_in(response.content.decode())


def test_the_second_tab_cannot_overwrite_the_first_tabs_reflection(patient, enrollment):
    writing = first(enrollment, kind=ActivityKind.REFLECTION, data__fields__isnull=True)
    url = reverse("activity", args=[writing.slug])
    tab_a, tab_b = open_tab(patient, url), open_tab(patient, url)
    assert tab_a == tab_b == ""  # nothing written yet

    assert patient.post(url, {"text": "Tab A's thoughts", "edited_from": tab_a}).status_code == 302
    response = patient.post(url, {"text": "Tab B's thoughts", "edited_from": tab_b})
    page = response.content.decode()
    assert response.status_code == 409
    assert "This was changed in another tab or window" in page
    assert "We have not saved this yet, so nothing is lost." in page
    assert (
        Reflection.objects.get(enrollment=enrollment, activity=writing).text == "Tab A's thoughts"
    )
    assert re.search(r'<textarea name="text"[^>]*>\s*Tab B&#x27;s thoughts<', page)
    assert "Saved now: Your answer" in page and "Tab A&#x27;s thoughts" in page

    # Saved again from the page it came back on: saved.
    response = patient.post(url, {"text": "Both tabs", "edited_from": version_in(page)})
    assert response.status_code == 302
    assert Reflection.objects.get(enrollment=enrollment, activity=writing).text == "Both tabs"
    # One after the other, each from a fresh page: as before.
    response = patient.post(url, {"text": "Again", "edited_from": open_tab(patient, url)})
    assert response.status_code == 302
    # A form without the version: refused as a conflict (test_edit_version_missing).
    assert patient.post(url, {"text": "No version"}).status_code == 409
    assert Reflection.objects.get(enrollment=enrollment, activity=writing).text == "Again"


def test_structured_and_checklist_answers_too(patient, enrollment):
    timeline = Activity.objects.get(
        week__version=enrollment.program_version, slug="life-stress-timeline"
    )
    url = reverse("activity", args=[timeline.slug])
    stale = open_tab(patient, url)
    patient.post(url, {"answer_onset": "A move", "edited_from": open_tab(patient, url)})
    response = patient.post(url, {"answer_onset": "A new job", "edited_from": stale})
    page = response.content.decode()
    assert response.status_code == 409
    assert "A new job" in page and "A move" in page
    saved = Reflection.objects.get(enrollment=enrollment, activity=timeline)
    assert saved.answers["onset"] == "A move"

    evidence = first(enrollment, kind=ActivityKind.EVIDENCE)
    url = reverse("activity", args=[evidence.slug])
    keys = [i["key"] for i in evidence.data["items"]]
    stale = open_tab(patient, url)
    patient.post(url, {"checked": keys[:1], "edited_from": open_tab(patient, url)})
    response = patient.post(url, {"checked": keys[1:2], "edited_from": stale})
    assert response.status_code == 409
    assert "Saved now: Which of these are true for you?" in response.content.decode()
    assert Reflection.objects.get(enrollment=enrollment, activity=evidence).checked == keys[:1]


def test_the_refusal_speaks_spanish(patient, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    writing = first(enrollment, kind=ActivityKind.REFLECTION, data__fields__isnull=True)
    url = reverse("activity", args=[writing.slug])
    stale = open_tab(patient, url)
    patient.post(url, {"text": "Uno", "edited_from": open_tab(patient, url)})
    page = patient.post(url, {"text": "Dos", "edited_from": stale}).content.decode()
    assert "Esto se cambió en otra pestaña o ventana" in page
    assert "Lo que está guardado ahora:" in page
