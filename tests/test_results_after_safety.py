"""What a check-in's results page shows after a safety result
(tracking.rules.results_after_safety): an emergency sign's "go to the emergency
department today" first, then the crisis help, then what happens next; after a
self-harm answer or an emergency sign, no offer of extra questions and no progress
cards (they can come later)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checkin_data import post_for
from tracking import rules
from tracking.models import CheckIn

pytestmark = pytest.mark.patient_country("US")  # the crisis and emergency numbers follow it

S, C = rules.RESULTS_SYMPTOMS, rules.RESULTS_CRISIS
NONE = rules.symptom_guidance(())
EMERGENCY = rules.symptom_guidance([rules.SYMPTOMS_EMERGENCY])
DOCTOR = rules.symptom_guidance([rules.SYMPTOMS_DOCTOR_SOON])
BOTH = rules.symptom_guidance([rules.SYMPTOMS_EMERGENCY, rules.SYMPTOMS_DOCTOR_SOON])
EITHER = rules.symptom_guidance([rules.SYMPTOMS_EITHER])

# (self-harm answer, symptom guidance) → (boxes in order, symptoms box says what
# happens next, extra questions and progress shown)
LAYOUTS = [
    (False, NONE, (), True, True),
    (True, NONE, (C,), True, False),
    (False, EMERGENCY, (S,), True, False),
    (False, BOTH, (S,), True, False),
    (False, DOCTOR, (S,), True, True),
    (False, EITHER, (S,), True, False),
    # Both: the emergency department first, then the crisis help, which ends with what
    # happens next (said once).
    (True, EMERGENCY, (S, C), False, False),
    (True, BOTH, (S, C), False, False),
    # A doctor soon is less pressing than the crisis help.
    (True, DOCTOR, (C, S), True, False),
    (True, EITHER, (C, S), True, False),
]


@pytest.mark.parametrize(("self_harm", "guidance", "order", "symptoms_next", "extras"), LAYOUTS)
def test_results_after_safety(self_harm, guidance, order, symptoms_next, extras):
    layout = rules.results_after_safety(self_harm=self_harm, guidance=guidance)
    assert layout == rules.ResultsAfterSafety(
        order=order, symptoms_next=symptoms_next, extras=extras
    )


GO_TODAY = "Please go to the emergency department today"
CRISIS = "You do not have to face this alone"
NEXT = "What happens next."
EXTRA = "One more step today"
PROGRESS = "This week vs your start"


def _done_page(client, cast, week3, *, phq9: int, emergency: int) -> str:
    assert rules.PHQ2 in week3.instrument_keys
    client.force_login(cast.patient)
    data = post_for(
        week3.instrument_keys,
        # A positive PHQ-2 (the extra PHQ-9 is opened), pain down a point.
        phq2={"phq1": 2, "phq2": 2},
        pain_avg={"pain_avg": 5},
        phq9_item9={rules.PHQ9_SAFETY_ITEM: phq9},
        new_symptoms={rules.NEW_SYMPTOMS_EMERGENCY_ITEM: emergency},
    )
    response = client.post(reverse("checkin_detail", args=[week3.pk]), data, follow=True)
    assert response.redirect_chain[-1][0].endswith("?done=1")
    return " ".join(response.content.decode().split())


def test_self_harm_and_emergency_signs_show_the_emergency_first_and_nothing_that_can_wait(
    client, cast, week3
):
    page = _done_page(client, cast, week3, phq9=1, emergency=1)
    go, crisis = page.index(GO_TODAY), page.index(CRISIS)
    assert go < crisis < page.rindex(NEXT)
    # What happens next is said once, after the crisis help.
    assert page.count(NEXT) == 1
    assert EXTRA not in page and PROGRESS not in page
    # The extra questions are still there to answer later.
    assert CheckIn.objects.filter(enrollment=week3.enrollment, kind=CheckIn.Kind.EXTRA).exists()


def test_without_a_safety_result_the_extra_questions_and_progress_show(client, cast, week3):
    page = _done_page(client, cast, week3, phq9=0, emergency=0)
    assert EXTRA in page and PROGRESS in page
    assert GO_TODAY not in page and CRISIS not in page
