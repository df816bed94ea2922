"""Graded exposure's rules (programs.exposure.rules): the outcome band of a logged
exposure, and where a (re-)rated rung takes its place on the ladder. Table tests with
every boundary."""

from __future__ import annotations

import pytest

from programs.exposure import rules
from programs.exposure.rules import ExposureBand, exposure_band, ladder_slot

MUCH_WORSE = ExposureBand.MUCH_WORSE
AS_FEARED = ExposureBand.AS_FEARED
PAIN_NOT_BETTER = ExposureBand.PAIN_NOT_BETTER
BETTER = ExposureBand.BETTER


def test_the_thresholds_are_the_documented_ones():
    assert rules.MEANINGFUL_CHANGE == 20  # PHODA: more than 20 points is meaningful
    assert rules.PAIN_MUCH_WORSE_POINTS == 3  # beyond the 2-point important change
    assert rules.FEAR_VERY_HIGH == 80


# (predicted pain, actual pain, predicted harm, actual harm, fear after) → band
@pytest.mark.parametrize(
    ("pain", "harm", "fear_after", "band"),
    [
        # The walk-through: a jog expected at pain 3 / harm 20 went 9 / 70, fear now 95.
        ((3, 9), (20, 70), 95, MUCH_WORSE),
        # Pain: 3 points over the prediction is much worse; 2 is "a bit harder".
        ((3, 6), (20, 20), 20, MUCH_WORSE),
        ((3, 5), (20, 20), 20, AS_FEARED),
        ((0, 3), (20, 0), 0, MUCH_WORSE),  # much worse beats good news on harm
        ((7, 10), (60, 60), 60, MUCH_WORSE),
        # Harm: more than 20 points over the prediction is much worse; 20 is not.
        ((5, 5), (20, 41), 30, MUCH_WORSE),
        ((5, 5), (20, 40), 30, AS_FEARED),
        ((8, 2), (20, 41), 30, MUCH_WORSE),  # much worse beats good news on pain
        ((8, 2), (20, 40), 30, BETTER),
        ((5, 5), (79, 100), 60, MUCH_WORSE),
        # Fear after: 80 or more and above the predicted harm is much worse …
        ((5, 4), (30, 10), 80, MUCH_WORSE),
        ((5, 4), (30, 10), 79, BETTER),
        ((5, 4), (79, 60), 80, MUCH_WORSE),
        # … but not when it is no higher than the harm predicted (fear falling).
        ((5, 4), (80, 60), 80, BETTER),
        ((5, 4), (90, 60), 85, BETTER),
        ((5, 5), (100, 100), 100, AS_FEARED),
        ((5, 4), (30, 10), None, BETTER),  # no fear rating: read pain and harm only
        # As feared: neither measure below the prediction.
        ((5, 5), (50, 50), 50, AS_FEARED),
        ((0, 0), (0, 0), 0, AS_FEARED),
        ((5, 7), (50, 50), 50, AS_FEARED),
        ((5, 5), (50, 51), 50, AS_FEARED),
        # Harm below the prediction, pain not: fear falls before pain.
        ((5, 5), (50, 49), 40, PAIN_NOT_BETTER),
        ((5, 7), (50, 10), 20, PAIN_NOT_BETTER),
        # Pain below the prediction: the expectation violation.
        ((5, 4), (50, 50), 50, BETTER),
        ((5, 4), (50, 60), 50, BETTER),
        ((10, 0), (100, 0), 0, BETTER),
    ],
)
def test_exposure_band(pain, harm, fear_after, band):
    assert (
        exposure_band(
            predicted_pain=pain[0],
            actual_pain=pain[1],
            predicted_harm=harm[0],
            actual_harm=harm[1],
            fear_after=fear_after,
        )
        == band
    )


@pytest.mark.parametrize(
    ("ratings", "rating", "slot"),
    [
        ([], 50, 0),
        ([10, 50, 90], 5, 0),
        ([10, 50, 90], 10, 1),  # after every rung rated the same
        ([10, 50, 90], 11, 1),
        ([10, 50, 90], 50, 2),
        ([10, 50, 90], 90, 3),
        ([10, 50, 90], 100, 3),
        ([20, 20, 20], 20, 3),
        # A ladder the patient reordered: before the first rung rated higher.
        ([90, 10, 50], 40, 0),
        ([10, 90, 50], 40, 1),
    ],
)
def test_ladder_slot(ratings, rating, slot):
    assert ladder_slot(ratings, rating) == slot
