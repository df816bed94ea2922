"""Invitation lifecycle: send, accept, expired, reused, revoked, wrong practice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from painapp.accounts import services
from painapp.accounts.models import AuditEvent, Invitation, Membership, Role, User
from tests.factories import PASSWORD

NEW_PASSWORD = "calm-river-stones-42"
START = timezone.localdate() - timedelta(days=13)  # a recent start, whatever today is


def invite(
    cast, client, *, role="patient", email="newbie@example.org", clinician=None, name="New Person"
):
    client.force_login(cast.admin)
    if role != "patient":
        return client.post(
            reverse("invitation_create"),
            {"full_name": name, "email": email, "role": role, "timezone": "UTC"},
        )
    from tests.factories import load_shipped_program

    return client.post(
        reverse("patient_invite"),
        {
            "full_name": name,
            "email": email,
            "timezone": "Pacific/Auckland",
            "clinician": (clinician or cast.clinician).pk,
            "program_version": load_shipped_program().pk,
            "start_date": START.isoformat(),
        },
    )


def link_from_last_email() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/invite/\S+/", body).group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def accept(client, url, password=NEW_PASSWORD, tz="Pacific/Auckland"):
    return client.post(path_of(url), {"password1": password, "password2": password, "timezone": tz})


def test_it_sends_an_invitation_email(cast, client):
    response = invite(cast, client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.org"]
    assert "back pain program" in message.subject
    assert message.alternatives and "Set up my account" in message.alternatives[0][0]
    # the link names no person
    assert "newbie" not in link_from_last_email()
    assert AuditEvent.objects.filter(action="enrollment.invited").count() == 1


def test_invited_person_cannot_log_in_before_accepting(cast, client):
    invite(cast, client)
    membership = Membership.objects.get(user__email="newbie@example.org")
    assert membership.is_active is False
    assert not membership.user.has_usable_password()


def test_it_accepts_and_lands_the_patient_on_today(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    page = client.get(path_of(url))
    assert page.status_code == 200
    assert b"Choose a password" in page.content
    response = accept(client, url)
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("today")
    # a new patient starts with onboarding
    assert client.get(reverse("today")).url == reverse("onboarding")
    user = User.objects.get(email="newbie@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert user.timezone == "Pacific/Auckland"
    memberships = list(Membership.objects.filter(user=user))
    assert [(m.practice_id, m.role, m.is_active) for m in memberships] == [
        (cast.practice.pk, Role.PATIENT, True)
    ]


def test_an_accepted_clinician_has_exactly_that_role_in_that_practice(cast, client):
    invite(cast, client, role="clinician", email="newclin@example.org")
    url = link_from_last_email()
    client.logout()
    accept(client, url)
    # a new clinician first sets up two-step login, before any patient data
    assert client.get(reverse("home")).url.startswith(reverse("mfa_activate_totp"))
    user = User.objects.get(email="newclin@example.org")
    assert list(user.memberships.values_list("practice_id", "role", "is_active")) == [
        (cast.practice.pk, Role.CLINICIAN, True)
    ]


def test_a_new_clinician_sets_up_two_step_login_without_typing_the_password_again(cast, client):
    invite(cast, client, role="clinician", email="newclin@example.org")
    url = link_from_last_email()
    client.logout()
    accept(client, url)
    # They typed their new password twice a moment ago: the setup page opens at once.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Authenticator" in page.text


def test_a_used_link_gets_a_clear_page(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    accept(client, url)
    client.logout()
    again = client.get(path_of(url))
    assert again.status_code == 410
    assert b"already used" in again.content
    # and posting to it again changes nothing
    accept(client, url, password="another-password-99")
    assert User.objects.get(email="newbie@example.org").check_password(NEW_PASSWORD)


def test_an_expired_link_gets_a_clear_page(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.get(path_of(url))
        assert page.status_code == 410
        assert b"expired" in page.content
        accept(client, url)
    assert not User.objects.get(email="newbie@example.org").has_usable_password()


def test_a_revoked_link_gets_a_clear_page(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_revoke", args=[invitation.pk]))
    client.logout()
    page = client.get(path_of(url))
    assert page.status_code == 410
    assert b"withdrawn" in page.content
    accept(client, url)
    assert not Membership.objects.get(user__email="newbie@example.org").is_active


def test_resend_makes_the_old_link_stop_working(cast, client):
    invite(cast, client)
    old = link_from_last_email()
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_resend", args=[invitation.pk]))
    new = link_from_last_email()
    assert old != new and len(mail.outbox) == 2
    client.logout()
    assert client.get(path_of(old)).status_code == 404
    assert accept(client, new).status_code == 302


def test_a_tampered_link_gets_a_clear_page(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    page = client.get(path_of(url)[:-4] + "xyz/")
    assert page.status_code == 404
    assert b"This link does not work" in page.content


def test_it_keeps_the_form_and_explains_a_password_mismatch(cast, client):
    invite(cast, client)
    url = link_from_last_email()
    client.logout()
    response = client.post(
        path_of(url), {"password1": NEW_PASSWORD, "password2": "nope", "timezone": "Europe/Paris"}
    )
    assert response.status_code == 200
    assert "not the same" in response.content.decode()
    assert 'value="Europe/Paris" selected' in response.content.decode()
    assert not Membership.objects.get(user__email="newbie@example.org").is_active


def test_a_patient_invitation_needs_a_clinician_of_the_same_practice(cast, client):
    response = invite(cast, client, clinician=cast.outsider_clinician)
    assert response.status_code == 200
    assert b"Choose a clinician from this practice" in response.content
    assert not User.objects.filter(email="newbie@example.org").exists()


def test_it_refuses_to_invite_an_existing_member(cast, client):
    response = invite(cast, client, role="clinician", email=cast.clinician.email)
    assert response.status_code == 200
    assert b"already a member" in response.content


def test_a_start_date_years_back_is_refused_as_the_bulk_import_does(cast, client):
    client.force_login(cast.admin)
    from tests.factories import load_shipped_program

    fields = {
        "full_name": "New Person",
        "email": "newbie@example.org",
        "timezone": "UTC",
        "clinician": cast.clinician.pk,
        "program_version": load_shipped_program().pk,
    }
    old = timezone.localdate() - timedelta(days=366)
    response = client.post(reverse("patient_invite"), {**fields, "start_date": old.isoformat()})
    assert response.status_code == 200
    assert f"The start date {old.isoformat()} is more than a year ago. Check the year." in (
        response.text
    )
    assert "newbie@example.org" in response.text  # what was typed stays
    assert not User.objects.filter(email="newbie@example.org").exists()
    # Nearer starts are limited by the program's length (test_impossible_dates).


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_an_email_too_long_to_store_gets_a_plain_message(cast, client, role):
    # Django's form EmailField allows 320 characters; the account's column holds 254.
    email = "p" * 250 + "@example.org"
    response = invite(cast, client, role=role, email=email)
    assert response.status_code == 200
    assert "This email address is too long (254 characters at most)." in response.text
    assert email in response.text  # what was typed stays in the form
    assert not User.objects.filter(email=email).exists()


@pytest.mark.parametrize("role", ["clinician", "admin", "patient"])
def test_a_name_too_long_gets_our_plain_message(cast, client, role):
    name = "Ana " + "x" * 396
    response = invite(cast, client, role=role, name=name)
    assert response.status_code == 200
    assert "Please shorten this to 150 characters or fewer. It has 400 now." in response.text
    assert "Ensure this value" not in response.text
    assert name in response.text  # what was typed stays in the form
    assert not User.objects.filter(email="newbie@example.org").exists()


@pytest.mark.parametrize("role", ["clinician", "admin", "patient"])
def test_invisible_direction_marks_are_dropped_from_an_invited_name(cast, client, role):
    response = invite(cast, client, role=role, name="José Ñúñez \u202eÁlvarez\u200b")
    assert response.status_code == 302
    assert User.objects.get(email="newbie@example.org").full_name == "José Ñúñez Álvarez"


def test_an_invitation_from_another_practice_cannot_be_resent_or_revoked(cast, client):
    invite(cast, client)
    invitation = Invitation.objects.get()
    client.force_login(cast.outsider_admin)
    assert client.post(reverse("invitation_resend", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None and invitation.send_count == 1


def test_the_list_shows_only_the_practices_invitations_with_status(cast, client):
    invite(cast, client)
    client.force_login(cast.outsider_admin)
    client.post(
        reverse("invitation_create"),
        {
            "full_name": "Their Clin",
            "email": "theirs@example.org",
            "role": "clinician",
            "timezone": "UTC",
        },
    )
    client.get(reverse("invitation_list"))  # shows (and so clears) the outsider's message
    client.force_login(cast.admin)
    page = client.get(reverse("invitation_list")).content.decode()
    assert "newbie@example.org" in page and "Waiting" in page
    assert "theirs@example.org" not in page


def test_someone_with_an_account_joins_a_second_practice_with_their_own_password(cast, client):
    client.force_login(cast.outsider_admin)
    client.post(
        reverse("invitation_create"),
        {
            "full_name": "Dr Kim",
            "email": cast.clinician.email,
            "role": "clinician",
            "timezone": "UTC",
        },
    )
    url = link_from_last_email()
    client.logout()
    page = client.get(path_of(url))
    assert b"Log in to accept" in page.content
    client.force_login(cast.clinician)
    client.post(path_of(url))
    cast.clinician.refresh_from_db()
    assert cast.clinician.check_password(PASSWORD)
    assert cast.clinician.memberships.filter(is_active=True).count() == 2


@pytest.mark.django_db
def test_accepting_twice_at_once_spends_the_link_once(cast):
    invitation = services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        request=services.InvitationRequest(
            email="race@example.org", full_name="R", role=Role.CLINICIAN
        ),
        send=False,
    )
    services.invitation_accept(invitation=invitation, password=NEW_PASSWORD, timezone_name="UTC")
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept(invitation=invitation, password="x" * 12, timezone_name="UTC")


def test_a_patient_invitation_puts_them_on_the_program_with_their_clinician(cast, client):
    invite(cast, client)
    from programs.models import Enrollment

    enrollment = Enrollment.objects.get(patient__email="newbie@example.org")
    assert enrollment.status == "invited"
    assert enrollment.clinician == cast.clinician and enrollment.practice == cast.practice
    assert enrollment.start_date == START


def test_invitation_links_are_throttled_per_address(cast, client):
    invite(cast, client)
    url = path_of(link_from_last_email())
    client.logout()
    statuses = [client.get(url).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    assert b"too many attempts" in client.get(url).content


# 11:30 UTC on 10 March is 00:30 on 11 March in Auckland (NZDT, UTC+13).
NEAR_MIDNIGHT = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


@pytest.fixture
def auckland(cast):
    cast.practice.timezone = "Pacific/Auckland"
    cast.practice.save(update_fields=["timezone"])
    return cast


def invite_form(cast, **fields):
    from programs.forms import PatientInviteForm
    from tests.factories import load_shipped_program

    data = {
        "full_name": "New Person",
        "email": "newbie@example.org",
        "timezone": "Pacific/Auckland",
        "clinician": cast.clinician.pk,
        "program_version": load_shipped_program().pk,
        "start_date": "2026-03-11",
        **fields,
    }
    return PatientInviteForm(data, practice=cast.practice)


@pytest.mark.parametrize(
    ("start", "ok"),
    [
        ("2026-01-15", True),  # the 8-week program's last day is the practice's 11 March
        ("2026-01-14", False),  # UTC's date (10 March) would still take it
        ("2026-09-10", True),  # 183 days ahead of 11 March: UTC's date would refuse it
        ("2026-09-11", False),
    ],
)
def test_the_start_date_limits_count_from_the_practices_own_date(auckland, start, ok):
    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        form = invite_form(auckland, start_date=start)
        form.is_valid()
    assert ("start_date" not in form.errors) is ok, form.errors


def test_a_birth_today_in_the_practices_zone_is_not_in_the_future(auckland):
    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        today = invite_form(auckland, date_of_birth="2026-03-11")
        today.is_valid()
        tomorrow = invite_form(auckland, date_of_birth="2026-03-12")
        tomorrow.is_valid()
    assert "The date of birth cannot be in the future." not in str(today.errors)
    assert "The date of birth cannot be in the future." in str(tomorrow.errors)


def test_the_invite_forms_start_date_is_today_at_the_practice(auckland, client):
    # 9 a.m. on 11 March in Auckland is still 10 March in UTC, and in the admin's own
    # New York: the form offers the practice's day.
    User.objects.filter(pk=auckland.admin.pk).update(timezone="America/New_York")
    client.force_login(auckland.admin)
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=UTC), tick=False):
        page = client.get(reverse("patient_invite")).content.decode()
    [field] = re.findall(r'<input[^>]*name="start_date"[^>]*>', page)
    assert 'value="2026-03-11"' in field
