"""The rule, end to end through the minute sweep: one reminder per local day in the
zone in force at that day's reminder time — including a day the calendar skips."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Min

from painapp.accounts.models import Role
from tests.factories import make_enrollment, make_member
from tracking.models import Delivery, ReminderSchedule
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders


def sweep_every(minutes: int, start: datetime, end: datetime) -> None:
    """The minute sweep from start to end (stretches where nothing is due skipped:
    a sweep with nothing due changes nothing)."""
    now = start
    while now <= end:
        sweep_due_reminders(now)
        upcoming = ReminderSchedule.objects.filter(active=True).aggregate(at=Min("next_due_at"))[
            "at"
        ]
        now = max(now + timedelta(minutes=minutes), upcoming or end + timedelta(minutes=1))


def test_the_day_samoa_skipped_gets_no_reminder_and_the_next_day_one(cast, program_version):
    apia = ZoneInfo("Pacific/Apia")
    patient = make_member(cast.practice, Role.PATIENT, "apia@example.org", tz="Pacific/Apia")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.in_app_enabled = time(9, 0), False
    prefs.save()
    start = datetime(2011, 12, 28, 12, tzinfo=apia)
    schedules_sync(enrollment=enrollment, now=start.astimezone(UTC))
    sweep_every(15, start.astimezone(UTC), datetime(2012, 1, 2, 12, tzinfo=apia).astimezone(UTC))
    fired = [
        due.astimezone(apia).replace(tzinfo=None)
        for due in Delivery.objects.order_by("due_at").values_list("due_at", flat=True)
    ]
    # 30 December 2011 never happened in Samoa (29 Dec, UTC-10, was followed by 31 Dec,
    # UTC+14): no reminder for it, and the 31st gets its own one, once.
    assert fired == [datetime(2011, 12, d, 9, 0) for d in (29, 31)] + [
        datetime(2012, 1, d, 9, 0) for d in (1, 2)
    ]
