"""Alert due times, counted in the practice's working time."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

# ====================================================================== alert due times
# Every alert has a due time: when a person must have acknowledged it. It is the
# practice's response time for the alert's severity (PracticeSettings.response_minutes_*)
# counted in WORKING time: only minutes inside the practice's working hours, on its
# working days, in its time zone, count. An alert raised outside working hours starts
# its clock at the next opening.
#
# URGENT alerts count working time too, deliberately: painapp is not watched around the
# clock, and a chain that "escalates" to people asleep at 3 a.m. only looks like cover.
# The clinician is still told at once (by email) whatever the hour; what waits
# for working hours is the clock that moves the alert up the chain. The patient is told
# exactly this (tracking.safety.copy) together with the emergency numbers to call now. A
# practice that does staff round the clock says so with every day and 00:00–00:00 hours,
# and then the clock is the wall clock.
#
# Each escalation step gets the same response time again, counted in working time from
# the moment it escalated.
#
# An URGENT alert's step time is the shorter of the practice's urgent response time and
# its "move an urgent alert up the chain after" setting (PracticeSettings.
# escalation_minutes), both counted in working time like every other clock here
# (`step_minutes`): the setting can only bring escalation sooner, never later than the
# response time the practice promises. Other severities use their response time alone.
#
# How late an alert is, though, is always counted from its FIRST due time (the alert's
# `first_due_at`), never from the current step's: an alert raised weeks ago that has
# climbed the chain is weeks overdue, and the current step's due time is only when it
# moves up next ("next escalation in 8 hours"). See `alert_clock` below.
#
# Acknowledging an alert stops that clock but starts another: the alert must be
# resolved (a documented contact with the patient) by its RESOLVE time, the practice's
# response time for its severity again, counted in working time from the moment it was
# acknowledged (urgent: 1 working hour by default; high: 1 working day; routine: 3).
# Not resolved by then, the escalation chain is told, as for an alert nobody saw
# (tracking.alerts.resolve_clock), so an alert acknowledged by someone who then went on
# leave is never left with nobody. The chain is told once per deadline: a contact attempt
# recorded after it was told ("we could not reach them") starts a new resolve time, the
# same length from the attempt (`resolve_clock_after_attempt`), and that deadline missed
# tells the chain again. The loop runs until a person reaches the patient or hands the
# risk on; an attempt before the chain was told leaves the running clock alone.
#
# An alert acknowledged after its FIRST due time was acknowledged late, and stays so:
# the resolve clock then runs as for any acknowledged alert, but the alert page and the
# inbox keep saying how late the acknowledgement came ("Acknowledged 6 days after it was
# due"), so acknowledging never hides that an alert sat unseen (`AlertClock.
# acknowledged_late_since`).
RESOLVE_RESPONSE_TIMES = 1
"""How many of its severity's response times an acknowledged alert has to be resolved."""
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MAX_DAYS_AHEAD = 3700  # ten years: a bound on the walk, never reached by a real schedule


def step_minutes(*, response_minutes: int, urgent: bool, escalation_minutes: int) -> int:
    """How many working minutes one step of the chain has to acknowledge an alert before
    it moves up (see above): its severity's response time, or for an URGENT alert the
    practice's escalation setting when that is shorter. The one rule for every due time
    (tracking.alerts.due.due_time), so every "when" said about an alert agrees."""
    if urgent:
        return min(response_minutes, escalation_minutes)
    return response_minutes


def wall_time_to_utc(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`. A wall time in a
    spring-forward gap is the moment the clocks jump; one in a fall-back fold is its
    first occurrence (as for reminders)."""
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) == local.replace(tzinfo=None):
        return local.astimezone(UTC)
    a = local.astimezone(UTC)
    b = local.replace(fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    offset_before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == offset_before:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def working_windows(
    start: datetime,
    *,
    tz: tzinfo,
    day_start: time,
    day_end: time,
    working_days: Collection[int],
) -> Iterable[tuple[datetime, datetime]]:
    """The practice's working periods (UTC start, UTC end), in order, from the one that
    contains or follows `start`. A period opens at `day_start` on a working day (0=Monday)
    and closes at `day_end` the same day, or the next day when `day_end` is not after
    `day_start` (overnight cover; equal times mean the whole day)."""
    day = start.astimezone(tz).date() - timedelta(days=1)  # yesterday's overnight period
    for _ in range(_MAX_DAYS_AHEAD):
        if day.weekday() in working_days:
            opens = wall_time_to_utc(day, day_start, tz)
            closes_on = day if day_end > day_start else day + timedelta(days=1)
            closes = wall_time_to_utc(closes_on, day_end, tz)
            if closes > start and closes > opens:
                yield max(opens, start), closes
        day += timedelta(days=1)


def working_deadline(
    start: datetime,
    minutes: int,
    *,
    tz: tzinfo,
    day_start: time,
    day_end: time,
    working_days: Collection[int],
) -> datetime:
    """`start` plus `minutes` of working time (see above). Minutes are real elapsed
    minutes: a working period that spans a clock change counts the hours that really
    passed. With no working days at all the clock is the wall clock (a practice must
    not be able to switch escalation off by leaving the days empty)."""
    start = start.astimezone(UTC)
    days = {d for d in working_days if 0 <= d <= 6}
    if not days:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=max(minutes, 0))
    last_open = start
    for opens, closes in working_windows(
        start, tz=tz, day_start=day_start, day_end=day_end, working_days=days
    ):
        last_open = opens
        if opens + left <= closes:
            return opens + left
        left -= closes - opens
    return last_open + left  # not reached: bounded walk


def resolve_deadline(
    acknowledged_at: datetime,
    response_minutes: int,
    *,
    tz: tzinfo,
    day_start: time,
    day_end: time,
    working_days: Collection[int],
) -> datetime:
    """When an alert acknowledged at `acknowledged_at` must be resolved (see above):
    RESOLVE_RESPONSE_TIMES times its severity's response time, in working time."""
    return working_deadline(
        acknowledged_at,
        response_minutes * RESOLVE_RESPONSE_TIMES,
        tz=tz,
        day_start=day_start,
        day_end=day_end,
        working_days=working_days,
    )


@dataclass(frozen=True)
class ResolveClock:
    """An acknowledged alert's resolve clock after a contact attempt."""

    resolve_by: datetime
    rearmed: bool
    """The chain had been told of the missed deadline: it may be told again, at the new
    `resolve_by` (the alert's `resolve_escalated_at` is cleared)."""


def resolve_clock_after_attempt(
    *, resolve_by: datetime | None, chain_told: bool, next_resolve_by: datetime
) -> ResolveClock:
    """The resolve clock after "we could not reach them" on an acknowledged alert (see
    above). `chain_told`: the chain was told its resolve time passed; `next_resolve_by`:
    `resolve_deadline` counted from the attempt. Not told yet, the running clock keeps
    running (past already, the sweep tells the chain within the minute); told, it starts
    again from the attempt, so the next missed deadline tells the chain again."""
    if chain_told or resolve_by is None:
        return ResolveClock(resolve_by=next_resolve_by, rearmed=chain_told)
    return ResolveClock(resolve_by=resolve_by, rearmed=False)


@dataclass(frozen=True)
class AlertClock:
    """Where an alert not yet resolved stands against its deadlines, at one moment."""

    deadline: datetime | None
    """What the alert is late against: while open, its FIRST due time (to acknowledge);
    once acknowledged, its resolve time. None: no deadline is known (an old row)."""
    overdue: bool
    """The deadline has passed. The inbox lists these first, longest overdue first."""
    next_escalation_at: datetime | None
    """While open: when the current escalation step's time is up and the alert moves
    further up the chain, when that is not the deadline itself (it has escalated: it
    was overdue, or its clinician could not be reached). None when the deadline is that
    moment, the time has passed (the sweep moves it any minute), it has nowhere left to
    go, or it is acknowledged."""
    acknowledged_late_since: datetime | None = None
    """Acknowledged after its first due time: that due time (how late the
    acknowledgement came is counted from it to `acknowledged_at`). None: acknowledged in
    time, not acknowledged, or no due time known."""


def alert_clock(
    *,
    acknowledged: bool,
    first_due_at: datetime | None,
    due_at: datetime | None,
    resolve_by: datetime | None,
    chain_exhausted: bool,
    now: datetime,
    acknowledged_at: datetime | None = None,
) -> AlertClock:
    """How late an alert not yet resolved is at `now` (see "How late" above).

    Open: late against its first due time (`first_due_at`; a row from before it was kept
    falls back to `due_at`, the only due time it has). Every escalation step gives the
    next people a fresh due time (`due_at`), but that is when it escalates next, not a
    new deadline: an alert raised in October is still "overdue since October".
    Acknowledged: acknowledging met the first deadline, and the alert is late against
    its resolve time (`resolve_by`, resolve_deadline) instead; acknowledged after its
    first due time, it says so (`acknowledged_late_since`)."""
    deadline = first_due_at or due_at
    if acknowledged:
        late = deadline is not None and acknowledged_at is not None and acknowledged_at > deadline
        return AlertClock(
            deadline=resolve_by,
            overdue=resolve_by is not None and resolve_by <= now,
            next_escalation_at=None,
            acknowledged_late_since=deadline if late else None,
        )
    overdue = deadline is not None and deadline <= now
    moves_next = (
        not chain_exhausted
        and due_at is not None
        and due_at > now
        and (overdue or due_at != deadline)
    )
    return AlertClock(
        deadline=deadline,
        overdue=overdue,
        next_escalation_at=due_at if moves_next else None,
    )


class DueWhen(StrEnum):
    """How a deadline is said to the person reading it (tracking.alerts.wording.
    due_phrase): every "when" about an alert, in the email, the inbox, the alert page
    and the patient's page, comes from the alert's actual deadline through this."""

    OVERDUE = "overdue"  # "now — overdue since Tue 8 Dec 2026, 10:00"
    TODAY = "today"  # "today by 17:30": the reader's own calendar day
    LATER = "later"  # "by Tue 8 Dec 2026, 10:00": any later day, weekday and date named


def due_when(deadline: datetime, *, now: datetime, tz: tzinfo) -> DueWhen:
    """`deadline` as seen at `now` by a reader in `tz`: passed (or this very moment),
    later on the reader's today, or on a later day (never "today" for a time that is
    tomorrow in the reader's zone, whatever UTC says)."""
    if deadline <= now:
        return DueWhen.OVERDUE
    if deadline.astimezone(tz).date() == now.astimezone(tz).date():
        return DueWhen.TODAY
    return DueWhen.LATER
