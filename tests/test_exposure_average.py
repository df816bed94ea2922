"""The clinician's average of how exposures went against the predictions: each measure
worded in its own right direction, "about the same" near 0, in English and Spanish.
The direction rule is programs.exposure.rules.average_direction; the words,
tracking.clinic.sections.versus_prediction."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from programs.exposure.rules import Direction, average_direction
from programs.models import Exposure
from tracking.clinic.sections import Hierarchy


@pytest.mark.parametrize(
    ("mean", "top", "direction"),
    [
        (0.0, 10, Direction.ABOUT_THE_SAME),
        (0.4, 10, Direction.ABOUT_THE_SAME),
        (-0.4, 10, Direction.ABOUT_THE_SAME),
        (0.5, 10, Direction.LOWER),
        (-0.5, 10, Direction.HIGHER),
        (3.0, 10, Direction.LOWER),
        (4.9, 100, Direction.ABOUT_THE_SAME),
        (-4.9, 100, Direction.ABOUT_THE_SAME),
        (5.0, 100, Direction.LOWER),
        (-5.8, 100, Direction.HIGHER),
    ],
)
def test_the_direction_of_an_average_difference(mean, top, direction):
    assert average_direction(mean, top=top) == direction


def _done(predicted: tuple[int, int], actual: tuple[int, int]) -> Exposure:
    return Exposure(
        activity="Walk",
        predicted_pain=predicted[0],
        predicted_harm=predicted[1],
        actual_pain=actual[0],
        actual_harm=actual[1],
        fear_after=50,
        completed_at=timezone.now(),
    )


# Each row: the exposures' (predicted pain, harm), (actual pain, harm); language; words.
@pytest.mark.parametrize(
    ("exposures", "language", "text"),
    [
        # The walk-through: pain as predicted, harm 5.8 points above it on average.
        (
            [((5, 50), (5, 50))] * 4 + [((5, 0), (5, 29))],
            "en",
            "On average pain was about the same as predicted, "
            "and harm 5.8 points higher than predicted.",
        ),
        (
            [((7, 60), (4, 25))],
            "en",
            "On average pain was 3.0 points lower than predicted, "
            "and harm 35.0 points lower than predicted.",
        ),
        (
            [((2, 10), (5, 40)), ((2, 10), (3, 10))],
            "en",
            "On average pain was 2.0 points higher than predicted, "
            "and harm 15.0 points higher than predicted.",
        ),
        (
            [((7, 60), (4, 25))],
            "es",
            "En promedio, el dolor fue 3,0 puntos más bajo de lo previsto, "
            "y el daño 35,0 puntos más bajo de lo previsto.",
        ),
        (
            [((5, 50), (5, 60))],
            "es",
            "En promedio, el dolor fue más o menos igual a lo previsto, "
            "y el daño 10,0 puntos más alto de lo previsto.",
        ),
    ],
)
def test_the_average_is_worded_in_each_measures_own_direction(exposures, language, text):
    hierarchy = Hierarchy(rungs=[], unlinked=[_done(p, a) for p, a in exposures])
    with translation.override(language):
        assert hierarchy.average_text == text


def test_nothing_is_said_before_an_exposure_is_logged():
    planned = Exposure(activity="Walk", predicted_pain=5, predicted_harm=50)
    assert Hierarchy(rungs=[], unlinked=[planned]).average_text is None
