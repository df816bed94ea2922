"""The beat's sweep: claim due schedules, record one delivery per slot, queue the sends."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import cast

from django.db import connection, transaction
from django.db.models import Field, Q
from django.db.models.options import Options
from django.utils import timezone

from painapp.health.heartbeat import REMINDERS, heartbeat_record
from programs.models import Enrollment
from tracking import rules
from tracking.models import Delivery, ReminderPreferences, ReminderSchedule
from tracking.reminders.schedules import (
    ENROLLMENT_COLUMNS,
    PendingCheckIn,
    _next_checkin,
    _next_practice,
    _pending_checkins,
)

# A reminder that could not go out within this time of its slot is not sent late (a
# "time to practise" message at 3 a.m. helps nobody): it is marked failed, with the
# reason, on the practice admins' "Reminders that failed" page.
STALE_AFTER = timedelta(hours=6)
NOT_SENT_IN_TIME = (
    "Not sent: it could not go out within 6 hours of its time (the background worker "
    "or its message queue was unavailable), so it was dropped rather than sent late."
)
# A claim not renewed for this long belongs to a worker that died: while a worker
# lives, its heartbeat renews every claim it holds (delivery.HEARTBEAT_EVERY), however
# long a send takes. The minute sweep hands such a delivery to another worker, so a
# killed worker's deliveries go out within about two minutes.
CLAIM_TIMEOUT = timedelta(minutes=1)
# A pending delivery whose message was published but never picked up (a broker that
# lost it, a process killed between the commit and the publish) is queued again after
# this long. One the broker refused is queued again by the next sweep.
REQUEUE_AFTER = timedelta(minutes=5)
# Deliveries per send task. Each publish costs a round trip or two to Redis (4,000 of
# them for 100,000 schedules at 50), and a worker sends a chunk on one connection per
# channel; 200 normal sends take a couple of seconds, far inside the task time limit.
# (A task stopped by the limit loses nothing: what it had not finished is requeued by
# `requeue_stale_deliveries`, and the claims keep it to one send.)
SEND_CHUNK = 200
# Schedules claimed per sweep transaction: each batch costs a fixed number of queries.
SWEEP_BATCH = 1000
_SWEEP_COLUMNS = (
    "id",
    "enrollment_id",
    "kind",
    "next_due_at",
    "next_slot",
    "active",
    *ENROLLMENT_COLUMNS,
)


# ---------------------------------------------------------------- the sweep
def _eligible(
    enrollment: Enrollment, prefs: ReminderPreferences | None, kind: str = rules.REMINDER_PRACTICE
) -> bool:
    """Whether this reminder (`kind`: a ReminderSchedule.Kind) may go to the patient:
    by the enrollment's status (rules.gets_reminders: follow-up check-ins after a
    completed program too), their preferences and their account."""
    return (
        prefs is not None
        and not prefs.paused
        and rules.gets_reminders(kind=kind, status=enrollment.status)
        and enrollment.onboarded_at is not None
        and enrollment.patient.is_active
    )


def sweep_due_reminders(now: datetime | None = None, *, batch: int = SWEEP_BATCH) -> int:
    """Claim every due schedule, record its deliveries, advance it. Returns schedules
    claimed. Safe to run in several processes at once.

    Each batch is one transaction and a fixed number of queries, however large it is:

    1. SELECT … FOR UPDATE OF the schedules SKIP LOCKED: a concurrent sweep skips the
       rows this one holds (and takes the next ones), and a row it reads after this
       transaction commits is re-checked against the WHERE clause on its new version
       (READ COMMITTED), so an advanced schedule is no longer due there. No schedule
       is handled by two sweeps for the same slot.
    2. One query for the pending check-ins of every check-in schedule in the batch.
    3. One INSERT … ON CONFLICT (schedule, slot, channel) DO NOTHING RETURNING id:
       the unique constraint is the last word on "exactly once" (a resync that lands
       on a slot already recorded inserts nothing), and RETURNING gives exactly the
       rows this transaction created — the only ones it queues.
    4. One UPDATE … FROM unnest(…) advancing every claimed schedule.
    5. The sends are queued by `transaction.on_commit`: a worker never sees a
       delivery id whose row is not committed, and a rolled-back batch queues nothing.
    """
    now = now or timezone.now()
    claimed = 0
    while True:
        with transaction.atomic():
            schedules = list(
                ReminderSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(active=True, next_due_at__lte=now)
                .select_related("enrollment__patient", "enrollment__reminder_preferences")
                .only(*_SWEEP_COLUMNS)
                .order_by("next_due_at")[:batch]
            )
            if not schedules:
                break
            # Every claimed row has next_due_at <= now, so `_advance` continues from
            # `now` for all of them: the check-ins that matter close after `now`.
            pending = _pending_checkins(
                [
                    s.enrollment_id
                    for s in schedules
                    if s.kind == ReminderSchedule.Kind.CHECKIN
                    and getattr(s.enrollment, "reminder_preferences", None) is not None
                ],
                after=now,
            )
            rows: list[tuple[int, str, str, datetime]] = []
            for schedule in schedules:
                enrollment = schedule.enrollment
                prefs: ReminderPreferences | None = getattr(
                    enrollment, "reminder_preferences", None
                )
                due_at = cast(datetime, schedule.next_due_at)  # selected as <= now
                if (
                    prefs is not None
                    and now - due_at <= STALE_AFTER
                    and _eligible(enrollment, prefs, schedule.kind)
                    and _still_wanted(schedule, prefs)
                ):
                    rows.extend(
                        (schedule.pk, schedule.next_slot, channel, due_at)
                        for channel in prefs.channels
                    )
                _advance(schedule, prefs, now, pending=pending.get(schedule.enrollment_id, []))
            ids = _insert_deliveries(rows, requeue_at=now + REQUEUE_AFTER)
            _save_advanced(schedules)
            transaction.on_commit(partial(queue_sends, ids))
        claimed += len(schedules)
        if len(schedules) < batch:
            break
    heartbeat_record(REMINDERS)  # readiness and the practice overview watch it
    return claimed


def _insert_deliveries(
    rows: list[tuple[int, str, str, datetime]], *, requeue_at: datetime
) -> list[int]:
    """Insert one pending Delivery per (schedule_id, slot, channel, due_at) row unless
    that (schedule, slot, channel) exists already; return the ids of the new ones.

    One statement for the whole batch: the rows travel as four arrays (unnest), and
    ON CONFLICT … DO NOTHING RETURNING says which ones this transaction created. Every
    other column gets the model field's default (computed once for the batch), so a
    new field with a default needs no change here; `requeue_at` is the same for the
    whole batch (its sends are queued as it commits).
    """
    if not rows:
        return []
    meta = Delivery._meta
    given = [_field(meta, name) for name in ("schedule", "slot", "channel", "due_at")]
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    values = {"requeue_at": requeue_at}
    constants = [
        f.get_db_prep_save(values[f.name] if f.name in values else f.get_default(), connection)
        for f in rest
    ]
    quote = _quote
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    conflict = ", ".join(quote(f.column) for f in given[:3])
    table, pk = quote(meta.db_table), quote(_field(meta, "id").column)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in given)
    placeholders = ", ".join(["%s"] * len(rest))
    # Identifiers from the model's metadata (quoted), values as parameters.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT r.*, {placeholders}"  # noqa: S608
        f" FROM unnest({arrays}) AS r ON CONFLICT ({conflict}) DO NOTHING"
        f" RETURNING {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *(list(c) for c in zip(*rows, strict=True))])
        return [row[0] for row in cursor.fetchall()]


def _save_advanced(schedules: list[ReminderSchedule]) -> None:
    """Write every schedule's new next_due_at, next_slot and active in one statement
    (UPDATE … FROM unnest). The rows are locked by this transaction (FOR UPDATE above)."""
    meta = ReminderSchedule._meta
    fields = [_field(meta, n) for n in ("id", "next_due_at", "next_slot", "active")]
    quote = _quote
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    names = ", ".join(f"v{i}" for i in range(len(fields)))
    sets = ", ".join(f"{quote(f.column)} = v.v{i}" for i, f in enumerate(fields) if i)
    table, pk = quote(meta.db_table), quote(fields[0].column)
    # Identifiers from the model's metadata (quoted), values as parameters.
    sql = (
        f"UPDATE {table} AS s SET {sets} FROM unnest({arrays}) AS v({names})"  # noqa: S608
        f" WHERE s.{pk} = v.v0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[getattr(s, f.attname) for s in schedules] for f in fields])


def _quote(name: str | None) -> str:
    """A quoted identifier from the model's metadata (a concrete column has a name)."""
    return connection.ops.quote_name(cast(str, name))


def _field(meta: Options, name: str) -> Field:
    """A concrete column of the model (get_field may also return a reverse relation)."""
    return cast(Field, meta.get_field(name))


def _still_wanted(schedule: ReminderSchedule, prefs: ReminderPreferences) -> bool:
    if schedule.kind == ReminderSchedule.Kind.PRACTICE:
        return prefs.practice_enabled
    return prefs.checkin_enabled


def _advance(
    schedule: ReminderSchedule,
    prefs: ReminderPreferences | None,
    now: datetime,
    *,
    pending: list[PendingCheckIn] | None = None,
) -> None:
    # Never step back and never replay missed days: continue from the later of the
    # slot just handled and now.
    after = max(cast(datetime, schedule.next_due_at), now)
    if prefs is None:
        schedule.active = False
        return
    if schedule.kind == ReminderSchedule.Kind.PRACTICE:
        schedule.next_due_at, schedule.next_slot = _next_practice(
            schedule.enrollment, prefs, after=after
        )
    else:
        due, slot = _next_checkin(schedule.enrollment, prefs, after=after, pending=pending)
        schedule.next_due_at, schedule.next_slot = due, slot
        schedule.active = due is not None


def queue_sends(ids: list[int]) -> None:
    """Queue sends in chunks. If the broker is down, the deliveries not queued are
    marked for the next minute sweep (`requeue_stale_deliveries`), which queues them
    as soon as the broker is back: their rows are already committed."""
    from painapp.celery import publish

    for start in range(0, len(ids), SEND_CHUNK):
        if not publish("tracking.tasks.send_deliveries", args=(ids[start : start + SEND_CHUNK],)):
            requeue_soon(ids[start:])
            return


def requeue_soon(ids: list[int]) -> None:
    """The broker refused these deliveries' messages: the next sweep queues them."""
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(requeue_at=None)


def requeue_stale_deliveries(now: datetime | None = None, limit: int = 5000) -> int:
    """Every minute: deliveries nobody finished. Returns how many were queued again.

    - Pending ones past their `requeue_at` (or with none: the broker refused them) are
      queued again — after a broker outage, by the first sweep once it is back.
    - Sending ones whose claim has not been renewed for CLAIM_TIMEOUT belong to a
      worker that died: queued again, for another worker to claim.
    - Either kind more than STALE_AFTER past its time is not sent late: marked failed
      with the reason, which practice admins see on their failed-reminders page.

    The claim in `deliver` keeps each to one send however often it is queued.
    """
    now = now or timezone.now()
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING) | abandoned, due_at__lt=now - STALE_AFTER
    ).update(status=Delivery.Status.FAILED, error=NOT_SENT_IN_TIME, requeue_at=None)
    ids = list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING)
            & (Q(requeue_at__isnull=True) | Q(requeue_at__lte=now))
            | abandoned
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        # Not again next minute (unless the broker refuses them: queue_sends clears it).
        pending.filter(pk__in=ids).update(requeue_at=now + REQUEUE_AFTER)
        queue_sends(ids)
    return len(ids)
