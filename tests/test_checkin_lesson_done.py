"""A check-in lesson (kind: checkin) is done once the patient's own check-in of its
week was submitted (programs.checkins_done, read by selectors.done_activity_ids): the
week page says "Done" and its main button moves on, as Today and progress read it.

Before: only activities marked done counted (ActivityCompletion), which a check-in
lesson never gets, so week 5's page kept "Start: Weekly check-in" after the check-in
was sent, and the button led to "Nothing due right now"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs import selectors
from programs.models import Activity, ActivityCompletion, ActivityKind
from programs.tailoring.models import ActivityAdjustment, AdjustmentAction
from tests.checkin_data import record_at_open
from tracking.models import CheckIn

WEEKLY = ["pain_avg", "phq9_item9", "new_symptoms"]
BUTTON = re.compile(r'<div class="actions"><a class="button" href="([^"]+)">([^<]*)</a>')


@pytest.fixture
def week5(enrollment):
    """The enrollment in its week 5, every week-5 activity but the check-in lesson done,
    and week 5's check-in open."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=4 * 7 + 2)
    enrollment.save()
    for activity in Activity.objects.filter(
        week__version=enrollment.program_version, week__number=5
    ).exclude(kind=ActivityKind.CHECKIN):
        ActivityCompletion.objects.create(enrollment=enrollment, activity=activity)
    CheckIn.objects.filter(enrollment=enrollment).delete()
    now = timezone.now()
    CheckIn.objects.create(
        enrollment=enrollment,
        slot="week-5",
        kind=CheckIn.Kind.WEEKLY,
        week=5,
        due_date=enrollment.local_date(),
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(days=3),
        status=CheckIn.Status.OPEN,
        instrument_keys=WEEKLY,
    )
    return enrollment


def _checkin_item(html: str) -> str:
    url = reverse("activity", args=["checkin-week-5"])
    match = re.search(rf'<li class="activity-item">\s*<a href="{url}".*?</li>', html, re.S)
    assert match
    return " ".join(match.group(0).split())


def _lesson(enrollment) -> Activity:
    return Activity.objects.get(week__version=enrollment.program_version, slug="checkin-week-5")


def test_a_sent_check_in_makes_its_lesson_done_and_the_button_moves_on(client, cast, week5):
    done = "Done"
    client.force_login(cast.patient)
    lesson_url = reverse("activity", args=["checkin-week-5"])

    html = client.get(reverse("program_week", args=[5])).content.decode()
    assert done not in _checkin_item(html)
    ((href, _),) = BUTTON.findall(html)
    assert href == lesson_url  # not sent yet: the check-in is what is next

    record_at_open(CheckIn.objects.get(enrollment=week5, slot="week-5"))

    html = client.get(reverse("program_week", args=[5])).content.decode()
    assert done in _checkin_item(html)
    ((href, _),) = BUTTON.findall(html)
    assert href != lesson_url
    # The one rule every page reads (the week page, Today, progress).
    assert _lesson(week5).pk in selectors.program_map(week5).done
    assert _lesson(week5).pk in selectors.today_overview(week5).pmap.done


def test_another_weeks_check_in_does_not_make_it_done(cast, week5):
    CheckIn.objects.filter(enrollment=week5).update(slot="week-4", week=4)
    record_at_open(CheckIn.objects.get(enrollment=week5, slot="week-4"))
    done = selectors.done_activity_ids(week5)
    assert _lesson(week5).pk not in done
    week4 = Activity.objects.get(week__version=week5.program_version, slug="checkin-week-4")
    assert week4.pk in done


def _moved_item(html: str, slug: str) -> str:
    url = reverse("activity", args=[slug])
    match = re.search(rf'<li class="activity-item">\s*<a href="{url}".*?</li>', html, re.S)
    assert match, slug
    return " ".join(match.group(0).split())


def test_a_moved_check_in_lesson_is_done_by_the_check_in_of_the_week_it_sits_in(
    client, cast, week5
):
    """Week 4's check-in lesson, moved to week 5 for this patient (a move made before
    check-in lessons stopped being offered to move): it shows in week 5, opens week 5's
    check-in, and so is done when week 5's check-in is sent, not week 4's."""
    week4 = Activity.objects.get(week__version=week5.program_version, slug="checkin-week-4")
    ActivityAdjustment.objects.create(
        enrollment=week5,
        activity=week4,
        action=AdjustmentAction.MOVE,
        to_week=5,
        reason="Fits better here",
        created_by=cast.clinician,
    )
    week5.tailored_at = timezone.now()
    week5.save(update_fields=["tailored_at"])
    client.force_login(cast.patient)
    week_page = reverse("program_week", args=[5])

    # Week 4's check-in sent, week 5's not: the lesson in week 5 is not done yet.
    CheckIn.objects.create(
        enrollment=week5,
        slot="week-4",
        kind=CheckIn.Kind.WEEKLY,
        week=4,
        due_date=week5.local_date() - timedelta(days=7),
        opens_at=timezone.now() - timedelta(days=7),
        closes_at=timezone.now() + timedelta(days=1),
        status=CheckIn.Status.OPEN,
        instrument_keys=WEEKLY,
    )
    record_at_open(CheckIn.objects.get(enrollment=week5, slot="week-4"))
    html = client.get(week_page).content.decode()
    assert "Done" not in _moved_item(html, "checkin-week-4")

    record_at_open(CheckIn.objects.get(enrollment=week5, slot="week-5"))
    html = client.get(week_page).content.decode()
    assert "Done" in _moved_item(html, "checkin-week-4")
    assert "Done" in _moved_item(html, "checkin-week-5")
