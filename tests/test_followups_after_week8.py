"""After week 8 (issue 19): the follow-up check-ins at 6 and 12 months after the end.
Scheduled in the patient's own zone, opened by the sweep after the program is completed,
reminded like the others, and counted in the outcomes report (and its CSV) the way the
1- and 3-month ones are (rules.reached_followup), at the same number of queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import Role
from programs import services as program_services
from tests.factories import make_enrollment, make_member
from tests.test_outcomes_report import add_checkin, patient, report
from tracking import rules
from tracking.checkins.schedule import checkins_schedule, checkins_update_statuses
from tracking.models import CheckIn, Delivery, PracticeSettings
from tracking.practice_admin.report_csv import CSV_HEADER
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders


# ---------------------------------------------------------------- the rules
def test_the_report_reads_four_follow_ups_in_order():
    assert [slot for slot, _ in rules.FOLLOWUP_SLOTS] == [
        "followup-1m",
        "followup-3m",
        "followup-6m",
        "followup-12m",
    ]


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("practice", "active", True),
        ("practice", "completed", False),  # no daily nudges once the program is over
        ("practice", "paused", False),
        ("practice", "withdrawn", False),
        ("practice", "invited", False),
        ("checkin", "active", True),
        ("checkin", "completed", True),  # the follow-ups after the end
        ("checkin", "paused", False),
        ("checkin", "withdrawn", False),
        ("checkin", "invited", False),
    ],
)
def test_who_gets_which_reminders(kind, status, expected):
    assert rules.gets_reminders(kind=kind, status=status) is expected


# ---------------------------------------------------------------- schedule and reminders
# A patient in Sydney who starts on Monday 2 March 2026 (local): the program ends on
# Monday 27 April, so the 6-month follow-up is due on 27 October (AEDT, UTC+11, from
# 4 October) and the 12-month one on 27 April 2027 (AEST, UTC+10).
START = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # 09:00 on 2 March in Sydney


@pytest.fixture
def sydney(cast, program_version):
    with time_machine.travel(START, tick=False):
        person = make_member(
            cast.practice, Role.PATIENT, "syd@riverside.test", tz="Australia/Sydney"
        )
        enrollment = make_enrollment(
            person, cast.clinician, cast.practice, version=program_version, days_ago=0
        )
        checkins_schedule(enrollment)
        prefs = preferences_for(enrollment)
        prefs.practice_time = time(18, 0)
        prefs.save()
    return enrollment


def slots(enrollment) -> dict[str, CheckIn]:
    return {c.slot: c for c in CheckIn.objects.filter(enrollment=enrollment)}


def test_they_fall_at_the_patients_midnight_6_and_12_months_after_the_end(sydney):
    s = slots(sydney)
    assert s["end"].due_date == date(2026, 4, 27)
    assert s["followup-6m"].due_date == date(2026, 10, 27)
    assert s["followup-12m"].due_date == date(2027, 4, 27)
    # Midnight in Sydney: 13:00 UTC the day before in summer time, 14:00 in winter.
    assert s["followup-6m"].opens_at == datetime(2026, 10, 26, 13, tzinfo=UTC)
    assert s["followup-6m"].closes_at == datetime(2026, 10, 29, 13, tzinfo=UTC)  # 3 days
    assert s["followup-12m"].opens_at == datetime(2027, 4, 26, 14, tzinfo=UTC)
    assert s["followup-12m"].instrument_keys == s["followup-1m"].instrument_keys


def test_a_completed_programs_6_month_follow_up_opens_and_is_reminded(sydney):
    program_services.enrollment_set_status(enrollment=sydney, status="completed")
    # Everything before it was answered or missed long ago.
    CheckIn.objects.filter(enrollment=sydney, due_date__lt=date(2026, 10, 1)).update(
        status=CheckIn.Status.MISSED
    )
    before = datetime(2026, 10, 26, 12, tzinfo=UTC)  # 23:00 on 26 October in Sydney
    with time_machine.travel(before, tick=False):
        checkins_update_statuses()
        assert slots(sydney)["followup-6m"].status == CheckIn.Status.SCHEDULED
        schedules_sync(enrollment=sydney)
    with time_machine.travel(before + timedelta(hours=2), tick=False):
        checkins_update_statuses()
        assert slots(sydney)["followup-6m"].status == CheckIn.Status.OPEN
    pk = slots(sydney)["followup-6m"].pk
    now = before
    while now <= datetime(2026, 10, 30, tzinfo=UTC):
        sweep_due_reminders(now)
        now += timedelta(hours=1)
    sent = sorted(
        set(Delivery.objects.filter(schedule__kind="checkin").values_list("slot", "due_at")),
        key=lambda row: row[1],
    )
    # On each of the patient's channels: at their 18:00 on the due day (07:00 UTC), and
    # 48 hours later.
    assert sent == [
        (f"checkin:{pk}:open", datetime(2026, 10, 27, 7, tzinfo=UTC)),
        (f"checkin:{pk}:followup", datetime(2026, 10, 29, 7, tzinfo=UTC)),
    ]
    # The program is over: no daily practice reminders meanwhile.
    assert not Delivery.objects.filter(schedule__kind="practice").exists()
    # Worded as a follow-up, never "weekly", on email and in the app.
    from django.core import mail

    from tracking.reminders.delivery import deliver

    for delivery in Delivery.objects.filter(schedule__kind="checkin").order_by("due_at", "pk"):
        with time_machine.travel(delivery.due_at, tick=False):
            assert deliver(delivery.pk) == "sent"
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Your follow-up check-in is ready",
        "Your follow-up check-in is still open",
    ]
    assert "since you finished the program" in mail.outbox[0].body
    assert all("weekly" not in m.body for m in mail.outbox)


def test_a_withdrawn_patient_gets_no_follow_up_reminder(sydney):
    program_services.enrollment_set_status(enrollment=sydney, status="withdrawn")
    at = datetime(2026, 10, 26, 12, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        schedules_sync(enrollment=sydney)
    for hours in range(0, 96, 1):
        sweep_due_reminders(at + timedelta(hours=hours))
    assert not Delivery.objects.filter(schedule__kind="checkin").exists()


# ---------------------------------------------------------------- the outcomes report
NOON = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


@pytest.fixture
def a_year_on(cast, program_version):
    """Four who finished: their 6- and 12-month windows closed (answered, missed, or
    not yet), and one who withdrew (a missing follow-up: not a responder)."""
    with time_machine.travel(NOON, tick=False):
        people = {}
        for n, six, twelve in (
            (1, 1, 0),  # pain-free at both
            (2, 5, None),  # 8 → 5 at 6 months (real improvement); 12 months missed
            (3, 8, "open"),  # no change at 6 months; 12 months still ahead
        ):
            e = patient(cast, n, status="completed", version=program_version, days_ago=500)
            add_checkin(e, "baseline", closes_in=-490, pain=8)
            add_checkin(e, "end", closes_in=-430, pain=4)
            add_checkin(e, "followup-1m", closes_in=-400, pain=4)
            add_checkin(e, "followup-3m", closes_in=-340, pain=4)
            add_checkin(e, "followup-6m", closes_in=-250, pain=six)
            if twelve == "open":
                add_checkin(e, "followup-12m", closes_in=20)
            else:
                add_checkin(e, "followup-12m", closes_in=-70, pain=twelve)
            people[n] = e
        gone = patient(cast, 4, days_ago=30, version=program_version)
        add_checkin(gone, "baseline", closes_in=-28, pain=7)
        for slot, days in (("end", 30), ("followup-6m", 210), ("followup-12m", 390)):
            add_checkin(gone, slot, closes_in=days)
        gone.status = "withdrawn"
        gone.save()
        people[4] = gone
        yield people


def test_the_report_counts_6_and_12_months_like_the_others(cast, a_year_on):
    with time_machine.travel(NOON, tick=False):
        r = report(cast)
    *_, six, twelve = r.followups
    assert (six.key, twelve.key) == ("followup-6m", "followup-12m")
    assert str(six.label) == "6 months after the end"
    # 6 months: all three windows closed and answered; the withdrawn one counts as missing.
    assert (six.reached, six.scored, six.eligible, six.completers) == (4, 3, 4, 3)
    assert (six.pain_free.count, six.pain_free.everyone) == (1, 4)
    assert (six.real_improvement.count, six.real_improvement.completers) == (2, 3)
    assert (six.change.n, six.change.change) == (3, pytest.approx((1 + 5 + 8) / 3 - 8))
    # 12 months: P1 answered, P2 missed, P3 not yet reached, P4 withdrew.
    assert (twelve.reached, twelve.scored, twelve.completers) == (3, 1, 1)
    assert (twelve.pain_free.count, twelve.pain_free.everyone_text) == (
        1,
        "1 of 3 in the cohort (33%)",
    )


def test_the_page_and_the_csv_show_them(client, cast, a_year_on):
    client.force_login(cast.admin)
    with time_machine.travel(NOON, tick=False):
        page = client.get(reverse("admin_outcomes")).content.decode()
        body = client.get(reverse("admin_outcomes_csv")).content.decode("utf-8-sig")
    assert "6 months after the end" in page and "12 months after the end" in page
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == CSV_HEADER
    col = {name: i for i, name in enumerate(CSV_HEADER)}
    for name in (
        "Average pain 6 months after the end",
        "Average pain 12 months after the end",
        "6 months after the end: pain-free or nearly",
        "12 months after the end: real improvement",
    ):
        assert name in col, name
    with time_machine.travel(NOON, tick=False):
        by_id = {
            row.enrollment_id: line for row, line in zip(report(cast).rows, rows[1:], strict=True)
        }

    def cells(n, *names):
        return [by_id[a_year_on[n].pk][col[name]] for name in names]

    six = ("Average pain 6 months after the end", "6 months after the end: pain-free or nearly")
    twelve = (
        "Average pain 12 months after the end",
        "12 months after the end: pain-free or nearly",
    )
    assert cells(1, *six, *twelve) == ["1", "yes", "0", "yes"]
    assert cells(2, *six, *twelve) == ["5", "no", "", "no"]  # missed: not a responder
    assert cells(3, *twelve) == ["", ""]  # not reached yet: blank
    assert cells(4, *six) == ["", "no"]  # withdrew


@pytest.mark.parametrize("count", [3, 60])
def test_the_report_stays_at_five_queries_with_a_year_of_follow_ups(
    cast, program_version, django_assert_num_queries, count
):
    with time_machine.travel(NOON, tick=False):
        for n in range(count):
            e = patient(cast, 100 + n, status="completed", version=program_version, days_ago=500)
            add_checkin(e, "baseline", closes_in=-490, pain=7)
            add_checkin(e, "end", closes_in=-430, pain=n % 5)
            for slot, days in (("followup-1m", -400), ("followup-3m", -340)):
                add_checkin(e, slot, closes_in=days, pain=n % 4)
            add_checkin(e, "followup-6m", closes_in=-250, pain=n % 3)
            add_checkin(e, "followup-12m", closes_in=-70, pain=n % 2)
        PracticeSettings.for_practice(cast.practice.pk)
        with django_assert_num_queries(5):
            r = report(cast)
    assert r.cohort == count
    assert [tp.scored for tp in r.followups] == [count] * 4


# ---------------------------------------------------------------- enrollments from before
def test_enrollments_scheduled_before_get_their_6_and_12_month_follow_ups(cast, program_version):
    from django.core.management import call_command

    program_version.checkin_config = {**program_version.checkin_config, "followup_months": [1, 3]}
    program_version.save()
    with time_machine.travel(START, tick=False):
        people = {}
        for n, status in ((1, "active"), (2, "completed"), (3, "withdrawn")):
            e = make_enrollment(
                make_member(cast.practice, Role.PATIENT, f"old{n}@riverside.test", tz="Asia/Tokyo"),
                cast.clinician,
                cast.practice,
                version=program_version,
                days_ago=0,
            )
            checkins_schedule(e)
            e.status = status
            e.save()
            people[status] = e
    assert "followup-6m" not in slots(people["active"])
    out = io.StringIO()
    with time_machine.travel(START + timedelta(days=100), tick=False):
        call_command("extend_followups", stdout=out)
    assert "1 program version(s)" in out.getvalue() and "4 check-in(s) added" in out.getvalue()
    for status in ("active", "completed"):
        s = slots(people[status])
        assert s["followup-6m"].due_date == date(2026, 10, 27)
        assert s["followup-12m"].due_date == date(2027, 4, 27)
        assert s["followup-12m"].opens_at == datetime(2027, 4, 26, 15, tzinfo=UTC)  # Tokyo
    assert "followup-6m" not in slots(people["withdrawn"])
    program_version.refresh_from_db()
    assert program_version.checkin_config["followup_months"] == [1, 3, 6, 12]
    out = io.StringIO()
    call_command("extend_followups", stdout=out)  # again: nothing more
    assert "0 program version(s)" in out.getvalue() and "0 check-in(s) added" in out.getvalue()
