"""Reads for the alert inbox and the staff menu's alert count, scoped by
tracking.access.visible_alerts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from painapp.types import MemberRequest
from tracking.access import EnrollmentScope, alerts_in_scope, visible_alerts
from tracking.alerts import wording
from tracking.alerts.wording import with_attempts, with_told
from tracking.models import Alert

INBOX_LIMIT = 200  # more than any practice should ever have waiting; the page says so
_MOST_SEVERE_FIRST = (Alert.Severity.URGENT, Alert.Severity.HIGH, Alert.Severity.ROUTINE)
_SEVERITY_RANK = Case(
    *(When(severity=severity, then=rank) for rank, severity in enumerate(_MOST_SEVERE_FIRST)),
    default=len(_MOST_SEVERE_FIRST),
)


def alert_inbox(request: MemberRequest) -> list[Alert]:
    """The alerts not yet resolved that the staff member may see, across patients:
    urgent ones first (a self-harm alert due in minutes never waits below weeks-old
    high ones), then, within each severity, by the deadline each is late against
    (tracking.rules.alert_clock: an open alert's FIRST due time, however far up the chain
    it has gone since; an acknowledged one's resolve time): longest overdue first, then
    the next due. One query."""
    deadline = Case(
        When(status=Alert.Status.ACKNOWLEDGED, then=F("resolve_by")),
        default=Coalesce(F("first_due_at"), F("due_at")),
    )
    return list(
        with_attempts(with_told(visible_alerts(request)))
        .exclude(status=Alert.Status.RESOLVED)
        .select_related("enrollment__patient", "enrollment__clinician", "acknowledged_by")
        .annotate(deadline=deadline)
        .annotate(severity_rank=_SEVERITY_RANK)
        .order_by("severity_rank", F("deadline").asc(nulls_last=True), "created_at", "pk")[
            :INBOX_LIMIT
        ]
    )


@dataclass(frozen=True)
class AlertCounts:
    """The staff menu's count: the alerts this person may see that need them now, the
    ones to acknowledge and the acknowledged ones past their resolve time (the chain
    was told). The inbox lists every alert not yet resolved; both say the difference in
    words (`badge_label` here, the inbox's heading; tracking.alerts.wording)."""

    open: int  # the number on the badge: unacknowledged + past_resolve_time
    unwatched: int  # went through the whole escalation chain, nobody acknowledged
    # Defaults: a count cached before these were kept still reads (as 0).
    unacknowledged: int = 0
    past_resolve_time: int = 0

    @property
    def badge_label(self) -> str:
        """What the badge's number counts, for screen readers (and its title)."""
        return wording.menu_count_label(
            unacknowledged=self.unacknowledged, past_resolve_time=self.past_resolve_time
        )


def alert_counts(request: HttpRequest) -> AlertCounts | None:
    """The staff menu's count and the practice banner's, in one query; None for anyone
    who is not staff of a practice (no query)."""
    if not request.user.is_authenticated:
        return None
    membership = membership_for(request)
    if membership is None or membership.role not in (Role.CLINICIAN, Role.ADMIN):
        return None
    scope = EnrollmentScope(
        membership.practice_id,
        request.user.pk if membership.role == Role.CLINICIAN else None,
    )
    counts = (
        alerts_in_scope(scope)
        .filter(
            Q(status=Alert.Status.OPEN)
            | Q(status=Alert.Status.ACKNOWLEDGED, resolve_escalated_at__isnull=False)
        )
        .aggregate(
            open=Count("pk"),
            unwatched=Count(
                "pk", filter=Q(status=Alert.Status.OPEN, chain_exhausted_at__isnull=False)
            ),
            unacknowledged=Count("pk", filter=Q(status=Alert.Status.OPEN)),
        )
    )
    return AlertCounts(
        open=counts["open"],
        unwatched=counts["unwatched"],
        unacknowledged=counts["unacknowledged"],
        past_resolve_time=counts["open"] - counts["unacknowledged"],
    )
