"""The three-causes question without a nudge (issue 16, point 5): neutral labels, the
patient answers before seeing earlier answers, and no mind-brain score on any page
the patient sees."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from programs.forms import AttributionForm, patient_category_choices
from programs.models import MIND_BRAIN, ActivityKind, Attribution, AttributionCategory
from programs.services import attribution_record
from tests.factories import make_enrollment

# The coding scheme's values are data (the report and the clinician's coding read
# them): the labels changed, the values must not.
STORED_VALUES = [
    "spinal",
    "injury",
    "activity",
    "sedentary",
    "posture",
    "age",
    "hereditary",
    "negligence",
    "stress",
    "psychological",
    "brain",
    "other",
]
SCORE_WORDS = re.compile(r"mind[- ]?brain|mind or brain|learned pain|of 3\b", re.IGNORECASE)


def causes_activity(enrollment, week):
    return enrollment.program_version.weeks.get(number=week).activities.get(
        kind=ActivityKind.ATTRIBUTION
    )


@pytest.fixture
def week4(cast, program_version):
    """cast.patient in week 4, with the week-1 causes answered."""
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=23
    )
    assert enrollment.current_week() == 4
    attribution_record(
        enrollment=enrollment,
        activity=causes_activity(enrollment, 1),
        causes=[
            ("Lifting boxes at work", "activity"),
            ("A worn disc", "spinal"),
            ("Worry about my job", "stress"),
        ],
    )
    return enrollment


@pytest.fixture
def patient(client, cast):
    client.force_login(cast.patient)
    return client


# ------------------------------------------------------------------ labels
def test_it_keeps_the_stored_values():
    assert AttributionCategory.values == STORED_VALUES
    assert {c.value for c in MIND_BRAIN} == {"stress", "psychological", "brain"}


@pytest.mark.parametrize("category", list(AttributionCategory))
def test_each_label_is_plain_and_neutral(category):
    label = str(category.label)
    # No hint at the hoped-for answer, no aside in brackets, no jargon.
    assert not re.search(r"learn|\(|\)|pain|neuro|alarm|really|just", label, re.IGNORECASE)
    assert 1 <= len(label.split()) <= 6
    assert label[0].isupper() and not label.endswith(".")


def test_the_labels_are_parallel_in_length():
    lengths = [len(str(c.label).split()) for c in AttributionCategory]
    mind_brain = [len(str(AttributionCategory(v).label).split()) for v in MIND_BRAIN]
    # The mind-brain labels are neither the longest nor the most explained.
    assert max(mind_brain) <= max(lengths) and min(mind_brain) >= min(lengths)


def test_the_patient_picks_from_a_list_a_to_z_with_something_else_last():
    choices = patient_category_choices()
    labels = [label for _, label in choices]
    assert labels[:-1] == sorted(labels[:-1], key=str.lower)
    assert choices[-1] == ("other", "Something else")
    assert sorted(v for v, _ in choices) == sorted(STORED_VALUES)
    # The mind-brain categories are not bunched together at the end of the list.
    positions = [i for i, (v, _) in enumerate(choices) if v in {"stress", "psychological", "brain"}]
    assert positions != list(range(len(choices) - 4, len(choices) - 1))
    form_choices = AttributionForm().fields["category_1"].choices
    assert list(form_choices)[1:] == choices


# ------------------------------------------------------------------ order of reveal
def test_the_patient_answers_before_seeing_earlier_answers(patient, week4):
    url = reverse("activity", args=[causes_activity(week4, 4).slug])
    page = patient.get(url).content.decode()
    assert 'name="cause_1"' in page
    assert "Lifting boxes at work" not in page and "A worn disc" not in page
    response = patient.post(
        url,
        {
            "cause_1": "Sitting all day",
            "category_1": "sedentary",
            "cause_2": "Stress at home",
            "category_2": "stress",
            "cause_3": "My nerves being on alert",
            "category_3": "brain",
        },
    )
    assert response.status_code == 302
    page = patient.get(url).content.decode()
    # Now both: this answer first, then what they wrote before; no form, no score.
    assert page.index("Sitting all day") < page.index("Lifting boxes at work")
    assert 'name="cause_1"' not in page
    assert not SCORE_WORDS.search(page.split("<main", 1)[1])


def test_an_answer_is_given_once(patient, week4):
    url = reverse("activity", args=[causes_activity(week4, 1).slug])
    before = list(Attribution.objects.get(activity__week__number=1).causes.values_list("text"))
    response = patient.post(
        url,
        {"cause_1": "x", "category_1": "brain", "cause_2": "y", "category_2": "brain"},
    )
    assert response.status_code == 302
    after = list(Attribution.objects.get(activity__week__number=1).causes.values_list("text"))
    assert after == before


# ------------------------------------------------------------------ no score, anywhere
PATIENT_PAGES = [
    ("today", []),
    ("program_overview", []),
    ("program_week", [1]),
    ("program_week", [4]),
    ("my_log", []),
    ("progress", []),
    ("checkin_list", []),
    ("checkin_current", []),
    ("practice", []),
    ("exposure", []),
    ("reminder_settings", []),
    ("notifications", []),
]


def test_no_patient_page_shows_a_mind_brain_score(patient, week4):
    attribution_record(
        enrollment=week4,
        activity=causes_activity(week4, 4),
        causes=[("Stress", "stress"), ("My emotions", "psychological"), ("My brain", "brain")],
    )
    pages = [reverse(name, args=args) for name, args in PATIENT_PAGES]
    pages += [reverse("activity", args=[causes_activity(week4, w).slug]) for w in (1, 4)]
    walked = 0
    for url in pages:
        response = patient.get(url, follow=True)
        assert response.status_code == 200, url
        main = response.content.decode().split("<main", 1)[-1]
        assert not SCORE_WORDS.search(main), url
        walked += 1
    assert walked == len(pages)


def test_every_named_patient_page_exists():
    for name, args in PATIENT_PAGES:
        try:
            reverse(name, args=args)
        except NoReverseMatch:  # pragma: no cover - the list above is out of date
            pytest.fail(name)


def test_the_clinician_sees_the_score_on_the_patient_page(client, cast, week4):
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_causes", args=[week4.pk])).content.decode()
    assert "patient's own coding <strong>1 of 3</strong>" in page
    assert "Lifting boxes at work" in page
