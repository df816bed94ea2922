"""The patient's and clinician's records (issue 19): what a PRT session note and a diary
episode must hold, and the gentle practice calendar."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import NamedTuple

# A therapy session note's length, in minutes: the trial's sessions ran about an hour;
# anything from a 5-minute call to a long first visit is accepted.
SESSION_MINUTES_MIN, SESSION_MINUTES_MAX = 5, 240


# A session note's date: not in the future, and not long before the enrollment. An
# intake or assessment visit before the patient was invited is real (PRT begins with an
# evaluation, and the invitation may follow it by weeks); 90 days covers a first visit
# and a wait for a place. Earlier than that is a typo in the year (1990 for 2026).
SESSION_BEFORE_ENROLLMENT_DAYS = 90


def session_anchor_date(*, started_on: date, enrolled_on: date) -> date:
    """The day a session note's earliest date counts back from: the earlier of the
    program's start (the "started" on the patient's page; an invitation may back-date
    it) and the day the enrollment was made (the author's date; a start may be set
    months ahead, and the first visit is before it)."""
    return min(started_on, enrolled_on)


def session_earliest_date(*, started_on: date, enrolled_on: date) -> date:
    """The first date a session note of this enrollment may have: SESSION_BEFORE_
    ENROLLMENT_DAYS before `session_anchor_date`."""
    anchor = session_anchor_date(started_on=started_on, enrolled_on=enrolled_on)
    return anchor - timedelta(days=SESSION_BEFORE_ENROLLMENT_DAYS)


def session_date_problem(
    session_date: date, *, started_on: date, enrolled_on: date, today: date
) -> str:
    """A session date's problem: "future", "before_enrollment", or "" when it is fine.
    Both ends are allowed (today, and the earliest date itself)."""
    if session_date > today:
        return "future"
    if session_date < session_earliest_date(started_on=started_on, enrolled_on=enrolled_on):
        return "before_enrollment"
    return ""


def session_risk_review_problem(identified: bool, actions: Collection[str]) -> str:
    """What is wrong with a session's risk review, as a key ("" when it is complete):
    a risk identified needs at least one thing done about it ("no_action"); actions
    without a risk identified contradict it ("actions_without_risk")."""
    if identified and not actions:
        return "no_action"
    if not identified and actions:
        return "actions_without_risk"
    return ""


# A diary episode happened in the past: a few minutes ahead of the server's clock is a
# phone's clock being off, not a future episode; older than a year is a typo in the year.
DIARY_FUTURE_SLACK = timedelta(minutes=10)
DIARY_OLDEST = timedelta(days=366)


def diary_time_problem(occurred_at: datetime, now: datetime) -> str:
    """An episode time's problem: "future", "too_old", or "" when it is fine."""
    if occurred_at > now + DIARY_FUTURE_SLACK:
        return "future"
    if occurred_at < now - DIARY_OLDEST:
        return "too_old"
    return ""


# ---------------------------------------------------------------- practice calendar
# The patient's gentle calendar on their progress page (issue 19): the days they
# practised in the last few calendar weeks, on their own dates. It counts days and
# nothing else: no streak, no "missed" day, no target (outcome independence,
# PRT_NOTES.md: practice "works" whatever happens, and a day off is not a failure).
PRACTICE_CALENDAR_WEEKS = 4


class CalendarDay(NamedTuple):
    day: date
    practised: bool
    future: bool  # after the patient's today: not lived yet, shown blank


def practice_calendar(
    practised: Collection[date], today: date, *, weeks: int = PRACTICE_CALENDAR_WEEKS
) -> list[list[CalendarDay]]:
    """`weeks` calendar weeks, Monday first, the last one the week of `today` (the
    patient's own date: enrollment.local_date), each day marked practised or not."""
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    return [
        [
            CalendarDay(day, day in practised, day > today)
            for day in (first + timedelta(days=7 * week + n) for n in range(7))
        ]
        for week in range(weeks)
    ]


def practised_days(calendar: Sequence[Sequence[CalendarDay]]) -> int:
    """How many days of the calendar had practice (a count, never a streak)."""
    return sum(1 for week in calendar for day in week if day.practised)
