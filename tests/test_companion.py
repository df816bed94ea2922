"""The patient's companion touches (issue 19, point 8): a gentle practice calendar on
the progress page (days practised, on the patient's own dates; no streaks, nothing
"missed"), the fear ladder's actual next rung on Today, and first names in greetings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import User
from programs.models import FearItem
from programs.practice.services import practice_session_record
from tracking import rules
from tracking.checkins.results import progress_data


# ---------------------------------------------------------------- the calendar rule
@pytest.mark.parametrize(
    ("today", "practised", "first", "done", "future"),
    [
        # A Wednesday: four weeks from the Monday three weeks before; Thu-Sun to come.
        (date(2026, 3, 11), [], date(2026, 2, 16), 0, 4),
        (date(2026, 3, 11), [date(2026, 3, 11), date(2026, 3, 2)], date(2026, 2, 16), 2, 4),
        # A Monday: the last row is that week, six days still to come.
        (date(2026, 3, 16), [date(2026, 2, 23)], date(2026, 2, 23), 1, 6),
        # A Sunday: nothing to come; a day before the window is not counted.
        (date(2026, 3, 15), [date(2026, 2, 15), date(2026, 2, 16)], date(2026, 2, 16), 1, 0),
        # Several sessions on a day count once (the set of days).
        (date(2026, 3, 15), [date(2026, 3, 1), date(2026, 3, 1)], date(2026, 2, 16), 1, 0),
    ],
)
def test_the_calendar_rule(today, practised, first, done, future):
    calendar = rules.practice_calendar(set(practised), today)
    assert len(calendar) == rules.PRACTICE_CALENDAR_WEEKS and all(len(w) == 7 for w in calendar)
    assert calendar[0][0].day == first and first.weekday() == 0
    assert calendar[-1][today.weekday()].day == today
    assert rules.practised_days(calendar) == done
    assert sum(d.future for w in calendar for d in w) == future


def record(enrollment, at: datetime) -> None:
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=4,
        duration_seconds=300,  # long enough to count (the practice's minimum)
        at=at,
    )


@pytest.mark.parametrize(
    ("zone", "local_day"),
    [("Pacific/Auckland", date(2026, 3, 11)), ("America/Los_Angeles", date(2026, 3, 10))],
)
def test_the_calendar_is_on_the_patients_own_dates(cast, enrollment, zone, local_day):
    User.objects.filter(pk=cast.patient.pk).update(timezone=zone)
    enrollment.patient.refresh_from_db()
    # 10 March, 20:00 UTC: already the 11th in Auckland, still the 10th in Los Angeles.
    at = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)
    with time_machine.travel(at + timedelta(minutes=5), tick=False):
        record(enrollment, at)
        data = progress_data(enrollment, at + timedelta(minutes=5))
    days = {d.day: d for w in data.calendar for d in w}
    assert days[local_day].practised and not days[local_day].future
    assert data.practised_days == 1
    assert local_day + timedelta(days=1) in days and days[local_day + timedelta(days=1)].future


def test_the_progress_page_counts_days_and_never_blames(client, cast, enrollment):
    client.force_login(cast.patient)
    body = client.get(reverse("progress")).content.decode()
    assert "Days you practised" in body and "Each day you practise will show here." in body
    record(enrollment, datetime.now(UTC) - timedelta(minutes=10))
    body = client.get(reverse("progress")).content.decode()
    assert "You practised on 1 day in the last 4 weeks." in body
    assert body.count("practice-calendar__day--done") == 1
    lowered = body.lower()
    for word in ("streak", "missed a day", "you missed", "in a row"):
        assert word not in lowered


# ---------------------------------------------------------------- Today
def start_weeks_ago(enrollment, weeks: int) -> None:
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * weeks + 1)
    enrollment.save()


def test_today_names_the_ladders_next_rung(client, cast, enrollment):
    start_weeks_ago(enrollment, 4)
    FearItem.objects.create(
        enrollment=enrollment,
        label="Bend to tie shoes",
        harm_rating=30,
        first_rating=30,
        position=2,
    )
    low = FearItem.objects.create(
        enrollment=enrollment, label="Carry groceries", harm_rating=20, first_rating=20, position=1
    )
    client.force_login(cast.patient)
    body = client.get(reverse("today")).content.decode()
    assert "Next to try: <strong>Carry groceries</strong>" in body
    assert f"{reverse('exposure_plan')}?fear={low.pk}" in body
    assert "Pick one small step" not in body


def test_today_says_how_to_start_an_empty_ladder(client, cast, enrollment):
    start_weeks_ago(enrollment, 4)
    client.force_login(cast.patient)
    body = client.get(reverse("today")).content.decode()
    assert "Your fear ladder is empty." in body


@pytest.mark.parametrize(
    ("full_name", "email", "greeting"),
    [
        ("Jordan Lee", "j@p.test", "Jordan"),
        ("  María   José García ", "m@p.test", "María"),
        ("Cher", "c@p.test", "Cher"),
        ("", "sam.k@p.test", "sam.k"),
    ],
)
def test_the_greeting_name_is_the_first_name(full_name, email, greeting):
    assert User(full_name=full_name, email=email).greeting_name == greeting


def test_today_greets_by_first_name(client, cast, enrollment):
    User.objects.filter(pk=cast.patient.pk).update(full_name="Jordan Lee")
    client.force_login(cast.patient)
    body = client.get(reverse("today")).content.decode()
    assert "Hello Jordan." in body and "Hello Jordan Lee" not in body
