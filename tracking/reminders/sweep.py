"""The beat's sweep: claim due schedules, record one delivery per slot, queue the sends."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from painapp.health.heartbeat import REMINDERS, heartbeat_record
from programs.models import Enrollment, EnrollmentStatus
from tracking.models import Delivery, ReminderPreferences, ReminderSchedule
from tracking.reminders.schedules import (
    ENROLLMENT_COLUMNS,
    PendingCheckIn,
    _next_checkin,
    _next_practice,
    _pending_checkins,
)

# A reminder that could not go out within this time of its slot is dropped, not sent
# late (a "time to practise" message at 3 a.m. helps nobody).
STALE_AFTER = timedelta(hours=6)
# A delivery claimed this long ago and still not finished belongs to a dead worker.
CLAIM_TIMEOUT = timedelta(minutes=10)
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
def _eligible(enrollment: Enrollment, prefs: ReminderPreferences | None) -> bool:
    return (
        prefs is not None
        and not prefs.paused
        and enrollment.status == EnrollmentStatus.ACTIVE
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
    4. One UPDATE … FROM unnest(…) advancing every claimed schedule (bulk_update's
       CASE on other databases).
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
                prefs = getattr(enrollment, "reminder_preferences", None)
                fresh = now - schedule.next_due_at <= STALE_AFTER
                if fresh and _eligible(enrollment, prefs) and _still_wanted(schedule, prefs):
                    rows.extend(
                        (schedule.pk, schedule.next_slot, channel, schedule.next_due_at)
                        for channel in prefs.channels
                    )
                _advance(schedule, prefs, now, pending=pending.get(schedule.enrollment_id, []))
            ids = _insert_deliveries(rows)
            _save_advanced(schedules)
            transaction.on_commit(lambda ids=ids: queue_sends(ids))
        claimed += len(schedules)
        if len(schedules) < batch:
            break
    heartbeat_record(REMINDERS)  # readiness and the practice overview watch it
    return claimed


def _insert_deliveries(rows: list[tuple[int, str, str, datetime]]) -> list[int]:
    """Insert one pending Delivery per (schedule_id, slot, channel, due_at) row unless
    that (schedule, slot, channel) exists already; return the ids of the new ones.

    Every other column gets the model field's default (computed once for the batch),
    so a new field with a default needs no change here. On Postgres the rows travel
    as four arrays (unnest), on other databases as VALUES in chunks.
    """
    if not rows:
        return []
    meta = Delivery._meta
    given = [meta.get_field(name) for name in ("schedule", "slot", "channel", "due_at")]
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    constants = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*given, *rest])
    conflict = ", ".join(quote(f.column) for f in given[:3])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in given)
            placeholders = ", ".join(["%s"] * len(rest))
            # Identifiers from the model's metadata (quoted), values as parameters.
            sql = (
                f"INSERT INTO {table} ({columns}) SELECT r.*, {placeholders}"  # noqa: S608
                f" FROM unnest({arrays}) AS r ON CONFLICT ({conflict}) DO NOTHING"
                f" RETURNING {pk}"
            )
            cursor.execute(sql, [*constants, *(list(c) for c in zip(*rows, strict=True))])
            return [row[0] for row in cursor.fetchall()]
        ids: list[int] = []
        width = len(given) + len(rest)
        per_chunk = max(1, (connection.features.max_query_params or 999) // width)
        one = "(" + ", ".join(["%s"] * width) + ")"
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start : start + per_chunk]
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}"  # noqa: S608
                f" ON CONFLICT ({conflict}) DO NOTHING RETURNING {pk}"
            )
            cursor.execute(sql, [v for row in chunk for v in (*_prep(given, row), *constants)])
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def _prep(fields: list, row: tuple) -> list:
    return [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]


def _save_advanced(schedules: list[ReminderSchedule]) -> None:
    """Write every schedule's new next_due_at, next_slot and active in one statement.
    The rows are locked by this transaction (FOR UPDATE above)."""
    if connection.vendor != "postgresql":
        ReminderSchedule.objects.bulk_update(schedules, ["next_due_at", "next_slot", "active"])
        return
    meta = ReminderSchedule._meta
    fields = [meta.pk, *(meta.get_field(n) for n in ("next_due_at", "next_slot", "active"))]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    names = ", ".join(f"v{i}" for i in range(len(fields)))
    sets = ", ".join(f"{quote(f.column)} = v.v{i}" for i, f in enumerate(fields) if i)
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Identifiers from the model's metadata (quoted), values as parameters.
    # Names come from the model's metadata; every value is a bound parameter.
    sql = (f"UPDATE {table} AS s SET {sets} FROM unnest({arrays}) AS v({names})"  # noqa: S608
           f" WHERE s.{pk} = v.v0")
    with connection.cursor() as cursor:
        cursor.execute(sql, [[getattr(s, f.attname) for s in schedules] for f in fields])


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
    after = max(schedule.next_due_at, now)
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
    """Queue sends in chunks. If the broker is down, `requeue_stale_deliveries` picks
    them up later: the rows are already committed."""
    from painapp.celery import publish

    for start in range(0, len(ids), SEND_CHUNK):
        if not publish("tracking.tasks.send_deliveries", args=(ids[start : start + SEND_CHUNK],)):
            return  # the rows are committed; requeue_stale_deliveries picks them up


def requeue_stale_deliveries(now: datetime | None = None, limit: int = 5000) -> int:
    """Deliveries nobody finished: never queued (broker down) or claimed by a worker
    that died. Queue them again; the claim in `deliver` keeps it to one send."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(
            Q(
                status=Delivery.Status.PENDING,
                created_at__lt=now - CLAIM_TIMEOUT,
                due_at__gt=now - STALE_AFTER,
            )
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        ).values_list("pk", flat=True)[:limit]
    )
    queue_sends(ids)
    return len(ids)


