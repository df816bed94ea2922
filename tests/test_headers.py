"""Security headers and cookie flags as production sends them.

The test settings serve plain HTTP (the browser tests need it), so the production
values are read from painapp.settings in a child process with a production
environment, then applied here; every response is checked for what a browser gets.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.test_settings import PROD_ENV, ROOT

NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_PROXY_SSL_HEADER",
]
READ = (
    "import json, django; django.setup(); from django.conf import settings; "
    f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES!r}}}))"
)


@pytest.fixture(scope="module")
def production() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=ROOT,
        env=PROD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def browser(production, settings) -> Client:
    for name, value in production.items():
        setattr(settings, name, value)
    return Client()  # made after the settings change: its middleware reads them


def test_production_settings_are_strict(production):
    assert production["SESSION_COOKIE_SECURE"] is production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    # X-Forwarded-Proto is trusted only when the deployment says its proxy sets it.
    assert production["SECURE_PROXY_SSL_HEADER"] is None


def test_it_sends_hsts_and_no_framing_on_every_page(browser, cast, enrollment):
    pages = [
        browser.get(reverse("account_login"), secure=True),
        browser.get("/no-such-page/", secure=True),
    ]
    browser.force_login(cast.patient)
    pages.append(browser.get(reverse("today"), secure=True))
    for response in pages:
        assert response["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_it_sends_plain_http_to_https(browser):
    response = browser.get(reverse("account_login"))
    assert response.status_code == 301
    assert response.url == "https://testserver" + reverse("account_login")


def test_its_cookies_are_secure_httponly_and_same_site(browser, cast):
    page = browser.get(reverse("account_login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = browser.post(
        reverse("account_login"),
        secure=True,
        data={"login": cast.patient.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
