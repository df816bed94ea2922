"""No caching of a logged-in person's pages, and the Permissions-Policy (issue 14,
points 3 and 4), over every URL and visitor of the access matrix."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.test_access_matrix import (
    VISITORS,
    all_url_names,
    kwargs_for,
    world,  # noqa: F401 - its fixture, through `matrix`
)

LOGGED_IN = [v for v in VISITORS if v != "anonymous"]


@pytest.fixture
def matrix(request) -> dict:
    """The access matrix's objects (its `world` fixture), ids for every URL."""
    return request.getfixturevalue("world")


def each_response(client, matrix: dict):
    """(url name, response) for every URL of the matrix, as the access matrix asks."""
    for name, route in sorted(all_url_names().items()):
        url = reverse(name, kwargs=kwargs_for(name, route, matrix))
        response = client.get(url)
        if response.status_code == 405:  # a POST-only action: try it for real
            response = client.post(url, {})
        yield name, response


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize("visitor", LOGGED_IN)
def test_no_page_for_a_logged_in_person_may_be_stored(client, cast, matrix, visitor):
    client.force_login(getattr(cast, visitor))
    stored = [
        f"{name} ({response.status_code}): {response.get('Cache-Control')!r}"
        for name, response in each_response(client, matrix)
        if "no-store" not in cache_directives(response)
    ]
    assert not stored, "\n".join(stored)


def test_exports_keep_their_own_header(client, cast, matrix):
    client.force_login(cast.clinician)
    for name in ("patient_csv", "patient_fhir", "patient_summary"):
        response = client.get(reverse(name, args=[matrix["_enrollment"]]))
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_an_invitation_page_is_not_stored_either(client, matrix):
    # Nobody is logged in yet, but it names the practice and the invited address.
    response = client.get(reverse("invitation_accept", kwargs=matrix["invitation_accept"]))
    assert response.status_code == 200
    assert "no-store" in cache_directives(response)


def test_the_response_that_logs_someone_in_is_not_stored(client, cast):
    response = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "no-store" in cache_directives(response)


POLICY_OFF = ("camera", "microphone", "geolocation", "payment")


def policy(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page_switches_off_camera_microphone_location_and_payment(
    client, cast, matrix, visitor
):
    if visitor != "anonymous":
        client.force_login(getattr(cast, visitor))
    for name, response in each_response(client, matrix):
        features = policy(response)
        assert all(features.get(f) == "()" for f in POLICY_OFF), name
        # the practice player may start sound on our own pages
        assert features.get("autoplay") == "(self)", name


def test_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response)["camera"] == "()"
