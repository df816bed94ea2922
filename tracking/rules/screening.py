"""Questionnaire bands and the screening rules that raise alerts (issue 15)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tracking.rules._base import Score
from tracking.rules.measures import NRS_MAX, PAIN_FREE_MAX, PHQ2, PHQ9

# ====================================================================== questionnaires
Band = tuple[int, int, str]  # (lowest total, highest total, label), both ends included

PHQ9_BANDS: tuple[Band, ...] = (
    (0, 4, "Minimal"),
    (5, 9, "Mild"),
    (10, 14, "Moderate"),
    (15, 19, "Moderately severe"),
    (20, 27, "Severe"),
)
"""PHQ-9 depression severity, cut-points 5/10/15/20 (Kroenke et al. 2001). Stored with
each PHQ-9 response's score and shown on the patient overview and summary."""

GAD7_BANDS: tuple[Band, ...] = (
    (0, 4, "Minimal"),
    (5, 9, "Mild"),
    (10, 14, "Moderate"),
    (15, 21, "Severe"),
)
"""GAD-7 anxiety severity, cut-points 5/10/15 (Spitzer et al. 2006)."""

SCREEN_POSITIVE_MIN = 3
"""PHQ-2 and GAD-2 (the first two items, 0–6): a total of 3 or more is a positive
screen, worth the full PHQ-9 or GAD-7 (Kroenke et al. 2003, 2007)."""

PHQ2_BANDS: tuple[Band, ...] = (
    (0, SCREEN_POSITIVE_MIN - 1, "Below screening threshold"),
    (SCREEN_POSITIVE_MIN, 6, "Positive screen: consider PHQ-9"),
)
GAD2_BANDS: tuple[Band, ...] = (
    (0, SCREEN_POSITIVE_MIN - 1, "Below screening threshold"),
    (SCREEN_POSITIVE_MIN, 6, "Positive screen: consider GAD-7"),
)
PAIN_AVG_BANDS: tuple[Band, ...] = (
    (0, PAIN_FREE_MAX, "Pain-free or nearly pain-free"),
    (PAIN_FREE_MAX + 1, NRS_MAX, "Pain present"),
)
"""The average-pain answer's band, stored with its score: PAIN_FREE_MAX's 0–1."""


def band_of(total: Score | None, bands: Iterable[Band]) -> str | None:
    """The label of the band `total` falls in (both ends included), or None if it has
    no total or falls in none, as the scorer labels a response."""
    if total is None:
        return None
    for low, high, label in bands:
        if low <= total <= high:
            return label
    return None


def scoring_bands(bands: Iterable[Band]) -> list[dict[str, int | str]]:
    """A band table in an instrument definition's form (`scoring["bands"]`), so the
    shipped instruments are built from the tables above. The same numbers give the
    same definition, and so no new instrument version."""
    return [{"min": low, "max": high, "label": label} for low, high, label in bands]


def phq9_severity(total: Score | None) -> str | None:
    return band_of(total, PHQ9_BANDS)


def gad7_severity(total: Score | None) -> str | None:
    return band_of(total, GAD7_BANDS)


def is_positive_screen(total: Score | None) -> bool:
    """A PHQ-2 or GAD-2 total at or above SCREEN_POSITIVE_MIN (3)."""
    return total is not None and total >= SCREEN_POSITIVE_MIN


PHQ9_SAFETY_ITEM = "phq9"
"""PHQ-9 item 9 ("thoughts that you would be better off dead or of hurting
yourself"): the shipped safety item. Any answer above 0 starts the safety workflow."""


def is_self_harm_answer(value: object) -> bool:
    """A safety item's answer that must start the safety workflow (crisis resources
    shown at once, an urgent alert, escalation): any whole number above 0. Answers are
    whole numbers once cleaned; anything else (None, text) is not an answer."""
    return isinstance(value, int) and value > 0


# ====================================================================== screening (issue 15)
# What a questionnaire's total raises, and when, besides the self-harm item. Each rule
# returns the alert severity ("urgent" | "high" | "routine", Alert.Severity's values)
# or None. Read by tracking.alerts.evaluate (on submit) and tests/test_rules.py.
SEVERITY_URGENT = "urgent"
SEVERITY_HIGH = "high"
SEVERITY_ROUTINE = "routine"

PHQ9_HIGH_MIN = 15
PHQ9_URGENT_MIN = 20


def phq9_alert_severity(total: Score | None) -> str | None:
    """PHQ-9 total → alert severity.

    15–19 ("moderately severe", Kroenke et al. 2001) → HIGH: their treatment guidance is
    active treatment, so the clinician reviews it within the practice's HIGH response
    time. 20–27 ("severe") → URGENT: the same guidance asks for *immediate* treatment
    and, with severe impairment, expedited referral, so the clinic looks within its
    urgent response time. That is a review by a person, not an emergency call: the
    emergency signal is item 9 (and crisis words), which raises its own URGENT
    self-harm alert and shows the crisis resources, whatever the total. Under 15: None.
    """
    if total is None:
        return None
    if total >= PHQ9_URGENT_MIN:
        return SEVERITY_URGENT
    if total >= PHQ9_HIGH_MIN:
        return SEVERITY_HIGH
    return None


GAD7_HIGH_MIN = 15


def gad7_alert_severity(total: Score | None) -> str | None:
    """GAD-7 total ≥ 15 ("severe anxiety", Spitzer et al. 2006) → HIGH; else None."""
    if total is not None and total >= GAD7_HIGH_MIN:
        return SEVERITY_HIGH
    return None


def phq2_alert_severity(total: Score | None) -> str | None:
    """A positive PHQ-2 (≥ SCREEN_POSITIVE_MIN, 3; Kroenke et al. 2003) → ROUTINE: the
    screen is not a diagnosis. The patient is offered the full PHQ-9 the same day
    (`offers_full_phq9`), whose own total then raises what it deserves."""
    return SEVERITY_ROUTINE if is_positive_screen(total) else None


def offers_full_phq9(phq2_total: Score | None) -> bool:
    """A positive PHQ-2 opens a same-day PHQ-9 (PRT_NOTES.md: "positive screen: consider
    PHQ-9"). Read by the check-in service after a submit."""
    return is_positive_screen(phq2_total)


# Weekly check-ins ask the PHQ-9's item 9 on its own (PHQ-9 wording, free to reproduce,
# PRT_NOTES.md) and a short "any new symptoms?" red-flag question every week. Since
# version 2 that instrument asks two questions, one per group of signs
# (tracking.rules.red_flags.WEEKLY_SYMPTOM_ITEMS: the emergency signs, and the rest);
# version 1 asked one question over both (NEW_SYMPTOMS_ITEM), kept for its responses.
WEEKLY_SAFETY = "phq9_item9"
NEW_SYMPTOMS = "new_symptoms"
NEW_SYMPTOMS_ITEM = "new_symptoms"
"""Version 1's single question over every sign: a yes cannot say which group."""
NEW_SYMPTOMS_EMERGENCY_ITEM = "emergency_signs"
"""Version 2's question on the signs of cauda equina: the emergency department today."""
NEW_SYMPTOMS_DOCTOR_ITEM = "doctor_signs"
"""Version 2's question on the other new red-flag signs: a doctor soon."""


def is_new_symptoms_answer(value: object) -> bool:
    """A weekly new-symptoms question answered yes (1)."""
    return value == 1


# The PHQ-9's items other instruments ask in the same words, under the same item key:
# the PHQ-2 is its items 1–2, the weekly safety question its item 9. The full PHQ-9 a
# positive PHQ-2 opens the same day takes these answers from the check-in that opened
# it, so they are not asked again minutes later (tracking.checkins.services).
PHQ9_ITEMS_ASKED_IN: dict[str, tuple[str, ...]] = {
    PHQ2: ("phq1", "phq2"),
    WEEKLY_SAFETY: (PHQ9_SAFETY_ITEM,),
}


def asked_here(answers: Mapping[str, object], carried: Mapping[str, object] | None) -> dict:
    """A response's answers less those carried over from the check-in before
    (CheckIn.answered_before's, for its instrument): the ones this check-in asked.

    The safety rules read only these. A carried-over answer started its safety
    workflow at the check-in that asked it (its own URGENT alert, escalation and crisis
    help, minutes before): the same answer, copied, never raises a second alert, nor a
    new one after that alert was resolved, and the results page does not say it was
    just given."""
    return {item: value for item, value in answers.items() if item not in (carried or {})}


def carries_self_harm_answer(answered_before: Mapping[str, Mapping[str, object]] | None) -> bool:
    """Whether a check-in's carried-over answers (CheckIn.answered_before) hold a
    self-harm answer (PHQ-9 item 9 above 0). Its results page then shows one short line
    with the way to help (the full crisis help was shown minutes before), and Today does
    not press it as the main thing to do: support comes first, more questions can wait."""
    carried = (answered_before or {}).get(PHQ9) or {}
    return is_self_harm_answer(carried.get(PHQ9_SAFETY_ITEM))


def phq9_answers_given(answers_by_instrument: Mapping[str, Mapping[str, object]]) -> dict:
    """The PHQ-9 answers (item key → answer) a check-in's answers (instrument key →
    item key → answer) already hold: its own PHQ-9's are none to carry (that check-in
    asked the PHQ-9 itself)."""
    if PHQ9 in answers_by_instrument:
        return {}
    return {
        item: answers[item]
        for key, items in PHQ9_ITEMS_ASKED_IN.items()
        for item in items
        if isinstance((answers := answers_by_instrument.get(key) or {}).get(item), int)
    }
