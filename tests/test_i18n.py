"""Languages: each person's own language for their pages; the catalogues complete."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))


def login(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_catalogue_is_complete_and_compiles(catalogue):
    """No untranslated or fuzzy entry (a fuzzy one is a guess gettext never shows)."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


def test_there_is_a_spanish_catalogue():
    assert [p.parts[-3] for p in CATALOGUES] == ["es"]


def test_a_person_sees_pages_in_their_own_language_not_their_browsers(client, cast):
    cast.patient.language = "es"
    cast.patient.save()
    login(client, cast.patient)
    response = client.get(reverse("account_language"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    assert "Su idioma" in page and "Guardar mi idioma" in page


def test_before_login_the_browsers_language_is_used(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert '<html lang="es">' in response.content.decode()
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="en">' in response.content.decode()


def test_changing_language_is_saved_and_used_at_once(client, cast):
    login(client, cast.patient)
    response = client.post(reverse("account_language"), {"language": "es"}, follow=True)
    cast.patient.refresh_from_db()
    assert cast.patient.language == "es"
    assert "Su idioma quedó guardado." in response.content.decode()
    response = client.post(reverse("account_language"), {"language": "en"}, follow=True)
    assert "Your language is saved." in response.content.decode()


def test_an_unknown_language_is_refused_in_plain_words(client, cast):
    login(client, cast.patient)
    response = client.post(reverse("account_language"), {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.patient.refresh_from_db()
    assert cast.patient.language == "en"
