"""A program switch and "where the patient is": the clinician's confirmation, the
caseload, Today, the program map, the booster card and the check-in schedule read one
rule (programs.weeks.past_end) and agree after a switch (programs.tailoring.services
.enrollment_switch_program, tracking.clinic.tailoring.program_switch).

The bug: week 5 of 8, switched to a 4-week program keeping the calendar, was "week 4 of
4" for the clinician while Today said the program had finished on a date before the
switch and offered a booster, and the week-5 check-in stayed on a 4-week program."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs import weeks
from programs.boosters.selectors import boosters_for, program_is_over
from programs.tailoring.models import ProgramSwitch
from tests.tailoring_data import make_trial_version
from tracking import rules
from tracking.checkins.schedule import checkins_schedule
from tracking.clinic.tailoring import program_switch
from tracking.models import CheckIn

REASON = "Two sessions a week suits you."
D0 = date(2026, 3, 2)


# ---------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    ("today", "week_count", "paused_days", "paused_on", "over"),
    [
        (D0 - timedelta(days=3), 4, 0, None, False),  # not started
        (D0, 4, 0, None, False),
        (D0 + timedelta(days=27), 4, 0, None, False),  # the last day of week 4
        (D0 + timedelta(days=28), 4, 0, None, True),  # the day after: over
        (D0 + timedelta(days=30), 8, 0, None, False),  # week 5 of 8
        (D0 + timedelta(days=30), 4, 0, None, True),  # week 5 on a 4-week calendar
        (D0 + timedelta(days=34), 4, 7, None, False),  # a week paused: day 27
        (D0 + timedelta(days=40), 4, 0, D0 + timedelta(days=20), False),  # paused since day 20
        (D0 + timedelta(days=56), 8, 0, None, True),
    ],
)
def test_past_end_is_the_day_after_the_last_week(today, week_count, paused_days, paused_on, over):
    args = {
        "start_date": D0,
        "today": today,
        "week_count": week_count,
        "paused_days": paused_days,
        "paused_on": paused_on,
    }
    assert weeks.past_end(**args) is over
    assert rules.past_end(**args) is over
    # The same as "today is on or after the end date", which the end check-in is due on.
    assert (today >= weeks.program_ends_on(**args)) is over


@pytest.mark.parametrize("week_count", [1, 4, 8])
def test_the_last_week_start_date_opens_the_last_week_today(week_count):
    today = D0 + timedelta(days=33)
    start = weeks.last_week_start_date(today=today, week_count=week_count)
    assert weeks.current_week(start_date=start, today=today, week_count=week_count) == week_count
    assert weeks.week_opens_on(week_count, start_date=start, today=today) == today
    assert not weeks.past_end(start_date=start, today=today, week_count=week_count)
    ends = weeks.program_ends_on(start_date=start, today=today, week_count=week_count)
    assert ends == today + timedelta(days=7)


# ---------------------------------------------------------------- the service
@pytest.fixture
def trial(db):
    return make_trial_version()


def _start(enrollment, days_ago: int):
    """Started `days_ago` days ago, its check-ins scheduled on the day it started."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=days_ago)
    enrollment.save()
    CheckIn.objects.filter(enrollment=enrollment).delete()
    checkins_schedule(enrollment, now=timezone.now() - timedelta(days=days_ago))


def _fresh(enrollment):
    enrollment.refresh_from_db()
    for cached in ("_tailoring", "_week_count", "_outline"):
        if hasattr(enrollment, cached):
            delattr(enrollment, cached)
    return enrollment


@pytest.mark.parametrize("days_ago", [28, 30, 40, 70])
def test_keeping_a_calendar_past_the_new_end_is_refused_in_plain_words(
    cast, enrollment, trial, days_ago
):
    _start(enrollment, days_ago)
    old_version, old_start = enrollment.program_version_id, enrollment.start_date
    week = enrollment.current_week()
    slots = set(CheckIn.objects.filter(enrollment=enrollment).values_list("slot", "due_date"))
    with pytest.raises(ValidationError) as refused:
        program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)
    message = refused.value.message_dict["start"][0]
    assert message == (
        f"The patient is in week {week}, and “Trial dose (test)” has 4 weeks: keeping their "
        "calendar would put them past its end. Choose to start it again at week 1, or to "
        "start its last week today."
    )
    enrollment = _fresh(enrollment)
    assert (enrollment.program_version_id, enrollment.start_date) == (old_version, old_start)
    assert not ProgramSwitch.objects.exists()
    assert not AuditEvent.objects.filter(action="tailoring.program_switched").exists()
    assert slots == set(
        CheckIn.objects.filter(enrollment=enrollment).values_list("slot", "due_date")
    )


def test_week_5_of_8_to_the_last_week_of_4_agrees_everywhere(cast, enrollment, trial):
    _start(enrollment, 30)  # week 5 of 8
    by_slot = {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}
    by_slot["week-3"].status = CheckIn.Status.MISSED
    by_slot["week-4"].status = CheckIn.Status.COMPLETED
    by_slot["week-5"].status = CheckIn.Status.OPEN  # open when the clinician switches
    for slot in ("week-3", "week-4", "week-5"):
        by_slot[slot].save(update_fields=["status"])
    switch = program_switch(
        enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician, start="last"
    )
    enrollment = _fresh(enrollment)
    today = enrollment.local_date()
    assert (switch.week_before, switch.week_after) == (5, 4)
    assert enrollment.current_week() == 4 == enrollment.week_count
    assert not program_is_over(enrollment, today)
    assert boosters_for(enrollment, today) is None
    # It is over, with its first booster, a week from today.
    assert program_is_over(enrollment, today + timedelta(days=7))
    assert boosters_for(enrollment, today + timedelta(days=7)) is not None

    rows = {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}
    assert not {"week-5", "week-6", "week-7", "week-8"} & set(rows)
    assert rows["week-3"].status == CheckIn.Status.MISSED  # what happened stays
    assert rows["week-4"].status == CheckIn.Status.COMPLETED
    assert rows["end"].due_date == today + timedelta(days=7)
    for months in (1, 3, 6, 12):
        assert rows[f"followup-{months}m"].due_date == rules.add_months(
            today + timedelta(days=7), months
        )
    # Nothing waits to open on a date already gone (it would only be marked missed).
    assert not [
        c
        for c in rows.values()
        if c.status == CheckIn.Status.SCHEDULED and c.due_date < today and c.kind == "weekly"
    ]
    event = AuditEvent.objects.get(action="tailoring.program_switched")
    assert event.changes["week"] == [5, 4] and event.changes["start"] == [None, "last"]


def test_a_patient_placed_in_the_last_week_early_skips_the_weeks_between(cast, enrollment, trial):
    _start(enrollment, 10)  # week 2 of 8: weeks 3 and 4 have check-ins not open yet
    program_switch(
        enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician, start="last"
    )
    enrollment = _fresh(enrollment)
    today = enrollment.local_date()
    scheduled = CheckIn.objects.filter(
        enrollment=enrollment, status=CheckIn.Status.SCHEDULED, kind="weekly"
    )
    assert all(c.due_date >= today for c in scheduled)
    assert not CheckIn.objects.filter(enrollment=enrollment, week__gt=4).exists()


def test_the_opposite_switch_4_to_8_weeks_reopens_the_program(cast, enrollment, trial):
    eight = enrollment.program_version
    program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)
    _start(_fresh(enrollment), 40)  # the 4 weeks are over: boosters show
    today = enrollment.local_date()
    assert program_is_over(enrollment, today) and boosters_for(enrollment, today)
    switch = program_switch(
        enrollment=enrollment, to_version=eight, reason=REASON, by=cast.clinician
    )
    enrollment = _fresh(enrollment)
    assert (switch.week_before, switch.week_after) == (4, 6)
    assert enrollment.current_week() == 6 and enrollment.week_count == 8
    assert not program_is_over(enrollment, today) and boosters_for(enrollment, today) is None
    end = CheckIn.objects.get(enrollment=enrollment, slot="end")
    assert end.due_date == enrollment.start_date + timedelta(days=56)
    assert CheckIn.objects.filter(enrollment=enrollment, slot="week-8").exists()


# ---------------------------------------------------------------- the pages
@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def test_the_form_says_so_before_saving_and_keeps_what_was_typed(clin, cast, enrollment, trial):
    _start(enrollment, 30)
    url = reverse("patient_program_switch", args=[enrollment.pk])
    warning = "The patient is in week 5, and “Trial dose (test)” has 4 weeks"
    page = clin.get(reverse("patient_program", args=[enrollment.pk])).content.decode()
    assert warning in page  # before anything is saved
    response = clin.post(url, {"to_version": str(trial.pk), "reason": "A lighter plan for you."})
    assert response.status_code == 400
    body = response.content.decode()
    assert warning in body and "A lighter plan for you." in body
    assert f'<option value="{trial.pk}" selected>' in body
    assert _fresh(enrollment).program_version_id != trial.pk

    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    response = clin.post(
        url,
        {"to_version": str(trial.pk), "reason": "Un plan más ligero.", "start": "calendar"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "El paciente está en la semana 5, y “Trial dose (test)” tiene 4 semanas" in body
    assert "Un plan más ligero." in body

    cast.clinician.language = "en"
    cast.clinician.save(update_fields=["language"])
    response = clin.post(
        url,
        {"to_version": str(trial.pk), "reason": "A lighter plan.", "start": "last"},
        follow=True,
    )
    assert "The patient is in week 4 of 4." in response.content.decode()
    assert _fresh(enrollment).program_version_id == trial.pk


def test_an_unknown_start_is_a_plain_message(clin, enrollment, trial):
    response = clin.post(
        reverse("patient_program_switch", args=[enrollment.pk]),
        {"to_version": str(trial.pk), "reason": "A lighter plan.", "start": "week9"},
    )
    assert response.status_code == 400
    assert "Choose where the patient starts." in response.content.decode()


def test_after_the_switch_today_does_not_say_the_program_is_finished(
    client, cast, enrollment, trial
):
    _start(enrollment, 30)
    program_switch(
        enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician, start="last"
    )
    client.force_login(cast.patient)
    response = client.get(reverse("today"))
    today = response.content.decode()
    assert response.context["program_over"] is False
    assert "You have finished" not in today and "You finished the program" not in today
    assert "You are in week 4 of 4" in today
    program = client.get(reverse("program_overview"))
    assert program.context["pmap"].current_week == 4


def test_the_caseload_says_the_same_week(clin, cast, enrollment, trial):
    _start(enrollment, 30)
    program_switch(
        enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician, start="last"
    )
    row = clin.get(reverse("caseload")).context["page"].rows[0]
    assert (row.week, row.week_count) == (4, 4)


def _start_options(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="start" value="([^"]+)"', page)


def test_the_form_offers_keeping_the_calendar_only_where_it_is_possible(
    clin, cast, enrollment, trial
):
    """Week 7 of 8, and the only other program is the 4-week trial dose: keeping the
    calendar is not offered (it would be refused), and the form says why."""
    program = reverse("patient_program", args=[enrollment.pk])
    assert _start_options(clin.get(program).content.decode()) == ["calendar", "week1", "last"]
    _start(enrollment, 45)  # week 7 of 8
    page = clin.get(program).content.decode()
    assert _start_options(page) == ["week1", "last"]
    assert "Keep their calendar" not in page
    assert (
        "Keeping their calendar is not offered: the patient is already past the last week "
        "of the new program."
    ) in page
    assert not re.search(r'name="start" value="[^"]+"[^>]* checked', page)  # none chosen
    # Sent without a start (an older page): a plain message, nothing switched.
    response = clin.post(
        reverse("patient_program_switch", args=[enrollment.pk]),
        {"to_version": str(trial.pk), "reason": "A lighter plan."},
    )
    assert response.status_code == 400
    assert "Choose where the patient starts." in response.content.decode()
    assert _fresh(enrollment).program_version_id != trial.pk

    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = clin.get(program).content.decode()
    assert _start_options(page) == ["week1", "last"]
    assert "No se ofrece mantener su calendario" in page


def test_with_two_programs_the_calendar_option_says_where_it_does_not_apply(
    clin, enrollment, trial
):
    eight = make_trial_version(slug="prt-eight-test", weeks=8)  # another program, 8 weeks
    eight.title = "Eight weeks (test)"
    eight.save(update_fields=["title"])
    _start(enrollment, 45)  # week 7: past the trial dose's end, not the 8-week one's
    page = clin.get(reverse("patient_program", args=[enrollment.pk])).content.decode()
    assert _start_options(page) == ["calendar", "week1", "last"]
    assert (
        "Keep their calendar: the same week number (not for “Trial dose (test)”: the "
        "patient is past its last week)"
    ) in page
