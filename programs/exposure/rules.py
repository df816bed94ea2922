"""Graded exposure's clinical rules: how a logged exposure is read (exposure_band), and
where a rung takes its place on the fear ladder (ladder_slot).

Which outcome band a logged exposure falls in decides what the patient is told after
it (templates/programs/exposure/detail.html) and what their clinician sees flagged on
the fear ladder page. The rule is pure and lives here, beside the exposure log,
because `programs` keeps the log and may not import `tracking` (as program weeks,
`programs.weeks`, and practice counting, `programs.practice.counting`, do); standard
library only for that reason. tests/test_exposure_rules.py holds the table tests.

The numbers (PRT_NOTES.md, "Graded exposure"): harm and fear are rated 0–100 (the
PHODA convention, where a change of more than 20 points is meaningful), pain 0–10
(a change of 2 points is clinically important, so 3 or more is clearly beyond it).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

MEANINGFUL_CHANGE = 20
"""PHODA convention: a change of more than 20 points on the 0–100 harm scale is
meaningful (a rung's rating since it was added; harm far above the prediction)."""

PAIN_MUCH_WORSE_POINTS = 3
"""Pain this many points or more above the prediction (0–10) is far above it: beyond
the 2-point clinically important change, so not "a bit harder"."""

FEAR_VERY_HIGH = 80
"""How harmful the activity feels after it (0–100) at or above this is very high. It
counts as "much worse" only when it is also above the harm the patient predicted: a
step predicted at 90 that now feels 85 is fear falling, not rising."""


class ExposureBand(StrEnum):
    """How a logged exposure went against the patient's prediction."""

    MUCH_WORSE = "much_worse"
    """Pain or harm far above the prediction, or fear now very high and above it: no
    "try again soon"; go back to a smaller step, and where to turn if something new
    happened."""
    AS_FEARED = "as_feared"
    """Neither pain nor harm below the prediction (and not much worse): still learning;
    try the step again gently."""
    PAIN_NOT_BETTER = "pain_not_better"
    """Harm below the prediction but pain not: fear usually falls before pain does."""
    BETTER = "better"
    """Pain below the prediction: the expectation violation is the learning signal."""


def exposure_band(
    *,
    predicted_pain: int,
    actual_pain: int,
    predicted_harm: int,
    actual_harm: int,
    fear_after: int | None,
) -> ExposureBand:
    """The band of a logged exposure (first match wins, so "much worse" beats any
    good news in the other measure):

    1. MUCH_WORSE: actual pain ≥ predicted + PAIN_MUCH_WORSE_POINTS; or actual harm
       more than MEANINGFUL_CHANGE above predicted; or fear after ≥ FEAR_VERY_HIGH and
       above the predicted harm;
    2. AS_FEARED: neither pain nor harm below the prediction;
    3. PAIN_NOT_BETTER: harm below the prediction, pain not;
    4. BETTER: pain below the prediction.
    """
    pain_over = actual_pain - predicted_pain
    harm_over = actual_harm - predicted_harm
    fear_rose_very_high = (
        fear_after is not None and fear_after >= FEAR_VERY_HIGH and fear_after > predicted_harm
    )
    if pain_over >= PAIN_MUCH_WORSE_POINTS or harm_over > MEANINGFUL_CHANGE or fear_rose_very_high:
        return ExposureBand.MUCH_WORSE
    if pain_over >= 0 and harm_over >= 0:
        return ExposureBand.AS_FEARED
    if pain_over >= 0:
        return ExposureBand.PAIN_NOT_BETTER
    return ExposureBand.BETTER


def ladder_slot(ratings: Sequence[int], rating: int) -> int:
    """Where a rung rated `rating` takes its place on a ladder whose other rungs, in
    order, are rated `ratings`: just before the first one rated higher (after every one
    rated the same or lower), so the ladder reads lowest first. A new rung slots in so,
    and so does a rung the patient rates again (on its edit page, or as "how harmful
    does it feel now" after an exposure); only Move up / Move down put a rung elsewhere.
    """
    return next((i for i, r in enumerate(ratings) if r > rating), len(ratings))


class Direction(StrEnum):
    """Which way what happened went against what the patient predicted, on average."""

    LOWER = "lower"
    HIGHER = "higher"
    ABOUT_THE_SAME = "about_the_same"


ABOUT_THE_SAME_SHARE = 20
"""An average difference smaller than 1/20 of the scale (0.5 points of pain on 0–10,
5 points of harm on 0–100) reads as "about the same as predicted"."""


def average_direction(mean_violation: float, *, top: int) -> Direction:
    """The direction of an average expectation violation (predicted − actual) on a
    0–`top` scale: positive means what happened was LOWER than predicted, negative
    HIGHER; within top / ABOUT_THE_SAME_SHARE of 0 it is ABOUT_THE_SAME. The
    clinician's fear ladder and summary word it from this (tracking.clinic.sections)."""
    if abs(mean_violation) < top / ABOUT_THE_SAME_SHARE:
        return Direction.ABOUT_THE_SAME
    return Direction.LOWER if mean_violation > 0 else Direction.HIGHER
