"""Nobody changes an email address themselves: the practice's invitation set it.

allauth's email page (/accounts/email/: add, make primary, remove, resend) is a 404
for every method, so nobody can attach someone else's address to their account, have
allauth email that person in their name, or move their login to an unproved address.
And each account's allauth EmailAddress rows are exactly its login address
(painapp.accounts.email_addresses), so a password reset or a login with an address
reaches that address's own account and no other — also for rows left from before.
"""

from __future__ import annotations

import importlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.http import base36_to_int

from painapp.accounts.models import User
from tests.factories import PASSWORD, form_login

ACTIONS = ["action_add", "action_primary", "action_remove", "action_send"]
RESET_LINK = re.compile(r"/accounts/password/reset/key/(\w+)-")


def _attacker(cast) -> Client:
    client = Client(enforce_csrf_checks=False)
    assert form_login(client, cast.patient).status_code == 302
    # … and allauth's own "Enter your password again", which its email page asks for.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return client


@pytest.mark.parametrize("action", ACTIONS)
def test_the_email_page_refuses_every_action(cast, action):
    client = _attacker(cast)
    victim = cast.other_patient
    mail.outbox.clear()
    response = client.post("/accounts/email/", {"email": victim.email, action: ""})
    assert response.status_code == 404
    assert mail.outbox == []
    assert not EmailAddress.objects.filter(user=cast.patient, email=victim.email).exists()
    assert User.objects.get(pk=cast.patient.pk).email == cast.patient.email


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/confirm-email/", "/accounts/confirm-email/Mg:1x:abc/"]
)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_the_email_pages_are_not_found_for_any_method(cast, path, method):
    # With CSRF checked as a browser would: still a 404, never the 403 page.
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.patient)
    assert getattr(client, method)(path).status_code == 404


def test_the_account_page_says_to_ask_the_practice_and_does_not_link_the_email_page(cast):
    client = Client()
    client.force_login(cast.patient)
    page = client.get(reverse("account_change_password")).content.decode()
    assert f"You log in with {cast.patient.email}. To change it, ask your practice." in page
    assert "/accounts/email/" not in page
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    page = client.get(reverse("account_change_password")).content.decode()
    assert "Para cambiarlo, pídaselo a su consultorio." in page


def _reset(email: str) -> list:
    mail.outbox.clear()
    Client().post(reverse("account_reset_password"), {"email": email})
    return list(mail.outbox)


def _account_of(message) -> int:
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return base36_to_int(match.group(1))


def test_a_reset_for_an_address_mails_one_link_for_its_own_account(cast):
    client = _attacker(cast)
    victim = cast.other_patient
    client.post("/accounts/email/", {"email": victim.email, "action_add": ""})
    sent = _reset(victim.email)
    assert [m.to for m in sent] == [[victim.email]]
    assert _account_of(sent[0]) == victim.pk


def test_a_login_with_an_address_opens_only_its_own_account(cast):
    client = _attacker(cast)
    victim = cast.other_patient
    client.post("/accounts/email/", {"email": victim.email, "action_add": ""})
    stranger = Client()
    response = stranger.post(
        reverse("account_login"), {"login": victim.email, "password": PASSWORD + "-not-theirs"}
    )
    assert "_auth_user_id" not in stranger.session, response
    # The attacker's own password with the victim's address opens nothing either.
    cast.other_patient.set_password("the-victims-own-pass-9")
    cast.other_patient.save(update_fields=["password"])
    stranger.post(reverse("account_login"), {"login": victim.email, "password": PASSWORD})
    assert "_auth_user_id" not in stranger.session


def _stale_row(cast) -> None:
    """What the email page could leave before it was switched off: the attacker's row
    naming the victim's address (the victim has none of their own yet)."""
    EmailAddress.objects.filter(user=cast.other_patient).delete()
    EmailAddress.objects.create(user=cast.patient, email=cast.other_patient.email)


def test_the_migration_drops_rows_that_name_another_address(cast):
    _stale_row(cast)
    migration = importlib.import_module(
        "painapp.accounts.migrations.0010_email_addresses_match_accounts"
    )
    migration.match_accounts(apps, None)
    rows = set(EmailAddress.objects.values_list("user_id", "email", "verified", "primary"))
    assert (cast.patient.pk, cast.other_patient.email, False, False) not in rows
    assert (cast.patient.pk, cast.patient.email, True, True) in rows
    assert (cast.other_patient.pk, cast.other_patient.email, True, True) in rows
    sent = _reset(cast.other_patient.email)
    assert [_account_of(m) for m in sent] == [cast.other_patient.pk]
    stranger = Client()
    stranger.post(
        reverse("account_login"), {"login": cast.other_patient.email, "password": PASSWORD}
    )
    assert stranger.session["_auth_user_id"] == str(cast.other_patient.pk)


def test_a_changed_address_no_longer_reaches_the_account(cast):
    patient = cast.patient
    old = patient.email
    assert len(_reset(old)) == 1  # allauth's reset keeps a row for the address it mailed
    patient.email = "pat.new@riverside.test"
    patient.save()  # as the Django admin saves it
    # The old address gets allauth's "no account here" note, never a link.
    assert [RESET_LINK.search(m.body) for m in _reset(old)] == [None]
    stranger = Client()
    stranger.post(reverse("account_login"), {"login": old, "password": PASSWORD})
    assert "_auth_user_id" not in stranger.session
    assert [_account_of(m) for m in _reset(patient.email)] == [patient.pk]
    assert list(EmailAddress.objects.filter(user=patient).values_list("email", flat=True)) == [
        patient.email
    ]
