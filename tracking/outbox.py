"""Reliable follow-up work: an outbox row per task, enqueued after commit and swept.

Celery tasks named here receive `outbox_id` and must call `outbox_done(outbox_id)`
when finished; running one twice must be harmless (every task is idempotent).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tracking.models import OutboxTask

logger = logging.getLogger(__name__)
RETRY_AFTER = timedelta(minutes=5)


def outbox_add(task: str, **kwargs) -> OutboxTask:
    """Record `task(**kwargs)` to run after the current transaction commits."""
    row = OutboxTask.objects.create(task=task, kwargs=kwargs)
    transaction.on_commit(lambda: _enqueue(row.pk, task, kwargs))
    return row


def _enqueue(outbox_id: int, task: str, kwargs: dict) -> bool:
    from painapp.celery import publish

    if not publish(task, kwargs={**kwargs, "outbox_id": outbox_id}):
        # The broker is down: the row stays pending and the sweep will try again.
        OutboxTask.objects.filter(pk=outbox_id).update(attempts=F("attempts") + 1)
        return False
    OutboxTask.objects.filter(pk=outbox_id).update(
        enqueued_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


def outbox_done(outbox_id: int | None) -> None:
    if outbox_id:
        OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).update(done_at=timezone.now())


def outbox_sweep(now=None, limit: int = 500) -> int:
    """Enqueue outbox work never enqueued, or enqueued long ago and still not done."""
    now = now or timezone.now()
    rows = list(
        OutboxTask.objects.filter(done_at__isnull=True, created_at__lte=now)
        .exclude(enqueued_at__gt=now - RETRY_AFTER)
        .order_by("created_at")[:limit]
    )
    return sum(1 for row in rows if _enqueue(row.pk, row.task, row.kwargs))
