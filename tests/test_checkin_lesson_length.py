"""A check-in lesson (kind: checkin) states no minutes of its own: the activity page
and the week's list show the length of the patient's own check-in of that
week (services.checkin_length, what Today's card says), or none. (Today's list of
next steps would too, but never names a check-in lesson: selectors.ONE_OFF_KINDS.)

Before: each lesson's front matter said `minutes: 3` (6 in week 4), so week 8's lesson
promised about 3 minutes for the end-of-program check-in, about 8 by the rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.checkin_data import record_at_open
from tests.test_today_checkin_card import BASELINE, _card, _open
from tracking.checkins.schedule import checkins_schedule, week_checkin_slots
from tracking.checkins.selectors import extra_checkin
from tracking.checkins.services import CheckInLength, checkin_length
from tracking.models import CheckIn

CARD_MINUTES = re.compile(r"(?:It takes about|Toma alrededor de) (\d+) minut[eo]s?")
SHOWN = re.compile(r"(?:about|unos) (\d+) min\b")


@pytest.mark.parametrize(
    ("week", "weeks", "slots"),
    [
        (1, 8, ("week-1", "baseline")),  # week 1's weekly is often the baseline itself
        (4, 8, ("week-4",)),
        (8, 8, ("end", "week-8")),  # the last week's lesson is the end-of-program one
        (2, 4, ("week-2",)),
        (4, 4, ("end", "week-4")),
        (1, 1, ("end", "week-1", "baseline")),
    ],
)
def test_the_check_in_a_week_stands_for(week, weeks, slots):
    assert week_checkin_slots(week, weeks) == slots


@pytest.fixture
def week8(enrollment):
    """The enrollment in its week 8, its end-of-program check-in open."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 7 + 2)
    enrollment.save()
    _open(enrollment, kind="end", slot="end", week=None, keys=BASELINE)
    return enrollment


def _header(client, slug: str) -> str:
    html = client.get(reverse("activity", args=[slug])).content.decode()
    match = re.search(r'<p class="muted">.*?</p>', html, re.S)
    assert match
    return " ".join(match.group(0).split())


def _week_item(client, number: int, slug: str) -> str:
    html = client.get(reverse("program_week", args=[number])).content.decode()
    url = reverse("activity", args=[slug])
    match = re.search(rf'<li class="activity-item">\s*<a href="{url}".*?</li>', html, re.S)
    assert match
    return " ".join(match.group(0).split())


@pytest.mark.parametrize(("language", "minutes"), [("en", "8"), ("es", "7")])
def test_the_week_8_check_in_lesson_says_what_todays_card_says(
    client, cast, week8, language, minutes
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    (card,) = CARD_MINUTES.findall(_card(client))
    assert card == minutes  # the Spanish check-in has no FABQ: fewer questions
    assert SHOWN.findall(_header(client, "checkin-week-8")) == [card]
    assert SHOWN.findall(_week_item(client, 8, "checkin-week-8")) == [card]


def test_no_check_in_no_length(client, cast, week8):
    CheckIn.objects.filter(enrollment=week8).delete()
    client.force_login(cast.patient)
    assert SHOWN.findall(_header(client, "checkin-week-8")) == []
    assert SHOWN.findall(_week_item(client, 8, "checkin-week-8")) == []
    # A lesson keeps its own length.
    assert SHOWN.findall(_week_item(client, 8, "looking-back"))


def test_a_weekly_check_in_lesson_says_its_own_weeks_length(client, cast, week8):
    _open(week8, kind="weekly", slot="week-4", week=4, keys=BASELINE + ["new_symptoms"])
    client.force_login(cast.patient)
    (card,) = CARD_MINUTES.findall(_card(client))
    assert SHOWN.findall(_header(client, "checkin-week-4")) == [card]
    assert SHOWN.findall(_header(client, "checkin-week-3")) == []  # none for week 3


def test_the_pages_cost_the_same_however_many_check_ins(client, cast, week8):
    client.force_login(cast.patient)
    urls = [
        reverse("activity", args=["checkin-week-8"]),
        reverse("program_week", args=[8]),
        reverse("today"),
    ]
    for url in urls:
        client.get(url)  # the first visit reads the program and the instruments

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    one = counts()
    CheckIn.objects.filter(enrollment=week8).delete()
    checkins_schedule(week8)
    assert CheckIn.objects.filter(enrollment=week8).count() > 5
    assert counts() == one


# --- The lesson's button opens the check-in whose length it shows -------------------
# Before: week 8's lesson said about 8 minutes (the end-of-program check-in) but its
# button opened whichever check-in was open, often week 8's short weekly one.

WEEKLY = ["pain_avg", "phq9_item9", "new_symptoms"]
BUTTON = re.compile(r'<a class="button" href="([^"]+)">(?:Go to this week)')


def _at(enrollment, slot: str, state: str) -> CheckIn:
    """Week 8's check-in at `slot` ("end" or "week-8"): "open" now, "scheduled" (opens
    in 2 days), "missed" (closed yesterday) or "done" (answered)."""
    now = timezone.now()
    opens = {
        "open": now - timedelta(hours=1),
        "scheduled": now + timedelta(days=2),
        "missed": now - timedelta(days=4),
        "done": now - timedelta(hours=2),
    }[state]
    end = slot == "end"
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot=slot,
        kind=CheckIn.Kind.END if end else CheckIn.Kind.WEEKLY,
        week=None if end else 8,
        due_date=enrollment.local_date(opens),
        opens_at=opens,
        closes_at=opens + timedelta(days=3),
        status=CheckIn.Status.SCHEDULED if state == "scheduled" else CheckIn.Status.OPEN,
        instrument_keys=BASELINE if end else WEEKLY,
    )
    if state == "done":
        record_at_open(checkin)
    return checkin


def _length(checkin: CheckIn) -> CheckInLength:
    """How long `checkin` is by the one rule, read apart from the lesson's own lookup."""
    found = extra_checkin(checkin.enrollment, checkin.slot)  # any check-in, by its slot
    assert found is not None
    return checkin_length(found, checkin.enrollment.practice_id)


# end's state, week 8's state (None: no such check-in), the one the button opens and
# the page it lands on.
WEEK_8_SLOTS = [
    # Week 8's weekly check-in is open, the end one opens after the week: the lesson is
    # the end one's, and its page says when it opens and links to the open one.
    ("scheduled", "open", "end", "not open yet"),
    ("open", "missed", "end", "form"),
    ("open", "done", "end", "form"),
    ("open", None, "end", "form"),
    ("done", "done", "end", "results"),
    ("scheduled", None, "end", "not open yet"),
    # No end-of-program check-in (week_checkin_slots falls back to week 8's own).
    (None, "open", "week-8", "form"),
    (None, "done", "week-8", "results"),
]


@pytest.mark.parametrize(("end", "week_8", "opens", "lands"), WEEK_8_SLOTS)
def test_week_8s_lesson_opens_the_check_in_whose_length_it_shows(
    client, cast, enrollment, end, week_8, opens, lands
):
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 7 + 2)
    enrollment.save()
    CheckIn.objects.filter(enrollment=enrollment).delete()
    made = {}
    for slot, state in (("end", end), ("week-8", week_8)):
        if state is not None:
            made[slot] = _at(enrollment, slot, state)
    client.force_login(cast.patient)

    html = client.get(reverse("activity", args=["checkin-week-8"])).content.decode()
    (href,) = BUTTON.findall(html)
    (shown,) = SHOWN.findall(_header(client, "checkin-week-8"))

    target = made[opens]
    assert href == reverse("checkin_detail", args=[target.pk])
    length = _length(target)
    assert int(shown) == length.minutes
    page = " ".join(client.get(href).content.decode().split())
    if lands == "form":
        assert f"{length.questions} short questions." in page
    elif lands == "results":
        assert "your results" in page
    else:
        assert "This check-in opens on" in page
        if week_8 == "open":  # and the open one is a click away
            assert f'href="{reverse("checkin_detail", args=[made["week-8"].pk])}"' in page


def test_the_end_and_the_short_weekly_differ_in_length(cast, enrollment):
    """What makes the table above tell them apart."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 7 + 2)
    enrollment.save()
    CheckIn.objects.filter(enrollment=enrollment).delete()
    end, week_8 = _at(enrollment, "end", "open"), _at(enrollment, "week-8", "open")
    assert _length(end).minutes > _length(week_8).minutes


def test_with_no_check_in_of_its_week_the_button_opens_the_open_one(client, cast, week8):
    CheckIn.objects.filter(enrollment=week8).delete()
    client.force_login(cast.patient)
    html = client.get(reverse("activity", args=["checkin-week-8"])).content.decode()
    assert BUTTON.findall(html) == [reverse("checkin_current")]
    assert SHOWN.findall(_header(client, "checkin-week-8")) == []
