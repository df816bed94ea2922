"""The "done" messages after an action can name a patient ("Invitation sent to
pat@example.org", "Pat One is now with Clin2"). They are kept in the server-side
session, never in a cookie (Django's default keeps them in a signed but readable
cookie): no Set-Cookie carries them, and the next page still shows them."""

from __future__ import annotations

import base64
import contextlib
from urllib.parse import unquote

from django.urls import reverse
from django.utils import timezone

from tests.factories import load_shipped_program

EMAIL = "quentin.zebra@example.org"


def cookie_text(response) -> str:
    """Every Set-Cookie of the response, as sent and decoded as far as a reader could."""
    out = []
    for morsel in response.cookies.values():
        raw = morsel.OutputString()
        out.append(raw)
        out.append(unquote(raw))
        value = morsel.value.split(":")[0]
        # A signed cookie's payload is base64 (zlib-compressed if it starts with ".").
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            out.append(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode())
    return "\n".join(out)


def assert_private_then_shown(client, response, *secrets: str) -> None:
    assert response.status_code == 302
    assert "messages" not in response.cookies
    text = cookie_text(response)
    for secret in secrets:
        assert secret not in text
    page = client.get(response.url).content.decode()
    for secret in secrets:
        assert secret in page  # still said, on the next page, to the admin


def test_inviting_a_patient_keeps_their_email_out_of_cookies(cast, client):
    client.force_login(cast.admin)
    response = client.post(
        reverse("patient_invite"),
        {
            "full_name": "Quentin Zebra",
            "email": EMAIL,
            "timezone": "Europe/London",
            "clinician": cast.clinician.pk,
            "program_version": load_shipped_program().pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    assert_private_then_shown(client, response, EMAIL)


def test_inviting_staff_keeps_their_email_out_of_cookies(cast, client):
    client.force_login(cast.admin)
    response = client.post(
        reverse("invitation_create"),
        {"full_name": "New Person", "email": EMAIL, "role": "clinician", "timezone": "UTC"},
    )
    assert_private_then_shown(client, response, EMAIL)


def test_a_transfer_keeps_the_patients_name_out_of_cookies(cast, client, enrollment):
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin_enrollment_transfer", args=[enrollment.pk]),
        {"to_clinician": cast.other_clinician.pk},
    )
    assert_private_then_shown(client, response, cast.patient.display_name)
