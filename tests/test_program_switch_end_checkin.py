"""Extending the 4-week "trial dose" to the 8-week program after the 4-week
end-of-program check-in was answered (tracking.clinic.tailoring.checkins_after_switch).

The bug: the check-in slot "end" is unique per enrollment, so the answered 4-week end
check-in kept it and the 8-week program never got one; the outcomes report then read
the 4-week answers as the end of treatment. Now the 4-week one is kept, answers and
all, as a mid-program check-in ("interim-week-4"), and the program gets its own end
check-in on the day after week 8, which the report reads."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from programs.models import Enrollment, EnrollmentStatus
from tests.checkin_data import answers_for, record_at_open, schedule_from_start
from tests.factories import load_shipped_program, make_enrollment
from tests.tailoring_data import make_trial_version
from tracking.checkins.schedule import checkins_update_statuses, local_midnight
from tracking.checkins.selectors import checkin_home, checkin_title
from tracking.checkins.services import NotAvailable, checkin_record
from tracking.checkins.summaries import summaries_refresh
from tracking.clinic.tailoring import program_switch
from tracking.models import CheckIn, EnrollmentSummary, Response
from tracking.practice_admin.reports import OutcomeFilters, outcomes_report

ZONE = "America/Mexico_City"
D0 = date(2026, 3, 2)  # the start date (a Monday)
REASON = "Four more weeks will help you build on what you learned."


def local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def on_the_trial_dose(cast):
    """cast.patient (in Mexico City) on the 4-week trial dose from D0, the baseline
    answered with average pain 7; and the 8-week program to switch to."""
    cast.patient.timezone = ZONE
    cast.patient.save(update_fields=["timezone"])
    trial, eight = make_trial_version(), load_shipped_program()
    with time_machine.travel(local_noon(D0), tick=False):
        enrollment = make_enrollment(
            cast.patient, cast.clinician, cast.practice, version=trial, days_ago=0
        )
        slots = schedule_from_start(enrollment)
        record_at_open(slots["baseline"], pain_avg={"pain_avg": 7})
    return enrollment, eight


@pytest.fixture
def extended(cast):
    """cast.patient (in Mexico City) on the 4-week trial dose from D0: the baseline
    answered with average pain 7, the 4-week end check-in answered with pain 3 on day
    28, then switched, on day 29, to the 8-week program keeping the calendar (week 5
    of 8)."""
    enrollment, eight = on_the_trial_dose(cast)
    end = CheckIn.objects.get(enrollment=enrollment, slot="end")
    assert end.due_date == D0 + timedelta(days=28)
    record_at_open(end, pain_avg={"pain_avg": 3})
    with time_machine.travel(local_noon(D0 + timedelta(days=29)), tick=False):
        program_switch(enrollment=enrollment, to_version=eight, reason=REASON, by=cast.clinician)
    enrollment.refresh_from_db()
    return enrollment, end.pk


def test_it_schedules_an_end_check_in_that_opens_after_week_8(extended):
    enrollment, _ = extended
    end = CheckIn.objects.get(enrollment=enrollment, slot="end")
    assert end.kind == CheckIn.Kind.END
    assert end.status == CheckIn.Status.SCHEDULED
    assert end.due_date == D0 + timedelta(days=56)  # the day after week 8 ends
    assert end.opens_at == local_midnight(D0 + timedelta(days=56), ZoneInfo(ZONE))
    assert not end.responses.exists()
    # The sweep opens it that day, not before.
    checkins_update_statuses(now=end.opens_at - timedelta(minutes=1))
    end.refresh_from_db()
    assert end.status == CheckIn.Status.SCHEDULED
    checkins_update_statuses(now=end.opens_at + timedelta(minutes=1))
    end.refresh_from_db()
    assert end.status == CheckIn.Status.OPEN


def test_the_4_week_answers_stay_as_a_mid_program_check_in(client, cast, extended):
    enrollment, old_pk = extended
    kept = CheckIn.objects.get(pk=old_pk)
    assert (kept.slot, kept.kind, kept.week) == ("interim-week-4", CheckIn.Kind.INTERIM, 4)
    assert kept.status == CheckIn.Status.COMPLETED
    assert kept.due_date == D0 + timedelta(days=28)
    pain = Response.objects.get(checkin=kept, instrument_key="pain_avg")
    assert pain.scores["total"] == 3
    # Not the end any more: the caseload's end score waits for the week-8 answers.
    summary = EnrollmentSummary.objects.get(enrollment=enrollment)
    assert summary.pain_end is None and summary.pain_current == 3

    # The patient's own history lists it, by its new name, with the end still to come.
    at = local_noon(D0 + timedelta(days=30))
    titles = [row.title for row in checkin_home(enrollment, at).rows]
    assert "Mid-program check-in (after week 4)" in titles
    assert "End-of-program check-in" not in titles
    client.force_login(cast.patient)
    with time_machine.travel(at, tick=False):
        page = client.get(reverse("checkin_list")).content.decode()
    assert "Mid-program check-in (after week 4)" in page
    with translation.override("es"):
        assert checkin_title(kept) == "Control de mitad del programa (tras la semana 4)"

    # And the clinician's check-in history shows it with its answers.
    client.force_login(cast.clinician)
    with time_machine.travel(at, tick=False):
        page = client.get(reverse("patient_checkins", args=[enrollment.pk])).content.decode()
    assert "Mid-program check-in (after week 4)" in page


def test_the_report_counts_the_week_8_end_answer(cast, extended):
    enrollment, _ = extended
    filters = OutcomeFilters(practice=cast.practice)
    # Before week 8's end check-in, the patient is still in the program: the 4-week
    # answers are not the end of treatment.
    report = outcomes_report(filters, now=local_noon(D0 + timedelta(days=40)))
    assert report.still_in_program == 1 and report.cohort == 0

    end = CheckIn.objects.get(enrollment=enrollment, slot="end")
    answered_at = end.opens_at + timedelta(hours=14)
    checkin_record(
        checkin=end,
        answers_by_instrument=answers_for(end.instrument_keys, pain_avg={"pain_avg": 1}),
        now=answered_at,
    )
    end.refresh_from_db()
    report = outcomes_report(filters, now=end.closes_at + timedelta(hours=1))
    (row,) = [r for r in report.rows if r.enrollment_id == enrollment.pk]
    assert (row.baseline, row.end) == (7, 1)
    assert row.cohort_date == D0 + timedelta(days=56)
    assert report.finished == 1
    assert EnrollmentSummary.objects.get(enrollment=enrollment).pain_end == 1


def test_an_answer_sent_as_the_switch_renames_the_end_check_in_is_not_taken_as_the_end(cast):
    """The patient opened the 4-week end check-in; while they answer it, their clinician
    extends the program and the row becomes the mid-program one. The answer sent from
    the page loaded before (its check-in still says "end") is refused, so week 4 never
    becomes the end score nor opens the end's full PHQ-9; answered again, it counts as
    the mid-program check-in it now is."""
    enrollment, eight = on_the_trial_dose(cast)
    day_29 = local_noon(D0 + timedelta(days=29))
    checkins_update_statuses(now=day_29)
    loaded = CheckIn.objects.get(enrollment=enrollment, slot="end")  # the page is open
    assert loaded.status == CheckIn.Status.OPEN
    with time_machine.travel(day_29, tick=False):
        program_switch(enrollment=enrollment, to_version=eight, reason=REASON, by=cast.clinician)
    answers = answers_for(
        loaded.instrument_keys, pain_avg={"pain_avg": 3}, phq2={"phq1": 2, "phq2": 2}
    )
    with pytest.raises(NotAvailable):
        checkin_record(checkin=loaded, answers_by_instrument=answers, now=day_29)
    summary = EnrollmentSummary.objects.get(enrollment=enrollment)
    assert summary.pain_end is None
    assert not CheckIn.objects.filter(enrollment=enrollment, kind=CheckIn.Kind.EXTRA).exists()
    now_interim = CheckIn.objects.get(pk=loaded.pk)
    assert now_interim.kind == CheckIn.Kind.INTERIM
    checkin_record(checkin=now_interim, answers_by_instrument=answers, now=day_29)
    summary.refresh_from_db()
    assert summary.pain_end is None


def test_a_switch_made_before_the_fix_is_repaired_once(cast, extended):
    """`manage.py repair_switched_ends` gives a patient switched before the end
    check-in moved with the switch (the 4-week one still "end", no end after week 8)
    what a switch gives now; run again, it changes nothing."""
    enrollment, old_pk = extended
    # The state the old code left: the 4-week answers hold "end"; no end after week 8.
    CheckIn.objects.filter(enrollment=enrollment, slot="end").delete()
    CheckIn.objects.filter(pk=old_pk).update(slot="end", kind=CheckIn.Kind.END, week=None)
    summaries_refresh(enrollment_ids=[enrollment.pk])
    assert EnrollmentSummary.objects.get(enrollment=enrollment).pain_end == 3

    out = io.StringIO()
    with time_machine.travel(local_noon(D0 + timedelta(days=35)), tick=False):
        call_command("repair_switched_ends", stdout=out)
        assert "1 enrollment(s)" in out.getvalue()
        kept = CheckIn.objects.get(pk=old_pk)
        assert (kept.slot, kept.kind, kept.week) == ("interim-week-4", CheckIn.Kind.INTERIM, 4)
        assert Response.objects.get(checkin=kept, instrument_key="pain_avg").scores["total"] == 3
        end = CheckIn.objects.get(enrollment=enrollment, slot="end")
        assert (end.kind, end.status) == (CheckIn.Kind.END, CheckIn.Status.SCHEDULED)
        assert end.due_date == D0 + timedelta(days=56)
        assert EnrollmentSummary.objects.get(enrollment=enrollment).pain_end is None
        # The report waits for the week-8 answers, as for a switch made today.
        report = outcomes_report(OutcomeFilters(practice=cast.practice))
        assert report.still_in_program == 1 and report.cohort == 0

        before = sorted(CheckIn.objects.filter(enrollment=enrollment).values_list("pk", "slot"))
        again = io.StringIO()
        call_command("repair_switched_ends", stdout=again)
        assert "0 enrollment(s)" in again.getvalue()
        after = sorted(CheckIn.objects.filter(enrollment=enrollment).values_list("pk", "slot"))
        assert after == before


def test_a_patient_who_finished_since_is_relabelled_and_asked_nothing(cast, extended):
    """Switched before the fix, then marked finished: the 4-week answers stop being the
    end of treatment, and no end check-in is asked of someone who has finished."""
    enrollment, old_pk = extended
    CheckIn.objects.filter(enrollment=enrollment, slot="end").delete()
    CheckIn.objects.filter(pk=old_pk).update(slot="end", kind=CheckIn.Kind.END, week=None)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    summaries_refresh(enrollment_ids=[enrollment.pk])
    call_command("repair_switched_ends", stdout=io.StringIO())
    kept = CheckIn.objects.get(pk=old_pk)
    assert (kept.slot, kept.kind) == ("interim-week-4", CheckIn.Kind.INTERIM)
    assert not CheckIn.objects.filter(enrollment=enrollment, slot="end").exists()
    assert EnrollmentSummary.objects.get(enrollment=enrollment).pain_end is None
