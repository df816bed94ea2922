"""Celery tasks for alerts: thin wrappers around tracking/alerts.py. Each is safe to
run twice. Registered through tracking/tasks.py (Celery autodiscovers only tasks.py);
beat entries are in painapp/celery.py."""

from __future__ import annotations

from celery import shared_task

from tracking import alerts
from tracking.outbox import outbox_done


@shared_task(name="tracking.tasks_alerts.send_alert_email", acks_late=True)
def send_alert_email(alert_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: email the clinician about a self-harm or red-flag alert."""
    sent = alerts.alert_email_send(alert_id=alert_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.send_escalation_email", acks_late=True)
def send_escalation_email(alert_id: int, user_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: email one practice admin about an unacknowledged urgent alert."""
    sent = alerts.escalation_email_send(alert_id=alert_id, user_id=user_id,
                                        outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.send_digest_email", acks_late=True)
def send_digest_email(digest_id: int, outbox_id: int | None = None) -> bool:
    """Outbox: send one clinician's daily digest."""
    sent = alerts.digest_email_send(digest_id=digest_id, outbox_id=outbox_id)
    outbox_done(outbox_id)
    return sent


@shared_task(name="tracking.tasks_alerts.escalate_alerts")
def escalate_alerts() -> int:
    """Beat, every minute: escalate urgent alerts nobody acknowledged in time."""
    return alerts.escalate_unacknowledged_alerts()


@shared_task(name="tracking.tasks_alerts.raise_missed_checkin_alerts")
def raise_missed_checkin_alerts() -> int:
    """Beat, every 15 minutes: the missed-check-ins-in-a-row rule."""
    return len(alerts.alerts_for_missed_checkins())


@shared_task(name="tracking.tasks_alerts.send_daily_digests")
def send_daily_digests() -> int:
    """Beat, every 15 minutes: digests for clinicians whose local 07:00 has passed."""
    return alerts.send_daily_digests()
