"""The "Get help now" page: reachable by anyone, a patient's own practice's numbers."""

from __future__ import annotations

from django.urls import reverse

from tracking.models import CrisisResource


def test_it_needs_no_login_and_shows_the_default_numbers(client, db):
    response = client.get(reverse("get_help"))
    assert response.status_code == 200
    assert b"988" in response.content  # the default list's US line
    assert b"not an emergency service" in response.content


def test_it_shows_a_patient_their_own_practices_numbers(client, cast):
    # Per country now (the safety settings screen); the practice's default country is US.
    CrisisResource.objects.create(
        practice=cast.practice, country="US", body_md="Call **Riverside Crisis Team** on 0800 123"
    )
    CrisisResource.objects.create(
        practice=cast.other_practice, country="US", body_md="Call Elsewhere Line on 0800 999"
    )
    client.force_login(cast.patient)
    body = client.get(reverse("get_help")).content.decode()
    assert "<strong>Riverside Crisis Team</strong> on 0800 123" in body
    assert "Elsewhere Line" not in body


def test_the_page_footer_links_to_it(client, db):
    body = client.get(reverse("account_login")).content.decode()
    assert f'<a href="{reverse("get_help")}">Get help now</a>' in body


def test_it_names_the_clinics_country_when_the_patient_has_not_given_theirs(
    client, cast, enrollment
):
    # The list shown is the practice's default country's (US here): say so, rather than
    # "Tell us your country to see its numbers" above numbers that are already there.
    assert enrollment.country == ""
    client.force_login(cast.patient)
    body = client.get(reverse("get_help")).content.decode()
    assert "These numbers are for United States, where your clinic is." in body
    assert "Tell us your country" not in body


def test_it_names_the_patients_own_country(client, cast, enrollment):
    enrollment.country = "GB"
    enrollment.save(update_fields=["country"])
    client.force_login(cast.patient)
    body = client.get(reverse("get_help")).content.decode()
    assert "These numbers are for United Kingdom." in body
    assert "where your clinic is" not in body
