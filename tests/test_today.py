"""Today: what it shows, the program outline cached per version, and the patient's own
figures (what is done, this week's practice, the open exposure)."""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programs import selectors
from programs.content import CONTENT_ROOT
from programs.models import Activity, Exposure, PracticeSession, Program, ProgramVersion, Week
from programs.services import activity_complete, enrollment_create
from tests.factories import make_enrollment


def practise(enrollment, day, minutes: int = 5) -> None:
    PracticeSession.objects.create(
        enrollment=enrollment,
        local_date=day,
        duration_seconds=60 * minutes,
        practiced_at=datetime.combine(day, time(9), tzinfo=enrollment.patient.tzinfo),
        pain_before=6,
        threat_before=5,
        pain_after=4,
        threat_after=3,
    )


def plan_exposure(enrollment, activity: str, planned_at, *, done: bool = False) -> Exposure:
    return Exposure.objects.create(
        enrollment=enrollment,
        activity=activity,
        predicted_pain=6,
        predicted_harm=50,
        planned_at=planned_at,
        completed_at=planned_at + timedelta(hours=1) if done else None,
    )


def in_week(enrollment, week: int) -> None:
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * (week - 1) + 2)
    enrollment.save()


def test_it_shows_this_weeks_practice_and_the_open_exposure(client, cast, enrollment):
    in_week(enrollment, 5)
    today = enrollment.local_date()
    week_start = enrollment.week_opens_on(5)
    for day in (today, today, week_start, week_start - timedelta(days=1)):
        practise(enrollment, day)
    now = timezone.now()
    plan_exposure(enrollment, "Carry the shopping", now - timedelta(days=3))
    plan_exposure(enrollment, "Tie my shoes", now - timedelta(days=1), done=True)
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert "You are in week 5 of 8" in page
    assert "Somatic tracking this week: <strong>3</strong> sessions, 15 minutes." in page
    assert "Done today" in page
    assert "You planned: <strong>Carry the shopping</strong>" in page


@pytest.mark.parametrize("weeks_in", [11, 30])
def test_after_the_last_week_this_week_still_means_the_last_seven_days(
    client, cast, enrollment, weeks_in
):
    # The program has 8 weeks; a patient who keeps practising after it sees this week's
    # sessions, not everything since week 8 opened.
    in_week(enrollment, weeks_in)  # two days into that (calendar) week
    today = enrollment.local_date()
    for day in (
        today,
        today - timedelta(days=2),
        today - timedelta(days=3),
        enrollment.week_opens_on(8),
    ):
        practise(enrollment, day)
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert "Somatic tracking this week: <strong>2</strong> sessions, 10 minutes." in page


def test_a_week_unlocked_early_does_not_hide_this_weeks_practice(client, cast, enrollment):
    in_week(enrollment, 2)
    enrollment.unlocked_through_week = 4
    enrollment.save()
    practise(enrollment, enrollment.local_date())
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert "You are in week 4 of 8" in page
    assert "Somatic tracking this week: <strong>1</strong> session, 5 minutes." in page


def test_it_lists_what_is_not_done_yet_and_leaves_out_what_is(client, cast, enrollment):
    week1 = [
        a
        for a in Activity.objects.filter(
            week__version=enrollment.program_version, week__number=1
        ).order_by("order")
        if a.kind in selectors.ONE_OFF_KINDS and a.kind != "exposure"
    ]
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("activity", args=[week1[0].slug])}"' in page
    activity_complete(enrollment=enrollment, activity=week1[0])
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("activity", args=[week1[0].slug])}"' not in page


def test_the_figures_are_this_weeks_own_practice_and_the_newest_open_exposure(
    cast, enrollment, other_enrollment, django_assert_num_queries
):
    in_week(enrollment, 4)
    today = enrollment.local_date()
    week_start = enrollment.week_opens_on(4)
    for day in (
        today,
        today,
        today - timedelta(days=1),
        week_start,
        week_start - timedelta(days=1),
        week_start - timedelta(days=20),
        today + timedelta(days=1),
    ):
        practise(enrollment, day, minutes=day.day % 7 + 2)  # each counts: 2 minutes or more
    practise(enrollment, today, minutes=1)  # short: kept, not counted (the clinician's rule)
    practise(other_enrollment, today)
    now = timezone.now()
    tied = now - timedelta(days=2)
    plan_exposure(enrollment, "Older", now - timedelta(days=5))
    plan_exposure(enrollment, "Tied A", tied)
    plan_exposure(enrollment, "Tied B", tied)  # same instant: the newer row wins
    plan_exposure(enrollment, "Done since", now - timedelta(hours=3), done=True)
    plan_exposure(other_enrollment, "Someone else's", now)
    for activity in Activity.objects.filter(
        week__version=enrollment.program_version, week__number__lte=2
    ):
        activity_complete(enrollment=enrollment, activity=activity)
    activity_complete(
        enrollment=other_enrollment, activity=Activity.objects.filter(week__number=3).first()
    )
    selectors.outline_for(enrollment)  # the outline is read once per process

    # What is done, this week's practice, the open exposure (from week 3).
    with django_assert_num_queries(3):
        overview = selectors.today_overview(enrollment)
    assert overview.counts.this_week == 4 and overview.counts.today == 2
    assert overview.counts.minutes_this_week == sum(
        d.day % 7 + 2 for d in (today, today, today - timedelta(days=1), week_start)
    )
    assert (overview.counts.short_this_week, overview.counts.min_seconds) == (1, 120)
    assert overview.open_exposure.activity == "Tied B"
    assert overview.pmap.done == set(
        Activity.objects.filter(
            week__number__lte=2, week__version=enrollment.program_version
        ).values_list("pk", flat=True)
    )


def test_before_week_3_no_exposure_is_suggested(enrollment, django_assert_num_queries):
    in_week(enrollment, 2)
    plan_exposure(enrollment, "Bend to the floor", timezone.now() - timedelta(days=1))
    selectors.outline_for(enrollment)
    with django_assert_num_queries(2):
        overview = selectors.today_overview(enrollment)
    assert overview.open_exposure is None


def test_with_nothing_logged_the_figures_are_zero(cast, enrollment):
    newcomer = make_enrollment(
        cast.outsider_patient,
        cast.outsider_clinician,
        cast.other_practice,
        version=enrollment.program_version,
    )
    in_week(newcomer, 4)
    practise(enrollment, enrollment.local_date())
    overview = selectors.today_overview(newcomer)
    assert overview.counts == selectors.PracticeCounts(today=0, this_week=0, minutes_this_week=0)
    assert overview.open_exposure is None and overview.pmap.done == set()


def test_the_outline_is_read_once_per_version(enrollment, django_assert_num_queries):
    first = selectors.outline_for(enrollment)
    with django_assert_num_queries(0):
        again = selectors.outline_for(enrollment)
    assert again is first
    assert [w.number for w in first.weeks] == list(range(1, 9))


def test_a_new_program_version_is_seen(client, cast, tmp_path):
    folder = tmp_path / "prt-back-8wk"
    shutil.copytree(CONTENT_ROOT / "prt-back-8wk", folder)
    call_command("load_program", "--path", str(folder))
    v1 = Program.objects.get().latest_version
    on_v1 = enrollment_create(
        patient=cast.patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=v1,
        start_date=timezone.localdate(),
    )
    old_title = v1.weeks.get(number=1).title
    assert selectors.outline_for(on_v1).weeks[0].title == old_title  # now cached

    week = folder / "week-01" / "week.md"
    week.write_text(week.read_text().replace(f'title: "{old_title}"', 'title: "A new first week"'))
    call_command("load_program", "--path", str(folder))
    v2 = Program.objects.get().latest_version
    assert v2.pk != v1.pk
    on_v2 = enrollment_create(
        patient=cast.other_patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=v2,
        start_date=timezone.localdate(),
    )
    assert selectors.program_map(on_v2).weeks[0].week.title == "A new first week"
    assert selectors.program_map(on_v1).weeks[0].week.title == old_title


def test_an_edit_to_a_week_is_seen_by_every_process(client, cast, enrollment):
    # The Django admin edits a version in place, in one web process; the others hold
    # the outline they read before. Here this process plays one of the others: the rows
    # change under it (a queryset update, so nothing here is told), then the revision
    # the editing process wrote arrives too.
    version = enrollment.program_version
    week = version.weeks.get(number=1)
    client.force_login(cast.patient)
    assert week.title in client.get(reverse("program_overview")).content.decode()

    Week.objects.filter(pk=week.pk).update(title="A gentler start")
    # Cached under (version, revision 0): the page is stale, as that process would be.
    assert "A gentler start" not in client.get(reverse("program_overview")).content.decode()

    ProgramVersion.objects.filter(pk=version.pk).update(
        outline_revision=version.outline_revision + 1
    )
    assert "A gentler start" in client.get(reverse("program_overview")).content.decode()


def test_saving_a_week_bumps_its_versions_revision(enrollment):
    version = enrollment.program_version
    version.refresh_from_db()
    before = version.outline_revision
    week = version.weeks.get(number=1)
    week.title = "A gentler start"
    week.save()
    version.refresh_from_db()
    assert version.outline_revision == before + 1
    assert selectors.outline_for(enrollment).weeks[0].title == "A gentler start"


def test_an_edit_to_an_activity_bumps_the_revision(enrollment):
    version = enrollment.program_version
    version.refresh_from_db()
    before = version.outline_revision
    activity = Activity.objects.filter(week__version=version).first()
    activity.title = "A clearer title"
    activity.save()
    activity.delete()
    version.refresh_from_db()
    assert version.outline_revision == before + 2
