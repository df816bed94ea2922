"""A check-in's figures (tracking.figures) equal what its responses say: as recorded by
checkin_record, as recomputed by figures_refresh (one SQL statement) and as
worked out in Python, for ordinary answers and odd ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.checkin_data import record_at_open, schedule_from_start
from tracking.checkins.figures import EMPTY, figures_of, figures_refresh
from tracking.instruments.registry import current_instruments
from tracking.models import CheckIn, Response


def _history(enrollment, weeks: int = 5) -> dict[str, CheckIn]:
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * weeks)
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    return schedule_from_start(enrollment)


def _stored(enrollment) -> dict[int, dict | None]:
    return dict(CheckIn.objects.filter(enrollment=enrollment).values_list("pk", "figures"))


def _from_responses(checkin_id: int) -> dict:
    return figures_of(
        Response.objects.filter(checkin_id=checkin_id)
        .order_by("pk")
        .values_list("instrument_key", "scores", "answers")
    )


def test_recording_a_check_in_writes_its_figures(enrollment):
    slots = _history(enrollment)
    baseline = record_at_open(slots["baseline"], pain_avg={"pain_avg": 7})
    week2 = record_at_open(slots["week-2"], pain_avg={"pain_avg": 5})
    stored = _stored(enrollment)
    assert stored[baseline.pk]["totals"]["pain_avg"] == 7
    assert stored[week2.pk]["totals"]["pain_avg"] == 5
    # The baseline asks the full PHQ-9 and GAD-7: their bands, and PHQ-2/GAD-2 from them.
    assert set(stored[baseline.pk]["bands"]) == {"phq9", "gad7"}
    assert set(stored[baseline.pk]["short"]) == {"phq", "gad"}
    for checkin in (baseline, week2):
        assert stored[checkin.pk] == _from_responses(checkin.pk)
    assert stored[slots["week-3"].pk] is None  # not done: none


def test_the_recompute_gives_what_recording_wrote(enrollment):
    slots = _history(enrollment)
    for slot in ("baseline", "week-2", "week-3"):
        record_at_open(slots[slot])
    recorded = _stored(enrollment)
    CheckIn.objects.filter(enrollment=enrollment).update(figures=None)
    figures_refresh(enrollment_ids=[enrollment.pk])
    assert _stored(enrollment) == recorded
    assert sum(f is not None for f in recorded.values()) == 3


@pytest.mark.parametrize(
    "answers, short",
    [
        ({"phq1": 2, "phq2": 3}, {"phq": 5}),
        ({"phq1": 2.5, "phq2": 3}, {}),  # not whole numbers: no short form
        ({"phq1": "2", "phq2": 3}, {}),
        ({"phq1": True, "phq2": 1}, {}),
        ({"phq1": 1}, {}),
        ({}, {}),
    ],
)
def test_the_recompute_reads_odd_answers_as_python_does(enrollment, answers, short):
    """Responses written directly (the demo, the bench, imports) are recomputed by one
    SQL statement: it must agree with figures_of, odd values included."""
    slots = _history(enrollment, 2)
    checkin = slots["baseline"]
    instruments = current_instruments(["phq2", "pain_avg"], enrollment.practice_id)
    Response.objects.create(
        checkin=checkin,
        instrument=instruments["phq2"],
        instrument_key="phq2",
        instrument_version=1,
        answers=answers,
        scores={"total": 5, "band": "Positive screen"},
        created_at=checkin.opens_at,
    )
    Response.objects.create(
        checkin=checkin,
        instrument=instruments["pain_avg"],
        instrument_key="pain_avg",
        instrument_version=1,
        answers={"pain_avg": 4},
        scores={"total": 4},
        created_at=checkin.opens_at,
    )
    figures_refresh(enrollment_ids=[enrollment.pk])
    stored = _stored(enrollment)[checkin.pk]
    assert stored == _from_responses(checkin.pk)
    assert stored["short"] == short
    assert stored["totals"] == {"phq2": 5, "pain_avg": 4} and stored["bands"] == {}


def test_the_recompute_touches_only_the_enrollments_asked_for(enrollment, other_enrollment):
    mine = record_at_open(_history(enrollment)["baseline"])
    theirs = record_at_open(_history(other_enrollment)["baseline"])
    CheckIn.objects.filter(pk__in=[mine.pk, theirs.pk]).update(figures=None)
    figures_refresh(enrollment_ids=[enrollment.pk])
    assert _stored(enrollment)[mine.pk] == _from_responses(mine.pk)
    assert _stored(other_enrollment)[theirs.pk] is None


def test_a_check_in_with_no_responses_has_no_figures():
    assert figures_of([]) == EMPTY
