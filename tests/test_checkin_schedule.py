"""The check-in schedule: slots and due dates from the program's config, in the
patient's own time zone; idempotent; moved after a pause; opened and marked missed
by the minute sweep."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from programs.models import EnrollmentStatus
from programs.services import enrollment_pause, enrollment_resume
from tests.checkin_data import record_at_open
from tests.factories import Role, make_enrollment, make_member
from tracking.checkins.schedule import (
    add_months,
    checkins_reschedule,
    checkins_schedule,
    checkins_update_statuses,
)
from tracking.models import CheckIn, PracticeSettings
from tracking.tasks import update_checkin_statuses

BASELINE = ["pain_avg", "pain_worst", "fear_movement", "fabq_pa", "phq9", "gad7"]
# Every weekly check-in also asks PHQ-9 item 9 and "any new symptoms?" (issue 15).
WEEKLY = ["pain_avg", "pain_worst", "fear_movement", "phq2", "phq9_item9", "gad2", "new_symptoms"]
# Monday 2 March 2026, 12:00 UTC = 07:00 in New York (EST). US clocks go forward on
# Sunday 8 March, so week 2's check-in opens at a different UTC hour from the baseline.
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def ny_enrollment(cast, program_version):
    """A patient in New York who starts today (Monday 2 March 2026)."""
    with time_machine.travel(START, tick=False):
        patient = make_member(
            cast.practice, Role.PATIENT, "ny@riverside.test", tz="America/New_York"
        )
        return make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version, days_ago=0
        )


def by_slot(enrollment) -> dict[str, CheckIn]:
    return {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@time_machine.travel(START, tick=False)
def test_it_creates_every_slot_from_the_program_config(ny_enrollment):
    assert checkins_schedule(ny_enrollment) == 13
    slots = by_slot(ny_enrollment)
    # Week 1's check-in day is the start date itself: the baseline is that check-in.
    assert list(
        CheckIn.objects.filter(enrollment=ny_enrollment).values_list("slot", flat=True)
    ) == [
        "baseline",
        "week-2",
        "week-3",
        "week-4",
        "week-5",
        "week-6",
        "week-7",
        "week-8",
        "end",
        "followup-1m",
        "followup-3m",
        "followup-6m",
        "followup-12m",
    ]
    assert slots["baseline"].kind == CheckIn.Kind.BASELINE
    assert slots["baseline"].instrument_keys == BASELINE
    assert slots["week-2"].instrument_keys == WEEKLY
    assert slots["week-2"].week == 2
    # full_weeks: [4] (the full PHQ-9 holds item 9; new symptoms are asked every week)
    assert slots["week-4"].instrument_keys == BASELINE + ["new_symptoms"]
    assert slots["end"].kind == CheckIn.Kind.END
    assert slots["followup-1m"].kind == CheckIn.Kind.FOLLOWUP
    assert "causes" in slots["followup-3m"].instrument_keys
    # After week 8 (issue 19): 6 and 12 months ask the same as the others.
    for slot in ("followup-6m", "followup-12m"):
        assert slots[slot].kind == CheckIn.Kind.FOLLOWUP
        assert slots[slot].instrument_keys == slots["followup-1m"].instrument_keys


@time_machine.travel(START, tick=False)
def test_due_dates_fall_on_the_check_in_day_at_local_midnight(ny_enrollment):
    checkins_schedule(ny_enrollment)
    slots = by_slot(ny_enrollment)
    assert slots["baseline"].due_date == date(2026, 3, 2)
    assert slots["week-2"].due_date == date(2026, 3, 9)
    assert slots["week-8"].due_date == date(2026, 4, 20)
    assert slots["end"].due_date == date(2026, 4, 27)  # the day after week 8 ends
    assert slots["followup-1m"].due_date == date(2026, 5, 27)
    assert slots["followup-3m"].due_date == date(2026, 7, 27)
    assert slots["followup-6m"].due_date == date(2026, 10, 27)
    assert slots["followup-12m"].due_date == date(2027, 4, 27)
    # Midnight in New York: 05:00 UTC in winter, 04:00 UTC after the clocks go forward.
    assert slots["baseline"].opens_at == utc(2026, 3, 2, 5)
    assert slots["baseline"].closes_at == utc(2026, 3, 5, 5)  # window_days: 3
    assert slots["week-2"].opens_at == utc(2026, 3, 9, 4)
    assert slots["week-2"].closes_at == utc(2026, 3, 12, 4)
    assert all(c.status == CheckIn.Status.SCHEDULED for c in slots.values())


@time_machine.travel(START, tick=False)
def test_running_it_again_changes_nothing(ny_enrollment):
    checkins_schedule(ny_enrollment)
    before = list(CheckIn.objects.filter(enrollment=ny_enrollment).values())
    assert checkins_schedule(ny_enrollment) == 0
    assert list(CheckIn.objects.filter(enrollment=ny_enrollment).values()) == before


@pytest.mark.parametrize(
    ("weekday", "first_week", "last_week", "week1_due"),
    [
        (3, "week-1", "week-8", date(2026, 3, 5)),  # Thursday: after the baseline's window
        (1, "week-2", "week-8", None),  # Tuesday: inside the baseline's window, left out
        (6, "week-1", "week-7", date(2026, 3, 8)),  # Sunday: week 8 would overlap the end
    ],
)
def test_the_patients_check_in_day_decides_the_weekly_dates(
    ny_enrollment, weekday, first_week, last_week, week1_due
):
    ny_enrollment.checkin_weekday = weekday
    ny_enrollment.save()
    with time_machine.travel(START, tick=False):
        checkins_schedule(ny_enrollment)
    weekly = list(CheckIn.objects.filter(enrollment=ny_enrollment, kind="weekly"))
    assert weekly[0].slot == first_week
    assert weekly[-1].slot == last_week
    assert all(c.due_date.weekday() == weekday for c in weekly)
    if week1_due:
        assert weekly[0].due_date == week1_due


def test_the_window_comes_from_the_practice_when_the_program_has_none(ny_enrollment):
    version = ny_enrollment.program_version
    version.checkin_config = {k: v for k, v in version.checkin_config.items() if k != "window_days"}
    version.save()
    settings = PracticeSettings.for_practice(ny_enrollment.practice_id)
    settings.checkin_window_days = 5
    settings.save()
    with time_machine.travel(START, tick=False):
        checkins_schedule(ny_enrollment)
    baseline = CheckIn.objects.get(enrollment=ny_enrollment, slot="baseline")
    assert baseline.closes_at == utc(2026, 3, 7, 5)


def test_an_enrollment_scheduled_mid_program_starts_measuring_that_day(cast, enrollment):
    """Older enrollments get their schedule lazily: no check-ins invented in the past."""
    checkins_schedule(enrollment)  # started 10 days ago
    slots = by_slot(enrollment)
    assert slots["baseline"].due_date == enrollment.local_date()
    assert "week-2" not in slots  # its window closed before the baseline's
    assert slots["week-3"].due_date == enrollment.start_date + timedelta(days=14)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 4, 27), 1) == date(2026, 5, 27)


# ---------------------------------------------------------------- pauses


def test_after_a_pause_check_ins_not_yet_open_move_back(ny_enrollment):
    with time_machine.travel(START, tick=False):
        checkins_schedule(ny_enrollment)
    with time_machine.travel(utc(2026, 3, 10, 15), tick=False):  # Tuesday of week 2
        checkins_update_statuses()
        enrollment_pause(enrollment=ny_enrollment)
    with time_machine.travel(utc(2026, 3, 17, 15), tick=False):  # a week later
        checkins_update_statuses()  # paused: nothing opens or goes missed meanwhile
        assert by_slot(ny_enrollment)["week-3"].status == CheckIn.Status.SCHEDULED
        enrollment_resume(enrollment=ny_enrollment)
        moved = checkins_reschedule(ny_enrollment)
    slots = by_slot(ny_enrollment)
    assert moved == 11  # weeks 3–8, the end and the four follow-ups
    assert slots["week-2"].due_date == date(2026, 3, 9)  # it was already open: kept
    assert slots["week-2"].status == CheckIn.Status.OPEN
    assert slots["week-3"].due_date == date(2026, 3, 23)
    assert slots["week-3"].opens_at == utc(2026, 3, 23, 4)
    assert slots["week-3"].closes_at == utc(2026, 3, 26, 4)
    assert slots["end"].due_date == date(2026, 5, 4)
    assert slots["followup-1m"].due_date == date(2026, 6, 4)
    assert slots["followup-12m"].due_date == date(2027, 5, 4)
    with time_machine.travel(utc(2026, 3, 17, 15), tick=False):
        assert checkins_reschedule(ny_enrollment) == 0  # and again: nothing to move


# ---------------------------------------------------------------- the sweep


def test_the_sweep_opens_check_ins_and_marks_missed_ones(ny_enrollment, django_assert_num_queries):
    with time_machine.travel(START, tick=False):
        checkins_schedule(ny_enrollment)
        with django_assert_num_queries(2):
            assert checkins_update_statuses() == {"opened": 1, "missed": 0}
    assert by_slot(ny_enrollment)["baseline"].status == CheckIn.Status.OPEN

    with time_machine.travel(utc(2026, 3, 9, 4, 30), tick=False):
        with django_assert_num_queries(2):
            assert checkins_update_statuses() == {"opened": 1, "missed": 1}
        assert checkins_update_statuses() == {"opened": 0, "missed": 0}  # twice: no change
    slots = by_slot(ny_enrollment)
    assert slots["baseline"].status == CheckIn.Status.MISSED  # kept, not dropped
    assert slots["week-2"].status == CheckIn.Status.OPEN

    record_at_open(slots["week-2"])
    with time_machine.travel(utc(2026, 3, 20), tick=False):
        update_checkin_statuses()  # the Celery task beat runs every minute
    slots = by_slot(ny_enrollment)
    assert slots["week-2"].status == CheckIn.Status.COMPLETED
    assert slots["week-3"].status == CheckIn.Status.MISSED


def test_the_sweep_leaves_paused_and_withdrawn_enrollments_alone(ny_enrollment):
    with time_machine.travel(START, tick=False):
        checkins_schedule(ny_enrollment)
    ny_enrollment.status = EnrollmentStatus.WITHDRAWN
    ny_enrollment.save()
    with time_machine.travel(utc(2026, 3, 20), tick=False):
        assert checkins_update_statuses() == {"opened": 0, "missed": 0}


def test_missed_check_ins_stay_visible_to_the_patient(client, cast, enrollment):
    from tests.checkin_data import schedule_from_start

    enrollment.start_date -= timedelta(days=4)  # 14 days ago: baseline and week 2 passed
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    schedule_from_start(enrollment)
    checkins_update_statuses()
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_list")).content.decode()
    assert "Starting check-in" in page
    assert "Week 2 check-in" in page
    assert page.count(">Missed<") == 2
    assert ">Open<" in page  # week 3 opens today
