"""Wall-clock reminders across DST: gap → first valid instant after; fold → first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from tracking.reminders.localtime import next_occurrence, wall_to_utc

NY, BERLIN, SYDNEY = (
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("Australia/Sydney"),
)


def test_new_york_spring_gap_fires_when_the_clocks_jump():
    # 8 Mar 2026: 02:00 EST → 03:00 EDT. 02:30 does not exist.
    assert wall_to_utc(date(2026, 3, 8), time(2, 30), NY) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_new_york_autumn_fold_fires_on_the_first_occurrence():
    # 1 Nov 2026: 02:00 EDT → 01:00 EST. 01:30 happens twice; take EDT (UTC-4).
    assert wall_to_utc(date(2026, 11, 1), time(1, 30), NY) == datetime(
        2026, 11, 1, 5, 30, tzinfo=UTC
    )


def test_berlin_both_transitions():
    # 29 Mar 2026: 02:00 CET → 03:00 CEST; 25 Oct 2026: 03:00 CEST → 02:00 CET
    assert wall_to_utc(date(2026, 3, 29), time(2, 15), BERLIN) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )
    assert wall_to_utc(date(2026, 10, 25), time(2, 15), BERLIN) == datetime(
        2026, 10, 25, 0, 15, tzinfo=UTC
    )


def test_sydney_both_transitions():
    # 5 Apr 2026: 03:00 AEDT → 02:00 AEST (fold); 4 Oct 2026: 02:00 AEST → 03:00 AEDT (gap)
    assert wall_to_utc(date(2026, 4, 5), time(2, 30), SYDNEY) == datetime(
        2026, 4, 4, 15, 30, tzinfo=UTC
    )
    assert wall_to_utc(date(2026, 10, 4), time(2, 30), SYDNEY) == datetime(
        2026, 10, 3, 16, 0, tzinfo=UTC
    )


def test_ordinary_days_keep_their_wall_time_either_side_of_a_change():
    for day in (date(2026, 3, 7), date(2026, 3, 9)):
        instant = wall_to_utc(day, time(9, 0), NY)
        assert instant.astimezone(NY).time() == time(9, 0)


def test_next_occurrence_respects_weekdays_and_quiet_hours():
    after = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday
    instant, day = next_occurrence(at=time(9, 0), weekdays=[2], tz=BERLIN, after=after)
    assert day == date(2026, 6, 3) and instant.astimezone(BERLIN).time() == time(9, 0)
    instant, day = next_occurrence(
        at=time(6, 30),
        weekdays=None,
        tz=BERLIN,
        after=after,
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
    )
    assert day == date(2026, 6, 2)
    assert instant.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 6, 2, 7, 0)


ZONES = sorted(
    z
    for z in available_timezones()
    if z.startswith(("America/", "Europe/", "Australia/", "Asia/", "Pacific/", "Africa/"))
)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 1)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
)
def test_exactly_one_reminder_per_scheduled_local_day(zone, start, hour, minute):
    """Walking next_occurrence forward for 40 days gives each local day exactly once,
    at its wall time, or (in a gap) within the hour after it."""
    tz = ZoneInfo(zone)
    at = time(hour, minute)
    cursor = wall_to_utc(start, time(0, 0), tz) - timedelta(seconds=1)
    seen = []
    for _ in range(40):
        instant, day = next_occurrence(at=at, weekdays=None, tz=tz, after=cursor)
        assert instant > cursor
        local = instant.astimezone(tz)
        wall = datetime.combine(day, at)
        drift = local.replace(tzinfo=None) - wall
        assert local.date() == day or drift > timedelta(0)
        assert timedelta(0) <= drift <= timedelta(hours=1), (zone, day, at, local)
        seen.append(day)
        cursor = instant
    assert seen == [start + timedelta(days=n) for n in range(40)]


APIA = ZoneInfo("Pacific/Apia")


def test_a_calendar_day_that_does_not_exist_gets_no_reminder():
    # Samoa crossed the date line: 29 Dec 2011 23:59:59 (UTC-10) was followed by
    # 31 Dec 2011 00:00 (UTC+14). The 30th never happened there.
    cursor = wall_to_utc(date(2011, 12, 29), time(0, 0), APIA)
    seen = []
    for _ in range(3):
        instant, day = next_occurrence(at=time(9, 0), weekdays=None, tz=APIA, after=cursor)
        seen.append((day, instant.astimezone(APIA).replace(tzinfo=None)))
        cursor = instant
    assert seen == [
        (date(2011, 12, 29), datetime(2011, 12, 29, 9, 0)),
        (date(2011, 12, 31), datetime(2011, 12, 31, 9, 0)),
        (date(2012, 1, 1), datetime(2012, 1, 1, 9, 0)),
    ]


def test_a_day_whose_midnight_is_skipped_still_exists():
    # Havana springs forward at midnight (8 Mar 2026: 00:00 → 01:00): the day is there,
    # its 00:30 reminder fires when the clocks jump.
    havana = ZoneInfo("America/Havana")
    cursor = wall_to_utc(date(2026, 3, 7), time(12, 0), havana)
    instant, day = next_occurrence(at=time(0, 30), weekdays=None, tz=havana, after=cursor)
    assert day == date(2026, 3, 8)
    assert instant.astimezone(havana).replace(tzinfo=None) == datetime(2026, 3, 8, 1, 0)
