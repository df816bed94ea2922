"""A Spanish-speaking patient's invitation, in Spanish all the way: the email's date is
written the Spanish way, the welcome reads naturally, and a password like their own
email address is refused in Spanish (not "similar a la de email address")."""

from __future__ import annotations

import re

from django.core import mail

from tests.test_i18n import english_in


def test_it_writes_the_expiry_date_the_spanish_way(spanish_invitation):
    message = mail.outbox[-1]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "vence el 13 de diciembre de 2026" in body, body


def test_it_welcomes_the_invitee_in_natural_spanish(client, spanish_invitation):
    html = client.get(spanish_invitation).content.decode()
    assert "Recibió una invitación como paciente." in html
    assert "función de" not in html


def test_a_password_like_the_email_address_is_refused_in_spanish(client, spanish_invitation):
    response = client.post(
        spanish_invitation,
        {
            "password1": "rosa@example.org",
            "password2": "rosa@example.org",
            "timezone": "America/Mexico_City",
        },
    )
    html = response.content.decode()
    assert "La contraseña se parece demasiado a su correo electrónico." in html
    text = re.sub(r"(?s)<select.*?</select>", " ", html)  # time zone names are data
    assert english_in(text, allowed=("Riverside", "painapp", "rosa@example.org")) == []
