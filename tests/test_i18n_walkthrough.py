"""What a Spanish walk-through found, in both languages: allauth's pages say things
as the app does (plain refusals that are true, short password hints), the
fear ladder's next step names the patient's own label after a colon, the login page
and notifications read naturally ("hace un momento", not "hace 0 minutos")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.exposure.services import fear_item_create
from tests.factories import PASSWORD
from tracking.models import Notification

WORDS = {
    "es": {
        "mismatch": (
            "El correo electrónico o la contraseña no son correctos. Revise los dos e "
            "inténtelo otra vez."
        ),
        "wrong_current": "Esa no es su contraseña actual. Revísela y escríbala otra vez.",
        "hints": (
            "No debe parecerse a su nombre ni a su correo electrónico.",
            "Use al menos 10 caracteres.",
            "No use una contraseña que mucha gente usa.",
            "No use solo números.",
        ),
        "next": "Lo próximo que puede intentar: <strong>Agacharse a atar los zapatos</strong>",
        "not_tried": "Todavía no lo ha intentado.",
        "just_now": "hace un momento",
        "zero": "hace 0",
        "login_lead": (
            "Entre con el correo electrónico en el que recibió la invitación de su consultorio."
        ),
    },
    "en": {
        "mismatch": (
            "The email address or the password is not right. Please check both and try again."
        ),
        "wrong_current": "That is not your current password. Please check it and type it again.",
        "hints": (
            "It should not look like your name or email address.",
            "Use at least 10 characters.",
            "Do not use a password that many people use.",
            "Do not use only numbers.",
        ),
        "next": "Next to try: <strong>Agacharse a atar los zapatos</strong>",
        "not_tried": "Not tried yet.",
        "just_now": "just now",
        "zero": "0\xa0minutes ago",
        "login_lead": "Log in with the email address your practice invited.",
    },
}


def _speaking(client, user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    client.cookies["django_language"] = language


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_failed_login_says_plainly_what_to_check(client, cast, language):
    _speaking(client, cast.patient, language)
    words = WORDS[language]
    page = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": "not-it"}
    ).content.decode()
    assert words["mismatch"] in page
    assert words["login_lead"] in page
    assert "y/o" not in page and "and/or" not in page


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_wrong_current_password_is_called_wrong_not_missing(client, cast, language):
    """It was typed: the page says it is not the current one, and the hints under the
    new password are short and plain."""
    _speaking(client, cast.patient, language)
    words = WORDS[language]
    client.force_login(cast.patient)
    page = client.post(
        reverse("account_change_password"),
        {"oldpassword": "typed-but-wrong", "password1": "x", "password2": "x"},
    ).content.decode()
    assert words["wrong_current"] in page
    assert "Please type your current password." not in page
    assert "Por favor, escriba su contraseña actual." not in page
    for hint in words["hints"]:
        assert hint in page
    # The right one still changes it.
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a calm walk by the sea",
            "password2": "a calm walk by the sea",
        },
    )
    cast.patient.refresh_from_db()
    assert cast.patient.check_password("a calm walk by the sea")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_ladders_next_step_names_the_patients_own_words_after_a_colon(
    client, cast, enrollment, language
):
    _speaking(client, cast.patient, language)
    fear_item_create(enrollment=enrollment, label="Agacharse a atar los zapatos", harm_rating=30)
    client.force_login(cast.patient)
    page = client.get(reverse("exposure")).content.decode()
    assert WORDS[language]["next"] in page
    assert WORDS[language]["not_tried"] in page
    assert "Intente <strong>" not in page


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_notification_from_seconds_ago_says_just_now(client, cast, enrollment, language):
    _speaking(client, cast.patient, language)
    Notification.objects.create(
        user=cast.patient,
        audience=Notification.Audience.PATIENT,
        practice=cast.practice,
        title="Time for a few minutes of practice",
    )
    client.force_login(cast.patient)
    page = client.get(reverse("notifications")).content.decode()
    [when] = re.findall(r"<time [^>]*>([^<]*)</time>", page)
    assert when == WORDS[language]["just_now"]
    assert WORDS[language]["zero"] not in page
