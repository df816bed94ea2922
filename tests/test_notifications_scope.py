"""The patient's notifications page (/notifications/) lists only their own patient
notifications at the practice they are signed in to. Staff notifications name
patients: a clinician at one practice who is also a patient at another never sees
them there, nor the other practice's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from painapp.accounts.models import Membership, Role, User
from tests.factories import make_enrollment
from tracking.alerts.services import alert_raise
from tracking.messaging.services import message_send
from tracking.models import Alert, Notification


@pytest.fixture
def dual(cast):
    """Dr Elsewhere: a clinician at the other practice, and a patient at Riverside."""
    person = cast.outsider_clinician
    Membership.objects.create(
        user=person, practice=cast.practice, role=Role.PATIENT, is_active=True
    )
    own = make_enrollment(person, cast.clinician, cast.practice)
    User.objects.filter(pk=cast.outsider_patient.pk).update(full_name="Quentin Zebra")
    cast.outsider_patient.refresh_from_db()
    theirs = make_enrollment(cast.outsider_patient, person, cast.other_practice)
    # At work: an urgent alert about their patient, and a message from them.
    alert_raise(
        enrollment=theirs,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )
    message_send(enrollment=theirs, author=cast.outsider_patient, body="Hello doctor")
    # As a patient: their own care team writes to them.
    message_send(enrollment=own, author=cast.clinician, body="How are you getting on?")
    return person


def as_patient(client, person, practice):
    client.force_login(person)
    membership = Membership.objects.get(user=person, practice=practice, role=Role.PATIENT)
    response = client.post(reverse("choose_practice"), {"membership": membership.pk})
    assert response.status_code == 302


def test_a_clinician_who_is_also_a_patient_sees_only_their_own_notifications(cast, client, dual):
    # At work they are told by email and their menu counts: no staff row is kept.
    assert not Notification.objects.filter(user=dual, audience=Notification.Audience.STAFF)
    as_patient(client, dual, cast.practice)
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "New message from your care team" in page
    assert "Quentin Zebra" not in page
    assert "Urgent" not in page and "New message from a patient" not in page


def test_staff_are_told_without_a_notification_row(cast, client, enrollment, mailoutbox):
    """An alert raised, then escalated, and a patient's message: the clinician and the
    people on the chain see them in their menu counts, inboxes and email; no staff
    Notification row (no page would show it) is written."""
    from tests.test_alerts_factories import run_outbox
    from tracking.alerts.escalation import escalate_unacknowledged_alerts

    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
    )
    assert alert is not None
    message_send(enrollment=enrollment, author=cast.patient, body="Hello Dr Kim")
    assert escalate_unacknowledged_alerts(alert.due_at + timedelta(minutes=1)) == 1
    run_outbox()
    assert not Notification.objects.filter(audience=Notification.Audience.STAFF).exists()
    assert not Notification.objects.exists()  # and nothing else took their place

    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    # then when: its due time (tests/test_alert_due_wording.py)
    assert any(
        to == cast.clinician.email and subject.startswith("Urgent: a patient needs a call ")
        for to, subject in sent
    )
    assert (cast.admin.email, "An alert needs attention") in sent
    assert any(to == cast.clinician.email and "message" in subject for to, subject in sent)

    client.force_login(cast.clinician)
    page = client.get(reverse("caseload")).content.decode()
    assert f'href="{reverse("message_inbox")}">Messages <span class="nav__badge">1' in page
    assert 'class="nav__badge">1' in page.split(reverse("alert_inbox"), 1)[1][:200]
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert reverse("alert_detail", args=[alert.pk]) in inbox
    client.force_login(cast.admin)
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert reverse("alert_detail", args=[alert.pk]) in inbox


def test_a_patient_at_two_practices_sees_the_signed_in_ones_only(cast, client, enrollment):
    # Pat One is a patient at Riverside and, later, at Elsewhere too.
    Membership.objects.create(
        user=cast.patient, practice=cast.other_practice, role=Role.PATIENT, is_active=True
    )
    elsewhere = make_enrollment(cast.patient, cast.outsider_clinician, cast.other_practice)
    message_send(enrollment=elsewhere, author=cast.outsider_clinician, body="Welcome")
    as_patient(client, cast.patient, cast.practice)
    assert (
        "New message from your care team"
        not in client.get(reverse("notifications")).content.decode()
    )
    as_patient(client, cast.patient, cast.other_practice)
    assert (
        "New message from your care team" in client.get(reverse("notifications")).content.decode()
    )


def test_the_migration_removes_old_staff_rows_and_goes_back_and_forward(cast, enrollment):
    """Staff rows written before 0030 (one names a patient) are removed; the patient's
    own notifications stay; going back is a no-op and forward again runs cleanly."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("tracking", "0029_alert_first_due_at")
    after = ("tracking", "0030_delete_staff_notifications")
    message_send(enrollment=enrollment, author=cast.clinician, body="Hello Pat")
    mine = Notification.objects.get(user=cast.patient)
    old_staff = Notification.objects.create(
        user=cast.clinician,
        title="Urgent: a patient needs a call today",
        body="Pat One gave an answer in a check-in that means they need a call from you today.",
        url="/alerts/1/",
    )
    assert old_staff.audience == Notification.Audience.STAFF  # the default, as before
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        assert list(Notification.objects.values_list("pk", flat=True)) == [mine.pk]
        executor = MigrationExecutor(connection)
        executor.migrate([before])  # back: nothing to undo
        assert list(Notification.objects.values_list("pk", flat=True)) == [mine.pk]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(Notification.objects.values_list("pk", flat=True)) == [mine.pk]
