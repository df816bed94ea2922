"""A fear ladder's step names: one activity once per ladder (case and spaces aside),
and a few words long (programs.exposure.forms.FearItemForm). Each refusal is one plain
sentence, in the patient's language, with what they typed kept."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.exposure.services import fear_item_create
from programs.models import FearItem
from tests.edit_versions import with_version


@pytest.fixture
def patient_client(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    "typed", ["Carrying shopping", "  carrying   SHOPPING ", "Carryingshopping"]
)
def test_the_same_activity_twice_is_refused_naming_the_step(patient_client, enrollment, typed):
    fear_item_create(enrollment=enrollment, label="Sitting through a film", harm_rating=20)
    fear_item_create(enrollment=enrollment, label="Carrying shopping", harm_rating=45)
    response = patient_client.post(reverse("fear_create"), {"label": typed, "harm_rating": "45"})
    assert response.status_code == 200
    assert (
        "“Carrying shopping” is already on your ladder, as step 2. "
        "Change that step instead, or write a different activity." in text(response)
    )
    page = response.content.decode()
    assert f'value="{typed}"' in page and 'value="45"' in page  # what they typed is kept
    assert FearItem.objects.filter(enrollment=enrollment).count() == 2


def test_the_refusal_is_in_spanish_for_a_spanish_reader(patient_client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    fear_item_create(enrollment=enrollment, label="Cargar la compra", harm_rating=45)
    response = patient_client.post(
        reverse("fear_create"), {"label": "cargar la compra", "harm_rating": "45"}
    )
    assert "“Cargar la compra” ya está en su escalera, como el paso 1." in text(response)
    assert FearItem.objects.filter(enrollment=enrollment).count() == 1


def test_renaming_a_step_to_another_steps_activity_is_refused(patient_client, enrollment):
    fear_item_create(enrollment=enrollment, label="Carrying shopping", harm_rating=45)
    other = fear_item_create(enrollment=enrollment, label="Running for a bus", harm_rating=70)
    url = reverse("fear_edit", args=[other.pk])
    typed = {"label": "carrying shopping", "harm_rating": "70"}
    response = patient_client.post(url, with_version(patient_client, url, typed))
    assert "“Carrying shopping” is already on your ladder, as step 1." in text(response)
    other.refresh_from_db()
    assert other.label == "Running for a bus"
    # The step's own name, saved again (a new rating), is not a duplicate of itself.
    again = {"label": "Running for a bus", "harm_rating": "60"}
    response = patient_client.post(url, with_version(patient_client, url, again))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.harm_rating == 60


def test_another_patients_ladder_does_not_count(patient_client, enrollment, other_enrollment):
    fear_item_create(enrollment=other_enrollment, label="Carrying shopping", harm_rating=45)
    response = patient_client.post(
        reverse("fear_create"), {"label": "Carrying shopping", "harm_rating": "45"}
    )
    assert response.status_code == 302
    assert FearItem.objects.filter(enrollment=enrollment).count() == 1


def test_a_step_name_is_100_characters_at_most(patient_client, enrollment):
    long = "Carrying" * 12 + "shop"  # 100 characters, no spaces
    response = patient_client.post(
        reverse("fear_create"), {"label": long + "s", "harm_rating": "45"}
    )
    assert "Keep it shorter, please: 100 characters at most." in text(response)
    assert f'value="{long}s"' in response.content.decode()
    assert not FearItem.objects.exists()
    response = patient_client.post(reverse("fear_create"), {"label": long, "harm_rating": "45"})
    assert response.status_code == 302
    assert FearItem.objects.get().label == long
