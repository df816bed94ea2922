"""Error pages (DEBUG off, as in production): plain language, the request id a person
can quote, no stack trace or internals. The 503 for a database that is really down is
tests/test_fault_database.py; here a view raises the same error."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.urls("tests.error_urls")

INTERNALS = (
    "Traceback",
    "secret internals",
    "SELECT",
    "accounts_user",
    "5432",
    "OperationalError",
    "RuntimeError",
    "SuspiciousOperation",
    "PermissionDenied",
    "site-packages",
    "DEBUG",
)

PAGES = {
    400: ("/test-errors/400/", "Something in that request did not make sense"),
    403: ("/test-errors/403/", "You cannot open this page"),
    404: ("/no-such-page/", "We could not find that page"),
    500: ("/test-errors/500/", "Something went wrong on our side"),
    503: ("/test-errors/503/", "painapp is taking a short break"),
}


@pytest.fixture
def client(client, settings):
    assert settings.DEBUG is False
    client.raise_request_exception = False
    return client


def assert_plain_with_request_id(response, status: int) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    request_id = response["X-Request-ID"]
    assert f"quote this code: <code>{request_id}</code>" in body
    for leak in INTERNALS:
        assert leak not in body, leak
    return body


@pytest.mark.parametrize("status", sorted(PAGES))
def test_it_shows_a_plain_page_with_the_request_id(client, status):
    path, words = PAGES[status]
    assert words in assert_plain_with_request_id(client.get(path), status)


def test_it_asks_a_database_outage_to_be_retried(client):
    response = client.get("/test-errors/503/")
    assert response["Retry-After"] == "30"
    assert "Nothing you saved is lost" in response.content.decode()


def test_it_shows_the_id_a_proxy_gave_the_request(client):
    response = client.get("/test-errors/500/", HTTP_X_REQUEST_ID="edge-0123456789abcdef")
    assert "<code>edge-0123456789abcdef</code>" in response.content.decode()


def test_it_serves_a_host_we_do_not_serve_a_plain_400(client):
    assert_plain_with_request_id(client.get("/", HTTP_HOST="evil.example"), 400)


def test_it_shows_the_request_id_when_a_form_fails_its_csrf_check(client, cast):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = assert_plain_with_request_id(
        strict.post(reverse("account_login"), {"login": cast.patient.email}), 403
    )
    assert "Please try that again" in body and "CSRF" not in body


def test_it_shows_staff_a_404_page_for_a_patient_they_may_not_see(client, cast, enrollment):
    client.force_login(cast.outsider_clinician)
    response = client.get(reverse("patient_detail", args=[enrollment.pk]))
    body = assert_plain_with_request_id(response, 404)
    assert "Pat One" not in body
