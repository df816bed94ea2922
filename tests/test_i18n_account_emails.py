"""allauth's emails to an account (the password reset) come in the account's own
language, whatever language the browser that asked for them speaks."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse


def test_a_password_reset_asked_from_an_english_browser_comes_in_spanish(client, cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    response = client.post(
        reverse("account_reset_password"),
        {"email": cast.patient.email},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "restablecer" in message.subject.lower(), message.subject
    assert "Password Reset" not in message.subject


def test_an_english_account_gets_it_in_english_from_a_spanish_browser(client, cast):
    assert cast.patient.language == "en"
    client.post(
        reverse("account_reset_password"),
        {"email": cast.patient.email},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    (message,) = mail.outbox
    assert message.subject == "painapp: Reset your password", message.subject
