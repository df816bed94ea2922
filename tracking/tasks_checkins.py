"""Celery task for check-ins: the minute sweep that opens and closes them.

Thin: it calls tracking.checkins.checkins_update_statuses, which is two conditional
UPDATEs, so two beats (or a retry) running it at once change nothing twice.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from tracking.checkins import checkins_update_statuses


@shared_task(name="tracking.tasks_checkins.update_checkin_statuses")
def update_checkin_statuses() -> dict[str, int]:
    """Open check-ins whose day has come; mark the ones whose window closed as missed."""
    return checkins_update_statuses(timezone.now())
