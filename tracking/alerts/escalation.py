"""The sweep that moves unacknowledged alerts up their practice's escalation chain.

Who holds an alert and where it goes next is tracking.alerts.chain (the walk is
described there); the daily digest is tracking.alerts.digest and the emails
tracking.alerts.emails."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracking.alerts.chain import held_by_nobody, load_context, next_step, tell, told_too
from tracking.alerts.due import due_time
from tracking.alerts.staff import active_staff
from tracking.models import Alert

# Each move is claimed with a conditional UPDATE on the tier the sweep read (and still
# open, still due), so two workers sweeping at once move an alert once per tier; the
# claim, the outbox emails and the audit event commit together.


def escalate_unacknowledged_alerts(now: datetime | None = None) -> int:
    """Move every open alert past its due time, or held by nobody active, one step up
    its practice's escalation chain (above). Returns how many moved. Constant queries
    to find and plan them, then per alert one claim, its outbox rows and audit event."""
    now = now or timezone.now()
    # Due, or possibly held by nobody (`held_by_nobody` decides, below): escalated
    # already (few alerts are), or still with a clinician who has no active membership.
    inactive_clinician = ~Exists(
        active_staff().filter(
            practice_id=OuterRef("practice_id"), user_id=OuterRef("enrollment__clinician_id")
        )
    )
    found = list(
        Alert.objects.filter(status=Alert.Status.OPEN, chain_exhausted_at__isnull=True)
        .filter(
            Q(due_at__lte=now)
            | Q(escalation_position__isnull=False)
            | Q(escalation_position__isnull=True) & inactive_clinician
        )
        .select_related("enrollment")
        .only(
            "pk",
            "practice_id",
            "kind",
            "severity",
            "due_at",
            "escalation_tier",
            "escalation_position",
            "escalated_to",
            "enrollment__clinician_id",
            "enrollment__patient_id",
        )
        .order_by("due_at")
    )
    if not found:
        return 0
    ctx = load_context({a.practice_id for a in found})
    due = [a for a in found if (a.due_at is not None and a.due_at <= now) or held_by_nobody(a, ctx)]
    moved = 0
    for alert in due:
        step, people = next_step(alert, ctx)
        claim = Alert.objects.filter(
            pk=alert.pk,
            status=Alert.Status.OPEN,
            chain_exhausted_at__isnull=True,
            # still due, or (held by nobody) with the due time the sweep read
            due_at=alert.due_at,
            escalation_tier=alert.escalation_tier,
            # nobody told since the sweep read it (a chain edit may share it at once,
            # tracking.alerts.chain_edits): else the next sweep plans it afresh
            escalated_to=alert.escalated_to,
        )
        with transaction.atomic():
            if step is not None:
                claimed = claim.update(
                    escalation_tier=alert.escalation_tier + 1,
                    escalation_position=step.position,
                    escalated_at=Coalesce(F("escalated_at"), Value(now)),
                    escalated_to=told_too(people),
                    due_at=due_time(
                        practice_settings=ctx.settings_of[alert.practice_id],
                        timezone_name=ctx.zones.get(alert.practice_id, "UTC"),
                        severity=alert.severity,
                        start=now,
                    ),
                )
            else:
                claimed = claim.update(
                    escalation_tier=alert.escalation_tier + 1,
                    escalated_at=Coalesce(F("escalated_at"), Value(now)),
                    escalated_to=told_too(people),
                    chain_exhausted_at=now,
                )
            if not claimed:
                continue  # acknowledged meanwhile, or another worker moved it first
            tell(
                alert,
                people,
                action="alert.escalated"
                if step is not None
                else "alert.escalated_to_safety_contact",
            )
            moved += 1
    return moved
