"""Weeks open at local midnight where the patient lives; pauses shift; early unlock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from painapp.accounts.models import Role
from programs import services
from tests.factories import make_member

START = date(2026, 3, 2)


def enroll(cast, program_version, tz, email):
    patient = make_member(cast.practice, Role.PATIENT, email, tz=tz)
    return services.enrollment_create(
        patient=patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=program_version,
        start_date=START,
    )


def test_patients_in_different_zones_see_different_weeks_at_the_same_instant(cast, program_version):
    auckland = enroll(cast, program_version, "Pacific/Auckland", "akl@example.org")
    los_angeles = enroll(cast, program_version, "America/Los_Angeles", "lax@example.org")
    # Week 2 opens on 9 March. At 11:30 UTC on 8 March it is already 00:30 on 9 March
    # in Auckland (UTC+13) but only 04:30 on 8 March in Los Angeles.
    instant = datetime(2026, 3, 8, 11, 30, tzinfo=UTC)
    assert auckland.current_week(instant) == 2
    assert los_angeles.current_week(instant) == 1
    # Los Angeles moved to daylight time on 8 March 2026, so its midnight on 9 March
    # is 07:00 UTC (UTC-7), not 08:00.
    assert los_angeles.current_week(datetime(2026, 3, 9, 6, 59, tzinfo=UTC)) == 1
    assert los_angeles.current_week(datetime(2026, 3, 9, 7, 0, tzinfo=UTC)) == 2


def test_nothing_is_open_before_the_start_and_the_last_week_caps(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", "ldn@example.org")
    assert e.current_week(datetime(2026, 3, 1, 23, 59, tzinfo=UTC)) == 0
    assert e.current_week(datetime(2026, 3, 2, 0, 0, tzinfo=UTC)) == 1
    assert e.current_week(datetime(2027, 1, 1, tzinfo=UTC)) == 8


def test_week_n_opens_at_start_plus_seven_times_n_minus_one_days(cast, program_version):
    e = enroll(cast, program_version, "Europe/Berlin", "ber@example.org")
    for n in range(1, 9):
        opens = START + timedelta(days=7 * (n - 1))
        # local midnight in Berlin is 23:00 UTC the day before (winter) or 22:00 (summer)
        just_after = datetime(opens.year, opens.month, opens.day, 0, 1, tzinfo=e.patient.tzinfo)
        just_before = just_after - timedelta(minutes=2)
        assert e.current_week(just_after) == n
        assert e.current_week(just_before) == n - 1


def test_a_pause_shifts_the_calendar(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", "pause@example.org")
    with time_machine.travel(datetime(2026, 3, 10, 12, tzinfo=UTC)):  # day 8: week 2
        assert e.current_week() == 2
        services.enrollment_pause(enrollment=e)
    with time_machine.travel(datetime(2026, 3, 24, 12, tzinfo=UTC)):  # 14 days later
        assert e.current_week() == 2  # the calendar stood still
        services.enrollment_resume(enrollment=e)
        assert e.paused_days == 14
        assert e.current_week() == 2
    with time_machine.travel(datetime(2026, 3, 30, 12, tzinfo=UTC)):
        # without the pause this would be week 5; with 14 days paused it is week 3
        assert e.current_week() == 3
        assert e.week_opens_on(3) == date(2026, 3, 30)


def test_a_clinician_can_open_a_week_early(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", "early@example.org")
    with time_machine.travel(datetime(2026, 3, 3, 12, tzinfo=UTC)):
        assert e.current_week() == 1
        services.enrollment_unlock_week(enrollment=e, week=3)
        assert e.current_week() == 3
    with pytest.raises(Exception, match="between 1 and 8"):
        services.enrollment_unlock_week(enrollment=e, week=9)


def test_a_locked_week_shows_when_it_opens(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get("/program/week/5/")
    assert page.status_code == 200
    assert b"This week opens on" in page.content
    assert b"Week 5" in page.content
    lesson = enrollment.program_version.weeks.get(number=5).activities.filter(kind="lesson").first()
    locked = client.get(f"/program/{lesson.slug}/")
    assert b"which opens on" in locked.content
    assert client.post(f"/program/{lesson.slug}/complete/").status_code == 404
