"""Inviting an email that already has an account elsewhere (issue 14, points 1 and 2).

Until the person accepts, the inviting practice sees only what it typed, and nothing
it can observe (page, message, email, the database work) differs from inviting a
new address. Accepting joins the person's own account without touching its state or
any other practice's membership; a switched-off account stays switched off.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership, Role, User
from programs.models import Enrollment
from tests.factories import PASSWORD, load_shipped_program, make_member, make_practice

NEW_PASSWORD = "calm-river-stones-42"
REAL_NAME = "Patricia Realname"
REAL_ZONE = "Europe/Oslo"
TYPED_NAME = "Typed By Elsewhere"
TYPED_ZONE = "Pacific/Auckland"


@pytest.fixture
def known_patient(cast):
    """Riverside's patient, with a name and zone that Elsewhere must never see."""
    User.objects.filter(pk=cast.patient.pk).update(full_name=REAL_NAME, timezone=REAL_ZONE)
    cast.patient.refresh_from_db()
    return cast.patient


def invite_patient(client, cast, email: str, name: str = TYPED_NAME):
    """Elsewhere's admin invites `email` as a patient of Elsewhere's clinician."""
    client.force_login(cast.outsider_admin)
    return client.post(
        reverse("patient_invite"),
        {
            "full_name": name,
            "email": email,
            "timezone": TYPED_ZONE,
            "clinician": cast.outsider_clinician.pk,
            "program_version": load_shipped_program().pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )


def link_from_last_email() -> str:
    url = re.search(r"https?://\S+/invite/\S+/", mail.outbox[-1].body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def elsewhere_pages(client, cast, enrollment: Enrollment) -> dict[str, str]:
    """Every Elsewhere page that shows the invited person, as its staff see it."""
    client.force_login(cast.outsider_admin)
    pages = {
        name: client.get(url).content.decode()
        for name, url in {
            "invitations": reverse("invitation_list"),
            "enrollments": reverse("admin_enrollments"),
            "enrollment": reverse("admin_enrollment", args=[enrollment.pk]),
            "audit": reverse("admin_audit"),
        }.items()
    }
    client.force_login(cast.outsider_clinician)
    pages["caseload"] = client.get(reverse("caseload")).content.decode()
    pages["patient"] = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    return pages


def test_it_shows_only_what_the_practice_typed_for_an_existing_account(cast, client, known_patient):
    assert invite_patient(client, cast, "PAT@riverside.test").status_code == 302
    enrollment = Enrollment.objects.get(practice=cast.other_practice, status="invited")
    pages = elsewhere_pages(client, cast, enrollment)
    for name, page in pages.items():
        assert REAL_NAME not in page, name
        assert "Oslo" not in page, name  # REAL_ZONE, however the page names a zone
    assert TYPED_NAME in pages["invitations"] and "pat@riverside.test" in pages["invitations"]
    assert TYPED_NAME in pages["enrollments"]
    assert TYPED_NAME in pages["enrollment"] and "Pacific / Auckland" in pages["enrollment"]
    # Riverside's account is as it was: nobody at Elsewhere wrote to it.
    known_patient.refresh_from_db()
    assert (known_patient.full_name, known_patient.timezone) == (REAL_NAME, REAL_ZONE)
    assert list(known_patient.memberships.values_list("practice_id", "is_active")) == [
        (cast.practice.pk, True)
    ]


def _shape(sql: str) -> str:
    """A statement without its values: what was asked of the database, not with what."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\bIN \([?, ]+\)", "IN (...)", sql)


def _invite_and_watch(client, cast, email: str):
    with CaptureQueriesContext(connection) as queries:
        response = invite_patient(client, cast, email, name="Same Typed Name")
    listing = client.get(response.url).content.decode()
    notice = re.search(r'<div class="messages".*?</div>', listing, re.S).group(0)
    message = mail.outbox[-1]
    body = re.sub(r"https?://\S+/invite/\S+/", "LINK", message.body)
    return {
        "status": response.status_code,
        "location": response.url,
        "notice": notice.replace(email.lower(), "EMAIL"),
        "email": (message.subject, body.replace(email.lower(), "EMAIL"), message.to == [email]),
        "queries": [_shape(q["sql"]) for q in queries.captured_queries],
    }


def test_the_response_is_the_same_for_existing_and_new_emails(cast, client, known_patient):
    invite_patient(client, cast, "warm.up@example.org")  # caches warm, as in production
    client.get(reverse("invitation_list"))  # and its message shown
    existing = _invite_and_watch(client, cast, "pat@riverside.test")
    new = _invite_and_watch(client, cast, "nobody.yet@example.org")
    assert existing["status"] == new["status"] == 302
    assert existing["location"] == new["location"]
    assert existing["notice"] == new["notice"] and "Invitation sent to EMAIL" in new["notice"]
    assert existing["email"] == new["email"]
    assert existing["queries"] == new["queries"]


def test_an_existing_account_joins_with_its_own_password_and_keeps_its_details(
    cast, client, known_patient
):
    third = make_practice("Third")
    make_member(third, Role.PATIENT, "someone@third.test")
    former = Membership.objects.create(
        user=known_patient, practice=third, role=Role.PATIENT, is_active=False
    )
    invite_patient(client, cast, "pat@riverside.test")
    url = link_from_last_email()
    client.logout()
    assert b"Log in to accept" in client.get(url).content
    client.force_login(known_patient)
    assert client.post(url).status_code == 302
    known_patient.refresh_from_db()
    assert known_patient.check_password(PASSWORD)
    assert (known_patient.full_name, known_patient.timezone) == (REAL_NAME, REAL_ZONE)
    assert set(known_patient.memberships.values_list("practice_id", "is_active")) == {
        (cast.practice.pk, True),
        (cast.other_practice.pk, True),
        (third.pk, False),
    }
    former.refresh_from_db()
    assert former.is_active is False
    # Elsewhere's enrollment is now the person's own, and only one account has the email
    enrollment = Enrollment.objects.get(practice=cast.other_practice)
    assert enrollment.patient == known_patient
    assert User.objects.filter(email="pat@riverside.test", is_active=True).count() == 1
    # and now that they accepted, Elsewhere knows them by their own name
    client.force_login(cast.outsider_admin)
    assert REAL_NAME in client.get(reverse("admin_enrollments")).content.decode()


def test_the_account_still_logs_in_while_an_invitation_waits_for_its_address(
    cast, client, known_patient
):
    from tests.factories import form_login

    invite_patient(client, cast, "pat@riverside.test")
    client.logout()
    response = form_login(client, known_patient)
    assert response.status_code == 302 and response.url == reverse("home")


def test_someone_else_logged_in_cannot_take_an_invitation_for_an_account(
    cast, client, known_patient
):
    invite_patient(client, cast, "pat@riverside.test")
    url = link_from_last_email()
    client.force_login(cast.other_patient)
    page = client.get(url)
    assert b"Log in to accept" in page.content
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": "UTC"})
    assert not cast.other_patient.memberships.filter(practice=cast.other_practice).exists()
    assert Invitation.objects.get(membership__practice=cast.other_practice).accepted_at is None


def test_a_new_address_becomes_an_account_once_accepted(cast, client):
    invite_patient(client, cast, "fresh@example.org")
    url = link_from_last_email()
    client.logout()
    page = client.get(url)
    assert b"Choose a password" in page.content
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": TYPED_ZONE})
    user = User.objects.get(email="fresh@example.org", is_active=True)
    assert user.check_password(NEW_PASSWORD) and user.full_name == TYPED_NAME
    assert Enrollment.objects.get(practice=cast.other_practice).patient == user


def test_two_practices_inviting_one_new_address_end_with_one_account(cast, client):
    invite_patient(client, cast, "twice@example.org")
    elsewhere_link = link_from_last_email()
    client.force_login(cast.admin)
    client.post(
        reverse("patient_invite"),
        {
            "full_name": "Riverside's Name",
            "email": "twice@example.org",
            "timezone": "UTC",
            "clinician": cast.clinician.pk,
            "program_version": load_shipped_program().pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    riverside_link = link_from_last_email()
    # Riverside never sees the name Elsewhere typed, nor the other way round
    assert TYPED_NAME not in client.get(reverse("invitation_list")).content.decode()
    client.logout()
    client.post(
        riverside_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": "UTC"}
    )
    client.logout()
    assert b"Log in to accept" in client.get(elsewhere_link).content
    account = User.objects.get(email="twice@example.org", is_active=True)
    client.force_login(account)
    client.post(elsewhere_link)
    assert set(account.memberships.values_list("practice_id", "is_active")) == {
        (cast.practice.pk, True),
        (cast.other_practice.pk, True),
    }
    assert set(
        Enrollment.objects.filter(patient=account).values_list("practice_id", flat=True)
    ) == {cast.practice.pk, cast.other_practice.pk}


# ---------------------------------------------------------------- point 2
def test_accepting_never_re_enables_a_switched_off_account(cast, client, known_patient):
    User.objects.filter(pk=known_patient.pk).update(is_active=False)
    invite_patient(client, cast, "pat@riverside.test")
    url = link_from_last_email()
    client.logout()
    page = client.get(url)
    assert page.status_code == 403
    text = page.content.decode()
    assert "switched off" in text and "Choose a password" not in text
    client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": "UTC"})
    known_patient.refresh_from_db()
    assert known_patient.is_active is False
    assert known_patient.check_password(PASSWORD)  # password untouched
    assert list(known_patient.memberships.values_list("practice_id", "is_active")) == [
        (cast.practice.pk, True)
    ]
    assert Invitation.objects.get(membership__practice=cast.other_practice).accepted_at is None
    # and nobody can log in with the password they tried to set
    assert client.login(email="pat@riverside.test", password=NEW_PASSWORD) is False
    assert not User.objects.filter(email="pat@riverside.test", is_active=True).exists()


def test_a_bulk_import_treats_an_existing_account_like_a_new_address(cast, client, known_patient):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tracking.models import BulkImport
    from tracking.practice_admin import bulk_import

    load_shipped_program()
    client.force_login(cast.outsider_admin)
    rows = (
        "full_name,email,clinician_email,start_date,timezone,program\n"
        f"{TYPED_NAME},pat@riverside.test,clin@elsewhere.test,2026-11-23,{TYPED_ZONE},\n"
    )
    response = client.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("p.csv", rows.encode(), content_type="text/csv")},
    )
    record = BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert record.rows[0]["problems"] == []
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.outsider_admin)
    enrollment = Enrollment.objects.get(practice=cast.other_practice, status="invited")
    for name, page in elsewhere_pages(client, cast, enrollment).items():
        assert REAL_NAME not in page, name
    assert enrollment.patient != known_patient
    assert enrollment.patient.full_name == TYPED_NAME
