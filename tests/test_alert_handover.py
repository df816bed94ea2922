"""A patient moved to another clinician takes their alerts not yet resolved along
(review finding: "moving a patient silently moves their open alerts"): the new
clinician is told of each (in the app, and by email with no name or health data), the
handover is on the alert's page and audit trail, and the old clinician gets a 404. By
transfer, by moving a whole caseload, and by switching a clinician off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.test_alerts_factories import CONTACTED, run_outbox
from tracking.alerts.handover import TITLE
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.lifecycle import caseload_reassign, clinician_deactivate, enrollment_transfer
from tracking.models import Alert, Notification


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

    told = Notification.objects.filter(user=cast.other_clinician, title=TITLE)
    assert sorted(told.values_list("url", flat=True)) == sorted(
        reverse("alert_detail", args=[a.pk]) for a in (open_, seen)
    )
    assert all(cast.patient.display_name in n.body for n in told)
    assert sorted(m.to[0] for m in mailoutbox) == [cast.other_clinician.email] * 2
    for message in mailoutbox:
        assert message.subject == TITLE
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
    assert not Notification.objects.filter(title=TITLE).exists() and mailoutbox == []
