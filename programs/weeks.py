"""Program time: which week a patient is in, and when each week opens.

Pure arithmetic on dates, with no model, no query and no clock, so the same rule
serves `Enrollment`'s methods (programs), the clinician's screens and reports
(tracking, which re-exports these from `tracking.rules`, the home of every clinical
rule), and a selector holding numbers from a SQL row. It lives in `programs` because
program time is the program's, and `programs` may not import `tracking` (the
import-linter contract `tracking -> programs -> painapp.accounts`).

Standard library only: tests/test_rules.py holds the table tests.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, tzinfo

DAYS_PER_WEEK = 7
"""Program weeks are 7 of the patient's own calendar days. Week N opens at the
patient's local midnight of start_date + 7·(N−1) days, pushed back one day for every
day spent paused (Enrollment's docstring)."""


def local_date(at: datetime, tz: tzinfo) -> date:
    """The date it is at instant `at` where the patient lives (their IANA zone), as
    Enrollment.local_date reads it: a day begins at local midnight, whatever daylight
    saving did to that night. A naive `at` is refused, as Django's localtime does."""
    if at.utcoffset() is None:
        raise ValueError("local_date() needs an aware datetime")
    return at.astimezone(tz).date()


def days_paused(*, today: date, paused_days: int = 0, paused_on: date | None = None) -> int:
    """Every day spent paused up to `today` (the patient's local date): the pauses
    already over (`paused_days`) and, while paused, the days since `paused_on` (none if
    `paused_on` is after `today`). What a pause adds to `paused_days` when it ends."""
    if paused_on is None:
        return paused_days
    return paused_days + max(0, (today - paused_on).days)


def program_days_elapsed(
    *, start_date: date, today: date, paused_days: int = 0, paused_on: date | None = None
) -> int:
    """Days of program time from the start date to `today` (the patient's local date),
    not counting paused days (`days_paused`). Negative before the start."""
    paused = days_paused(today=today, paused_days=paused_days, paused_on=paused_on)
    return (today - start_date).days - paused


def calendar_week(*, days_elapsed: int, week_count: int) -> int:
    """The week the calendar has reached after `days_elapsed` days of program time: 0
    before the start, 1 during the first 7 days, and never past the last week
    (`week_count`). Also the outcomes report's "active weeks" of one patient."""
    if days_elapsed < 0:
        return 0
    return min(days_elapsed // DAYS_PER_WEEK + 1, week_count)


def current_week(
    *,
    start_date: date,
    today: date,
    week_count: int,
    paused_days: int = 0,
    paused_on: date | None = None,
    unlocked_through_week: int = 0,
) -> int:
    """The patient's current program week: the highest open week.

    By the calendar (`calendar_week`: 0 before the start, paused days not counted,
    capped at the last week), or later if the clinician opened weeks early
    (`unlocked_through_week`), never past `week_count`. `today` is the patient's local
    date (`local_date`), so the week turns at their midnight. Read by the Today page,
    the program map, the caseload's week column and sort, the patient overview (and
    which weeks can still be unlocked), and practice logging.
    """
    days = program_days_elapsed(
        start_date=start_date, today=today, paused_days=paused_days, paused_on=paused_on
    )
    by_calendar = calendar_week(days_elapsed=days, week_count=week_count)
    return min(max(by_calendar, unlocked_through_week), week_count)


def week_opens_on(
    number: int,
    *,
    start_date: date,
    today: date,
    paused_days: int = 0,
    paused_on: date | None = None,
) -> date:
    """The patient's local date week `number` opens by the calendar, if no more pauses
    happen: start_date + 7·(number−1) days, plus every paused day up to `today`. The
    check-in schedule puts each weekly check-in on this week's check-in day."""
    shift = days_paused(today=today, paused_days=paused_days, paused_on=paused_on)
    return start_date + timedelta(days=DAYS_PER_WEEK * (number - 1) + shift)


def practice_week_starts_on(
    *, start_date: date, today: date, paused_days: int = 0, paused_on: date | None = None
) -> date:
    """The local date the patient's current 7-day practice week began, for Today's
    "practice this week": weeks run from the day week 1 opens (moved on by pauses, as
    `week_opens_on`) and keep running after the program's last week; a week the
    clinician unlocked early does not move it. Before the start: today."""
    first = week_opens_on(
        1, start_date=start_date, today=today, paused_days=paused_days, paused_on=paused_on
    )
    if today < first:
        return today
    return first + timedelta(days=DAYS_PER_WEEK * ((today - first).days // DAYS_PER_WEEK))


def week_of(start_date: date, day: date) -> int:
    """The program week a local date falls in, counted in whole 7-day weeks from the
    start date: 1 for the start date and the 6 days after it, 0 for the week before,
    and on past the program's last week. Pauses do NOT move it (unlike `current_week`):
    the practice and mind-brain charts, the practice log and the measurements export
    file each dated entry under the calendar week it happened in."""
    return (day - start_date).days // DAYS_PER_WEEK + 1


def weeks_so_far(*, start_date: date, today: date, week_count: int) -> int:
    """How many program weeks the practice charts show: up to the week `today` falls
    in (`week_of`, pauses not counted), at least 1 and at most `week_count`."""
    return max(1, min(week_count, week_of(start_date, today)))


# ---------------------------------------------------------------- after the last week
def program_ends_on(
    *,
    start_date: date,
    today: date,
    week_count: int,
    paused_days: int = 0,
    paused_on: date | None = None,
) -> date:
    """The patient's local date the program is over: the day after its last week ends
    (the day the end-of-program check-in is due, tracking.checkins.schedule), moved on
    by every paused day as `week_opens_on` is."""
    last = week_opens_on(
        week_count, start_date=start_date, today=today, paused_days=paused_days, paused_on=paused_on
    )
    return last + timedelta(days=DAYS_PER_WEEK)


def past_end(
    *,
    start_date: date,
    today: date,
    week_count: int,
    paused_days: int = 0,
    paused_on: date | None = None,
) -> bool:
    """Whether the calendar has taken the patient past the program's last week:
    `today` (their local date) is on or after `program_ends_on`, i.e. at least
    7·`week_count` days of program time have gone by. The one definition of "the
    program is over" (the booster card and Today's "you have finished", through
    programs.boosters.selectors.program_is_over) and of "keeping the calendar would
    put the patient past the new program's end" (a program switch refuses that:
    programs.tailoring.switching.enrollment_switch_program). `current_week` caps at
    the last week, so it cannot tell these apart: week 4 of 4 may be over."""
    return today >= program_ends_on(
        start_date=start_date,
        today=today,
        week_count=week_count,
        paused_days=paused_days,
        paused_on=paused_on,
    )


def last_week_start_date(*, today: date, week_count: int) -> date:
    """The start date that makes the program's last week open on `today` (with no
    paused days): a program switch that places the patient at the start of the new
    program's last week."""
    return today - timedelta(days=DAYS_PER_WEEK * (week_count - 1))


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day (31 January
    + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def booster_opens_on(*, ends_on: date, month: int) -> date:
    """The local date the booster of month `month` after the program opens: month 1 on
    the day the program ends (`program_ends_on`), month 2 one calendar month later, and
    so on (month 12 eleven months after the end, a few days before the 12-month
    check-in). One a month at most: never a daily task, nothing to keep up."""
    if month < 1:
        raise ValueError("Boosters are numbered from month 1.")
    return add_months(ends_on, month - 1)


# ---------------------------------------------------------------- start dates
# An enrollment's start date, wherever an admin sets it (the invitation, the bulk
# import): up to a year back (a patient seen before the app was set up), up to about six
# months ahead (an invitation sent early for a planned start). Further either way is a
# typo in the year: a start years back opens the whole program at once, and one years
# ahead leaves the patient with nothing to do and no check-in.
START_MAX_DAYS_BACK = 365
START_MAX_DAYS_AHEAD = 183  # about six months


def earliest_unfinished_start(*, today: date, program_weeks: int) -> date:
    """The earliest start for which a `program_weeks`-week program is not yet over
    today (today is then its last day)."""
    return today - timedelta(days=7 * program_weeks - 1)


def start_date_problem(start: date, *, today: date, program_weeks: int | None = None) -> str:
    """A new start date's problem: "too_old", "already_over" (a program of
    `program_weeks` weeks started then would have ended), "too_far_ahead", or "" when it
    is fine. Both limits are allowed (exactly a year back, exactly START_MAX_DAYS_AHEAD
    ahead, the program's last day today)."""
    if start < today - timedelta(days=START_MAX_DAYS_BACK):
        return "too_old"
    if program_weeks and start < earliest_unfinished_start(
        today=today, program_weeks=program_weeks
    ):
        return "already_over"
    if start > today + timedelta(days=START_MAX_DAYS_AHEAD):
        return "too_far_ahead"
    return ""


def date_needs_year(day: date, *, today: date) -> bool:
    """Whether a date told to the patient needs its year to be clear ("Monday 1
    January" could be any year): when it is not in this year, or more than about six
    months away either way."""
    return day.year != today.year or abs((day - today).days) > START_MAX_DAYS_AHEAD
