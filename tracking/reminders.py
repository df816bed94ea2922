"""Reminders, exactly once, at the patient's own wall-clock time.

How it works (see ARCHITECTURE.md, "Scheduling, exactly once"):
1. Each ReminderSchedule stores `next_due_at` (UTC) and `next_slot` — the local day
   ("practice:2026-03-08") or check-in stage ("checkin:42:open") it is for.
2. `sweep_due_reminders` (beat, every minute) claims due schedules with
   SELECT … FOR UPDATE SKIP LOCKED, inserts one Delivery per (schedule, slot, channel)
   — a unique constraint makes a repeat insert nothing — advances the schedule, commits,
   and only then queues the sends.
3. `deliver` claims a delivery with a conditional UPDATE, re-checks that the patient
   still wants it, sends, and records the outcome; transient failures retry with
   backoff, permanent ones are recorded and shown to admins.
Two sweeps, two beats or two workers at once cannot send a slot twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

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
from tracking.transports import Message, PermanentError, TransientError, transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A reminder that could not go out within this time of its slot is dropped, not sent
# late (a "time to practise" message at 3 a.m. helps nobody).
STALE_AFTER = timedelta(hours=6)
# A delivery claimed this long ago and still not finished belongs to a dead worker.
CLAIM_TIMEOUT = timedelta(minutes=10)
FOLLOWUP_AFTER = timedelta(hours=48)
SEND_CHUNK = 50
# Schedules claimed per sweep transaction: each batch costs a fixed number of queries.
SWEEP_BATCH = 1000
# The next few check-ins a check-in schedule looks at (the next reminder is for one
# of the first ones to open).
PENDING_CHECKINS = 3
_PENDING_CHECKIN = [CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN]
# What the sweep reads of a schedule, its enrollment, patient and preferences (a user
# row is wide, and turning unused columns into Python costs more than the queries).
_SWEEP_COLUMNS = (
    "id",
    "enrollment_id",
    "kind",
    "next_due_at",
    "next_slot",
    "active",
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
_UNSUBSCRIBE_SALT = "painapp.unsubscribe"


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


def _next_checkin(
    enrollment, prefs, *, after: datetime, pending: list[CheckIn] | None = None
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
        pending = list(
            CheckIn.objects.filter(
                enrollment=enrollment,
                status__in=_PENDING_CHECKIN,
                closes_at__gt=after,
            ).order_by("opens_at", "pk")[:PENDING_CHECKINS]
        )
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


def _pending_checkins(enrollment_ids: list[int], *, after: datetime) -> dict[int, list[CheckIn]]:
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
        .only("id", "enrollment_id", "due_date", "opens_at", "closes_at")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("enrollment_id")],
                order_by=[F("opens_at").asc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=PENDING_CHECKINS)
        .order_by("enrollment_id", "opens_at", "pk")
    )
    out: dict[int, list[CheckIn]] = {}
    for checkin in rows:
        out.setdefault(checkin.enrollment_id, []).append(checkin)
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
    sql = f"UPDATE {table} AS s SET {sets} FROM unnest({arrays}) AS v({names}) WHERE s.{pk} = v.v0"  # noqa: S608, E501
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
    pending: list[CheckIn] | None = None,
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
def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery at most once. Returns its status afterwards.

    Raises TransientError (after recording it) when the caller should retry later.
    """
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    delivery = (
        Delivery.objects.select_related(
            "schedule__enrollment__patient",
            "schedule__enrollment__reminder_preferences",
            "schedule__enrollment__practice",
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return "missing"
    if not claimed:
        return delivery.status
    enrollment = delivery.schedule.enrollment
    prefs = getattr(enrollment, "reminder_preferences", None)
    if not (
        _eligible(enrollment, prefs)
        and _channel_still_on(delivery, prefs)
        and _checkin_still_due(delivery)
    ):
        _finish(delivery, Delivery.Status.SKIPPED)
        return Delivery.Status.SKIPPED
    try:
        transport_for(delivery.channel).send(build_message(delivery), delivery)
    except TransientError as error:
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, error=f"gave up: {error}")
            return Delivery.Status.FAILED
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, error=str(error)[:300]
        )
        raise
    except PermanentError as error:
        _finish(delivery, Delivery.Status.FAILED, error=str(error))
        return Delivery.Status.FAILED
    _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
    return Delivery.Status.SENT


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 min … (never a far-future ETA)."""
    return min(30 * 2 ** max(attempts - 1, 0), 900)


def _finish(delivery: Delivery, status: str, *, error: str = "", sent_at=None) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error[:300], sent_at=sent_at
    )
    delivery.status = status


def _channel_still_on(delivery: Delivery, prefs: ReminderPreferences) -> bool:
    return delivery.channel in prefs.channels and _still_wanted(delivery.schedule, prefs)


def _checkin_still_due(delivery: Delivery) -> bool:
    if not delivery.slot.startswith("checkin:"):
        return True
    checkin_id = int(delivery.slot.split(":")[1])
    return CheckIn.objects.filter(
        pk=checkin_id, status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN]
    ).exists()


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
