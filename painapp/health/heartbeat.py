"""The heartbeat of the reminder sweep: beat queues the sweep every minute and the sweep
records when it ran (tracking/reminders/sweep.py). If it has not run for a while, beat,
the workers or the broker have stopped, and no reminder goes out: the readiness probe
and the practice overview say so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from painapp.health.models import Heartbeat

REMINDERS = "reminders"


def heartbeat_record(name: str, *, at: datetime | None = None) -> None:
    """Record that the job `name` ran now: one INSERT … ON CONFLICT DO UPDATE, so two
    sweeps finishing together both succeed and the later time stays."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, last_run_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["last_run_at"],
    )


@dataclass(frozen=True)
class RemindersHeartbeat:
    last_run_at: datetime | None
    minutes_ago: int | None  # whole minutes; None if the sweep never ran
    stale: bool  # not run for longer than settings.REMINDERS_STALE_AFTER_MINUTES

    @property
    def stale_after_minutes(self) -> int:
        return settings.REMINDERS_STALE_AFTER_MINUTES


def reminders_heartbeat(*, now: datetime | None = None) -> RemindersHeartbeat:
    """When the reminder sweep last ran, and whether that is too long ago. One query."""
    now = now or timezone.now()
    last = Heartbeat.objects.filter(name=REMINDERS).values_list("last_run_at", flat=True).first()
    if last is None:
        return RemindersHeartbeat(last_run_at=None, minutes_ago=None, stale=True)
    age = max(now - last, timedelta(0))
    limit = timedelta(minutes=settings.REMINDERS_STALE_AFTER_MINUTES)
    return RemindersHeartbeat(
        last_run_at=last, minutes_ago=int(age.total_seconds() // 60), stale=age > limit
    )
