"""The self-harm question is named and flagged on the clinician's check-in answers
page (clinician walk-through: "One more question about your mood: 1" with no flag,
while the alert said "PHQ-9 item 9 (thoughts … of hurting themselves)"). Named as the
alert names it (tracking.alerts.wording.safety_item_name), and an answer above 0
(tracking.rules.is_self_harm_answer) carries a badge in words, not colour alone."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.checkin_data import record_at_open
from tracking import rules
from tracking.models import CheckIn

NAME = "PHQ-9 item 9 (thoughts that they would be better off dead, or of hurting themselves)"
FLAG = "Thoughts of self-harm reported"


def weekly(enrollment, days_ago: int, item9: int) -> CheckIn:
    opens = timezone.now() - timedelta(days=days_ago)
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot=f"week{days_ago}",
        kind=CheckIn.Kind.WEEKLY,
        due_date=opens.date(),
        opens_at=opens,
        closes_at=opens + timedelta(days=3),
        status=CheckIn.Status.OPEN,
        instrument_keys=[rules.PAIN_AVG, rules.WEEKLY_SAFETY],
    )
    return record_at_open(checkin, **{rules.WEEKLY_SAFETY: {rules.PHQ9_SAFETY_ITEM: item9}})


def answers_page(client, cast, enrollment) -> str:
    client.force_login(cast.clinician)
    response = client.get(reverse("patient_checkins", args=[enrollment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_non_zero_self_harm_answer_is_named_and_flagged(client, cast, enrollment):
    weekly(enrollment, days_ago=1, item9=1)
    page = answers_page(client, cast, enrollment)
    assert NAME in page
    # Twice: on the questionnaire's heading and beside the answer itself.
    assert page.count(f'<span class="badge badge--danger">{FLAG}</span>') == 2


def test_a_zero_is_named_but_not_flagged(client, cast, enrollment):
    weekly(enrollment, days_ago=1, item9=0)
    page = answers_page(client, cast, enrollment)
    assert NAME in page
    assert FLAG not in page


def test_it_is_said_in_spanish(client, cast, enrollment):
    weekly(enrollment, days_ago=1, item9=2)
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = answers_page(client, cast, enrollment)
    assert "Ítem 9 del PHQ-9 (pensamientos de que estaría mejor muerto o de hacerse daño)" in page
    assert '<span class="badge badge--danger">Pensamientos de hacerse daño</span>' in page
