"""Reminder schedules: each enrollment's next reminder, at the patient's wall-clock time."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from painapp import edit_version
from programs.models import Enrollment
from tracking import rules
from tracking.models import CheckIn, ReminderPreferences, ReminderSchedule
from tracking.reminders.localtime import (
    in_quiet_hours,
    local_date,
    next_occurrence,
    occurrence_on,
    wall_to_utc,
)

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from painapp.accounts.models import User

logger = logging.getLogger(__name__)

FOLLOWUP_AFTER = timedelta(hours=48)
# The next few check-ins a check-in schedule looks at (the next reminder is for one
# of the first ones to open).
PENDING_CHECKINS = 3
# What the sweep reads of a schedule, its enrollment, patient and preferences (a user
# row is wide, and turning unused columns into Python costs more than the queries).
ENROLLMENT_COLUMNS = (
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


# ---------------------------------------------------------------- preferences
def preferences_for(enrollment: Enrollment) -> ReminderPreferences:
    prefs, _ = ReminderPreferences.objects.get_or_create(
        enrollment=enrollment,
        defaults={"practice_time": enrollment.preferred_practice_time},
    )
    return prefs


def reminder_preferences_save(
    *,
    enrollment: Enrollment,
    prefs: ReminderPreferences,
    edited_from: str | None = None,
    resubscribe: bool = False,
) -> None:
    """Save the patient's reminder settings and recompute their schedules in one
    transaction: a sweep never sees the new settings with the old schedule.

    `edited_from`: the version of the settings the form was filled in from
    (painapp.edit_version, by the saved values of ReminderPreferences.VERSIONED_FIELDS:
    the unsubscribe link changes the row too). If they were saved since (another tab,
    another device, the clinician paused them, an email's unsubscribe link), nothing is
    saved and EditConflict holds the preferences as they are now.

    `resubscribe`: the patient ticked "By email" on a page that showed it unticked
    (ReminderPreferencesForm.resubscribes): only that undoes an unsubscribe. Any other
    save keeps it as it is now."""
    with transaction.atomic():
        if prefs.pk is not None:
            now = ReminderPreferences.objects.select_for_update().filter(pk=prefs.pk).first()
            fields = ReminderPreferences.VERSIONED_FIELDS
            if now is not None and not edit_version.is_current(now, edited_from, fields):
                raise edit_version.EditConflict(now)
            if now is not None:
                prefs.unsubscribed_at = now.unsubscribed_at
        if resubscribe:
            prefs.unsubscribed_at = None
        prefs.save()
        schedules_sync(enrollment=enrollment)


def schedules_sync(*, enrollment: Enrollment, now: datetime | None = None) -> None:
    """Create or recompute the enrollment's schedules from its preferences and the
    patient's time zone as they are now.

    Called by every change of the reminder time, days, quiet hours, time zone or
    check-ins, in the transaction that makes the change. The rule it keeps: **one
    reminder per local day, in the zone in force at that day's reminder time.**

    - The next slot is the first one after `now`, in the zone in force now.
    - A reminder the schedule was still waiting for — today's practice reminder, or
      a check-in stage — is not lost when the change puts its time in the past: it is
      due at once (unless quiet hours hold it past its day).
    - A slot already delivered is never delivered again (the unique delivery). A
      practice slot names its zone, so after a move west the new zone's day gets a
      reminder of its own even if the old zone's reminder of the same date went out.

    The enrollment's schedules are locked first: a sweep claiming them right now
    skips them (SKIP LOCKED) or has committed before they are read, so a change
    never races a claim into a lost or doubled slot.
    """
    now = now or timezone.now()
    with transaction.atomic():
        prefs = preferences_for(enrollment)
        practice, _ = ReminderSchedule.objects.select_for_update().get_or_create(
            enrollment=enrollment, kind=ReminderSchedule.Kind.PRACTICE
        )
        at, day_slot = _owed_today(practice, enrollment, prefs, now) or _next_practice(
            enrollment, prefs, after=now
        )
        practice.next_due_at, practice.next_slot = at, day_slot
        practice.active = prefs.practice_enabled
        practice.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])

        checkin, _ = ReminderSchedule.objects.select_for_update().get_or_create(
            enrollment=enrollment, kind=ReminderSchedule.Kind.CHECKIN
        )
        owed = checkin.next_slot if checkin.active else ""
        due, slot = _next_checkin(enrollment, prefs, after=now, owed=owed)
        checkin.next_due_at, checkin.next_slot = due, slot
        checkin.active = prefs.checkin_enabled and due is not None
        checkin.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])


def schedules_sync_for_patient(*, user: User) -> None:
    """The patient's time zone changed: recompute every schedule they have, in the
    caller's transaction. Registered with accounts (TrackingConfig.ready), which runs
    it on every path that changes a zone, the Django admin included."""
    enrollments = Enrollment.objects.filter(
        patient=user, pk__in=ReminderSchedule.objects.values("enrollment_id")
    )
    for enrollment in enrollments:
        enrollment.patient = user  # the zone just set
        schedules_sync(enrollment=enrollment)


def practice_slot(day: date, tz: ZoneInfo) -> str:
    """The slot of `day`'s practice reminder in `tz`, e.g. "practice:2026-03-08:Europe/London".

    The zone is part of it: a day belongs to the zone in force at its reminder time.
    """
    return f"practice:{day.isoformat()}:{tz.key}"


def slot_day(slot: str) -> date | None:
    """The local day a practice slot is for (None for any other slot)."""
    kind, _, rest = slot.partition(":")
    if kind != ReminderSchedule.Kind.PRACTICE:
        return None
    try:
        return date.fromisoformat(rest[:10])
    except ValueError:
        return None


def _owed_today(
    schedule: ReminderSchedule,
    enrollment: Enrollment,
    prefs: ReminderPreferences,
    now: datetime,
) -> tuple[datetime, str] | None:
    """Today's practice reminder, due now, if the schedule was still waiting for it
    and the change has put today's reminder time in the past (where "the next one
    after now" would skip the day). None otherwise."""
    if not (schedule.active and prefs.practice_enabled):
        return None
    tz = enrollment.patient.tzinfo
    today = local_date(now, tz)
    if slot_day(schedule.next_slot) != today:
        return None  # today's went out already (or the schedule was waiting for another day)
    if today.weekday() not in set(prefs.practice_days or range(7)):
        return None
    quiet_start, quiet_end = prefs.quiet_start, prefs.quiet_end
    if (
        occurrence_on(
            today, at=prefs.practice_time, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end
        )
        > now
    ):
        return None  # still ahead: the usual rule finds it
    at = now
    if quiet_end is not None and in_quiet_hours(now.astimezone(tz).time(), quiet_start, quiet_end):
        at = wall_to_utc(today, quiet_end, tz)
        if at <= now:
            return None  # quiet until tomorrow: today's reminder is not sent late
    return at, practice_slot(today, tz)


def _next_practice(enrollment, prefs, *, after: datetime) -> tuple[datetime, str]:
    tz = enrollment.patient.tzinfo
    instant, day = next_occurrence(
        at=prefs.practice_time,
        weekdays=prefs.practice_days,
        tz=tz,
        after=after,
        quiet_start=prefs.quiet_start,
        quiet_end=prefs.quiet_end,
    )
    return instant, practice_slot(day, tz)


class PendingCheckIn(NamedTuple):
    """What the next check-in reminder is computed from (one scheduled or open check-in)."""

    pk: int
    due_date: date
    opens_at: datetime
    closes_at: datetime


_PENDING_FIELDS = ("pk", "due_date", "opens_at", "closes_at")


def _next_checkin(
    enrollment,
    prefs,
    *,
    after: datetime,
    pending: list[PendingCheckIn] | None = None,
    owed: str = "",
) -> tuple[datetime | None, str]:
    """The next check-in reminder: when one opens (at the practice time on its day),
    and a follow-up 48 hours later if it is still not done.

    `owed` is the slot the schedule was waiting for before a change (schedules_sync):
    if the change put its time in the past, it is due at `after` instead of skipped,
    as long as its check-in is still open.

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
                enrollment=enrollment, status__in=rules.CHECKIN_PENDING, closes_at__gt=after
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
            slot = f"checkin:{checkin.pk}:{stage}"
            if after < at < checkin.closes_at:
                candidates.append((at, slot))
            elif slot == owed and at <= after < checkin.closes_at:
                candidates.append((after, slot))
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
            enrollment_id__in=enrollment_ids, status__in=rules.CHECKIN_PENDING, closes_at__gt=after
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
