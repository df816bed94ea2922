"""A patient moved to another clinician takes their alerts not yet resolved along: the
new clinician is told of each one (in the app, and by email with no name and no health
data, as every alert email), and the handover goes on the alert's history (an audit
event, shown on the alert's page). The clinician the patient left no longer sees the
alert (tracking.access: their caseload only) unless the chain brought it to them.

Called by tracking.lifecycle's transfer, reassign and deactivate, in the transaction
that moves the enrollments (programs.enrollments)."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_noop

from painapp.accounts.audit import audit
from painapp.accounts.models import User
from programs.models import Enrollment
from tracking.models import Alert, Notification
from tracking.outbox import outbox_add

TITLE = gettext_noop("A patient with an alert has been moved to you")


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
        if not to_clinician.is_active:
            continue
        Notification.objects.create(
            user=to_clinician,
            url=reverse("alert_detail", args=[alert.pk]),
            title=TITLE,
            body=(
                f"{patient.display_name} has been moved to your care and has an alert that "
                f"is not resolved yet ({alert.get_kind_display()}, "
                f"{alert.get_status_display().lower()}). Please open it and contact them."
            ),
        )
        outbox_add(
            "tracking.tasks_alerts.send_handover_email",
            alert_id=alert.pk,
            user_id=to_clinician.pk,
        )
    return alerts


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
