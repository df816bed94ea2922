"""The page that says an account cannot be deleted yet (a safety alert not yet seen)
shows the patient's own crisis numbers, the same list "Get help now" and the crisis
panel show (for their country, in their language), and links to "Get help now",
instead of a generic "call your local emergency number"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_account_deletion import login
from tracking.alerts.services import alert_raise
from tracking.safety.resources import crisis_html, crisis_resources_for

GENERIC = {
    "en": "call your local emergency number",
    "es": "llame al número de emergencias de su zona",
}


@pytest.mark.parametrize(
    ("language", "country", "numbers"),
    [
        ("es", "MX", ["911", "800 911 2000", "Estos números son para México."]),
        ("en", "GB", ["999", "116 123", "These numbers are for United Kingdom."]),
    ],
)
def test_the_hold_shows_the_crisis_numbers_for_the_patients_country(
    client, cast, enrollment, language, country, numbers
):
    enrollment.country = country
    enrollment.save(update_fields=["country"])
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    alert_raise(enrollment=enrollment, kind="self_harm", severity="urgent", source="checkin:1")
    login(client, cast.patient)

    page = client.get(reverse("account_delete"))
    body = page.content.decode()
    assert page.status_code == 200
    *numbers, says = numbers
    for number in numbers:
        assert f'href="tel:{number.replace(" ", "")}"' in body
    assert says in body and f'href="{reverse("safety_details")}"' in body  # whose, and change
    # The same list as "Get help now" shows this patient.
    expected = crisis_html(
        crisis_resources_for(practice_id=cast.practice.pk, country=country, language=language)
    )
    assert expected in body
    assert expected in client.get(reverse("get_help")).content.decode()
    assert f'href="{reverse("get_help")}"' in body
    assert GENERIC[language] not in body
    # Sending the form anyway: the same page, with the numbers.
    refused = client.post(reverse("account_delete"), {"confirm": "on"})
    assert refused.status_code == 409
    assert expected in refused.content.decode()
