"""The full PHQ-9 a positive PHQ-2 opens the same day does not ask again what the
weekly check-in asked minutes before (its items 1–2, and item 9 asked every week:
tracking.rules.phq9_answers_given); it is recorded and scored on all nine items, with
the same results as if every item had been answered there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checkin_data import post_for
from tracking import rules
from tracking.checkins.selectors import patient_checkin
from tracking.checkins.services import checkin_length
from tracking.instruments import registry
from tracking.instruments.scoring import score
from tracking.models import CheckIn, Instrument, Response

pytestmark = pytest.mark.patient_country("US")  # the crisis and emergency numbers follow it

W, P2, P9 = rules.WEEKLY_SAFETY, rules.PHQ2, rules.PHQ9

# A check-in's answers → the PHQ-9 answers it already holds.
GIVEN = [
    ({}, {}),
    ({P2: {"phq1": 2, "phq2": 3}}, {"phq1": 2, "phq2": 3}),
    ({W: {"phq9": 1}}, {"phq9": 1}),
    ({P2: {"phq1": 2, "phq2": 3}, W: {"phq9": 0}}, {"phq1": 2, "phq2": 3, "phq9": 0}),
    # Not answered (a draft's gap) is not carried.
    ({P2: {"phq1": 2}, W: {}}, {"phq1": 2}),
    # A check-in that asked the PHQ-9 itself carries nothing (no second PHQ-9 opens).
    ({P9: {"phq1": 1}, P2: {"phq1": 2, "phq2": 3}}, {}),
    # Other instruments' items are never PHQ-9 items, whatever their keys.
    ({rules.GAD2: {"gad1": 3, "gad2": 3}}, {}),
]


@pytest.mark.parametrize(("answers", "given"), GIVEN)
def test_phq9_answers_given(answers, given):
    assert rules.phq9_answers_given(answers) == given


def _weekly_then_extra(client, cast, week3) -> CheckIn:
    client.force_login(cast.patient)
    data = post_for(week3.instrument_keys, phq2={"phq1": 2, "phq2": 3}, phq9_item9={"phq9": 1})
    client.post(reverse("checkin_detail", args=[week3.pk]), data)
    return CheckIn.objects.get(enrollment=week3.enrollment, kind=CheckIn.Kind.EXTRA)


def test_the_extra_phq9_asks_only_what_was_not_answered_minutes_before(client, cast, week3):
    extra = _weekly_then_extra(client, cast, week3)
    page = client.get(reverse("checkin_detail", args=[extra.pk])).content.decode()
    for item in ("phq1", "phq2", "phq9"):
        assert f'name="phq9__{item}"' not in page
    for item in ("phq3", "phq4", "phq5", "phq6", "phq7", "phq8", "phq10"):
        assert f'name="phq9__{item}"' in page
    # Its length, wherever it is told (the results page's offer, Today): 7 questions.
    found = patient_checkin(week3.enrollment, extra.pk)
    assert checkin_length(found, week3.enrollment.practice_id).questions == 7


def test_the_extra_phq9_is_scored_on_all_nine_items_as_if_all_were_answered(client, cast, week3):
    extra = _weekly_then_extra(client, cast, week3)
    rest = {f"phq{n}": 1 for n in range(3, 9)} | {"phq10": 1}
    data = {"action": "submit", **{f"phq9__{k}": str(v) for k, v in rest.items()}}
    response = client.post(reverse("checkin_detail", args=[extra.pk]), data)
    assert response.status_code == 302 and response.url.endswith("?done=1")
    recorded = Response.objects.get(checkin=extra)
    every = {"phq1": 2, "phq2": 3, "phq9": 1, **rest}
    assert recorded.answers == every
    spec = registry.spec_of(Instrument.objects.get(pk=recorded.instrument_id))
    assert recorded.scores == score(spec, every)
    assert recorded.scores["total"] == 2 + 3 + 1 + 6
