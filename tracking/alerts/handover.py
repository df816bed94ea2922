"""A patient moved to another clinician takes their alerts not yet resolved along: the
new clinician is told of each one by email (no name and no health data, as every alert
email), and the handover goes on the alert's history (an audit event, shown on the
alert's page). An acknowledged alert goes back to open for the new clinician, who has
not seen it: its due time counts from the handover by its severity's response time
(tracking.alerts.due.due_time, as for a new alert; `first_due_at` stays, so how late it
is stays true), so it is in their menu count and inbox and escalates as any open alert
does. The earlier acknowledgement stays on its audit trail. The clinician the patient
left no longer sees the alert (tracking.access: their caseload only, and they are taken
off `Alert.escalated_to` if a "the patient's clinician" step put them there).

Called by tracking.lifecycle's transfer, reassign and deactivate, in the transaction
that moves the enrollments (programs.enrollments)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Func, Value
from django.http import HttpRequest
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.models import User
from programs.models import Enrollment
from tracking.alerts.due import due_time
from tracking.checkins.summaries import summary_alerts_recount
from tracking.models import Alert, PracticeSettings
from tracking.outbox import outbox_add


def alerts_hand_over(
    *,
    moves: Iterable[tuple[Enrollment, int]],
    to_clinician: User,
    by: User | None,
    request: HttpRequest | None = None,
) -> list[Alert]:
    """For each (enrollment, id of the clinician it came from), now with
    `to_clinician`: tell them of every alert not yet resolved, and record the handover.
    Returns those alerts."""
    moves = list(moves)
    came_from = {enrollment.pk: from_id for enrollment, from_id in moves}
    patients = {enrollment.pk: enrollment.patient for enrollment, _ in moves}
    alerts = list(
        Alert.objects.filter(enrollment_id__in=list(came_from))
        .exclude(status=Alert.Status.RESOLVED)
        .select_related("practice")
        .order_by("pk")
    )
    now = timezone.now()
    for alert in alerts:
        patient = patients[alert.enrollment_id]
        audit(
            request,
            "alert.handed_over",
            practice=alert.practice,
            subject=patient,
            obj=alert,
            actor=by,
            changes={
                "from_clinician": came_from[alert.enrollment_id],
                "to_clinician": to_clinician.pk,
            },
        )
        if alert.status == Alert.Status.ACKNOWLEDGED:
            _open_again(alert, now=now)
        if not to_clinician.is_active:
            continue
        outbox_add(
            "tracking.tasks_alerts.send_handover_email",
            alert_id=alert.pk,
            user_id=to_clinician.pk,
        )
    # The clinician the patient left keeps none of these alerts: a "the patient's
    # clinician" step may have emailed them (an alert not emailed at once), which put
    # them on `escalated_to`, the list that lets a person open an alert.
    for from_id in set(came_from.values()):
        Alert.objects.filter(
            pk__in=[a.pk for a in alerts if came_from[a.enrollment_id] == from_id]
        ).update(escalated_to=Func(F("escalated_to"), Value(from_id), function="array_remove"))
    if alerts:
        badges_changed(alerts[0].practice_id)
    return alerts


def _open_again(alert: Alert, *, now: datetime) -> None:
    """The acknowledged `alert`, open again for its new clinician (see above)."""
    alert.status = Alert.Status.OPEN
    alert.acknowledged_by = None
    alert.acknowledged_at = None
    alert.resolve_by = None
    alert.resolve_escalated_at = None
    alert.due_at = due_time(
        practice_settings=PracticeSettings.for_practice(alert.practice_id),
        timezone_name=alert.practice.timezone,
        severity=alert.severity,
        start=now,
    )
    alert.save(
        update_fields=[
            "status",
            "acknowledged_by",
            "acknowledged_at",
            "resolve_by",
            "resolve_escalated_at",
            "due_at",
        ]
    )
    summary_alerts_recount(enrollment_id=alert.enrollment_id)


def handovers_of(alert: Alert) -> list[dict]:
    """The alert's handovers, oldest first, for its page: when, from whom, to whom,
    and who moved the patient."""
    from painapp.accounts.models import AuditEvent

    events = list(
        AuditEvent.objects.filter(
            action="alert.handed_over", object_type="tracking.alert", object_id=str(alert.pk)
        )
        .select_related("actor")
        .order_by("pk")
    )
    ids = {e.changes.get(k) for e in events for k in ("from_clinician", "to_clinician")} - {None}
    people = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    return [
        {
            "at": e.at,
            "from": people.get(e.changes.get("from_clinician")),
            "to": people.get(e.changes.get("to_clinician")),
            "by": e.actor,
        }
        for e in events
    ]
