"""Alert emails: the urgent one to the patient's clinician, the escalation and
handover ones, and the daily digest's.

Emails never carry health data or the patient's name: they say something needs a
look and link to the app, where access is checked and audited."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.emails import send_email
from painapp.accounts.models import Role, User
from tracking.alerts.chain import next_step_of
from tracking.alerts.due import alert_clock
from tracking.alerts.reasons import UrgentWords
from tracking.alerts.staff import active_staff
from tracking.models import Alert, DigestLog, OutboxTask

logger = logging.getLogger(__name__)


def _outbox_pending(outbox_id: int | None) -> bool:
    """False when this outbox task already finished (a redelivered message)."""
    if not outbox_id:
        return True
    return OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).exists()


def _app_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def alert_email_send(*, alert_id: int, outbox_id: int | None = None) -> bool:
    """Email the patient's clinician about an alert that needs prompt contact
    (tracking.rules.needs_prompt_contact), saying its own reason. Skipped if
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
    now = timezone.now()
    if not active_staff([alert.practice_id]).filter(user=clinician).exists():
        # Switched off since (account or membership): the sweep moves the alert on.
        logger.error("Alert %s: the clinician is switched off; no email sent", alert_id)
        return False
    send_email(
        "emails/alert_urgent",
        to=clinician.email,
        context={
            "name": clinician.display_name,
            "practice": alert.practice,
            # Why, from the one table of reasons (tracking.alerts.reasons): which kind of
            # thing happened and where ("in a message to the care team"), never what.
            # When to call is the alert's own due time, said in the clinician's zone and
            # language as every alert page says it (wording.due_phrase).
            "reason": UrgentWords.of(alert, deadline=alert_clock(alert, now).deadline, now=now),
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
            # Who is told if they do not acknowledge it in time: the practice's chain.
            "next_step": next_step_of(alert),
        },
        language=clinician.language,
        tz=clinician.tzinfo,
    )
    return True


def escalation_email_send(
    *, alert_id: int, user_id: int, outbox_id: int | None = None, unresolved: bool = False
) -> bool:
    """Email one person the escalation chain (or the end of it) reached that an alert
    needs attention: no patient name, no health data, just the link. Skipped if already
    sent, if the alert has been acknowledged since (`unresolved`: an acknowledged alert
    past its resolve time, tracking.alerts.resolve_clock: if it has been resolved
    since), or if they are no longer an active member of staff of the practice."""
    if not _outbox_pending(outbox_id):
        return False
    alert = Alert.objects.select_related("practice").filter(pk=alert_id).first()
    waiting = Alert.Status.ACKNOWLEDGED if unresolved else Alert.Status.OPEN
    if alert is None or alert.status != waiting:
        return False
    person = (
        User.objects.filter(
            pk=user_id,
            is_active=True,
            memberships__practice_id=alert.practice_id,
            memberships__role__in=(Role.ADMIN, Role.CLINICIAN),
            memberships__is_active=True,
        )
        .distinct()
        .first()
    )
    if person is None:
        return False
    send_email(
        "emails/alert_escalation",
        to=person.email,
        context={
            "name": person.display_name,
            "practice": alert.practice,
            "unresolved": unresolved,
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
        },
        language=person.language,
    )
    return True


def handover_email_send(*, alert_id: int, user_id: int, outbox_id: int | None = None) -> bool:
    """Email the clinician a patient was moved to that the patient has an alert not yet
    resolved (tracking.alerts.handover): no name, no health data, just the link.
    Skipped if already sent, resolved since, or the patient is no longer theirs."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (
        Alert.objects.select_related("practice", "enrollment__clinician")
        .filter(pk=alert_id, enrollment__clinician_id=user_id)
        .exclude(status=Alert.Status.RESOLVED)
        .first()
    )
    if alert is None:
        return False
    clinician = alert.enrollment.clinician
    if not active_staff([alert.practice_id]).filter(user=clinician).exists():
        return False
    send_email(
        "emails/alert_handover",
        to=clinician.email,
        context={
            "name": clinician.display_name,
            "practice": alert.practice,
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
            # When to call: the alert's own due time, said in the clinician's zone and
            # language as every alert page says it (wording.due_phrase).
            "due_at": alert_clock(alert, timezone.now()).deadline,
            "now": timezone.now(),
        },
        language=clinician.language,
        tz=clinician.tzinfo,
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
            "acknowledged": log.acknowledged_count,
            "url": _app_url(reverse("caseload")),
            "inbox_url": _app_url(reverse("alert_inbox")),
        },
        language=log.clinician.language,
    )
    DigestLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True
