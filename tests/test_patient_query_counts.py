"""Today and My log cost the same number of queries however long the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Attribution, Exposure, FearItem, PracticeSession, Reflection
from programs.services import activity_complete, attribution_record, reflection_save

TODAY_QUERIES = 9  # 8 + the check-in card (tracking.today.checkin_card: one query)
LOG_QUERIES = 9


def grow_history(enrollment, days: int) -> None:
    """`days` days of practice, an exposure every other day, reflections and causes."""
    now = timezone.now()
    PracticeSession.objects.bulk_create(
        PracticeSession(enrollment=enrollment, practiced_at=now - timedelta(days=d),
                        local_date=(now - timedelta(days=d)).date(), duration_seconds=300,
                        pain_before=6, threat_before=5, pain_after=4, threat_after=3,
                        sensations=["tight"], note="ok")
        for d in range(days)
    )
    fear = FearItem.objects.create(enrollment=enrollment, label="Bending", harm_rating=40,
                                   first_rating=60)
    Exposure.objects.bulk_create(
        Exposure(enrollment=enrollment, fear_item=fear, activity="Bend", predicted_pain=6,
                 predicted_harm=50, actual_pain=3, actual_harm=20, fear_after=30,
                 planned_at=now - timedelta(days=d), completed_at=now - timedelta(days=d))
        for d in range(0, days, 2)
    )
    weeks = enrollment.program_version.weeks.prefetch_related("activities")
    for week in weeks[:2]:
        for activity in week.activities.all():
            if activity.kind == "reflection":
                reflection_save(enrollment=enrollment, activity=activity, text="Thoughts")
            elif activity.kind == "attribution":
                attribution_record(enrollment=enrollment, activity=activity,
                                   causes=[("a", "stress"), ("b", "spinal"), ("c", "brain")])
            else:
                activity_complete(enrollment=enrollment, activity=activity)


@pytest.mark.parametrize("days", [2, 120])
def test_today_query_count_is_constant(client, cast, enrollment, days,
                                       django_assert_num_queries):
    grow_history(enrollment, days)
    client.force_login(cast.patient)
    with django_assert_num_queries(TODAY_QUERIES):
        response = client.get(reverse("today"))
    assert response.status_code == 200


@pytest.mark.parametrize("days", [2, 120])
def test_my_log_query_count_is_constant(client, cast, enrollment, days,
                                        django_assert_num_queries):
    grow_history(enrollment, days)
    client.force_login(cast.patient)
    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(reverse("my_log"))
    assert response.status_code == 200
    body = response.content.decode()
    total = (PracticeSession.objects.count() + Exposure.objects.count()
             + Reflection.objects.count() + Attribution.objects.count())
    assert body.count('class="card log-entry') == min(30, total)
