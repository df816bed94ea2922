"""The clinical rules (the `tracking.rules` package), each against hand-worked cases.

Every expected value below was worked out by hand from the rule's definition in
PRT_NOTES.md, not computed by the code under test. Edge values come first in each
table: the exact thresholds, missing scores, a zero baseline, week boundaries at local
midnight on daylight-saving days, exactly-at-the-boundary check-in windows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from painapp.accounts.models import User
from programs.models import Enrollment, EnrollmentStatus
from tracking import rules
from tracking.instruments import shipped
from tracking.models import CheckIn, PracticeSettings

NEW_YORK = ZoneInfo("America/New_York")
# Cuba moves its clocks at midnight: on 8 March 2026 local midnight never happens
# (00:00 CST → 01:00 CDT) and on 1 November 2026 00:00–01:00 happens twice.
HAVANA = ZoneInfo("America/Havana")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ====================================================================== pain-free
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, True),
        (1, True),  # the top of the trial's 0–1 range
        (1.0, True),  # as the summary stores it
        (Fraction(1), True),
        (1.5, False),  # only reachable with a practice's own averaged item
        (2, False),
        (10, False),
        (None, False),  # no answer is not pain-free (the trial's rule too)
    ],
)
def test_it_tells_pain_free_or_nearly(score, expected):
    assert rules.is_pain_free_or_nearly(score) is expected


# ====================================================================== real improvement
# baseline, now → by 2+ points, by 30%+, real improvement, points shown, percent shown
IMPROVEMENT_CASES = [
    # The two thresholds exactly.
    (10, 7, True, True, True, 3, 30),  # 30% of 10 is exactly 3
    (10, 8, True, False, True, 2, 20),  # 2 points exactly, only 20%
    (3, 2, False, True, True, 1, 33),  # 1 point is 33% of 3
    (4, 3, False, False, False, 1, 25),  # 1 point is 25% of 4: not enough
    (7, 5, True, False, True, 2, 29),  # 2/7 = 28.6%: by points only
    (7, 6, False, False, False, 1, 14),
    (10, 9, False, False, False, 1, 10),
    (5, 4, False, False, False, 1, 20),
    (2, 1, False, True, True, 1, 50),
    (1, 0, False, True, True, 1, 100),  # and pain-free
    # No change, or worse.
    (6, 6, False, False, False, 0, 0),
    (6, 8, False, False, False, -2, -33),  # up 2 points is not an improvement
    # Half a percent rounds to even, as round() did: 12.5% shows as 12%.
    (8, 7, False, False, False, 1, 12),
    (8, 9, False, False, False, -1, -12),
    # Baseline 0: nothing to fall from; no percent of zero.
    (0, 0, False, False, False, 0, None),
    (0, 3, False, False, False, -3, None),
    # A missing score: nothing to compare.
    (None, 5, False, False, False, None, None),
    (5, None, False, False, False, None, None),
    (None, None, False, False, False, None, None),
    # Floats, as EnrollmentSummary keeps them, give the same answers.
    (10.0, 7.0, True, True, True, 3.0, 30),
    (10.0, 8.0, True, False, True, 2.0, 20),
    # Non-whole scores (a practice's own averaged item): still exact.
    (5, 3.5, False, True, True, 1.5, 30),  # 1.5 is exactly 30% of 5
    (5, 3.6, False, False, False, 1.4, 28),
    (7, 4.9, True, True, True, 7 - 4.9, 30),  # 2.1 is exactly 30% of 7 (floats said 29.99…)
    (8.2, 6.2, True, False, True, 8.2 - 6.2, 24),  # exactly 2 points (floats said 1.99…)
    (2.7, 1.9, False, False, False, 2.7 - 1.9, 30),  # 29.6% is shown as 30% yet is not 30%
    (Fraction(13, 2), Fraction(91, 20), False, True, True, Fraction(39, 20), 30),
]


@pytest.mark.parametrize(
    ("baseline", "now", "by_points", "by_percent", "real", "points", "percent"), IMPROVEMENT_CASES
)
def test_it_judges_a_real_improvement(baseline, now, by_points, by_percent, real, points, percent):
    assert rules.improved_by_points(baseline, now) is by_points
    assert rules.improved_by_percent(baseline, now) is by_percent
    assert rules.is_real_improvement(baseline, now) is real
    assert rules.change_points(baseline, now) == points
    assert rules.change_percent(baseline, now) == percent


def test_it_shows_the_change_in_the_scores_own_type():
    # The screens format points as whole numbers or with one decimal: an int stays an
    # int, a float a float.
    assert type(rules.change_points(7, 5)) is int
    assert type(rules.change_points(7.0, 5.0)) is float


# ====================================================================== program weeks
START = date(2026, 3, 2)  # a Monday


def days(n: int) -> date:
    return START + timedelta(days=n)


# today, paused_days, paused_on, unlocked_through_week, week_count → current week
WEEK_CASES = [
    pytest.param(days(-1), 0, None, 0, 8, 0, id="the day before the start"),
    pytest.param(days(-30), 0, None, 0, 8, 0, id="long before the start"),
    pytest.param(days(0), 0, None, 0, 8, 1, id="the start date"),
    pytest.param(days(6), 0, None, 0, 8, 1, id="the last day of week 1"),
    pytest.param(days(7), 0, None, 0, 8, 2, id="the first day of week 2"),
    pytest.param(days(7 * 7 + 6), 0, None, 0, 8, 8, id="the last day of the last week"),
    pytest.param(days(7 * 8), 0, None, 0, 8, 8, id="the day after the program: still 8"),
    pytest.param(days(400), 0, None, 0, 8, 8, id="a year later: still 8"),
    # Paused days push every week back.
    pytest.param(days(9), 3, None, 0, 8, 1, id="3 days paused: day 9 is day 6"),
    pytest.param(days(10), 3, None, 0, 8, 2, id="3 days paused: day 10 is day 7"),
    pytest.param(days(2), 5, None, 0, 8, 0, id="more paused days than days: before start"),
    # Paused now: the days since paused_on do not count either.
    pytest.param(days(20), 0, days(5), 0, 8, 1, id="paused on day 5, 15 days ago"),
    pytest.param(days(20), 4, days(12), 0, 8, 2, id="earlier pause plus this one"),
    pytest.param(days(20), 0, days(20), 0, 8, 3, id="paused today: nothing lost yet"),
    pytest.param(days(20), 0, days(25), 0, 8, 3, id="a pause dated later counts nothing"),
    # The clinician opened weeks early.
    pytest.param(days(8), 0, None, 4, 8, 4, id="unlocked through week 4 in week 2"),
    pytest.param(days(30), 0, None, 2, 8, 5, id="the calendar passed the unlocked week"),
    pytest.param(days(-3), 0, None, 1, 8, 1, id="week 1 unlocked before the start"),
    pytest.param(days(8), 0, None, 12, 8, 8, id="unlocked past the end: the last week"),
    # A program without weeks (being built): always 0.
    pytest.param(days(10), 0, None, 0, 0, 0, id="no weeks"),
    pytest.param(days(10), 0, None, 3, 0, 0, id="no weeks, some unlocked"),
]


@pytest.mark.parametrize(
    ("today", "paused_days", "paused_on", "unlocked", "week_count", "expected"), WEEK_CASES
)
def test_it_finds_the_current_program_week(
    today, paused_days, paused_on, unlocked, week_count, expected
):
    assert (
        rules.current_week(
            start_date=START,
            today=today,
            week_count=week_count,
            paused_days=paused_days,
            paused_on=paused_on,
            unlocked_through_week=unlocked,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("today", "paused_days", "paused_on", "unlocked", "week_count", "expected"), WEEK_CASES
)
def test_it_agrees_with_the_enrollments_own_week(
    today, paused_days, paused_on, unlocked, week_count, expected
):
    # Enrollment.current_week (what the patient's pages read) hands its own fields to
    # programs.weeks, which rules re-exports: this holds each field in its place.
    enrollment = Enrollment(
        start_date=START,
        paused_days=paused_days,
        paused_on=paused_on,
        unlocked_through_week=unlocked,
    )
    enrollment.patient = User(timezone="Europe/Berlin")
    enrollment._week_count = week_count
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=ZoneInfo("Europe/Berlin"))
    assert enrollment.current_week(noon) == expected


# The week turns at the patient's local midnight, whatever daylight saving does.
# start, zone, instant → the patient's date and program week (8 weeks)
MIDNIGHT_CASES = [
    # New York, spring forward (8 Mar 2026): week 2 of a 2 Mar start opens at 00:00 EDT
    # on 9 Mar, which is 04:00 UTC (it would be 05:00 in winter).
    pytest.param(
        date(2026, 3, 2),
        NEW_YORK,
        utc(2026, 3, 9, 3, 59, 59),
        date(2026, 3, 8),
        1,
        id="NY: a second before midnight after spring forward",
    ),
    pytest.param(
        date(2026, 3, 2),
        NEW_YORK,
        utc(2026, 3, 9, 4, 0),
        date(2026, 3, 9),
        2,
        id="NY: midnight after spring forward",
    ),
    # New York, fall back (1 Nov 2026): week 2 of a 26 Oct start opens at 00:00 EST on
    # 2 Nov, 05:00 UTC.
    pytest.param(
        date(2026, 10, 26),
        NEW_YORK,
        utc(2026, 11, 2, 4, 59, 59),
        date(2026, 11, 1),
        1,
        id="NY: a second before midnight after fall back",
    ),
    pytest.param(
        date(2026, 10, 26),
        NEW_YORK,
        utc(2026, 11, 2, 5, 0),
        date(2026, 11, 2),
        2,
        id="NY: midnight after fall back",
    ),
    # Havana skips midnight: 8 Mar begins at 01:00 CDT = 05:00 UTC.
    pytest.param(
        date(2026, 3, 1),
        HAVANA,
        utc(2026, 3, 8, 4, 59, 59),
        date(2026, 3, 7),
        1,
        id="Havana: the last second of 7 Mar",
    ),
    pytest.param(
        date(2026, 3, 1),
        HAVANA,
        utc(2026, 3, 8, 5, 0),
        date(2026, 3, 8),
        2,
        id="Havana: 8 Mar begins at 01:00, midnight skipped",
    ),
    # Havana repeats midnight: 1 Nov begins at 00:00 CDT = 04:00 UTC, and 00:30 comes
    # again at 05:30 UTC (CST): still 1 Nov, still week 2, never back to week 1.
    pytest.param(
        date(2026, 10, 25),
        HAVANA,
        utc(2026, 11, 1, 3, 59, 59),
        date(2026, 10, 31),
        1,
        id="Havana: the last second of 31 Oct",
    ),
    pytest.param(
        date(2026, 10, 25),
        HAVANA,
        utc(2026, 11, 1, 4, 0),
        date(2026, 11, 1),
        2,
        id="Havana: the first midnight of 1 Nov",
    ),
    pytest.param(
        date(2026, 10, 25),
        HAVANA,
        utc(2026, 11, 1, 5, 30),
        date(2026, 11, 1),
        2,
        id="Havana: 00:30 again, after the clocks went back",
    ),
]


@pytest.mark.parametrize(("start", "zone", "at", "local", "week"), MIDNIGHT_CASES)
def test_it_turns_the_week_at_the_patients_midnight(start, zone, at, local, week):
    assert rules.local_date(at, zone) == local
    assert rules.current_week(start_date=start, today=local, week_count=8) == week


def test_it_refuses_a_time_without_a_zone():
    with pytest.raises(ValueError, match="aware"):
        rules.local_date(datetime(2026, 3, 9, 4, 0), NEW_YORK)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (days(0), 1),
        (days(6), 1),
        (days(7), 2),
        (days(13), 2),
        (days(14), 3),
        (days(-1), 0),  # the week before the start
        (days(-7), 0),
        (days(-8), -1),
        (days(7 * 8), 9),  # after an 8-week program: not clamped
        (days(364), 53),
    ],
)
def test_it_files_a_day_under_its_calendar_week(day, expected):
    assert rules.week_of(START, day) == expected


def test_it_files_days_by_the_calendar_whatever_the_pauses():
    # Practice logged on day 10 of an enrollment paused 3 days is charted in calendar
    # week 2, while the program itself is still in week 1.
    assert rules.week_of(START, days(9)) == 2
    assert rules.current_week(start_date=START, today=days(9), week_count=8, paused_days=3) == 1


@pytest.mark.parametrize(
    ("today", "week_count", "expected"),
    [
        (days(-5), 8, 1),  # at least one week is charted
        (days(0), 8, 1),
        (days(7), 8, 2),
        (days(7 * 8), 8, 8),  # never past the last week
        (days(7), 0, 1),
    ],
)
def test_it_charts_the_weeks_so_far(today, week_count, expected):
    assert rules.weeks_so_far(start_date=START, today=today, week_count=week_count) == expected


# number, today, paused_days, paused_on → the date it opens
@pytest.mark.parametrize(
    ("number", "today", "paused_days", "paused_on", "expected"),
    [
        (1, days(0), 0, None, days(0)),
        (2, days(0), 0, None, days(7)),
        (8, days(0), 0, None, days(49)),
        (2, days(10), 3, None, days(10)),
        (2, days(10), 0, days(4), days(13)),  # paused 6 days so far
        (2, days(10), 2, days(4), days(15)),
        (2, days(3), 0, days(4), days(7)),  # a pause dated later moves nothing yet
    ],
)
def test_it_dates_the_day_a_week_opens(number, today, paused_days, paused_on, expected):
    assert (
        rules.week_opens_on(
            number, start_date=START, today=today, paused_days=paused_days, paused_on=paused_on
        )
        == expected
    )


# today, paused_days, paused_on → every day paused so far
@pytest.mark.parametrize(
    ("today", "paused_days", "paused_on", "expected"),
    [
        (days(10), 0, None, 0),
        (days(10), 3, None, 3),  # earlier pauses, over now
        (days(10), 0, days(4), 6),  # paused on day 4, still paused
        (days(10), 2, days(4), 8),
        (days(10), 0, days(10), 0),  # paused today: nothing lost yet
        (days(3), 1, days(4), 1),  # a pause dated later counts nothing yet
    ],
)
def test_it_counts_the_days_paused(today, paused_days, paused_on, expected):
    assert rules.days_paused(today=today, paused_days=paused_days, paused_on=paused_on) == expected


@pytest.mark.parametrize(
    ("today", "paused_days", "expected"),
    [
        (days(-2), 0, days(-2)),  # before the start: today
        (days(0), 0, days(0)),
        (days(6), 0, days(0)),
        (days(7), 0, days(7)),
        (days(100), 0, days(98)),  # past the program's end the weeks keep running
        (days(9), 3, days(3)),  # week 1 opened on day 3
        (days(10), 3, days(10)),
    ],
)
def test_it_finds_the_start_of_the_practice_week(today, paused_days, expected):
    assert (
        rules.practice_week_starts_on(start_date=START, today=today, paused_days=paused_days)
        == expected
    )


@pytest.mark.parametrize(
    ("days_elapsed", "week_count", "expected"),
    [
        (-1, 8, 0),
        (0, 8, 1),
        (6, 8, 1),
        (7, 8, 2),
        (55, 8, 8),
        (56, 8, 8),
        (3, 0, 0),
    ],
)
def test_it_counts_the_weeks_the_calendar_reached(days_elapsed, week_count, expected):
    assert rules.calendar_week(days_elapsed=days_elapsed, week_count=week_count) == expected


# ====================================================================== check-in status
OPENS = utc(2026, 3, 9, 4, 0)  # local midnight in New York
CLOSES = OPENS + timedelta(days=3)
TICK = timedelta(microseconds=1)


# stored status, enrollment status, now → status shown
@pytest.mark.parametrize(
    ("stored", "enrollment", "now", "expected"),
    [
        ("scheduled", "active", OPENS - TICK, "scheduled"),
        ("scheduled", "active", OPENS, "open"),  # open at exactly opens_at
        ("scheduled", "active", CLOSES - TICK, "open"),
        ("scheduled", "active", CLOSES, "missed"),  # missed at exactly closes_at
        ("open", "active", OPENS + timedelta(days=1), "open"),
        ("open", "active", CLOSES, "missed"),  # the sweep has not run yet
        ("open", "active", OPENS - TICK, "scheduled"),  # the window is what counts
        ("completed", "active", CLOSES + timedelta(days=9), "completed"),
        ("completed", "paused", OPENS, "completed"),
        ("missed", "active", OPENS, "missed"),
        ("missed", "withdrawn", OPENS, "missed"),
        # Follow-ups keep running after the program is completed.
        ("scheduled", "completed", OPENS, "open"),
        ("scheduled", "completed", CLOSES, "missed"),
        # A paused, invited or withdrawn enrollment's check-ins wait.
        ("scheduled", "paused", OPENS, "scheduled"),
        ("open", "paused", OPENS, "scheduled"),
        ("scheduled", "paused", CLOSES + timedelta(days=5), "scheduled"),
        ("scheduled", "invited", OPENS, "scheduled"),
        ("open", "withdrawn", CLOSES, "scheduled"),
    ],
)
def test_it_shows_a_checkins_status_now(stored, enrollment, now, expected):
    kwargs = {
        "stored": stored,
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "now": now,
        "enrollment_status": enrollment,
    }
    assert rules.effective_status(**kwargs) == expected
    assert rules.is_open_for_answers(**kwargs) is (expected == "open")


# stored status, enrollment status, closed how long before now → "missed recently"
NOW = utc(2026, 4, 1, 12, 0)


@pytest.mark.parametrize(
    ("stored", "enrollment", "closed_ago", "expected"),
    [
        ("missed", "active", timedelta(days=14), True),  # 14 days exactly: still in
        ("missed", "active", timedelta(days=14) + TICK, False),
        ("missed", "active", timedelta(0), True),
        ("missed", "active", -TICK, False),  # still open: not missed yet
        ("scheduled", "active", timedelta(days=1), True),  # pending past its close
        ("open", "completed", timedelta(days=1), True),
        ("open", "paused", timedelta(days=1), False),  # waits for the resume
        ("missed", "paused", timedelta(days=1), True),  # marked before the pause
        ("completed", "active", timedelta(days=1), False),
    ],
)
def test_it_tells_a_recently_missed_checkin(stored, enrollment, closed_ago, expected):
    assert (
        rules.missed_recently(
            stored=stored, closes_at=NOW - closed_ago, now=NOW, enrollment_status=enrollment
        )
        is expected
    )


# ====================================================================== questionnaires
@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Moderately severe"),
        (19, "Moderately severe"),
        (20, "Severe"),
        (27, "Severe"),
        (28, None),
        (None, None),
    ],
)
def test_it_bands_a_phq9(total, expected):
    assert rules.phq9_severity(total) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "Minimal"),
        (4, "Minimal"),
        (5, "Mild"),
        (9, "Mild"),
        (10, "Moderate"),
        (14, "Moderate"),
        (15, "Severe"),
        (21, "Severe"),
        (22, None),
        (None, None),
    ],
)
def test_it_bands_a_gad7(total, expected):
    assert rules.gad7_severity(total) == expected


@pytest.mark.parametrize(
    ("total", "positive", "phq2_band", "gad2_band"),
    [
        (0, False, "Below screening threshold", "Below screening threshold"),
        (2, False, "Below screening threshold", "Below screening threshold"),
        (3, True, "Positive screen: consider PHQ-9", "Positive screen: consider GAD-7"),
        (6, True, "Positive screen: consider PHQ-9", "Positive screen: consider GAD-7"),
        (None, False, None, None),
    ],
)
def test_it_screens_with_phq2_and_gad2(total, positive, phq2_band, gad2_band):
    assert rules.is_positive_screen(total) is positive
    assert rules.band_of(total, rules.PHQ2_BANDS) == phq2_band
    assert rules.band_of(total, rules.GAD2_BANDS) == gad2_band


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "Pain-free or nearly pain-free"),
        (1, "Pain-free or nearly pain-free"),
        (2, "Pain present"),
        (10, "Pain present"),
    ],
)
def test_it_bands_average_pain(score, expected):
    assert rules.band_of(score, rules.PAIN_AVG_BANDS) == expected


@pytest.mark.parametrize(
    "bands",
    [rules.PHQ9_BANDS, rules.GAD7_BANDS, rules.PHQ2_BANDS, rules.GAD2_BANDS, rules.PAIN_AVG_BANDS],
)
def test_it_leaves_no_total_without_a_band(bands):
    # Each table runs from 0 to the instrument's maximum with no gap and no overlap.
    assert bands[0][0] == 0
    for (_, high, _), (low, _, _) in zip(bands, bands[1:], strict=False):
        assert low == high + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, False),  # "Not at all"
        (1, True),  # "Several days": any answer above 0
        (3, True),
        (None, False),  # not answered
        ("2", False),  # never a cleaned answer
    ],
)
def test_it_tells_a_self_harm_answer(value, expected):
    assert rules.is_self_harm_answer(value) is expected


# ====================================================================== alerts
# recent pain (oldest first, ending with this check-in), baseline, rise, in a row
@pytest.mark.parametrize(
    ("recent", "baseline", "rise", "in_a_row", "expected"),
    [
        ([7, 7], 5, 2, 2, True),  # baseline + 2 exactly, twice
        ([7, 6], 5, 2, 2, False),
        ([6, 7], 5, 2, 2, False),
        ([7], 5, 2, 2, False),  # one check-in is not a run of two
        ([3, 7, 8], 5, 2, 2, True),  # only the last two count
        ([7, None], 5, 2, 2, False),
        ([7.0, 7.0], 5.0, 2, 2, True),
        ([7, 7], None, 2, 2, False),  # no baseline, no rule
        ([7], 5, 2, 0, True),  # a setting of 0 means 1
        ([3, 7], 5, 2, 0, True),
        ([9, 9, 10], 6, 3, 3, True),
        ([9, 8, 9], 6, 3, 3, False),
    ],
)
def test_it_tells_pain_up(recent, baseline, rise, in_a_row, expected):
    assert (
        rules.pain_has_risen(baseline=baseline, recent=recent, rise_points=rise, in_a_row=in_a_row)
        is expected
    )


@pytest.mark.parametrize(("setting", "expected"), [(0, 1), (1, 1), (2, 2), (5, 5)])
def test_it_reads_at_least_one_checkin_in_a_row(setting, expected):
    assert rules.in_a_row_needed(setting) == expected


@pytest.mark.parametrize(
    ("pain", "baseline", "expected"),
    [
        (7, 5, True),
        (6, 5, False),
        (10, 5, True),
        (None, 5, False),
        (7, None, False),
    ],
)
def test_it_tells_a_checkin_that_may_start_pain_up(pain, baseline, expected):
    assert rules.reaches_pain_rise(pain, baseline=baseline, rise_points=2) is expected


@pytest.mark.parametrize(
    ("fear", "threshold", "expected"),
    [
        (7, 8, False),
        (8, 8, True),  # at the threshold
        (10, 8, True),
        (None, 8, False),
        (5, 5, True),
    ],
)
def test_it_tells_high_fear_of_movement(fear, threshold, expected):
    assert rules.is_fear_high(fear, threshold=threshold) is expected


M, C = "missed", "completed"


@pytest.mark.parametrize(
    ("closed", "in_a_row", "expected"),
    [
        ([M, M], 2, True),
        ([M, M, C], 2, True),  # the latest two
        ([M, C, M], 2, False),
        ([C, M, M], 2, False),
        ([M], 2, False),  # not enough check-ins closed yet
        ([], 2, False),
        ([M], 0, True),  # a setting of 0 means 1
        ([C, M], 0, False),
        ([M, M, M], 3, True),
    ],
)
def test_it_tells_missed_checkins_in_a_row(closed, in_a_row, expected):
    assert rules.missed_in_a_row(closed, in_a_row=in_a_row) is expected


@pytest.mark.parametrize(
    ("response", "urgent", "escalation", "expected"),
    [
        (60, True, 5, 5),  # the escalation setting is sooner: it decides
        (60, True, 120, 60),  # never later than the urgent response time
        (60, True, 60, 60),
        (30, True, 120, 30),
        (8 * 60, False, 5, 8 * 60),  # only urgent alerts: high keeps its response time
        (3 * 8 * 60, False, 5, 3 * 8 * 60),  # and routine
    ],
)
def test_each_step_of_the_chain_has_its_time_to_acknowledge(response, urgent, escalation, expected):
    assert (
        rules.step_minutes(response_minutes=response, urgent=urgent, escalation_minutes=escalation)
        == expected
    )


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 9, 6, 59, tzinfo=NEW_YORK), False),
        (datetime(2026, 3, 9, 7, 0, tzinfo=NEW_YORK), True),
        (datetime(2026, 3, 9, 23, 0, tzinfo=NEW_YORK), True),
    ],
)
def test_it_sends_the_digest_from_seven_local_time(local, expected):
    assert rules.digest_due(local) is expected


# ====================================================================== caseload
@pytest.mark.parametrize(
    ("weekly_done", "baseline", "now", "expected"),
    [
        (2, 6, 5, True),  # 1 point, 17%
        (1, 6, 5, False),  # one weekly check-in is too early to judge
        (0, 6, 6, False),
        (2, 6, 4, False),  # 2 points: improving
        (2, 3, 2, False),  # 33%: improving
        (2, 4, 1, False),  # pain-free
        (2, 2, 1, False),  # pain-free, though only 1 point
        (2, 1, 2, True),  # up from 1 to 2
        (2, 0, 3, True),  # up from 0
        (2, 0, 0, False),  # pain-free throughout
        (5, 7, 7, True),
        (2, None, 5, False),
        (2, 5, None, False),
    ],
)
def test_it_tells_a_patient_not_improving(weekly_done, baseline, now, expected):
    assert (
        rules.is_not_improving(weekly_done=weekly_done, baseline=baseline, current=now) is expected
    )


@pytest.mark.parametrize(
    ("baseline", "now", "pain_checkins", "expected"),
    [
        (6, 6, 1, False),  # only the baseline so far
        (6, 4, 2, True),
        (6, 4, 9, True),
        (None, 4, 2, False),
        (6, None, 2, False),
    ],
)
def test_it_shows_a_change_once_there_is_one(baseline, now, pain_checkins, expected):
    assert (
        rules.shows_change(baseline=baseline, current=now, pain_checkins=pain_checkins) is expected
    )


# ====================================================================== outcomes report
@pytest.mark.parametrize(
    ("status", "onboarded", "expected"),
    [
        ("invited", False, False),  # counted apart, "not started"
        ("invited", True, True),
        ("active", False, True),
        ("paused", False, True),
        ("completed", False, True),
        ("withdrawn", False, False),  # withdrew before starting
        ("withdrawn", True, True),  # withdrew after starting: still enrolled
    ],
)
def test_it_tells_who_counts_as_enrolled(status, onboarded, expected):
    assert rules.counts_as_enrolled(status=status, onboarded=onboarded) is expected


@pytest.mark.parametrize(
    ("sessions", "active_weeks", "expected"),
    [
        (10, 5, 2.0),
        (7, 2, 3.5),
        (0, 4, 0.0),
        (3, 0, None),  # no active week yet
    ],
)
def test_it_measures_adherence(sessions, active_weeks, expected):
    assert rules.adherence(sessions=sessions, active_weeks=active_weeks) == expected


# ====================================================================== one vocabulary
def test_its_status_words_are_the_models():
    # tracking.rules imports no model (tracking.models takes its defaults from it), so these
    # words are written there: this keeps them the models' values.
    assert (
        rules.CHECKIN_SCHEDULED,
        rules.CHECKIN_OPEN,
        rules.CHECKIN_COMPLETED,
        rules.CHECKIN_MISSED,
    ) == (
        CheckIn.Status.SCHEDULED,
        CheckIn.Status.OPEN,
        CheckIn.Status.COMPLETED,
        CheckIn.Status.MISSED,
    )
    assert (rules.ENROLLMENT_ACTIVE, rules.ENROLLMENT_PAUSED, rules.ENROLLMENT_COMPLETED) == (
        EnrollmentStatus.ACTIVE,
        EnrollmentStatus.PAUSED,
        EnrollmentStatus.COMPLETED,
    )


def test_its_defaults_are_the_practice_settings_defaults():
    # A practice without saved settings gets exactly the thresholds documented here.
    settings = PracticeSettings()
    assert (
        settings.pain_rise_points,
        settings.pain_rise_checkins,
        settings.fear_high_threshold,
        settings.missed_in_a_row,
        settings.escalation_minutes,
        settings.checkin_window_days,
    ) == (
        rules.DEFAULT_PAIN_RISE_POINTS,
        rules.DEFAULT_PAIN_RISE_CHECKINS,
        rules.DEFAULT_FEAR_HIGH_THRESHOLD,
        rules.DEFAULT_MISSED_IN_A_ROW,
        rules.DEFAULT_ESCALATION_MINUTES,
        rules.DEFAULT_CHECKIN_WINDOW_DAYS,
    )


def test_its_band_tables_are_the_shipped_instruments():
    # Building the shipped definitions from these tables changes no stored instrument
    # (instrument_save makes a new version only when the content differs).
    scoring = {d["key"]: d["scoring"] for d in shipped.SHIPPED}
    assert scoring[rules.PHQ9]["bands"] == rules.scoring_bands(rules.PHQ9_BANDS)
    assert scoring[rules.GAD7]["bands"] == rules.scoring_bands(rules.GAD7_BANDS)
    assert scoring[rules.PHQ2]["bands"] == rules.scoring_bands(rules.PHQ2_BANDS)
    assert scoring[rules.GAD2]["bands"] == rules.scoring_bands(rules.GAD2_BANDS)
    assert scoring[rules.PAIN_AVG]["bands"] == rules.scoring_bands(rules.PAIN_AVG_BANDS)
    phq9 = next(d for d in shipped.SHIPPED if d["key"] == rules.PHQ9)
    assert phq9["safety_item"] == rules.PHQ9_SAFETY_ITEM


def test_its_measure_keys_are_shipped_instruments():
    keys = {d["key"] for d in shipped.SHIPPED}
    assert {
        rules.PAIN_AVG,
        rules.PAIN_WORST,
        rules.FEAR_MOVEMENT,
        rules.FABQ_PA,
        rules.PHQ9,
        rules.PHQ2,
        rules.GAD7,
        rules.GAD2,
        rules.CAUSES,
    } <= keys


# ------------------------------------------------------------------ three causes (issue 16)
def test_the_mind_brain_categories_are_the_programs():
    from programs.models import MIND_BRAIN
    from tracking.instruments.scoring import MIND_BRAIN_CATEGORIES

    assert rules.MIND_BRAIN_CATEGORIES == {c.value for c in MIND_BRAIN} == MIND_BRAIN_CATEGORIES


@pytest.mark.parametrize(
    ("categories", "score"),
    [
        (["spinal", "injury", "other"], 0),
        (["stress", "spinal", "injury"], 1),
        (["psychological", "brain", "age"], 2),
        (["stress", "psychological", "brain"], 3),
        ([], 0),
    ],
)
def test_mind_brain_score(categories, score):
    assert rules.mind_brain_score(categories) == score


@pytest.mark.parametrize(
    ("codes", "score"),
    [
        (["", "", ""], None),  # nothing coded
        (["brain", "", "stress"], None),  # one still to code
        (["spinal", "injury", "other"], 0),
        (["brain", "spinal", "stress"], 2),
        (["brain", "psychological", "stress"], 3),
        (["brain", "stress"], None),  # not three causes
        (["brain", "stress", "brain", "brain"], None),
    ],
)
def test_clinician_mind_brain_score_needs_all_three_coded(codes, score):
    assert rules.clinician_mind_brain_score(codes) == score


# ------------------------------------------------------------------ practice sessions (issue 16)
@pytest.mark.parametrize(
    ("seconds", "minimum", "counts"),
    [
        (0, 120, False),  # the page without JavaScript, untimed
        (5, 120, False),
        (119, 120, False),
        (120, 120, True),
        (121, 120, True),
        (600, 120, True),
        (59, 60, False),
        (60, 60, True),
        (0, 0, True),  # a practice that counts every session
    ],
)
def test_a_practice_session_counts_from_the_minimum(seconds, minimum, counts):
    assert rules.counts_toward_practice(seconds, min_seconds=minimum) is counts


def test_the_minimum_practice_default_is_two_minutes():
    assert rules.DEFAULT_MIN_PRACTICE_SECONDS == 120
    assert PracticeSettings._meta.get_field("min_practice_seconds").default == 120


# ---------------------------------------------------------------- red flags (issue 15)
@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1980, 6, 15), date(2026, 6, 14), 45),  # the day before the birthday
        (date(1980, 6, 15), date(2026, 6, 15), 46),  # on the birthday
        (date(1980, 6, 15), date(2026, 12, 31), 46),
        (date(1980, 1, 1), date(2026, 1, 1), 46),
        (date(1980, 12, 31), date(2026, 1, 1), 45),
        # Born on 29 February: a year older on 1 March when there is no 29th ...
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        # ... and on the 29th itself in a leap year.
        (date(2000, 2, 29), date(2028, 2, 28), 27),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
        (date(2026, 6, 15), date(2026, 6, 15), 0),  # born today
    ],
)
def test_age_on_counts_completed_years(born, on, age):
    assert rules.age_on(born, on) == age


@pytest.mark.parametrize(
    ("age", "age_min", "age_max", "inside"),
    [
        (17, 18, 120, False),
        (18, 18, 120, True),
        (120, 18, 120, True),
        (121, 18, 120, False),
        (20, 21, 70, False),  # the trial's range
        (21, 21, 70, True),
        (70, 21, 70, True),
        (71, 21, 70, False),
    ],
)
def test_age_in_range_includes_both_ends(age, age_min, age_max, inside):
    assert rules.age_in_range(age, age_min=age_min, age_max=age_max) is inside


@pytest.mark.parametrize(
    ("born", "onset_year", "flag"),
    [
        # Could have been 50 in the onset year (after the birthday): flagged.
        (date(1970, 12, 31), 2020, "onset_after_50"),
        (date(1970, 1, 1), 2020, "onset_after_50"),
        (date(1971, 1, 1), 2020, None),  # 48 or 49 that year
        (date(1950, 5, 5), 2025, "onset_after_50"),
        (date(1950, 5, 5), 1990, None),  # started at 39 or 40, long ago
        # Could have been 19 in the onset year (before the birthday): flagged.
        (date(2000, 1, 1), 2020, "onset_before_20"),
        (date(2000, 1, 1), 2021, None),  # 20 or 21 that year
        (date(2005, 3, 3), 2015, "onset_before_20"),
        (date(1990, 7, 7), 2015, None),
    ],
)
def test_back_pain_onset_flag_errs_toward_a_check(born, onset_year, flag):
    assert rules.back_pain_onset_flag(date_of_birth=born, onset_year=onset_year) == flag


@pytest.mark.parametrize(
    ("key", "action"),
    [
        ("bladder_bowel", rules.RED_FLAG_URGENT),
        ("saddle_numbness", rules.RED_FLAG_URGENT),
        ("sexual_changes", rules.RED_FLAG_URGENT),
        ("both_legs", rules.RED_FLAG_URGENT),
        ("leg_weakness", rules.RED_FLAG_URGENT),
        ("fever_unwell", rules.RED_FLAG_SEE_DOCTOR),
        ("immunosuppression", rules.RED_FLAG_SEE_DOCTOR),
        ("iv_drug_use", rules.RED_FLAG_SEE_DOCTOR),
        ("spinal_procedure_or_infection", rules.RED_FLAG_SEE_DOCTOR),
        ("weight_loss", rules.RED_FLAG_SEE_DOCTOR),
        ("cancer_history", rules.RED_FLAG_SEE_DOCTOR),
        ("recent_trauma", rules.RED_FLAG_SEE_DOCTOR),
        ("minor_trauma_fragile_bones", rules.RED_FLAG_SEE_DOCTOR),
        ("thoracic_pain", rules.RED_FLAG_SEE_DOCTOR),
        ("constant_night_pain", rules.RED_FLAG_SEE_DOCTOR),
        ("onset_after_50", rules.RED_FLAG_SEE_DOCTOR),
        ("onset_before_20", rules.RED_FLAG_SEE_DOCTOR),
    ],
)
def test_each_red_flag_says_where_to_go(key, action):
    assert rules.RED_FLAGS_BY_KEY[key].action == action


def test_the_red_flag_table_is_the_whole_list():
    # Every flag of PRT_NOTES.md, once; the age flags are worked out, never ticked.
    assert len(rules.RED_FLAGS) == len(rules.RED_FLAGS_BY_KEY) == 17
    assert {f.key for f in rules.RED_FLAGS if not f.asked} == {"onset_after_50", "onset_before_20"}


@pytest.mark.parametrize(
    ("keys", "urgent"),
    [
        ([], False),
        (["cancer_history"], False),
        (["cancer_history", "both_legs"], True),
        (["sexual_changes"], True),
        (["retired_key"], False),  # a key no longer in the table is not urgent by itself
    ],
)
def test_red_flags_urgent(keys, urgent):
    assert rules.red_flags_urgent(keys) is urgent


def test_red_flag_label_falls_back_to_the_key():
    assert rules.red_flag_label("both_legs").startswith("Pain, numbness")
    assert rules.red_flag_label("retired_key") == "retired_key"


# ====================================================================== outcomes cohort (issue 16)


@pytest.mark.parametrize(
    ("status", "onboarded", "end_window_closed", "expected"),
    [
        ("active", True, True, True),  # the end check-in's window has closed
        ("active", True, False, False),  # still open (week 8, or answered early)
        ("completed", True, True, True),
        ("completed", True, False, False),
        ("completed", True, None, True),  # completed, no end check-in: over, score missing
        ("active", True, None, False),  # week 2 with no schedule yet
        ("paused", True, True, False),  # a paused enrollment's check-ins wait
        ("withdrawn", True, False, True),  # withdrew before the end: in the cohort
        ("withdrawn", True, None, True),
        ("withdrawn", False, None, False),  # withdrew before starting
        ("invited", False, True, False),
    ],
)
def test_it_tells_who_is_in_the_outcomes_cohort(status, onboarded, end_window_closed, expected):
    assert (
        rules.in_outcome_cohort(
            status=status, onboarded=onboarded, end_window_closed=end_window_closed
        )
        is expected
    )


@pytest.mark.parametrize(
    ("status", "window_closed", "expected"),
    [
        ("completed", True, True),
        ("completed", False, False),  # not reached yet: not counted at this follow-up
        ("active", True, True),
        ("withdrawn", False, True),  # withdrew: counted, a missing score = not a responder
        ("withdrawn", None, False),  # the program has no such follow-up
        ("completed", None, False),
    ],
)
def test_it_tells_who_has_reached_a_follow_up(status, window_closed, expected):
    assert rules.reached_followup(status=status, followup_window_closed=window_closed) is expected


@pytest.mark.parametrize(
    ("baseline", "floor", "expected"),
    [
        (4, 4, True),  # the trial's entry floor, exactly
        (3, 4, False),
        (3.9, 4, False),
        (1, 4, False),
        (0, 0, True),
        (10, 4, True),
        (None, 4, False),  # no baseline: not judged
        (None, 0, False),
        (6, 7, False),
    ],
)
def test_it_counts_responders_only_from_the_baseline_floor(baseline, floor, expected):
    assert rules.is_responder_eligible(baseline, floor=floor) is expected


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (1, 12.706),
        (2, 4.303),
        (4, 2.776),
        (10, 2.228),
        (29, 2.045),
        (30, 2.042),
        # Beyond the table: the expansion, against published quantiles.
        (40, 2.021),
        (60, 2.000),
        (120, 1.980),
        (100000, 1.960),
    ],
)
def test_it_gives_the_t_quantile_for_a_95_percent_interval(df, expected):
    assert round(rules.t_critical_95(df), 3) == expected


def test_it_refuses_a_t_interval_without_degrees_of_freedom():
    with pytest.raises(ValueError):
        rules.t_critical_95(0)
    with pytest.raises(ValueError):
        rules.mean_ci_95([])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-2], (-2.0, None, None)),  # one person: no interval
        ([0, 0], (0.0, 0.0, 0.0)),  # no spread
        # mean −1, SD √2, n 2: −1 ± 12.706 × 1 = −13.706 to 11.706
        ([-2, 0], (-1.0, -13.706, 11.706)),
        # mean −3.4, variance 8.3, n 5: ± 2.776 × √1.66 = ± 2.776 × 1.28841 = ± 3.57663
        ([-7, -2, -1, -1, -6], (-3.4, -6.9766, 0.1766)),
        # mean 2, variance 2.5, n 5 (1..3 spread): ± 2.776 × √0.5 = ± 1.9629
        ([0, 1, 2, 3, 4], (2.0, 0.0371, 3.9629)),
    ],
)
def test_it_gives_a_mean_and_its_95_percent_interval(values, expected):
    mean, low, high = rules.mean_ci_95(values)
    assert round(mean, 4) == expected[0]
    if expected[1] is None:
        assert low is None and high is None
    else:
        assert (round(low, 4), round(high, 4)) == (expected[1], expected[2])


@pytest.mark.parametrize(
    ("causes", "expected"),
    [
        ([("stress", ""), ("brain", ""), ("spinal", "")], (2, None)),  # not coded
        ([("stress", "spinal"), ("brain", ""), ("spinal", "")], (2, None)),  # partly
        ([("stress", "spinal"), ("brain", "injury"), ("spinal", "stress")], (2, 1)),
        ([("age", "psychological"), ("age", "brain"), ("age", "stress")], (0, 3)),
        ([("other", "other"), ("injury", "age"), ("spinal", "posture")], (0, 0)),
        ([], (0, None)),
    ],
)
def test_it_scores_three_causes_as_the_patient_and_as_the_clinician_coded_them(causes, expected):
    assert rules.mind_brain_scores(causes) == expected


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ((1, 0), (3, 2), (0, 2, "clinician")),  # both fully coded: the clinician's
        ((0, 1), (2, None), (0, 2, "self")),  # one not: both the patient's own
        ((1, None), (3, 2), (1, 3, "self")),
        ((1, None), (2, None), (1, 2, "self")),
    ],
)
def test_it_never_mixes_coders_in_a_mind_brain_pair(first, last, expected):
    assert rules.mind_brain_pair(first, last) == expected


def test_its_outcome_words_are_the_models():
    from programs.models import MIND_BRAIN

    assert set(rules.MIND_BRAIN_CATEGORIES) == {str(c) for c in MIND_BRAIN}
    assert rules.ENROLLMENT_WITHDRAWN == EnrollmentStatus.WITHDRAWN
    assert rules.DEFAULT_RESPONDER_BASELINE_FLOOR == 4
    assert (
        PracticeSettings._meta.get_field("responder_baseline_floor").default
        == rules.DEFAULT_RESPONDER_BASELINE_FLOOR
    )


# ---------------------------------------------------------------- screening (issue 15)
@pytest.mark.parametrize(
    ("total", "severity"),
    [(None, None), (0, None), (2, None), (3, "routine"), (4, "routine"), (6, "routine")],
)
def test_phq2_positive_screen_is_routine_and_offers_the_phq9(total, severity):
    assert rules.phq2_alert_severity(total) == severity
    assert rules.offers_full_phq9(total) is (severity is not None)


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (None, None),
        (0, None),
        (14, None),
        (15, "high"),
        (19, "high"),
        (20, "urgent"),
        (27, "urgent"),
    ],
)
def test_phq9_total_raises_high_from_15_and_urgent_from_20(total, severity):
    assert rules.phq9_alert_severity(total) == severity


@pytest.mark.parametrize(
    ("total", "severity"), [(None, None), (0, None), (14, None), (15, "high"), (21, "high")]
)
def test_gad7_total_raises_high_from_15(total, severity):
    assert rules.gad7_alert_severity(total) == severity


@pytest.mark.parametrize(
    ("value", "self_harm"),
    [(None, False), (0, False), (1, True), (2, True), (3, True), ("1", False)],
)
def test_item_9_above_zero_stays_the_self_harm_answer(value, self_harm):
    assert rules.is_self_harm_answer(value) is self_harm


# The weekly new-symptoms questions: which group each yes is in, and what it raises.
E, D = rules.NEW_SYMPTOMS_EMERGENCY_ITEM, rules.NEW_SYMPTOMS_DOCTOR_ITEM


@pytest.mark.parametrize(
    ("answers", "groups", "severities"),
    [
        ({}, (), ()),
        ({E: 0, D: 0}, (), ()),  # neither
        ({E: 1, D: 0}, ("emergency",), ("urgent",)),  # cauda equina signs
        ({E: 0, D: 1}, ("doctor_soon",), ("high",)),  # a doctor soon
        ({E: 1, D: 1}, ("emergency", "doctor_soon"), ("urgent", "high")),  # both
        ({E: 1}, ("emergency",), ("urgent",)),  # the other left blank
        ({E: None, D: True}, ("doctor_soon",), ("high",)),
        ({E: "1", D: 2}, (), ()),  # not a cleaned yes
        # Version 1: one question over both groups, which cannot say which: HIGH, as then.
        ({"new_symptoms": 1}, ("either",), ("high",)),
        ({"new_symptoms": 0}, (), ()),
        ({"somewhere_else": 1}, (), ()),
    ],
)
def test_new_symptom_answers_by_group(answers, groups, severities):
    assert rules.new_symptom_groups(answers) == groups
    assert tuple(rules.new_symptoms_alert_severity(g) for g in groups) == severities


@pytest.mark.parametrize(
    ("groups", "guidance"),
    [
        ((), (False, False, False)),
        (("emergency",), (True, False, False)),
        (("doctor_soon",), (False, True, False)),
        (("emergency", "doctor_soon"), (True, True, False)),
        (("either",), (False, False, True)),
    ],
)
def test_what_the_patient_is_told_for_each_group(groups, guidance):
    assert tuple(rules.symptom_guidance(groups)) == guidance


def test_the_weekly_emergency_question_asks_exactly_the_onboarding_emergency_signs():
    """The weekly questions ask the onboarding screen's red flags that can be new, each
    group acting as the screen acts on them: every URGENT flag in the emergency question
    (and nothing else there), which raises what they raise at onboarding."""
    urgent = {f.key for f in rules.RED_FLAGS if f.action == rules.RED_FLAG_URGENT}
    items = rules.WEEKLY_SYMPTOM_ITEMS
    assert set(items[E].flags) == urgent
    assert all(
        rules.RED_FLAGS_BY_KEY[k].action == rules.RED_FLAG_SEE_DOCTOR for k in items[D].flags
    )
    assert set(items[rules.NEW_SYMPTOMS_ITEM].flags) == set(items[E].flags) | set(items[D].flags)
    assert rules.new_symptoms_alert_severity("emergency") == rules.red_flags_alert_severity(
        items[E].flags
    )
    assert rules.new_symptoms_alert_severity("doctor_soon") == rules.red_flags_alert_severity(
        items[D].flags
    )


def test_the_shipped_new_symptoms_question_asks_each_group_apart():
    definition = shipped.definition_for(rules.NEW_SYMPTOMS)
    assert [i["key"] for i in definition["items"]] == [E, D]
    assert all((i["min"], i["max"]) == (0, 1) for i in definition["items"])
    spanish = definition["translations"]["es"]["items"]
    assert set(spanish) == {E, D}


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            ["pain_avg", "phq2", "gad2"],
            ["pain_avg", "phq2", "phq9_item9", "gad2", "new_symptoms"],
        ),
        (["pain_avg"], ["pain_avg", "phq9_item9", "new_symptoms"]),
        (["pain_avg", "phq9", "gad7"], ["pain_avg", "phq9", "gad7", "new_symptoms"]),
        (
            ["phq2", "phq9_item9", "new_symptoms"],
            ["phq2", "phq9_item9", "new_symptoms"],
        ),
    ],
)
def test_weekly_check_ins_always_ask_item_9_and_new_symptoms(keys, expected):
    assert rules.weekly_keys_with_safety(keys) == expected


def test_the_screening_severities_are_the_alert_severities():
    from tracking.models import Alert

    assert {rules.SEVERITY_URGENT, rules.SEVERITY_HIGH, rules.SEVERITY_ROUTINE} == set(
        Alert.Severity.values
    )


def test_the_weekly_safety_instruments_are_shipped():
    keys = {d["key"] for d in shipped.SHIPPED}
    assert {rules.WEEKLY_SAFETY, rules.NEW_SYMPTOMS} <= keys
    item9 = shipped.definition_for(rules.WEEKLY_SAFETY)
    assert item9["safety_item"] == rules.PHQ9_SAFETY_ITEM
    assert item9["items"][0]["text"] == shipped.PHQ9_ITEMS[8]  # the PHQ-9's own wording


# ---------------------------------------------------------------- alert due times (issue 15)
LONDON = ZoneInfo("Europe/London")
WEEKDAYS = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def _due(start, minutes, tz=NEW_YORK, day_start=(9, 0), day_end=(17, 0), days=WEEKDAYS):
    from datetime import time

    return rules.working_deadline(
        start,
        minutes,
        tz=tz,
        day_start=time(*day_start),
        day_end=time(*day_end),
        working_days=days,
    )


@pytest.mark.parametrize(
    ("case", "start", "minutes", "kwargs", "expected"),
    [
        # Tuesday 10 March 2026, New York (EDT, UTC-4 since 8 March).
        ("inside hours", utc(2026, 3, 10, 14, 0), 60, {}, utc(2026, 3, 10, 15, 0)),
        (
            "before opening: clock starts at 9",
            utc(2026, 3, 10, 11, 0),
            60,
            {},
            utc(2026, 3, 10, 14, 0),
        ),
        ("ends exactly at closing", utc(2026, 3, 10, 20, 0), 60, {}, utc(2026, 3, 10, 21, 0)),
        ("after closing: next morning", utc(2026, 3, 10, 22, 0), 60, {}, utc(2026, 3, 11, 14, 0)),
        ("carries over one night", utc(2026, 3, 10, 14, 0), 480, {}, utc(2026, 3, 11, 14, 0)),
        ("three working days", utc(2026, 3, 10, 13, 0), 1440, {}, utc(2026, 3, 12, 21, 0)),
        # Friday 6 March 16:30 EST: 30 minutes on Friday, the weekend does not count, and
        # the clocks go forward on Sunday 8 March, so Monday 09:30 is EDT (13:30 UTC).
        (
            "over a weekend and a DST change",
            utc(2026, 3, 6, 21, 30),
            60,
            {},
            utc(2026, 3, 9, 13, 30),
        ),
        ("raised on a Saturday", utc(2026, 3, 7, 15, 0), 60, {}, utc(2026, 3, 9, 14, 0)),
        # Only Mondays and Thursdays.
        ("sparse days", utc(2026, 3, 10, 14, 0), 30, {"days": (0, 3)}, utc(2026, 3, 12, 13, 30)),
        # A practice open around the clock: the wall clock.
        (
            "round the clock",
            utc(2026, 3, 7, 3, 0),
            60,
            {"day_start": (0, 0), "day_end": (0, 0), "days": EVERY_DAY},
            utc(2026, 3, 7, 4, 0),
        ),
        # No working days saved: never "never", the wall clock.
        ("no working days", utc(2026, 3, 7, 3, 0), 90, {"days": ()}, utc(2026, 3, 7, 4, 30)),
        # London's clocks go forward at 01:00 UTC on Sunday 29 March 2026: a 00:00–04:00
        # period that night is 3 real hours (00:00 GMT to 04:00 BST = 03:00 UTC).
        (
            "spring forward inside a period",
            utc(2026, 3, 29, 0, 0),
            200,
            {"tz": LONDON, "day_start": (0, 0), "day_end": (4, 0), "days": EVERY_DAY},
            utc(2026, 3, 29, 23, 20),
        ),
        # New York falls back at 06:00 UTC on Sunday 1 November 2026: overnight cover
        # 22:00 EDT Saturday to 06:00 EST Sunday is 9 real hours.
        (
            "fall back inside overnight cover",
            utc(2026, 11, 1, 2, 0),
            540,
            {"day_start": (22, 0), "day_end": (6, 0), "days": EVERY_DAY},
            utc(2026, 11, 1, 11, 0),
        ),
        (
            "overnight cover, raised in the morning",
            utc(2026, 11, 2, 12, 0),
            60,
            {"day_start": (22, 0), "day_end": (6, 0), "days": EVERY_DAY},
            utc(2026, 11, 3, 4, 0),
        ),
        ("zero minutes: the next opening", utc(2026, 3, 7, 15, 0), 0, {}, utc(2026, 3, 9, 13, 0)),
    ],
)
def test_it_counts_an_alerts_response_time_in_working_time(case, start, minutes, kwargs, expected):
    args = {k: v for k, v in kwargs.items()}
    assert _due(start, minutes, **args) == expected, case


def test_it_puts_a_spring_forward_wall_time_at_the_jump():
    from datetime import time

    # 02:30 does not exist in New York on 8 March 2026: the clocks jump at 07:00 UTC.
    assert rules.wall_time_to_utc(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 0)
    # 01:30 happens twice on 1 November 2026: the first (EDT) one.
    assert rules.wall_time_to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(
        2026, 11, 1, 5, 30
    )


# ====================================================================== escalation
# A chain as the sweep reads it: (position, the active people the step names now). The
# patient's clinician is 7; 8 is an on-call clinician; 1 and 2 are the admins.
CLINICIAN_FIRST = [(1, [7]), (2, [8]), (3, [1, 2])]


@pytest.mark.parametrize(
    ("steps", "reached", "holding", "expected"),
    [
        # The patient's clinician was emailed as it was raised (self-harm, urgent): their
        # step tells nobody new, so the alert goes straight to the on-call clinician
        # (the walk-through's "escalated 1 step" with nobody told, and a step's delay
        # spent on nobody).
        (CLINICIAN_FIRST, None, {7}, (2, [8])),
        # Not emailed yet (a routine alert waits for the digest): their step is the
        # email that says it is waiting.
        (CLINICIAN_FIRST, None, set(), (1, [7])),
        (CLINICIAN_FIRST, 2, {7, 8}, (3, [1, 2])),
        # Past the last step that adds anyone: the end of the chain.
        (CLINICIAN_FIRST, 3, {7, 8, 1, 2}, (None, [])),
        # Steps behind the alert count as told even if `holding` forgot them.
        (CLINICIAN_FIRST, 2, {7}, (3, [1, 2])),
        # A step whose people all have it already is passed over too: the on-call
        # clinician is the patient's clinician here.
        ([(1, [7]), (2, [7]), (3, [1])], None, {7}, (3, [1])),
        # A step with nobody active on it (switched off) is passed over.
        ([(1, []), (2, [8])], None, {7}, (2, [8])),
        # Only the people a step adds are told: admin 1 acknowledged it already.
        (CLINICIAN_FIRST, 2, {7, 8, 1}, (3, [2])),
        # A step the chain lost since (a removed position) changes nothing.
        ([(2, [8]), (5, [1])], 3, {7, 8}, (5, [1])),
        # No chain at all.
        ([], None, {7}, (None, [])),
    ],
)
def test_it_escalates_to_the_next_step_that_tells_someone_new(steps, reached, holding, expected):
    assert rules.escalation_next(steps, reached=reached, holding=holding) == expected
