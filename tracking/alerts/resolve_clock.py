"""The resolve clock: an acknowledged alert nobody resolved by its resolve time.

Acknowledging an alert stops its escalation clock (tracking.alerts.escalation) and
starts this one: the alert must be resolved, with a documented contact, by
`Alert.resolve_by` (tracking.rules.resolve_deadline: its severity's response time again,
in working time from the acknowledgement). Not resolved by then, the escalation chain
is told, once per missed deadline, as for an alert nobody saw: the next step whose
people were not told yet (nor acknowledged it) gets an email with no health data;
with nobody left, the practice's safety contact (or every active admin; never who
acknowledged it), and the alert is marked as through the chain (`chain_exhausted_at`,
as the unseen-alert escalation marks it), so whoever was told may open it. The move is
claimed with a conditional UPDATE (still acknowledged, not yet told, still past its
resolve time), so two sweeps at once tell nobody twice; the claim, outbox rows and
audit event commit together. The alert stays acknowledged: whoever opens it records
the contact.

"We could not reach them" recorded after the chain was told starts the resolve clock
again (tracking.alerts.services.alert_contact_attempt; tracking.rules.
resolve_clock_after_attempt): `resolve_escalated_at` is cleared, so when the new resolve
time passes too, this sweep tells the chain again, choosing whom exactly as the first
time: the next step not told yet, and at the end of the chain its safety contact (or
every active admin) again. The loop stops only when the alert is resolved.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracking.alerts.chain import load_context, next_step, tell, told_too
from tracking.models import Alert

logger = logging.getLogger(__name__)


def escalate_unresolved_alerts(now: datetime | None = None) -> int:
    """Tell the escalation chain, once per resolve time, about every acknowledged alert
    past its resolve time. Returns how many were told. Constant queries to find and plan
    them, then per alert one claim, its outbox rows and audit event."""
    now = now or timezone.now()
    found = list(
        Alert.objects.filter(
            status=Alert.Status.ACKNOWLEDGED,
            resolve_escalated_at__isnull=True,
            resolve_by__lte=now,
        )
        .select_related("enrollment")
        .only(
            "pk",
            "practice_id",
            "kind",
            "severity",
            "escalation_tier",
            "escalation_position",
            "escalated_to",
            "acknowledged_by_id",
            "enrollment__clinician_id",
            "enrollment__patient_id",
        )
        .order_by("resolve_by")
    )
    if not found:
        return 0
    ctx = load_context({a.practice_id for a in found})
    told = 0
    for alert in found:
        acknowledger = {alert.acknowledged_by_id} if alert.acknowledged_by_id else set()
        step, people = next_step(alert, ctx, also_told=acknowledger)
        with transaction.atomic():
            claimed = Alert.objects.filter(
                pk=alert.pk,
                status=Alert.Status.ACKNOWLEDGED,
                resolve_escalated_at__isnull=True,
                resolve_by__lte=now,  # not re-armed by an attempt since it was read
                # nobody told since the sweep read it (tracking.alerts.chain_edits)
                escalated_to=alert.escalated_to,
            ).update(
                resolve_escalated_at=now,
                resolve_told_at=now,
                escalation_tier=F("escalation_tier") + 1,
                escalation_position=(
                    step.position if step is not None else F("escalation_position")
                ),
                escalated_at=Coalesce(F("escalated_at"), Value(now)),
                escalated_to=told_too(people),
                # Nobody left on the chain: marked as the unseen-alert escalation marks
                # it, so whoever it tells may open it (tracking.access.alerts_in_scope).
                chain_exhausted_at=(
                    F("chain_exhausted_at")
                    if step is not None
                    else Coalesce(F("chain_exhausted_at"), Value(now))
                ),
            )
            if not claimed:
                # resolved meanwhile, another sweep told the chain first, or a chain
                # edit told someone of it (then the next sweep plans it afresh)
                continue
            tell(alert, people, action="alert.escalated_unresolved", unresolved=True)
            told += 1
    return told
