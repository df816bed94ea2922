"""Staff sessions time out (30 min idle, 12 h in all); patients stay logged in 14 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from tests.factories import PASSWORD, form_login


def login(client, user):
    response = form_login(client, user)
    assert response.status_code == 302


def test_staff_are_logged_out_after_30_idle_minutes(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.admin)
        assert client.get(reverse("practice_overview")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("practice_overview")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("practice_overview"))
        assert response.status_code == 302 and response.url == reverse("account_login")
        assert client.get(reverse("practice_overview")).status_code == 302


def test_staff_sessions_end_after_12_hours_even_when_active(client, cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.admin)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("practice_overview")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get(reverse("practice_overview")).status_code == 302


def test_patients_stay_logged_in_for_days(client, cast, enrollment):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.patient)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        assert client.get(reverse("today")).status_code == 200


def test_logins_and_failed_logins_are_audited_without_what_was_typed(client, cast):
    client.post(reverse("account_login"), {"login": cast.patient.email, "password": "wrong!"})
    login(client, cast.patient)
    actions = list(AuditEvent.objects.order_by("at").values_list("action", "actor_id"))
    assert actions == [("login.failed", None), ("login", cast.patient.pk)]
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.ip == "127.0.0.1"
    assert cast.patient.email not in str(failed.__dict__)


def test_a_password_change_ends_the_users_other_sessions(client, cast, enrollment):
    from django.test import Client

    other_device = Client()
    login(other_device, cast.patient)
    login(client, cast.patient)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-pass-77",
            "password2": "a-brand-new-pass-77",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("today")).status_code == 200  # this device stays in
    assert other_device.get(reverse("today")).status_code == 302  # the other is out


def test_repeated_failed_logins_are_throttled_with_a_generic_message(client, cast):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": cast.patient.email, "password": "nope"})
    response = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": PASSWORD}
    )
    body = response.content.decode()
    assert response.status_code in (200, 429)
    assert "Too many" in body
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "nope"}
    )
    # an unknown account gets the same kind of answer as a wrong password
    assert "is not right" in unknown.content.decode() or "Too many" in unknown.content.decode()


def test_it_keeps_a_patient_logged_in_for_14_days_and_no_longer(cast, enrollment):
    from django.test import Client

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        came_back, stayed_away = Client(), Client()
        login(came_back, cast.patient)
        login(stayed_away, cast.patient)
    with time_machine.travel(start + timedelta(days=13, hours=23), tick=False):
        assert came_back.get(reverse("today")).status_code == 200
    with time_machine.travel(start + timedelta(days=14, minutes=1), tick=False):
        response = stayed_away.get(reverse("today"))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_it_changes_a_password_only_with_the_old_one(client, cast, enrollment):
    login(client, cast.patient)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "not-the-old-one-1",
            "password1": "a-brand-new-pass-77",
            "password2": "a-brand-new-pass-77",
        },
    )
    assert response.status_code == 200
    cast.patient.refresh_from_db()
    assert cast.patient.check_password(PASSWORD)


# ---------------------------------------------------------------- deactivation
def devices(user, n: int = 2) -> list:
    """`n` browsers with `user` logged in through the real login form."""
    from django.test import Client

    browsers = [Client() for _ in range(n)]
    for browser in browsers:
        login(browser, user)
    return browsers


def logged_out(browser) -> bool:
    response = browser.get(reverse("home"))
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["admin", "clinician", "patient"])
def test_it_ends_every_session_when_a_membership_is_switched_off(cast, enrollment, who):
    from painapp.accounts.models import Membership
    from painapp.accounts.services import membership_deactivate

    user = getattr(cast, who)
    browsers = devices(user)
    bystander = devices(cast.other_patient, 1)[0]
    assert not any(logged_out(b) for b in browsers)
    membership_deactivate(membership=Membership.objects.get(user=user, practice=cast.practice))
    assert all(logged_out(b) for b in browsers)
    assert not logged_out(bystander)


def test_it_ends_every_session_when_the_django_admin_switches_a_membership_off(
    cast, enrollment, superuser_client
):
    from painapp.accounts.models import Membership

    browsers = devices(cast.clinician)
    m = Membership.objects.get(user=cast.clinician, practice=cast.practice)
    response = superuser_client.post(
        reverse("admin:accounts_membership_change", args=[m.pk]),
        {"user": cast.clinician.pk, "practice": cast.practice.pk, "role": "clinician"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    m.refresh_from_db()
    assert not m.is_active
    assert all(logged_out(b) for b in browsers)
    event = AuditEvent.objects.get(action="membership.changed")
    assert (event.practice, event.subject, event.object_id) == (
        cast.practice,
        cast.clinician,
        str(m.pk),
    )


def test_it_ends_every_session_when_the_django_admin_switches_a_person_off(
    cast, enrollment, superuser_client
):
    browsers = devices(cast.patient)
    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[cast.patient.pk]),
        {"email": cast.patient.email, "full_name": "Pat One", "timezone": "UTC"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.patient.refresh_from_db()
    assert not cast.patient.is_active
    assert all(logged_out(b) for b in browsers)
    assert (
        AuditEvent.objects.filter(
            action="user.access_changed", subject=cast.patient, actor__email="root@painapp.test"
        ).count()
        == 1
    )
