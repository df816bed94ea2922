"""Scoring of every shipped instrument against hand-computed examples."""

from __future__ import annotations

import pytest

from tracking.instruments.registry import normalise
from tracking.instruments.scoring import AnswerError, InstrumentSpec, clean_answers, score
from tracking.instruments.shipped import SHIPPED, definition_for


def spec(key: str) -> InstrumentSpec:
    d = normalise(definition_for(key))
    return InstrumentSpec(key=key, version=1, items=d["items"], scoring=d["scoring"])


def answers(prefix: str, values: list[int]) -> dict:
    return {f"{prefix}{n}": v for n, v in enumerate(values, start=1)}


def test_phq9_sums_and_bands():
    s = spec("phq9")
    result = score(s, clean_answers(s, answers("phq", [1, 2, 0, 3, 1, 0, 2, 1, 0])))
    assert result == {"total": 10, "band": "Moderate"}
    assert score(s, answers("phq", [0] * 9)) == {"total": 0, "band": "Minimal"}
    assert score(s, answers("phq", [3] * 9)) == {"total": 27, "band": "Severe"}


def test_phq9_with_a_missing_item_has_no_total():
    s = spec("phq9")
    partial = answers("phq", [1, 1, 1, 1, 1, 1, 1, 1])  # item 9 missing
    assert score(s, partial)["total"] is None
    with pytest.raises(AnswerError) as error:
        clean_answers(s, partial)
    assert error.value.errors == {"phq9": "Please choose an answer."}


def test_prorating_within_the_missing_item_allowance():
    s = InstrumentSpec(
        key="x",
        version=1,
        items=[{"key": f"q{n}", "min": 0, "max": 3} for n in range(1, 5)],
        scoring={"method": "sum", "max_missing": 1},
    )
    # 3 answered, mean 2 → prorated total 8
    assert score(s, {"q1": 1, "q2": 2, "q3": 3})["total"] == 8
    assert score(s, {"q1": 1, "q2": 2})["total"] is None


def test_gad7_and_gad2():
    assert score(spec("gad7"), answers("gad", [3, 3, 2, 2, 1, 1, 3])) == {
        "total": 15,
        "band": "Severe",
    }
    assert score(spec("gad2"), answers("gad", [1, 2])) == {
        "total": 3,
        "band": "Positive screen: consider GAD-7",
    }


def test_phq2():
    assert score(spec("phq2"), answers("phq", [1, 1]))["total"] == 2


def test_fabq_physical_activity_subscale_is_a_sum_of_items_2_to_5():
    s = spec("fabq_pa")
    result = score(s, clean_answers(s, {"fabq2": 6, "fabq3": 4, "fabq4": 0, "fabq5": 3}))
    assert result["total"] == 13
    with pytest.raises(AnswerError) as error:
        clean_answers(s, {"fabq2": 7, "fabq3": "a lot", "fabq4": -1, "fabq5": 3})
    assert error.value.errors == {
        "fabq2": "Choose a number from 0 to 6.",
        "fabq3": "Choose a whole number from 0 to 6.",
        "fabq4": "Choose a number from 0 to 6.",
    }


@pytest.mark.parametrize("key", ["pain_avg", "pain_worst", "fear_movement"])
def test_single_item_scales_are_raw_0_to_10(key):
    s = spec(key)
    assert score(s, {key: 7})["total"] == 7
    with pytest.raises(AnswerError):
        clean_answers(s, {key: 11})


def test_average_pain_band_marks_pain_free_or_nearly():
    s = spec("pain_avg")
    assert score(s, {"pain_avg": 1})["band"] == "Pain-free or nearly pain-free"
    assert score(s, {"pain_avg": 2})["band"] == "Pain present"


def test_causes_give_a_mind_brain_score():
    s = spec("causes")
    clean = clean_answers(
        s,
        {
            "cause1": {"text": "stress", "category": "stress"},
            "cause2": {"text": "disc", "category": "spinal"},
            "cause3": {"text": "learned", "category": "brain"},
        },
    )
    assert score(s, clean) == {"total": 2}
    with pytest.raises(AnswerError) as error:
        clean_answers(s, {"cause1": {"text": "x", "category": "magic"}})
    assert error.value.errors["cause1"] == "Choose a category from the list."


def test_every_shipped_instrument_has_a_citation_and_licence_note():
    for d in SHIPPED:
        assert d["citation"] and d["licence_note"], d["key"]


def test_phq9_marks_item_9_as_the_safety_item():
    assert spec("phq9").scoring["safety_item"] == "phq9"
