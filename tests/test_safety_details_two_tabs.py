"""The safety details (country, phone numbers) open in two tabs (painapp.edit_version,
as the safety plan): a save from the tab opened before the other tab's save is refused,
calmly, keeping what was typed and showing what is saved now. The version is about
these fields only: the enrollment row they sit on changing for other reasons (a
clinician opening a week, a pause) never refuses the patient's save."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.models import Enrollment

URL = reverse("safety_details")
TAB_A = {
    "country": "IE",
    "contact_phone": "087 000 0000",
    "emergency_contact_name": "Sam",
    "emergency_contact_phone": "087 111 1111",
}
TAB_B = {"country": "GB", "contact_phone": "07700 900123"}


def version_in(page: str) -> str:
    [tag] = re.findall(r'<input type="hidden" name="edited_from"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def open_tab(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return version_in(response.content.decode())


def test_the_second_tab_cannot_overwrite_the_first_tabs_details(patient, enrollment):
    tab_a, tab_b = open_tab(patient), open_tab(patient)
    assert tab_a == tab_b

    response = patient.post(URL, {**TAB_A, "edited_from": tab_a}, follow=True)
    assert "Saved. Thank you." in response.content.decode()

    response = patient.post(URL, {**TAB_B, "edited_from": tab_b})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Saved. Thank you." not in page
    assert "This was changed in another tab or window" in page
    assert "We have not saved this yet, so nothing is lost." in page
    enrollment.refresh_from_db()
    assert (enrollment.country, enrollment.contact_phone) == ("IE", "087 000 0000")
    assert enrollment.emergency_contact_name == "Sam"
    # What tab B typed stays in the boxes; what is saved now is shown beside it.
    assert re.search(r'name="contact_phone"[^>]*value="07700 900123"', page)
    assert re.search(r'<option value="GB" selected>', page)
    assert "Saved now: Your phone number" in page and "087 000 0000" in page
    assert "Saved now: Which country are you in?" in page and "Ireland" in page
    assert "Saved now: Someone close we can call" in page and "Sam" in page

    # Saved again from the page it came back on (it carries the new version): saved.
    response = patient.post(URL, {**TAB_B, "edited_from": version_in(page)})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.country, enrollment.contact_phone) == ("GB", "07700 900123")


def test_an_unrelated_change_to_the_enrollment_does_not_refuse_the_save(patient, enrollment):
    opened = open_tab(patient)
    # Meanwhile the row changes for other reasons: a clinician opens a week, a pause.
    row = Enrollment.objects.get(pk=enrollment.pk)
    row.unlocked_through_week = 5
    row.paused_days = 3
    row.save()
    response = patient.post(URL, {**TAB_A, "edited_from": opened})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.country, enrollment.unlocked_through_week) == ("IE", 5)


def test_a_form_without_the_version_is_refused_as_a_conflict(patient, enrollment):
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    response = patient.post(URL, TAB_B)
    assert response.status_code == 409
    enrollment.refresh_from_db()
    assert enrollment.country == "IE"


def test_the_refusal_speaks_spanish(patient, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    stale = open_tab(patient)
    patient.post(URL, {**TAB_A, "edited_from": open_tab(patient)})
    page = patient.post(URL, {**TAB_B, "edited_from": stale}).content.decode()
    assert "Esto se cambió en otra pestaña o ventana" in page
    assert "Todavía no guardamos esto, así que no se perdió nada." in page
    assert "Lo que está guardado ahora: Su número de teléfono" in page
