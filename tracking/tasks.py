"""Celery tasks: thin wrappers that load rows and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="tracking.tasks.sweep_due_reminders")
def sweep_due_reminders() -> int:
    """Claim due reminder schedules and queue their sends. Filled in by the reminders work."""
    return 0
