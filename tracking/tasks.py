"""Celery tasks: thin wrappers that load rows and call services. Each is safe to run
twice. Beat's schedule is in painapp/celery.py."""

from __future__ import annotations

from celery import shared_task

from tracking import (
    outbox,
    reminders,
    tasks_admin,  # noqa: F401  registers the import-invitation task with the worker
    tasks_alerts,  # noqa: F401  registers the alert tasks with the worker
    tasks_checkins,  # noqa: F401  registers the check-in status task with the worker
)


@shared_task(name="tracking.tasks.sweep_due_reminders")
def sweep_due_reminders() -> int:
    """Every minute: reminders that are due, plus any background work left behind."""
    claimed = reminders.sweep_due_reminders()
    reminders.requeue_stale_deliveries()
    outbox.outbox_sweep()
    return claimed


def _send_one(delivery_id: int) -> str:
    return _send([delivery_id])[0]


def _send(delivery_ids: list[int]) -> list[str]:
    """Send the deliveries (one claim per few, one connection for all of them); each
    one that failed transiently is queued again on its own, with a short countdown —
    never a far-future ETA (Redis would redeliver it)."""
    statuses = []
    for delivery_id, outcome in zip(
        delivery_ids, reminders.deliver_many(delivery_ids), strict=True
    ):
        if outcome.retry is not None:
            send_delivery.apply_async(
                (delivery_id,), countdown=reminders.retry_delay(outcome.attempts)
            )
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
