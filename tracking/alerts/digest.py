"""The clinicians' daily digest: what is decided each morning, counts only."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from painapp.accounts.models import Role, User
from tracking import rules as clinical
from tracking.models import Alert, CheckIn, DigestLog
from tracking.outbox import outbox_add


def send_daily_digests(now: datetime | None = None) -> int:
    """Decide today's digest for every clinician whose local time is past 07:00 and
    who has none yet today. Returns how many digests were queued to send.

    A digest counts the clinician's patients' alerts created, and check-ins whose
    window closed as missed, since their previous digest (or the last 24 hours), and
    their alerts acknowledged and not yet resolved (however old: they still wait).
    With none of these, the day is still recorded and nothing is sent. Constant
    queries, plus one insert (and one outbox row if there is news) per clinician.
    """
    now = now or timezone.now()
    clinicians = list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.CLINICIAN,
            memberships__is_active=True,
        )
        .distinct()
        .only("pk", "timezone")
    )
    local_dates = {}
    for clinician in clinicians:
        local = timezone.localtime(now, clinician.tzinfo)
        if clinical.digest_due(local):
            local_dates[clinician.pk] = local.date()
    if not local_dates:
        return 0
    done_today = set(
        DigestLog.objects.filter(
            clinician_id__in=list(local_dates),
            local_date__in=set(local_dates.values()),
        ).values_list("clinician_id", "local_date")
    )
    due = {pk: day for pk, day in local_dates.items() if (pk, day) not in done_today}
    if not due:
        return 0
    last = dict(
        DigestLog.objects.filter(clinician_id__in=list(due))
        .values("clinician_id")
        .annotate(last=Max("created_at"))
        .values_list("clinician_id", "last")
    )
    since = {pk: last.get(pk) or now - clinical.FIRST_DIGEST_WINDOW for pk in due}
    earliest = min(since.values())

    alert_counts: dict[int, Counter] = defaultdict(Counter)
    for clinician_id, kind, created_at in Alert.objects.filter(
        enrollment__clinician_id__in=list(due), created_at__gt=earliest, created_at__lte=now
    ).values_list("enrollment__clinician_id", "kind", "created_at"):
        if created_at > since[clinician_id]:
            alert_counts[clinician_id][kind] += 1
    missed: Counter = Counter()
    for clinician_id, closes_at in CheckIn.objects.filter(
        enrollment__clinician_id__in=list(due),
        status=CheckIn.Status.MISSED,
        closes_at__gt=earliest,
        closes_at__lte=now,
    ).values_list("enrollment__clinician_id", "closes_at"):
        if closes_at > since[clinician_id]:
            missed[clinician_id] += 1
    # Still waiting, however old: acknowledged, not yet resolved (as the inbox lists them).
    acknowledged = dict(
        Alert.objects.filter(
            enrollment__clinician_id__in=list(due), status=Alert.Status.ACKNOWLEDGED
        )
        .values("enrollment__clinician_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment__clinician_id", "n")
    )

    queued = 0
    for clinician_id, day in due.items():
        try:
            with transaction.atomic():
                log = DigestLog.objects.create(
                    clinician_id=clinician_id,
                    local_date=day,
                    since=since[clinician_id],
                    created_at=now,
                    alert_counts=dict(alert_counts[clinician_id]),
                    missed_count=missed[clinician_id],
                    acknowledged_count=acknowledged.get(clinician_id, 0),
                )
                if log.has_news:
                    outbox_add("tracking.tasks_alerts.send_digest_email", digest_id=log.pk)
                    queued += 1
        except IntegrityError:
            continue  # another sweep decided this clinician's day first
    return queued
