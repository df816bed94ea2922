"""Turning a patient's wall-clock time into a UTC instant, across DST changes.

Rule (documented in the README and tested):
- Gap (clocks spring forward, the wall time does not exist that day): fire at the
  first valid instant after it, i.e. the moment the clocks jump.
- Fold (clocks fall back, the wall time happens twice): fire at the first occurrence.
- A calendar day the zone skips altogether (a date-line change) gets no reminder.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


def _exists(local: datetime) -> bool:
    """Whether a zone-aware wall time survives a round trip through UTC."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def wall_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of `at` on `day` in `tz`, with the gap and fold rules above."""
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    if _exists(local):
        return local.astimezone(UTC)  # fold=0 is the first occurrence in a fold
    # In a gap. fold=1 reads the wall time with the offset before the jump... whichever
    # reading is earlier, the jump lies between the two readings: find it.
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


@lru_cache(maxsize=4096)  # the sweep asks about the same few days and zones many times
def day_exists(day: date, tz: ZoneInfo) -> bool:
    """Whether the calendar shows `day` at all in `tz`. A zone that moves across the
    date line skips a whole day (Pacific/Apia has no 30 December 2011): its first
    valid instant at or after midnight already belongs to the next day."""
    return wall_to_utc(day, time(0, 0), tz).astimezone(tz).date() == day


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def in_quiet_hours(at: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end  # overnight, e.g. 22:00–07:00


def occurrence_on(
    day: date,
    *,
    at: time,
    tz: ZoneInfo,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
) -> datetime:
    """The instant of `day`'s reminder at wall time `at`: moved to the end of quiet
    hours if `at` falls inside them (the next morning for overnight quiet hours)."""
    fire_at, fire_day = at, day
    if (
        quiet_start is not None
        and quiet_end is not None
        and in_quiet_hours(at, quiet_start, quiet_end)
    ):
        fire_at = quiet_end
        if quiet_start > quiet_end and at >= quiet_start:  # overnight: next morning
            fire_day = day + timedelta(days=1)
    return wall_to_utc(fire_day, fire_at, tz)


def next_occurrence(
    *,
    at: time,
    weekdays: list[int] | None,
    tz: ZoneInfo,
    after: datetime,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
) -> tuple[datetime, date]:
    """The first scheduled instant strictly after `after`, and the local day it belongs to.

    `weekdays` are 0=Monday … 6=Sunday; empty or None means every day. A time inside
    quiet hours moves to the end of quiet hours (still counted as the same day's slot).
    A day that does not exist in `tz` (skipped by a date-line change) has no slot.
    """
    days = set(weekdays or range(7))
    start_day = local_date(after, tz)
    for offset in range(0, 9):
        day = start_day + timedelta(days=offset)
        if day.weekday() not in days or not day_exists(day, tz):
            continue
        instant = occurrence_on(day, at=at, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end)
        if instant > after:
            return instant, day
    raise ValueError("no occurrence found within 9 days")  # unreachable with days non-empty
