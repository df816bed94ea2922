"""The safety details' phone message: its example follows the patient's country (not
their language), and it says what the form really accepts.

Before: a US patient writing in Spanish was shown a Mexican number ("+52 55 1234
5678": the example lived in each language's translation), and the message said only
digits, spaces and a leading + were allowed while "+1 (555) 123-4567" was taken."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.edit_versions import with_version
from tracking.safety.forms import PHONE
from tracking.safety.resources import COUNTRY_CHOICES, OTHER, PHONE_EXAMPLES, phone_example

URL = reverse("safety_details")

BAD = "call me maybe"
SAID = {
    "en": "You can use numbers, spaces, brackets ( ), dashes - and dots, and a + at the start.",
    "es": "Puede usar números, espacios, paréntesis ( ), guiones - y puntos, y un + al principio.",
}


def _refused(client, cast, language: str, data: dict) -> str:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    response = client.post(URL, with_version(client, URL, data))
    assert response.status_code == 422
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "country", "example"),
    [
        ("es", "US", "+1 202 555 0143"),  # the tester's case: not Mexico's
        ("en", "US", "+1 202 555 0143"),
        ("es", "MX", "+52 55 1234 5678"),
        ("en", "MX", "+52 55 1234 5678"),
        ("es", "ES", "+34 612 34 56 78"),
        ("en", "GB", "+44 7700 900123"),
        ("en", "AU", "+61 491 570 156"),
        ("es", OTHER, "+44 7700 900123"),
    ],
)
def test_the_example_follows_the_country_chosen_in_either_language(
    client, cast, enrollment, language, country, example
):
    page = _refused(client, cast, language, {"country": country, "contact_phone": BAD})
    assert escape(SAID[language]) in page
    assert escape(example) in page
    others = set(PHONE_EXAMPLES.values()) - {example}
    assert not [other for other in others if escape(other) in page]
    assert BAD in page  # what they typed is kept


def test_a_number_too_long_gives_the_saved_countrys_example(client, cast, enrollment):
    # The country chosen was refused (not a choice): the example is the saved country's.
    enrollment.country = "CA"
    enrollment.save(update_fields=["country"])
    page = _refused(client, cast, "es", {"country": "nowhere", "emergency_contact_phone": "1" * 40})
    assert "Ese número es demasiado largo." in page and escape("+1 613 555 0143") in page


@pytest.mark.parametrize(
    "number", ["+1 (555) 123-4567", "+44 7700 900123", "087.000.0000", "(55) 1234-5678"]
)
def test_what_the_message_allows_is_accepted(client, cast, enrollment, number):
    client.force_login(cast.patient)
    response = client.post(
        URL, with_version(client, URL, {"country": "US", "contact_phone": number})
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.contact_phone == number


def test_every_country_has_an_example_the_form_accepts():
    for code, _name in COUNTRY_CHOICES:
        assert PHONE.match(phone_example(code)), code
    assert set(PHONE_EXAMPLES) == {code for code, _ in COUNTRY_CHOICES} - {OTHER}
