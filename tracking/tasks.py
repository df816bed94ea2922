"""Celery tasks: thin wrappers that load rows and call services. Each is safe to run
twice. Beat's schedule is in painapp/celery.py.

Task names are explicit and never change with the module layout: messages already
queued (and the outbox's stored task names) keep finding their task after a release.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tracking.alerts import digest, emails, escalation, resolve_clock
from tracking.alerts.evaluate import alerts_for_missed_checkins
from tracking.checkins.schedule import checkins_update_statuses
from tracking.messaging.services import message_email_send
from tracking.outbox import outbox_done, outbox_sweep
from tracking.practice_admin.bulk_import import import_invitations_send
from tracking.reminders import sweep
from tracking.reminders.delivery import deliver_many, retry_delay


# ---------------------------------------------------------------- reminders
@shared_task(name="tracking.tasks.sweep_due_reminders")
def sweep_due_reminders() -> int:
    """Every minute: reminders that are due, plus any background work left behind."""
    claimed = sweep.sweep_due_reminders()
    sweep.requeue_stale_deliveries()
    outbox_sweep()
    return claimed


def _send_one(delivery_id: int) -> str:
    return _send([delivery_id])[0]


def _send(delivery_ids: list[int]) -> list[str]:
    """Send the deliveries (one claim per few, one connection for all of them); each
    one that failed transiently is queued again on its own, with a short countdown —
    never a far-future ETA (Redis would redeliver it)."""
    statuses = []
    for delivery_id, outcome in zip(delivery_ids, deliver_many(delivery_ids), strict=True):
        if outcome.retry is not None:
            try:
                send_delivery.apply_async((delivery_id,), countdown=retry_delay(outcome.attempts))
            except Exception:  # kombu/redis raise several types; all mean "not queued"
                sweep.requeue_soon([delivery_id])  # the minute sweep queues it instead
            statuses.append("retrying")
        else:
            statuses.append(outcome.status)
    return statuses


@shared_task(name="tracking.tasks.send_deliveries", acks_late=True)
def send_deliveries(delivery_ids: list[int]) -> list[str]:
    return _send(delivery_ids)


@shared_task(name="tracking.tasks.send_delivery", acks_late=True)
def send_delivery(delivery_id: int) -> str:
    return _send_one(delivery_id)


# ---------------------------------------------------------------- check-ins
@shared_task(name="tracking.tasks_checkins.update_checkin_statuses")
def update_checkin_statuses() -> dict[str, int]:
    """Open check-ins whose day has come; mark the ones whose window closed as missed.
    Two conditional UPDATEs, so two beats (or a retry) change nothing twice."""
    return checkins_update_statuses(timezone.now())


# ---------------------------------------------------------------- alerts
@shared_task(name="tracking.tasks_alerts.send_alert_email", acks_late=True)
def send_alert_email(alert_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: email the clinician about a self-harm or red-flag alert."""
    sent = emails.alert_email_send(alert_id=alert_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.send_escalation_email", acks_late=True)
def send_escalation_email(
    alert_id: int, user_id: int, outbox_id: int | None = None, unresolved: bool = False
) -> bool:
    """Outbox: email one person the escalation chain reached about an alert (not
    acknowledged in time, or with `unresolved`, acknowledged but not resolved in time)."""
    sent = emails.escalation_email_send(
        alert_id=alert_id, user_id=user_id, outbox_id=outbox_id, unresolved=unresolved
    )
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.send_handover_email", acks_late=True)
def send_handover_email(alert_id: int, user_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: tell the clinician a patient was moved to of an alert not yet resolved."""
    sent = emails.handover_email_send(alert_id=alert_id, user_id=user_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.send_digest_email", acks_late=True)
def send_digest_email(digest_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: send one clinician's daily digest."""
    sent = emails.digest_email_send(digest_id=digest_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.escalate_alerts")
def escalate_alerts() -> int:
    """Beat, every minute: move alerts nobody acknowledged by their due time one step up
    their practice's escalation chain (every severity), and tell the chain once about
    each acknowledged alert nobody resolved by its resolve time."""
    return escalation.escalate_unacknowledged_alerts() + resolve_clock.escalate_unresolved_alerts()


@shared_task(name="tracking.tasks_alerts.raise_missed_checkin_alerts")
def raise_missed_checkin_alerts() -> int:
    """Beat, every 15 minutes: the missed-check-ins-in-a-row rule."""
    return len(alerts_for_missed_checkins())


@shared_task(name="tracking.tasks_alerts.send_daily_digests")
def send_daily_digests() -> int:
    """Beat, every 15 minutes: digests for clinicians whose local 07:00 has passed."""
    return digest.send_daily_digests()


# ---------------------------------------------------------------- messaging
@shared_task(name="tracking.tasks_messaging.send_message_email", acks_late=True)
def send_message_email(message_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: tell the other side of a message that one is waiting (no content)."""
    sent = message_email_send(message_id=message_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


# ---------------------------------------------------------------- practice admin
@shared_task(name="tracking.tasks_admin.send_import_invitations", acks_late=True)
def send_import_invitations(invitation_ids: list[int], outbox_id: int | None = None) -> int:
    """Outbox: email the invitations made by one bulk import (one chunk of them).

    If some could not be sent, the outbox row stays open and the minute sweep runs this
    again later; invitations already sent are skipped. Returns how many are unsent.
    """
    unsent = import_invitations_send(invitation_ids)
    if not unsent:
        outbox_done(outbox_id)
    return unsent
