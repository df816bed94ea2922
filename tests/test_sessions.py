"""Staff sessions time out (30 min idle, 12 h in all); patients stay logged in 14 days."""

from __future__ import annotations

from datetime import timedelta

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
    response = client.post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": "a-brand-new-pass-77",
        "password2": "a-brand-new-pass-77"})
    assert response.status_code == 302
    assert client.get(reverse("today")).status_code == 200  # this device stays in
    assert other_device.get(reverse("today")).status_code == 302  # the other is out


def test_repeated_failed_logins_are_throttled_with_a_generic_message(client, cast):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": cast.patient.email, "password": "nope"})
    response = client.post(reverse("account_login"),
                           {"login": cast.patient.email, "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code in (200, 429)
    assert "Too many" in body
    unknown = client.post(reverse("account_login"),
                          {"login": "nobody@example.org", "password": "nope"})
    # an unknown account gets the same kind of answer as a wrong password
    assert "not correct" in unknown.content.decode() or "Too many" in unknown.content.decode()
