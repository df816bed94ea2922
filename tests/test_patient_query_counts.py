"""Today and My log cost the same number of queries however long the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Attribution, Exposure, FearItem, PracticeSession, Reflection
from programs.services import activity_complete, attribution_record, reflection_save
from tests.checkin_data import post_for, record_at_open
from tracking.checkins.schedule import DEFAULT_CONFIG
from tracking.models import CheckIn, Response

# Today: session, user, membership, enrollment; the patient's figures (done activities;
# practice this week; from week 3 the newest open exposure: programs.selectors.
# today_overview, through the ORM, so two or three queries where the written-out SQL
# took one); the check-in card (tracking.today.checkin_card). The program's weeks and
# activities are read once per process (programs.selectors.program_outline).
# Both also count the menu's unread messages with the practice's messaging switch
# (issue 19: one query, tracking.messaging.selectors.menu_messages).
# From week 3, + 1 for the open exposure, and + 1 for the fear ladder's next rung when
# no step is planned (issue 19: Today names the rung; programs.exposure.selectors.
# ladder_rungs, one query however long the ladder).
TODAY_QUERIES = 7  # + 2 from week 3; the menu badge from the cache after the warm-up
LOG_QUERIES = 10
# Check-in submit (issue 7 budget: 12, the same at any history):
#  4  session, user, membership, enrollment (middleware and enrollment_required)
#  1  the check-in with the practice's alert settings and the ids of its instruments'
#     current versions (their content is read once per process and kept:
#     registry.instruments_by_id; the form page, opened first, has read them)
#  6  BEGIN; the conditional UPDATE that claims the check-in; its responses (one
#     INSERT); the summary upsert (returning the baseline pain and the figures the rules
#     read); the rules' verdict on them stored for the caseload (issue 13: "not
#     improving" and the pain change, worked out by tracking.rules, not in SQL); COMMIT.
#     Was 3 when the claim, responses and summary were one hand-written statement.
#  +1 alert rules: the pain baseline and latest check-ins, only when the summary has a
#     baseline pain and this check-in's reaches it + the rise (else no run can start)
CHECKIN_SUBMIT_QUERIES = 11


def grow_history(enrollment, days: int) -> None:
    """`days` days of practice, an exposure every other day, reflections and causes."""
    now = timezone.now()
    PracticeSession.objects.bulk_create(
        PracticeSession(
            enrollment=enrollment,
            practiced_at=now - timedelta(days=d),
            local_date=(now - timedelta(days=d)).date(),
            duration_seconds=300,
            pain_before=6,
            threat_before=5,
            pain_after=4,
            threat_after=3,
            sensations=["tightness"],  # one of the program's words, as the player allows
            note="ok",
        )
        for d in range(days)
    )
    fear = FearItem.objects.create(
        enrollment=enrollment, label="Bending", harm_rating=40, first_rating=60
    )
    Exposure.objects.bulk_create(
        Exposure(
            enrollment=enrollment,
            fear_item=fear,
            activity="Bend",
            predicted_pain=6,
            predicted_harm=50,
            actual_pain=3,
            actual_harm=20,
            fear_after=30,
            planned_at=now - timedelta(days=d),
            completed_at=now - timedelta(days=d),
        )
        for d in range(0, days, 2)
    )
    weeks = enrollment.program_version.weeks.prefetch_related("activities")
    for week in weeks[:2]:
        for activity in week.activities.all():
            if activity.kind == "reflection":
                reflection_save(enrollment=enrollment, activity=activity, text="Thoughts")
            elif activity.kind == "attribution":
                attribution_record(
                    enrollment=enrollment,
                    activity=activity,
                    causes=[("a", "stress"), ("b", "spinal"), ("c", "brain")],
                )
            else:
                activity_complete(enrollment=enrollment, activity=activity)


@pytest.mark.parametrize("days", [2, 120])
@pytest.mark.parametrize("week", [2, 5])  # from week 3 Today also looks for an open exposure
def test_today_query_count_is_constant(
    client, cast, enrollment, days, week, django_assert_num_queries
):
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * (week - 1) + 3)
    enrollment.save()
    grow_history(enrollment, days)
    client.force_login(cast.patient)
    client.get(reverse("today"))  # the first visit in this process reads the program itself
    with django_assert_num_queries(TODAY_QUERIES + 2 * (week >= 3)):
        response = client.get(reverse("today"))
    assert response.status_code == 200


@pytest.mark.parametrize("days", [2, 120])
def test_my_log_query_count_is_constant(client, cast, enrollment, days, django_assert_num_queries):
    grow_history(enrollment, days)
    client.force_login(cast.patient)
    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(reverse("my_log"))
    assert response.status_code == 200
    body = response.content.decode()
    total = (
        PracticeSession.objects.count()
        + Exposure.objects.count()
        + Reflection.objects.count()
        + Attribution.objects.count()
    )
    assert body.count('class="card log-entry') == min(30, total)


def checkin_history(enrollment, weeks: int) -> CheckIn:
    """A baseline and a weekly check-in every week since, `weeks` in all, recorded
    through the service, and one more open now (returned)."""
    now = timezone.now()
    day = timedelta(days=1)

    def checkin(slot, kind, keys, opens_at):
        return CheckIn.objects.create(
            enrollment=enrollment,
            slot=slot,
            kind=kind,
            week=None if kind == "baseline" else 1,
            due_date=opens_at.date(),
            opens_at=opens_at,
            closes_at=opens_at + 7 * day,
            status=CheckIn.Status.OPEN,
            instrument_keys=keys,
        )

    first = now - timedelta(weeks=weeks)
    record_at_open(checkin("baseline", CheckIn.Kind.BASELINE, DEFAULT_CONFIG["baseline"], first))
    for n in range(1, weeks):
        record_at_open(
            checkin(
                f"history-{n}",
                CheckIn.Kind.WEEKLY,
                DEFAULT_CONFIG["weekly"],
                first + timedelta(weeks=n),
            )
        )
    return checkin("now", CheckIn.Kind.WEEKLY, DEFAULT_CONFIG["weekly"], now - timedelta(hours=1))


@pytest.mark.parametrize("weeks", [5, 52])
@pytest.mark.parametrize(("pain", "reads_history"), [(6, False), (9, True)])
def test_checkin_submit_query_count_is_constant(
    client, cast, enrollment, weeks, pain, reads_history, django_assert_num_queries
):
    open_now = checkin_history(enrollment, weeks)  # every pain so far 6, the baseline too
    client.force_login(cast.patient)
    assert client.get(reverse("checkin_detail", args=[open_now.pk])).status_code == 200
    with django_assert_num_queries(CHECKIN_SUBMIT_QUERIES + reads_history):
        response = client.post(
            reverse("checkin_detail", args=[open_now.pk]),
            post_for(DEFAULT_CONFIG["weekly"], pain_avg={"pain_avg": pain}),
        )
    assert response.status_code == 302
    assert Response.objects.filter(checkin=open_now).count() == len(DEFAULT_CONFIG["weekly"])
    assert (
        Response.objects.filter(checkin__enrollment=enrollment).values("checkin").distinct().count()
        == weeks + 1
    )
