"""A patient moved to another clinician takes their alerts not yet resolved along
(review finding: "moving a patient silently moves their open alerts"): the new
clinician is told of each by email (no name or health data), an acknowledged one is
open again for them (in their menu count and inbox, due a response time from the
handover), the handover is on the alert's page and audit trail, and the old clinician
gets a 404. By transfer, by moving a whole caseload, and by switching a clinician off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.test_alerts_factories import CONTACTED, run_outbox
from tracking.alerts.selectors import alert_counts
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.lifecycle import caseload_reassign, clinician_deactivate, enrollment_transfer
from tracking.models import Alert, Notification, PracticeSettings
from tracking.tasks import escalate_alerts


def _raise(enrollment, source, kind=Alert.Kind.SELF_HARM, severity="urgent"):
    return alert_raise(enrollment=enrollment, kind=kind, severity=severity, source=source)


def _transfer(cast, enrollment):
    enrollment_transfer(enrollment=enrollment, to_clinician=cast.other_clinician, by=cast.admin)


def _reassign(cast, enrollment):
    caseload_reassign(
        practice=cast.practice,
        from_clinician=cast.clinician,
        to_clinician=cast.other_clinician,
        by=cast.admin,
    )


def _deactivate(cast, enrollment):
    clinician_deactivate(
        practice=cast.practice,
        clinician=cast.clinician,
        reassign_to=cast.other_clinician,
        by=cast.admin,
    )


@pytest.mark.parametrize("move", [_transfer, _reassign, _deactivate], ids=lambda f: f.__name__)
def test_the_new_clinician_is_told_of_each_alert_not_yet_resolved(
    cast, enrollment, move, client, mailoutbox
):
    open_ = _raise(enrollment, "reflection:1")
    seen = _raise(enrollment, "checkin:2", kind=Alert.Kind.PAIN_UP, severity="high")
    alert_acknowledge(alert=seen, by=cast.clinician)
    done = _raise(enrollment, "diary:3")
    alert_resolve(alert=done, by=cast.clinician, outcome=CONTACTED)
    run_outbox()
    mailoutbox.clear()

    move(cast, enrollment)
    run_outbox()

    # No in-app row nobody would see: the email is how they are told.
    assert not Notification.objects.filter(user=cast.other_clinician).exists()
    assert sorted(m.to[0] for m in mailoutbox) == [cast.other_clinician.email] * 2
    for message in mailoutbox:
        assert message.subject == "A patient with an alert has been moved to you"
        body = message.body + message.alternatives[0][0]
        for secret in (cast.patient.full_name, cast.patient.email, "harm", "pain up", "self"):
            assert secret.lower() not in body.lower(), secret
    events = AuditEvent.objects.filter(action="alert.handed_over").order_by("object_id")
    assert [(e.object_id, e.changes) for e in events] == sorted(
        (
            str(a.pk),
            {"from_clinician": cast.clinician.pk, "to_clinician": cast.other_clinician.pk},
        )
        for a in (open_, seen)
    )

    # The new clinician opens it and sees the handover; the old one gets a 404.
    client.force_login(cast.other_clinician)
    page = client.get(reverse("alert_detail", args=[open_.pk])).content.decode()
    assert "the patient moved from Dr Kim to" in page and "who was told of this alert" in page
    if move is not _deactivate:  # switched off, the old clinician cannot sign in at all
        client.force_login(cast.clinician)
        assert client.get(reverse("alert_detail", args=[open_.pk])).status_code == 404


def test_a_patient_with_no_alert_moves_quietly(cast, enrollment, mailoutbox):
    _transfer(cast, enrollment)
    run_outbox()
    assert not Notification.objects.exists() and mailoutbox == []


# Tuesday 8 December 2026, 10:00 (the cast's practice: UTC, 09:00–17:00, Monday to Friday).
TUESDAY_10AM = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def test_an_acknowledged_alert_is_open_again_for_the_new_clinician(
    cast, enrollment, client, mailoutbox
):
    """Review finding: an acknowledged alert that moved with its patient was in no count
    of the new clinician's menu; the email was their only signal."""
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(response_minutes_high=120)
    with time_machine.travel(TUESDAY_10AM - timedelta(days=1), tick=False):
        seen = _raise(enrollment, "checkin:2", kind=Alert.Kind.PAIN_UP, severity="high")
        first_due = Alert.objects.get(pk=seen.pk).first_due_at
        alert_acknowledge(alert=seen, by=cast.clinician)
    with time_machine.travel(TUESDAY_10AM, tick=False):
        _transfer(cast, enrollment)
        client.force_login(cast.other_clinician)
        request = client.get(reverse("alert_inbox")).wsgi_request
        assert alert_counts(request).open == 1
        inbox = client.get(reverse("alert_inbox")).content.decode()
        assert reverse("alert_detail", args=[seen.pk]) in inbox
    seen.refresh_from_db()
    assert seen.status == Alert.Status.OPEN and seen.acknowledged_by is None
    assert seen.due_at == TUESDAY_10AM + timedelta(minutes=120)  # from the handover
    assert seen.first_due_at == first_due  # how late it was stays true
    assert AuditEvent.objects.filter(action="alert.acknowledged", object_id=str(seen.pk)).exists()
    # Not acknowledged by its due time, it escalates as any open alert does.
    with time_machine.travel(TUESDAY_10AM + timedelta(minutes=119), tick=False):
        assert escalate_alerts() == 0
    with time_machine.travel(TUESDAY_10AM + timedelta(minutes=120), tick=False):
        assert escalate_alerts() == 1
    # The new clinician acknowledges it: it gets a fresh resolve time.
    with time_machine.travel(TUESDAY_10AM + timedelta(minutes=130), tick=False):
        assert alert_acknowledge(alert=seen, by=cast.other_clinician)
    seen.refresh_from_db()
    assert seen.acknowledged_by == cast.other_clinician and seen.resolve_by > TUESDAY_10AM


def test_a_clinician_who_is_also_a_step_of_the_chain_keeps_none_of_a_moved_patients_alerts(
    cast, enrollment, client
):
    """Walk-through: Dr Kim, the patient's clinician and also a named step of the chain,
    kept the patient's escalated alert in their inbox and menu count after the patient
    moved to another clinician, while its page said they could not open the record. The
    chain never told them as a step (they had it as the clinician, so their step was
    passed over): the inbox, the menu's count and the alert's page now agree, by the one
    rule (tracking.access.alerts_in_scope), that it is no longer theirs. The on-call
    clinician the chain did tell keeps it."""
    from tests.factories import Role, make_member
    from tracking.models import EscalationStep

    on_call = make_member(cast.practice, Role.CLINICIAN, "oncall@riverside.test", name="On Call")
    EscalationStep.objects.filter(practice=cast.practice).delete()
    for position, target, user in (
        (1, "clinician", None),
        (2, "staff", cast.clinician),
        (3, "staff", on_call),
        (4, "admins", None),
    ):
        EscalationStep.objects.create(
            practice=cast.practice, position=position, target=target, user=user
        )
    with time_machine.travel(TUESDAY_10AM, tick=False):
        alert = _raise(enrollment, "checkin:1")
    with time_machine.travel(TUESDAY_10AM + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 1
        _transfer(cast, enrollment)
        alert.refresh_from_db()
        assert alert.escalation_position == 3 and alert.escalated_to == [on_call.pk]
        detail = reverse("alert_detail", args=[alert.pk])

        client.force_login(cast.clinician)
        response = client.get(reverse("alert_inbox"))
        assert detail not in response.content.decode()
        assert alert_counts(response.wsgi_request).open == 0
        assert 'Alerts <span class="nav__badge">' not in response.content.decode()
        assert client.get(detail).status_code == 404
        assert client.post(reverse("alert_acknowledge", args=[alert.pk])).status_code == 404

        for person in (on_call, cast.other_clinician):
            client.force_login(person)
            response = client.get(reverse("alert_inbox"))
            assert detail in response.content.decode(), person
            assert alert_counts(response.wsgi_request).open == 1, person
            assert client.get(detail).status_code == 200, person


def test_the_clinician_a_clinician_step_emailed_keeps_none_of_a_moved_patients_alerts(
    cast, enrollment, client
):
    """Review: a routine alert is not emailed at once, so the chain's "the patient's
    clinician" step emails the clinician and puts them on `escalated_to`; after the
    patient moved, that had let them keep the alert (inbox, count, page)."""
    from tracking.models import EscalationStep

    EscalationStep.objects.filter(practice=cast.practice).delete()
    EscalationStep.objects.create(practice=cast.practice, position=1, target="clinician")
    EscalationStep.objects.create(practice=cast.practice, position=2, target="admins")
    with time_machine.travel(TUESDAY_10AM, tick=False):
        alert = _raise(enrollment, "checkin:1", kind=Alert.Kind.PAIN_UP, severity="routine")
    with time_machine.travel(TUESDAY_10AM + timedelta(days=7), tick=False):
        assert escalate_alerts() == 1
        alert.refresh_from_db()
        assert alert.escalated_to == [cast.clinician.pk]  # emailed by the clinician step
        _transfer(cast, enrollment)
        alert.refresh_from_db()
        assert alert.escalated_to == []
        detail = reverse("alert_detail", args=[alert.pk])

        client.force_login(cast.clinician)
        response = client.get(reverse("alert_inbox"))
        assert detail not in response.content.decode()
        assert alert_counts(response.wsgi_request).open == 0
        assert client.get(detail).status_code == 404

        client.force_login(cast.other_clinician)
        assert client.get(detail).status_code == 200
