"""What a patient writes about an exposure (what they expected before, their note
after) reaches their clinician's fear ladder tab: shown as text (escaped), the look
audited, at the same cost however many exposures there are. The note is scanned for
crisis words as it is saved (programs.safety), like every patient text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Exposure
from tracking.models import Alert


@pytest.fixture
def logged(client, cast, enrollment):
    """The walk-through: planned and logged through the patient's own pages."""
    rung = fear_item_create(enrollment=enrollment, label="Carrying shopping", harm_rating=45)
    client.force_login(cast.patient)
    client.post(
        reverse("exposure_plan"),
        {
            "fear_item": rung.pk,
            "predicted_pain": "4",
            "predicted_harm": "40",
            "expectation": "My back will <b>lock up</b> halfway home",
        },
    )
    exposure = Exposure.objects.get(enrollment=enrollment)
    client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {
            "actual_pain": "10",
            "actual_harm": "100",
            "fear_after": "100",
            "note": "Had to sit on the kerb <script>alert(1)</script> for ages",
        },
    )
    exposure.refresh_from_db()
    assert exposure.is_done
    return exposure


def page_for_clinician(client, cast, enrollment) -> str:
    client.force_login(cast.clinician)
    response = client.get(reverse("patient_exposures", args=[enrollment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_clinician_reads_what_the_patient_expected_and_noted(client, cast, enrollment, logged):
    page = page_for_clinician(client, cast, enrollment)
    assert "What they expected:</span> My back will &lt;b&gt;lock up&lt;/b&gt; halfway home" in page
    assert (
        "Their note after:</span> Had to sit on the kerb "
        "&lt;script&gt;alert(1)&lt;/script&gt; for ages" in page
    )
    assert "<script>alert(1)" not in page
    assert "much harder than predicted" in page
    viewed = AuditEvent.objects.filter(action="patient.exposures_viewed", subject=cast.patient)
    assert viewed.filter(actor=cast.clinician, object_id=str(enrollment.pk)).count() == 1


def test_in_spanish_the_labels_are_spanish(client, cast, enrollment, logged):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = page_for_clinician(client, cast, enrollment)
    assert "Lo que esperaba:" in page and "Su nota después:" in page


def test_a_crisis_phrase_in_the_note_raises_the_alert(client, cast, enrollment):
    exposure = exposure_create(
        enrollment=enrollment, fear_item=None, activity="Walk", predicted_pain=3, predicted_harm=20
    )
    client.force_login(cast.patient)
    client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {
            "actual_pain": "3",
            "actual_harm": "20",
            "fear_after": "20",
            "note": "Honestly some days I want to die.",
        },
    )
    assert Alert.objects.filter(enrollment=enrollment).exists()


def test_the_tab_costs_the_same_queries_however_many_texts(
    client, cast, enrollment, logged, django_assert_num_queries
):
    url = reverse("patient_exposures", args=[enrollment.pk])
    page_for_clinician(client, cast, enrollment)  # the session's first write, the outline
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(5):
        more = exposure_create(
            enrollment=enrollment,
            fear_item=logged.fear_item,
            activity="",
            predicted_pain=4,
            predicted_harm=40,
            expectation=f"Expected {n}",
        )
        exposure_complete(exposure=more, actual_pain=2, actual_harm=10, fear_after=30, note=f"N{n}")
    client.get(url)  # the menu's badges cached again (painapp.accounts.badges: a minute)
    with django_assert_num_queries(7):
        page = client.get(url).content.decode()
    assert all(f"Expected {n}" in page and f"N{n}" in page for n in range(5))
