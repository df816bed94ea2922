"""Two-step login is required for staff before any patient data; patients may opt in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from painapp.accounts.models import Role
from tests.factories import PASSWORD, enable_totp, make_member, totp_code


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN])
def test_staff_without_an_authenticator_must_set_one_up_first(client, cast, role):
    user = make_member(cast.practice, role, f"new-{role}@riverside.test", mfa=False)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    for name in ("caseload", "practice_overview", "admin_outcomes", "home"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("mfa_activate_totp")), name
    # patient data by id is just as closed
    response = client.get(reverse("patient_detail", args=[1]))
    assert response.url.startswith(reverse("mfa_activate_totp"))
    # the setup page itself is reachable, after confirming the password once more
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.url.startswith(reverse("account_reauthenticate"))
    client.post(setup.url, {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()


def test_staff_with_an_authenticator_need_the_code_at_login(client, cast):
    response = client.post(
        reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("caseload")).status_code == 302  # not logged in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "code" in wrong.content.decode().lower()
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert right.status_code == 302
    assert client.get(reverse("caseload")).status_code == 200


def test_the_code_page_speaks_plainly_with_one_filled_action(client, cast):
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Enter your code" in page and "changes every 30 seconds" in page
    assert "Two-Factor Authentication" not in page
    buttons = dict(
        (label, attrs)
        for attrs, label in re.findall(r"<button ([^>]*)>\s*([^<]*?)\s*</button>", page)
    )
    assert "class=" not in buttons["Log in"]  # the one filled button
    assert 'class="button button--secondary"' in buttons["Cancel"]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()}, follow=True)
    assert "You are logged in." in response.content.decode()
    assert "Successfully signed in" not in response.content.decode()


def test_patients_do_not_need_it_but_may_opt_in(client, cast, enrollment):
    client.force_login(cast.patient)
    assert client.get(reverse("today")).status_code == 200
    enable_totp(cast.patient)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")


def test_the_django_admin_logs_in_through_the_same_login(client, cast):
    response = client.get("/django-admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_lets_staff_log_in_with_a_recovery_code_once(client, cast):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(cast.clinician).get_unused_codes()
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("caseload")).status_code == 200
    client.logout()
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200  # a used code is refused
    assert client.get(reverse("caseload")).status_code == 302


def test_it_asks_the_django_admin_for_the_code_too(client, cast):
    from painapp.accounts.models import User

    root = User.objects.create_superuser(email="root@painapp.test", password=PASSWORD)
    enable_totp(root)
    response = client.post(
        reverse("account_login") + "?next=/django-admin/",
        {"login": root.email, "password": PASSWORD},
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/django-admin/").status_code == 302  # the password alone is not enough
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/django-admin/").status_code == 200


def test_it_sends_a_django_admin_user_without_an_authenticator_to_set_one_up(client, cast):
    from painapp.accounts.models import User

    root = User.objects.create_superuser(email="root@painapp.test", password=PASSWORD)
    client.post(reverse("account_login"), {"login": root.email, "password": PASSWORD})
    response = client.get("/django-admin/accounts/auditevent/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_staff_who_remove_their_authenticator_are_sent_to_set_one_up_again(client, cast):
    # Logged in with the code: the session remembers that staff have an authenticator
    # (so pages pay no query for it); removing it must forget that at once.
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert client.get(reverse("caseload")).status_code == 200

    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    removed = client.post(reverse("mfa_deactivate_totp"), {"code": totp_code()})
    assert removed.status_code == 302

    response = client.get(reverse("caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


def test_the_logged_in_message_is_in_the_accounts_language(client, cast):
    """Written while the login request still runs in the browser's language (English
    here): it follows the account's, as every page after it does."""
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    page = client.post(reverse("mfa_authenticate"), {"code": totp_code()}, follow=True)
    assert "Inició sesión." in page.content.decode()
    assert "You are logged in." not in page.content.decode()


def test_login_and_code_pages_autofocus_their_first_field(client, cast):
    login = client.get(reverse("account_login")).content.decode()
    assert re.findall(r"<input [^>]*autofocus[^>]*>", login) == re.findall(
        r'<input [^>]*name="login"[^>]*>', login
    )
    client.post(reverse("account_login"), {"login": cast.clinician.email, "password": PASSWORD})
    code = client.get(reverse("mfa_authenticate")).content.decode()
    focused = re.findall(r"<input [^>]*autofocus[^>]*>", code)
    assert len(focused) == 1 and 'name="code"' in focused[0]
