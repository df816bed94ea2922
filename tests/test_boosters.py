"""After week 8 (issue 19): the monthly boosters. When each opens (table tests of the
rule), how they load with the program, and what the patient sees: nothing before the
program is over (at their own midnight, in their own time zone), this month's booster
on Today after it, the earlier ones in a list, and a 404 for one not open yet."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from programs.boosters.models import Booster
from programs.boosters.selectors import boosters_for
from programs.content import CONTENT_ROOT, read_program
from programs.models import EnrollmentStatus, Program
from programs.services import enrollment_pause, program_version_load
from tests.factories import Role, make_enrollment, make_member
from tracking import rules

MONTHS = [1, 2, 3, 4, 5, 6, 9, 12]


# ---------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    ("start", "paused_days", "ends_on"),
    [
        (date(2026, 3, 2), 0, date(2026, 4, 27)),  # 8 weeks of 7 days: the 57th day
        (date(2026, 3, 2), 5, date(2026, 5, 2)),  # every paused day moves it on
        (date(2026, 12, 21), 0, date(2027, 2, 15)),  # across the new year
    ],
)
def test_the_program_ends_the_day_after_its_last_week(start, paused_days, ends_on):
    assert (
        rules.program_ends_on(start_date=start, today=start, week_count=8, paused_days=paused_days)
        == ends_on
    )


def test_a_pause_still_running_moves_the_end_by_each_day_so_far():
    start = date(2026, 3, 2)
    ends = rules.program_ends_on(
        start_date=start, today=date(2026, 3, 20), week_count=8, paused_on=date(2026, 3, 10)
    )
    assert ends == date(2026, 4, 27) + timedelta(days=10)


@pytest.mark.parametrize(
    ("ends_on", "month", "opens_on"),
    [
        (date(2026, 4, 27), 1, date(2026, 4, 27)),  # month 1: the day the program ends
        (date(2026, 4, 27), 2, date(2026, 5, 27)),
        (date(2026, 4, 27), 6, date(2026, 9, 27)),
        (date(2026, 4, 27), 12, date(2027, 3, 27)),  # before the 12-month check-in
        (date(2026, 1, 31), 2, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 12, 31), 3, date(2028, 2, 29)),  # a leap year
    ],
)
def test_a_booster_opens_a_calendar_month_after_the_one_before(ends_on, month, opens_on):
    assert rules.booster_opens_on(ends_on=ends_on, month=month) == opens_on


def test_there_is_no_month_0_booster():
    with pytest.raises(ValueError):
        rules.booster_opens_on(ends_on=date(2026, 4, 27), month=0)


# ---------------------------------------------------------------- loading
def test_the_boosters_load_with_the_program_in_both_languages(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    for language in ("en", "es"):
        version = program.versions.get(language=language)
        assert list(version.boosters.values_list("month", flat=True)) == MONTHS
    en = program.versions.get(language="en").boosters.get(month=1)
    es = program.versions.get(language="es").boosters.get(month=1)
    assert en.slug == es.slug == "flare-refresher" and en.title != es.title
    call_command("load_program", "--all")  # the 8-week unchanged; the 4-week's own
    assert Booster.objects.filter(version__program=program).count() == 2 * len(MONTHS)
    # The 4-week program takes the same boosters from its source (tests/test_program_4wk).
    assert Booster.objects.count() == 2 * 2 * len(MONTHS)


def test_a_version_without_boosters_gets_the_newest_ones_in_its_language(cast, tmp_path):
    # Enrollments that started before the program had boosters stay on their version:
    # after week 8 they still get boosters, from the newest version that has them.
    folder = tmp_path / "prt-back-8wk"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    shutil.rmtree(folder / "boosters")
    old, _ = program_version_load(read_program(folder))
    assert not old.boosters.exists()
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=old, days_ago=60
    )
    assert boosters_for(enrollment) is not None
    assert boosters_for(enrollment).current is None  # no version has any yet
    new, created = program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk"))
    assert created and new.boosters.count() == len(MONTHS)
    current = boosters_for(enrollment).current
    assert current.booster.version == new and current.booster.month == 1


def test_a_booster_edited_in_the_admin_shows_at_once(client, auckland):
    # Each process keeps the boosters with the program's outline: an edit bumps the
    # revision of every version of that program and language, so none shows old text.
    version = auckland.program_version
    version.refresh_from_db()
    revision = version.outline_revision
    with time_machine.travel(ENDS + timedelta(days=1), tick=False):
        booster = Booster.objects.get(version=version, month=1)
        assert booster.title in today_page(client, auckland)
        booster.title = "A calm plan for a flare"
        booster.save()
        # This process forgot its copy; the others see a new revision on their next read.
        assert "A calm plan for a flare" in today_page(client, auckland)
    version.refresh_from_db()
    assert version.outline_revision == revision + 1


# ---------------------------------------------------------------- what the patient sees
# A patient in Auckland (UTC+13 in March, daylight time) who started on Monday 2 March
# 2026: week 8 ends on Sunday 26 April, so the program is over from their midnight of
# Monday 27 April, which is 12:00 UTC on Sunday 26 April (NZST, UTC+12, from 5 April).
START = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # 12:00 on 2 March in Auckland
ENDS = datetime(2026, 4, 26, 12, 0, tzinfo=UTC)  # midnight of 27 April in Auckland


@pytest.fixture
def auckland(cast, program_version):
    with time_machine.travel(START, tick=False):
        patient = make_member(
            cast.practice, Role.PATIENT, "akl@riverside.test", tz="Pacific/Auckland"
        )
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version, days_ago=0
        )
    assert enrollment.start_date == date(2026, 3, 2)
    return enrollment


def today_page(client, enrollment) -> str:
    client.force_login(enrollment.patient)
    response = client.get(reverse("today"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_nothing_until_the_patients_own_midnight_after_week_8(client, auckland):
    with time_machine.travel(ENDS - timedelta(minutes=1), tick=False):
        page = today_page(client, auckland)
        assert "Your booster for this month" not in page
        assert "You are in week 8 of 8" in page
        assert client.get(reverse("booster", args=["flare-refresher"])).status_code == 404
        assert "Boosters start when you finish" in client.get(reverse("boosters")).content.decode()
    with time_machine.travel(ENDS + timedelta(minutes=1), tick=False):
        page = today_page(client, auckland)
        assert "Your booster for this month" in page
        assert "When the usual pain flares" in page
        assert "You finished the program on 27 April 2026" in page
        assert "You have finished the 8-week program." in page
        assert "You are in week 8 of 8" not in page
        assert f'href="{reverse("booster", args=["flare-refresher"])}"' in page
        detail = client.get(reverse("booster", args=["flare-refresher"])).content.decode()
        assert "emergency department today" in detail
        # Month 2 is a month away yet.
        assert client.get(reverse("booster", args=["keep-practising"])).status_code == 404


def test_each_month_brings_the_next_one_and_keeps_the_earlier_ones(client, auckland):
    # Month 2 opens on 27 May in Auckland: 12:00 UTC on 26 May.
    with time_machine.travel(datetime(2026, 5, 26, 11, 59, tzinfo=UTC), tick=False):
        assert "Keeping your practice going" not in today_page(client, auckland)
    with time_machine.travel(datetime(2026, 5, 26, 12, 1, tzinfo=UTC), tick=False):
        page = today_page(client, auckland)
        assert "Keeping your practice going" in page
        # The flare refresher stays one tap away.
        assert "Having a flare? Your flare refresher" in page
        listing = client.get(reverse("boosters")).content.decode()
        assert listing.index("Keeping your practice going") < listing.index("Earlier boosters")
        assert listing.index("Earlier boosters") < listing.index("When the usual pain flares")
        assert "Saturday 27 June" in listing  # the next one (month 3), gently
        assert client.get(reverse("booster", args=["keep-practising"])).status_code == 200
    # A year on: the 12-month booster is this month's, and all eight are there.
    with time_machine.travel(datetime(2027, 4, 1, tzinfo=UTC), tick=False):
        client.force_login(auckland.patient)
        boosters = boosters_for(auckland)
        assert boosters.current.booster.month == 12 and boosters.next is None
        assert [s.booster.month for s in boosters.open] == MONTHS[::-1]
        listing = client.get(reverse("boosters")).content.decode()
        assert "One year on" in listing and "The next one opens" not in listing


def test_it_never_nags(client, auckland):
    with time_machine.travel(datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        page = today_page(client, auckland) + client.get(reverse("boosters")).content.decode()
    for word in ("streak", "missed", "overdue", "behind", "don't break", "keep it up"):
        assert word not in page.lower(), word
    assert "There is nothing to keep up with." in page


@pytest.mark.parametrize("status", [EnrollmentStatus.WITHDRAWN, EnrollmentStatus.INVITED])
def test_someone_who_left_or_never_started_gets_none(client, auckland, status):
    auckland.status = status
    auckland.save()
    with time_machine.travel(ENDS + timedelta(days=3), tick=False):
        assert boosters_for(auckland) is None


def test_a_pause_puts_them_off_with_the_end(auckland):
    with time_machine.travel(datetime(2026, 4, 20, tzinfo=UTC), tick=False):
        enrollment_pause(enrollment=auckland)
    with time_machine.travel(ENDS + timedelta(days=3), tick=False):
        auckland.refresh_from_db()
        assert boosters_for(auckland) is None


def test_a_completed_enrollment_keeps_its_boosters(client, auckland):
    auckland.status = EnrollmentStatus.COMPLETED
    auckland.save()
    with time_machine.travel(ENDS + timedelta(days=3), tick=False):
        assert "When the usual pain flares" in today_page(client, auckland)


def test_a_spanish_speaker_reads_them_in_spanish(client, cast):
    call_command("load_program", "prt-back-8wk")
    es_version = Program.objects.get().versions.get(language="es")
    with time_machine.travel(START, tick=False):
        patient = make_member(cast.practice, Role.PATIENT, "es@riverside.test", tz="America/Bogota")
        patient.language = "es"
        patient.save()
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=es_version, days_ago=0
        )
    with time_machine.travel(datetime(2026, 5, 1, tzinfo=UTC), tick=False):
        page = today_page(client, enrollment)
        assert "Cuando vuelve la crisis de dolor" in page
        detail = client.get(reverse("booster", args=["flare-refresher"])).content.decode()
        assert "vaya hoy a urgencias" in detail


def test_another_patients_program_is_not_theirs(client, cast, auckland, enrollment):
    # cast.patient is in week 2: the Auckland patient's booster is not open to them.
    with time_machine.travel(ENDS + timedelta(days=3), tick=False):
        client.force_login(cast.patient)
        assert client.get(reverse("booster", args=["flare-refresher"])).status_code == 404


def test_today_after_the_end_costs_no_query_more_however_many_months(
    client, auckland, django_assert_num_queries
):
    # The boosters come with the program's outline, which each process keeps (Today
    # reads it first): the card itself reads nothing, before or after the end.
    from programs import selectors
    from programs.boosters.today import booster_card

    for when in (ENDS + timedelta(days=1), datetime(2027, 4, 1, tzinfo=UTC)):
        with time_machine.travel(when, tick=False):
            selectors.today_overview(auckland)  # Today counts the weeks first
            with django_assert_num_queries(0):
                assert booster_card(None, auckland) is not None
    with (
        time_machine.travel(ENDS - timedelta(days=1), tick=False),
        django_assert_num_queries(0),
    ):
        assert booster_card(None, auckland) is None
