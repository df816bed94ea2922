"""Reminder schedules: each enrollment's next reminder, at the patient's wall-clock time."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from programs.models import Enrollment
from tracking import rules
from tracking.models import CheckIn, ReminderPreferences, ReminderSchedule
from tracking.reminders.localtime import in_quiet_hours, next_occurrence, wall_to_utc

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


