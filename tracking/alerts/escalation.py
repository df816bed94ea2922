"""Escalation of unacknowledged alerts, the clinicians' daily digest, and alert emails.

Emails never carry health data or the patient's name: they say something needs a
look and link to the app, where access is checked and audited."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.emails import send_email
from painapp.accounts.models import Membership, Role, User
from tracking import rules as clinical
from tracking.alerts.evaluate import _settings_by_practice
from tracking.models import (
    Alert,
    CheckIn,
    DigestLog,
    Notification,
    OutboxTask,
    PracticeSettings,
)
from tracking.outbox import outbox_add

logger = logging.getLogger(__name__)

# When an alert escalates and when a digest is due are tracking.rules' (imported as
# `clinical`, as `rules` elsewhere names a practice's PracticeSettings).


# ------------------------------------------------------------------ escalation
def escalate_unacknowledged_alerts(now: datetime | None = None) -> int:
    """Escalate urgent alerts nobody acknowledged within the practice's
    `escalation_minutes` to every active admin of that practice. Returns how many.

    Each alert is claimed with a conditional UPDATE (escalated_at IS NULL and still
    open), so two sweeps running at once escalate it once. The claim, the admins'
    in-app notifications and one outbox email per admin commit together: the emails
    cannot be lost, and cannot be queued twice.
    """
    now = now or timezone.now()
    candidates = list(
        Alert.objects.filter(
            status=Alert.Status.OPEN,
            severity=Alert.Severity.URGENT,
            escalated_at__isnull=True,
            created_at__lte=now,
        ).values_list("pk", "practice_id", "created_at")
    )
    if not candidates:
        return 0
    settings_of = _settings_by_practice({practice_id for _, practice_id, _ in candidates})
    due = [
        (pk, practice_id)
        for pk, practice_id, created_at in candidates
        if clinical.escalation_due(
            created_at=created_at,
            now=now,
            escalation_minutes=settings_of[practice_id].escalation_minutes,
        )
    ]
    if not due:
        return 0
    admins: dict[int, list[User]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            practice_id__in={p for _, p in due},
            role=Role.ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ):
        admins[membership.practice_id].append(membership.user)
    escalated = 0
    for pk, practice_id in due:
        with transaction.atomic():
            claimed = Alert.objects.filter(
                pk=pk,
                status=Alert.Status.OPEN,
                escalated_at__isnull=True,
            ).update(escalated_at=now)
            if not claimed:
                continue  # acknowledged meanwhile, or another sweep got there first
            alert = Alert.objects.select_related("enrollment__patient", "practice").get(pk=pk)
            audit(
                None,
                "alert.escalated",
                practice=alert.practice,
                subject=alert.enrollment.patient,
                obj=alert,
            )
            url = reverse("alert_detail", args=[pk])
            if not admins[practice_id]:
                logger.error(
                    "Urgent alert %s not acknowledged and practice %s has no "
                    "active admin to escalate to",
                    pk,
                    practice_id,
                )
            for admin in admins[practice_id]:
                Notification.objects.create(
                    user=admin,
                    url=url,
                    title="Urgent alert not yet acknowledged",
                    body="An urgent alert has not been acknowledged by the patient's "
                    "clinician. Please make sure someone contacts the patient today.",
                )
                outbox_add(
                    "tracking.tasks_alerts.send_escalation_email", alert_id=pk, user_id=admin.pk
                )
            escalated += 1
    return escalated


# ------------------------------------------------------------------ daily digest
def send_daily_digests(now: datetime | None = None) -> int:
    """Decide today's digest for every clinician whose local time is past 07:00 and
    who has none yet today. Returns how many digests were queued to send.

    A digest counts the clinician's patients' alerts created, and check-ins whose
    window closed as missed, since their previous digest (or the last 24 hours).
    With nothing new, the day is still recorded and nothing is sent. Constant
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
                )
                if log.has_news:
                    outbox_add("tracking.tasks_alerts.send_digest_email", digest_id=log.pk)
                    queued += 1
        except IntegrityError:
            continue  # another sweep decided this clinician's day first
    return queued


# ------------------------------------------------------------------ emails
def _outbox_pending(outbox_id: int | None) -> bool:
    """False when this outbox task already finished (a redelivered message)."""
    if not outbox_id:
        return True
    return OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).exists()


def _app_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def alert_email_send(*, alert_id: int, outbox_id: int | None = None) -> bool:
    """Email the patient's clinician about a self-harm or red-flag alert. Skipped if
    already sent or already acknowledged. No name, answers or scores in the email."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (
        Alert.objects.select_related("enrollment__clinician", "practice")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.status != Alert.Status.OPEN:
        return False
    clinician = alert.enrollment.clinician
    if not clinician.is_active:
        logger.error("Alert %s: the clinician's account is inactive; no email sent", alert_id)
        return False
    send_email(
        "emails/alert_urgent",
        to=clinician.email,
        context={
            "name": clinician.display_name,
            "practice": alert.practice,
            "is_self_harm": alert.kind == Alert.Kind.SELF_HARM,
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
        },
    )
    return True


def escalation_email_send(*, alert_id: int, user_id: int, outbox_id: int | None = None) -> bool:
    """Email one practice admin that an urgent alert is still unacknowledged. Skipped if
    already sent, if the alert has been acknowledged since, or if they are no longer
    an active admin of the practice."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (
        Alert.objects.select_related("enrollment__clinician", "practice")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.status != Alert.Status.OPEN:
        return False
    admin = User.objects.filter(
        pk=user_id,
        is_active=True,
        memberships__practice_id=alert.practice_id,
        memberships__role=Role.ADMIN,
        memberships__is_active=True,
    ).first()
    if admin is None:
        return False
    minutes = PracticeSettings.for_practice(alert.practice_id).escalation_minutes
    send_email(
        "emails/alert_escalation",
        to=admin.email,
        context={
            "name": admin.display_name,
            "practice": alert.practice,
            "clinician": alert.enrollment.clinician.display_name,
            "waited": _duration(minutes),
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
        },
    )
    return True


def digest_email_send(*, digest_id: int, outbox_id: int | None = None) -> bool:
    """Send one recorded digest (counts only). Skipped if already sent."""
    log = DigestLog.objects.select_related("clinician").filter(pk=digest_id).first()
    if log is None or log.sent_at is not None or not log.has_news:
        return False
    labels = dict(Alert.Kind.choices)
    order = [k for k, _ in Alert.Kind.choices]
    counts = sorted(
        ((k, n) for k, n in log.alert_counts.items() if n),
        key=lambda kn: order.index(kn[0]) if kn[0] in order else len(order),
    )
    total = sum(n for _, n in counts)
    send_email(
        "emails/digest",
        to=log.clinician.email,
        context={
            "name": log.clinician.display_name,
            "alerts_total": total,
            "alert_counts": [(labels.get(k, k), n) for k, n in counts],
            "missed": log.missed_count,
            "url": _app_url(reverse("caseload")),
        },
    )
    DigestLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"
