"""Spanish polish: a language choice before login, our own account emails, Spanish
month abbreviations in lower case, the recovery codes page, the invite form's hints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, enable_totp
from tests.test_i18n import english_in

ROOT = Path(__file__).resolve().parent.parent
LOGGED_OUT_PAGES = ("account_login", "account_reset_password", "get_help")


# ------------------------------------------------------------ the language choice
@pytest.mark.parametrize("name", LOGGED_OUT_PAGES)
def test_logged_out_pages_offer_english_and_spanish(client, db, name):
    html = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = re.search(r'<form class="language-choice".*?</form>', html, re.S)
    assert form, html
    form_html = form.group(0)
    assert f'action="{reverse("set_language")}"' in form_html
    assert 'name="csrfmiddlewaretoken"' in form_html
    assert f'name="next" value="{reverse(name)}"' in form_html
    assert 'lang="en" aria-current="true">English<' in form_html
    assert 'name="language" value="es" lang="es">Español<' in form_html


def test_choosing_spanish_keeps_the_page_and_speaks_spanish_from_then_on(client, db):
    page = reverse("account_reset_password")
    response = client.post(reverse("set_language"), {"language": "es", "next": page})
    assert response.status_code == 302 and response.url == page
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in html
    assert "Restablecer su contraseña" in html
    assert 'name="language" value="en" lang="en">English<' in html
    back = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert back.url == page
    assert '<html lang="en">' in client.get(page, HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_choice_needs_the_csrf_token_and_stays_on_the_site(db):
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert refused.status_code == 403
    response = Client().post(
        reverse("set_language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil.example" not in response.url


def test_a_logged_in_person_keeps_their_account_language(client, cast, enrollment):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    response = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    html = client.get(reverse("today"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in html  # their account says English
    assert 'class="language-choice"' not in html  # changed on their Language page instead


def test_the_invitation_page_follows_a_choice_made_on_it(client, spanish_invitation):
    assert '<html lang="es">' in client.get(spanish_invitation).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": spanish_invitation})
    html = client.get(spanish_invitation).content.decode()
    assert '<html lang="en">' in html
    response = client.post(
        spanish_invitation,
        {
            "password1": "a calm walk by the river",
            "password2": "a calm walk by the river",
            "timezone": "America/Mexico_City",
        },
    )
    assert response.status_code == 302
    from painapp.accounts.models import User

    assert User.objects.get(email="rosa@example.org", is_invitee=False).language == "en"


# ------------------------------------------------------------ account emails
def _reset(client, email: str, browser: str = "en"):
    response = client.post(
        reverse("account_reset_password"), {"email": email}, HTTP_ACCEPT_LANGUAGE=browser
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    return message, message.alternatives[0][0]


STOCK = ("Hola de parte", "Hello from", "cuenta de usuario", "user account", "testserver")


def test_the_password_reset_email_is_ours_in_spanish(client, cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    message, html = _reset(client, cast.patient.email)
    assert message.subject == "painapp: Restablecer su contraseña"
    link = re.search(r"http://testserver/accounts/password/reset/key/\S+", message.body)
    assert link, message.body
    for body in (message.body, html):
        assert "Hola, Pat One:" in body
        assert "Alguien pidió restablecer la contraseña de su cuenta de painapp" in body
        assert "su contraseña no cambia" in body
        for stock in STOCK[:4]:
            assert stock not in body, body
    assert '<html lang="es">' in html and f'href="{link.group(0)}"' in html


def test_the_password_reset_email_is_ours_in_english(client, cast):
    message, html = _reset(client, cast.patient.email, browser="es")
    assert message.subject == "painapp: Reset your password"
    for body in (message.body, html):
        assert "Hello Pat One," in body
        assert "Someone asked to reset the password of your painapp account" in body
        for stock in STOCK[:4]:
            assert stock not in body, body
    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    ("browser", "subject", "line"),
    [
        ("en", "painapp: There is no painapp account with this address", "invitation from"),
        ("es", "painapp: No hay ninguna cuenta de painapp con esta dirección", "invitación"),
    ],
)
def test_a_reset_for_an_unknown_address_says_so_plainly(client, db, browser, subject, line):
    message, html = _reset(client, "nobody@example.org", browser=browser)
    assert message.subject == subject
    for body in (message.body, html):
        assert "nobody@example.org" in body and line in body
        assert "sign up" not in body and "/accounts/signup" not in body
        for stock in STOCK:
            assert stock not in body, body


# ------------------------------------------------------------ dates
DATE_FORMATS = {
    "WEEKDAY_DAY_MONTH_FORMAT": ("Sun 6 Dec", "dom 6 dic"),
    "WEEKDAY_DAY_MONTH_TIME_FORMAT": ("Sun 6 Dec, 14:05", "dom 6 dic, 14:05"),
    "WEEKDAY_DAY_MONTH_YEAR_TIME_FORMAT": ("Sun 6 Dec 2026, 14:05", "dom 6 dic 2026, 14:05"),
    "DAY_MONTH_FORMAT": ("6 Dec", "6 dic"),
    "DAY_MONTH_TIME_FORMAT": ("6 Dec, 14:05", "6 dic, 14:05"),
    "DAY_MONTH_YEAR_FORMAT": ("6 Dec 2026", "6 dic 2026"),
    "DAY_MONTH_YEAR_TIME_FORMAT": ("6 Dec 2026, 14:05", "6 dic 2026, 14:05"),
    "DAY_MONTH_YEAR_SECONDS_FORMAT": ("6 Dec 2026, 14:05:09", "6 dic 2026, 14:05:09"),
    "MONTH_ABBR_FORMAT": ("Dec", "dic"),
    "MONTH_YEAR_SHORT_FORMAT": ("Dec 26", "dic 26"),
    "DAY_FULL_MONTH_FORMAT": ("6 December", "6 de diciembre"),
}


@pytest.mark.parametrize("name", DATE_FORMATS)
def test_each_named_date_format_reads_right_in_both_languages(name):
    import datetime

    when = datetime.datetime(2026, 12, 6, 14, 5, 9)
    template = engines["django"].from_string("{{ when|date:'" + name + "' }}")
    for language, expected in zip(("en", "es"), DATE_FORMATS[name], strict=True):
        with translation.override(language):
            assert template.render({"when": when}) == expected


def test_no_template_or_view_writes_a_capitalised_month_by_hand():
    """'M' capitalises ("Dic"); the named formats say "dic" in Spanish."""
    literal = re.compile(r"""(?:date:|date_format\([^,]+,\s*)["']([^"']*)["']""")
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("templates/**/*.txt")] + [
        p for d in ("painapp", "programs", "tracking") for p in ROOT.glob(f"{d}/**/*.py")
    ]:
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        for match in literal.finditer(path.read_text()):
            fmt = match.group(1)
            if not fmt.endswith("_FORMAT") and re.search(r"(?<!\\)M", fmt):
                offenders.append(f"{path.relative_to(ROOT)}: {fmt}")
    assert offenders == []


def test_a_spanish_admin_sees_lower_case_months(client, cast, spanish_invitation):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    html = client.get(reverse("invitation_list")).content.decode()
    assert "13 dic 2026" in html and "13 Dic 2026" not in html


# ------------------------------------------------------------ recovery codes
def _recovery_codes_page(client, user) -> str:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    client.force_login(user)
    enable_totp(user)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<code>{codes[0]}</code>" in html
    return html


def test_the_recovery_codes_page_has_clear_buttons_and_a_way_on(client, cast, enrollment):
    html = _recovery_codes_page(client, cast.patient)
    download = reverse("mfa_download_recovery_codes")
    assert f'<a class="button button--secondary" href="{download}">Download the codes</a>' in html
    assert f'<a class="button" href="{reverse("home")}">Continue</a>' in html
    assert "Generate new codes" not in html


def test_the_recovery_codes_page_in_spanish(client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    html = _recovery_codes_page(client, cast.patient)
    for text in ("Sus códigos de recuperación", "Descargar los códigos", "Continuar"):
        assert text in html


def _generate_page(client, user) -> str:
    _recovery_codes_page(client, user)
    response = client.get(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_make_new_codes_page_is_ours_in_plain_words(client, cast, enrollment):
    html = _generate_page(client, cast.patient)
    # Our page, not allauth's stock one.
    assert "<h1>Make new recovery codes</h1>" in html
    assert "Recovery Codes" not in html and "Are you sure?" not in html
    assert "You still have 10 unused codes. They will all stop working" in html
    assert '<button type="submit" class="button--danger">Make new codes</button>' in html
    assert f'<a href="{reverse("mfa_view_recovery_codes")}">Keep my codes</a>' in html
    # Making them leads back to the codes page, with new codes.
    from allauth.mfa.models import Authenticator

    before = Authenticator.objects.get(user=cast.patient, type="recovery_codes").wrap()
    old = before.get_unused_codes()
    response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302 and response.url == reverse("mfa_view_recovery_codes")
    page = client.get(response.url).content.decode()
    assert f"<code>{old[0]}</code>" not in page and "<code>" in page


def test_the_make_new_codes_page_in_spanish(client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    html = _generate_page(client, cast.patient)
    for text in (
        "<h1>Crear códigos de recuperación nuevos</h1>",
        "Todavía tiene 10 códigos sin usar. Todos dejarán de funcionar",
        ">Crear códigos nuevos</button>",
        ">Conservar mis códigos</a>",
    ):
        assert text in html
    assert english_in(html, allowed=(cast.patient.full_name,)) == []


# ------------------------------------------------------------ the invite form
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The time zone of the person you invite"),
        ("es", "La zona horaria de la persona a quien invita"),
    ],
)
def test_the_staff_invite_form_speaks_of_the_invitees_time_zone(cast, language, expected):
    from painapp.accounts.forms import InvitationForm

    with translation.override(language):
        help_text = str(InvitationForm(practice=cast.practice).fields["timezone"].help_text)
    assert help_text.startswith(expected)
    assert (
        "where you live." not in help_text
        and "siguen la hora del lugar donde vive." not in help_text
    )
