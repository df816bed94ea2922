"""Reminders, exactly once, at the patient's own wall-clock time.

How it works (see ARCHITECTURE.md, "Scheduling, exactly once"):
1. Each ReminderSchedule stores `next_due_at` (UTC) and `next_slot` — the local day
   ("practice:2026-03-08") or check-in stage ("checkin:42:open") it is for.
2. `sweep_due_reminders` (beat, every minute) claims due schedules with
   SELECT … FOR UPDATE SKIP LOCKED, inserts one Delivery per (schedule, slot, channel)
   — a unique constraint makes a repeat insert nothing — advances the schedule, commits,
   and only then queues the sends.
   Each batch is a fixed number of queries (see its docstring).
3. `deliver_many` (a worker's chunk; `deliver` for one) claims deliveries with a
   conditional UPDATE, re-checks that the patient still wants each, sends, and records
   each outcome; transient failures retry with backoff, permanent ones are recorded
   and shown to admins.
Two sweeps, two beats or two workers at once cannot send a slot twice.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrollment, EnrollmentStatus
from tracking.localtime import in_quiet_hours, next_occurrence, wall_to_utc
from tracking.models import CheckIn, Delivery, ReminderPreferences, ReminderSchedule
from tracking.transports import (
    Message,
    PermanentError,
    TransientError,
    Transport,
    transport_for,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A reminder that could not go out within this time of its slot is dropped, not sent
# late (a "time to practise" message at 3 a.m. helps nobody).
STALE_AFTER = timedelta(hours=6)
# A delivery claimed this long ago and still not finished belongs to a dead worker.
CLAIM_TIMEOUT = timedelta(minutes=10)
FOLLOWUP_AFTER = timedelta(hours=48)
# Deliveries per send task. Each publish costs a round trip or two to Redis (4,000 of
# them for 100,000 schedules at 50), and a worker sends a chunk on one connection per
# channel; 200 normal sends take a couple of seconds, far inside the task time limit.
# (A task stopped by the limit loses nothing: what it had not finished is requeued by
# `requeue_stale_deliveries`, and the claims keep it to one send.)
SEND_CHUNK = 200
# Schedules claimed per sweep transaction: each batch costs a fixed number of queries.
SWEEP_BATCH = 1000
# The next few check-ins a check-in schedule looks at (the next reminder is for one
# of the first ones to open).
PENDING_CHECKINS = 3
_PENDING_CHECKIN = [CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN]
# What the sweep reads of a schedule, its enrollment, patient and preferences (a user
# row is wide, and turning unused columns into Python costs more than the queries).
_ENROLLMENT_COLUMNS = (
    "enrollment__id",
    "enrollment__status",
    "enrollment__onboarded_at",
    "enrollment__patient_id",
    "enrollment__patient__id",
    "enrollment__patient__is_active",
    "enrollment__patient__timezone",
    *(
        f"enrollment__reminder_preferences__{f.name}"
        for f in ReminderPreferences._meta.concrete_fields
        if f.name != "updated_at"
    ),
)
_SWEEP_COLUMNS = (
    "id",
    "enrollment_id",
    "kind",
    "next_due_at",
    "next_slot",
    "active",
    *_ENROLLMENT_COLUMNS,
)
# What the send path reads with each delivery: its schedule's kind, and what the
# eligibility checks and the message need of the enrollment, patient and preferences.
_SEND_COLUMNS = (
    *(f.name for f in Delivery._meta.concrete_fields),
    "schedule__id",
    "schedule__kind",
    "schedule__enrollment_id",
    *(f"schedule__{column}" for column in _ENROLLMENT_COLUMNS),
    "schedule__enrollment__patient__email",
    "schedule__enrollment__patient__full_name",
)
_UNSUBSCRIBE_SALT = "painapp.unsubscribe"
# Deliveries a worker claims at once. Even if every send before the last of them waits
# out the SMTP timeout, the last is sent within CLAIM_TIMEOUT (and `deliver_many`
# renews a claim that gets old anyway); the checks read after the claim are at most
# this many sends old.
CLAIM_AHEAD = 20
_clock = time.monotonic  # how long a claim has been held (tests move it on)


# ---------------------------------------------------------------- preferences
def preferences_for(enrollment: Enrollment) -> ReminderPreferences:
    prefs, _ = ReminderPreferences.objects.get_or_create(
        enrollment=enrollment,
        defaults={"practice_time": enrollment.preferred_practice_time},
    )
    return prefs


def schedules_sync(*, enrollment: Enrollment, now: datetime | None = None) -> None:
    """Create or refresh the enrollment's schedules from its preferences.

    Called whenever preferences, the time zone or check-ins change. The next slot is
    computed from `now`; a slot already delivered is never delivered again.
    """
    now = now or timezone.now()
    prefs = preferences_for(enrollment)
    practice, _ = ReminderSchedule.objects.get_or_create(
        enrollment=enrollment, kind=ReminderSchedule.Kind.PRACTICE
    )
    due, slot = _next_practice(enrollment, prefs, after=now)
    practice.next_due_at, practice.next_slot = due, slot
    practice.active = prefs.practice_enabled
    practice.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])

    checkin, _ = ReminderSchedule.objects.get_or_create(
        enrollment=enrollment, kind=ReminderSchedule.Kind.CHECKIN
    )
    due, slot = _next_checkin(enrollment, prefs, after=now)
    checkin.next_due_at, checkin.next_slot = due, slot
    checkin.active = prefs.checkin_enabled and due is not None
    checkin.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])


def _next_practice(enrollment, prefs, *, after: datetime) -> tuple[datetime, str]:
    instant, day = next_occurrence(
        at=prefs.practice_time,
        weekdays=prefs.practice_days,
        tz=enrollment.patient.tzinfo,
        after=after,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
    )
    return instant, f"practice:{day.isoformat()}"


class PendingCheckIn(NamedTuple):
    """What the next check-in reminder is computed from (one scheduled or open check-in)."""

    pk: int
    due_date: date
    opens_at: datetime
    closes_at: datetime


_PENDING_FIELDS = ("pk", "due_date", "opens_at", "closes_at")


def _next_checkin(
    enrollment, prefs, *, after: datetime, pending: list[PendingCheckIn] | None = None
) -> tuple[datetime | None, str]:
    """The next check-in reminder: when one opens (at the practice time on its day),
    and a follow-up 48 hours later if it is still not done.

    `pending` is the enrollment's first few scheduled or open check-ins closing after
    `after`, in opening order, when the caller already has them (the sweep loads them
    for a whole batch in one query, `_pending_checkins`); otherwise they are queried.
    """
    tz = enrollment.patient.tzinfo
    candidates = []
    if pending is None:
        pending = [
            PendingCheckIn(*row)
            for row in CheckIn.objects.filter(
                enrollment=enrollment, status__in=_PENDING_CHECKIN, closes_at__gt=after
            )
            .order_by("opens_at", "pk")
            .values_list(*_PENDING_FIELDS)[:PENDING_CHECKINS]
        ]
    for checkin in pending:
        if checkin.closes_at <= after:
            continue
        opens = max(wall_to_utc(checkin.due_date, prefs.practice_time, tz), checkin.opens_at)
        follow = opens + FOLLOWUP_AFTER
        local_follow = follow.astimezone(tz)
        if in_quiet_hours(local_follow.time(), prefs.quiet_start, prefs.quiet_end):
            follow = wall_to_utc(
                local_follow.date()
                + timedelta(
                    days=1
                    if prefs.quiet_start > prefs.quiet_end
                    and local_follow.time() >= prefs.quiet_start
                    else 0
                ),
                prefs.quiet_end,
                tz,
            )
        for stage, at in (("open", opens), ("followup", follow)):
            if after < at < checkin.closes_at:
                candidates.append((at, f"checkin:{checkin.pk}:{stage}"))
    return min(candidates) if candidates else (None, "")


def _pending_checkins(
    enrollment_ids: list[int], *, after: datetime
) -> dict[int, list[PendingCheckIn]]:
    """For each enrollment, its first PENDING_CHECKINS scheduled or open check-ins that
    close after `after`, in opening order: what `_next_checkin` would query for each
    one, in one query for the whole batch (ROW_NUMBER() per enrollment, so a program
    that schedules a year of check-ins up front still reads three rows each)."""
    if not enrollment_ids:
        return {}
    rows = (
        CheckIn.objects.filter(
            enrollment_id__in=enrollment_ids, status__in=_PENDING_CHECKIN, closes_at__gt=after
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("enrollment_id")],
                order_by=[F("opens_at").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=PENDING_CHECKINS)
        .order_by("enrollment_id", "opens_at", "pk")
        .values_list("enrollment_id", *_PENDING_FIELDS)
    )
    out: dict[int, list[PendingCheckIn]] = {}
    for enrollment_id, *checkin in rows:
        out.setdefault(enrollment_id, []).append(PendingCheckIn(*checkin))
    return out


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


# ---------------------------------------------------------------- sending
class Outcome(NamedTuple):
    """What `deliver_many` did with one delivery: its status afterwards ("missing" if
    there is no such row), its attempts so far, and the error when it is to be retried
    (the row is back to pending)."""

    status: str
    attempts: int = 0
    retry: TransientError | None = None


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery at most once. Returns its status afterwards.

    Raises TransientError (after recording it) when the caller should retry later.
    """
    [outcome] = deliver_many([delivery_id], now=now)
    if outcome.retry is not None:
        raise outcome.retry
    return outcome.status


def deliver_many(delivery_ids: list[int], now: datetime | None = None) -> list[Outcome]:
    """Send each delivery at most once; one Outcome per id, in order.

    Exactly once, with fewer round trips than one delivery at a time:

    - Deliveries are claimed CLAIM_AHEAD at a time, by one conditional UPDATE that
      locks the rows in id order (two workers given the same ids, e.g. a redelivered
      message, never deadlock) and re-checks "pending, or claimed by a worker that
      died" on each row's latest version: of two concurrent claims one wins, the other
      gets nothing. RETURNING says which rows this worker owns.
    - The patient's eligibility, channel and check-in are read once per claimed group,
      after the claim (so never older than the group's few sends).
    - A claim older than half CLAIM_TIMEOUT is renewed before sending, conditionally
      on still being ours, so `requeue_stale_deliveries` never hands a delivery this
      worker is about to send to another worker, however slow the sends before it.
    - Each outcome is recorded right after its send, in its own statement; an in-app
      notification is created in the same transaction as its "sent" (all or nothing).
    - One connection per transport for the whole call (one SMTP session for a chunk).
    """
    outcomes: dict[int, Outcome] = {}
    transports: dict[str, Transport] = {}
    try:
        for start in range(0, len(delivery_ids), CLAIM_AHEAD):
            group = delivery_ids[start : start + CLAIM_AHEAD]
            outcomes.update(_deliver_group(group, now or timezone.now(), transports))
    finally:
        for transport in transports.values():
            transport.close()
    return [outcomes.get(pk, Outcome("missing")) for pk in delivery_ids]


def _claim(delivery_ids: list[int], now: datetime) -> dict[int, int]:
    """Claim those of `delivery_ids` nobody else holds; {id: attempts} of those claimed."""
    meta = Delivery._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    ids = ", ".join(["%s"] * len(delivery_ids))
    # Postgres: the subquery locks the rows in id order and re-checks its WHERE clause
    # on a row another worker just claimed (READ COMMITTED), so that row drops out.
    # SQLite: one writer at a time, so the statement is atomic as it is.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    claimable = f"id IN ({ids}) AND (status = %s OR (status = %s AND claimed_at < %s))"
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1"  # noqa: S608
        f" WHERE id IN (SELECT id FROM {table} WHERE {claimable} ORDER BY id{lock})"
        " RETURNING id, attempts"
    )
    pending, sending = Delivery.Status.PENDING, Delivery.Status.SENDING
    field = meta.get_field("claimed_at")
    at = field.get_db_prep_save(now, connection)
    stale = field.get_db_prep_save(now - CLAIM_TIMEOUT, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sending, at, *delivery_ids, pending, sending, stale])
        return dict(cursor.fetchall())


def _deliver_group(
    delivery_ids: list[int], now: datetime, transports: dict[str, Transport]
) -> dict[int, Outcome]:
    """Claim, re-check and send one group (see `deliver_many`).

    What touches only our own database is done together: the skipped deliveries are
    recorded by one UPDATE, and the in-app ones (notification rows and their "sent")
    in one transaction — all of it or none, so there is nothing to send twice. Email
    and SMS leave the building one at a time, each recorded as soon as it is sent.
    """
    claimed = _claim(delivery_ids, now)
    lease = _Lease(now)
    rows = {
        d.pk: d
        for d in Delivery.objects.select_related(
            "schedule__enrollment__patient", "schedule__enrollment__reminder_preferences"
        )
        .only(*_SEND_COLUMNS)
        .filter(pk__in=delivery_ids)
    }
    outcomes = {pk: Outcome(d.status, d.attempts) for pk, d in rows.items() if pk not in claimed}
    # Each claimed row once, even if the list names it twice.
    mine = [rows[pk] for pk in dict.fromkeys(delivery_ids) if pk in claimed and pk in rows]
    checkins = {c for c in map(_checkin_id, mine) if c is not None}
    due_checkins = (
        set(
            CheckIn.objects.filter(pk__in=checkins, status__in=_PENDING_CHECKIN).values_list(
                "pk", flat=True
            )
        )
        if checkins
        else set()
    )
    skipped, local, remote = [], [], []
    for delivery in mine:
        enrollment = delivery.schedule.enrollment
        prefs = getattr(enrollment, "reminder_preferences", None)
        checkin = _checkin_id(delivery)
        if not (
            _eligible(enrollment, prefs)
            and _channel_still_on(delivery, prefs)
            and (checkin is None or checkin in due_checkins)
        ):
            skipped.append(delivery)
        elif _transport(delivery, transports).transactional:
            local.append(delivery)
        else:
            remote.append(delivery)
    if skipped:
        Delivery.objects.filter(pk__in=[d.pk for d in skipped]).update(
            status=Delivery.Status.SKIPPED, error="", sent_at=None
        )
        outcomes.update((d.pk, Outcome(Delivery.Status.SKIPPED, d.attempts)) for d in skipped)
    local = [d for d in local if lease.keep(d, outcomes)]
    if local:
        try:
            with transaction.atomic():
                for channel in {d.channel for d in local}:
                    transports[channel].send_many(
                        [(build_message(d), d) for d in local if d.channel == channel]
                    )
                Delivery.objects.filter(pk__in=[d.pk for d in local]).update(
                    status=Delivery.Status.SENT, error="", sent_at=timezone.now()
                )
            outcomes.update((d.pk, Outcome(Delivery.Status.SENT, d.attempts)) for d in local)
        except (TransientError, PermanentError):
            remote = local + remote  # nothing was written: one at a time, each its outcome
    for delivery in remote:
        if lease.keep(delivery, outcomes):
            outcomes[delivery.pk] = _send(delivery, transports)
    return outcomes


class _Lease:
    """A group's claim, renewed before a send once it is half way to CLAIM_TIMEOUT
    (when `requeue_stale_deliveries` would hand it to another worker)."""

    def __init__(self, claimed_at: datetime) -> None:
        self.claimed_at, self.started = claimed_at, _clock()

    def keep(self, delivery: Delivery, outcomes: dict[int, Outcome]) -> bool:
        """Whether `delivery` is still ours to send (renewing its claim if it is old)."""
        elapsed = _clock() - self.started
        if elapsed <= CLAIM_TIMEOUT.total_seconds() / 2:
            return True
        renewed = self.claimed_at + timedelta(seconds=elapsed)
        if Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=delivery.claimed_at
        ).update(claimed_at=renewed):
            delivery.claimed_at = renewed
            return True
        outcomes[delivery.pk] = Outcome(Delivery.Status.SENDING, delivery.attempts)
        return False  # another worker took it over


def _transport(delivery: Delivery, transports: dict[str, Transport]) -> Transport:
    if delivery.channel not in transports:
        transports[delivery.channel] = transport_for(delivery.channel)
    return transports[delivery.channel]


def _send(delivery: Delivery, transports: dict[str, Transport]) -> Outcome:
    """Send one claimed delivery and record the outcome (retry, fail, sent)."""
    transport = _transport(delivery, transports)
    try:
        if transport.transactional:  # writes only our own rows: with its outcome
            with transaction.atomic():
                transport.send(build_message(delivery), delivery)
                _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
        else:
            transport.send(build_message(delivery), delivery)
    except TransientError as error:
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, error=f"gave up: {error}")
            return Outcome(Delivery.Status.FAILED, delivery.attempts)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, error=str(error)[:300]
        )
        return Outcome(Delivery.Status.PENDING, delivery.attempts, retry=error)
    except PermanentError as error:
        _finish(delivery, Delivery.Status.FAILED, error=str(error))
        return Outcome(Delivery.Status.FAILED, delivery.attempts)
    if not transport.transactional:
        _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
    return Outcome(Delivery.Status.SENT, delivery.attempts)


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 min … (never a far-future ETA)."""
    return min(30 * 2 ** max(attempts - 1, 0), 900)


def _finish(
    delivery: Delivery, status: str, *, error: str = "", sent_at: datetime | None = None
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error[:300], sent_at=sent_at
    )
    delivery.status = status


def _channel_still_on(delivery: Delivery, prefs: ReminderPreferences) -> bool:
    return delivery.channel in prefs.channels and _still_wanted(delivery.schedule, prefs)


def _checkin_id(delivery: Delivery) -> int | None:
    """The check-in a "checkin:<id>:<stage>" slot is for (None for other slots)."""
    if not delivery.slot.startswith("checkin:"):
        return None
    return int(delivery.slot.split(":")[1])


def unsubscribe_token(enrollment_id: int) -> str:
    return signing.dumps(enrollment_id, salt=_UNSUBSCRIBE_SALT, compress=True)


def enrollment_from_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def build_message(delivery: Delivery) -> Message:
    """The reminder's words. No health data: a reminder may be read over a shoulder."""
    enrollment = delivery.schedule.enrollment
    patient = enrollment.patient
    unsubscribe = settings.SITE_URL + reverse(
        "unsubscribe", args=[unsubscribe_token(enrollment.pk)]
    )
    if delivery.schedule.kind == ReminderSchedule.Kind.PRACTICE:
        name, path = "reminder_practice", reverse("practice")
        title = "Time for a few minutes of practice"
        sms = "painapp: a gentle reminder for today's few minutes of practice."
    elif delivery.slot.endswith(":followup"):
        name, path = "reminder_checkin_followup", reverse("checkin_current")
        title = "Your check-in is still open"
        sms = "painapp: your weekly check-in is still open. It takes about 3 minutes."
    else:
        name, path = "reminder_checkin", reverse("checkin_current")
        title = "Your weekly check-in is ready"
        sms = "painapp: your weekly check-in is ready. It takes about 3 minutes."
    return Message(
        to_user_id=patient.pk,
        email=patient.email,
        phone=getattr(enrollment.reminder_preferences, "phone", ""),
        subject=title,
        template_dir=f"emails/{name}",
        context={
            "name": patient.display_name,
            "url": settings.SITE_URL + path,
            "unsubscribe_url": unsubscribe,
            "settings_url": settings.SITE_URL + reverse("reminder_settings"),
        },
        sms_text=sms,
        in_app_title=title,
        in_app_url=path,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
