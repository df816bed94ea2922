"""The outcomes report: cohort, responders, follow-ups, practice counting, three causes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from programs.practice import counting as _counting
from tracking.rules._base import Score
from tracking.rules.measures import (
    ENROLLMENT_ACTIVE,
    ENROLLMENT_COMPLETED,
    ENROLLMENT_PAUSED,
    LIVE_ENROLLMENT_STATUSES,
)

# ====================================================================== outcomes report
# The report's definitions, also shown on its page (tracking/reports.py).
STARTED_ENROLLMENT_STATUSES = (ENROLLMENT_ACTIVE, ENROLLMENT_PAUSED, ENROLLMENT_COMPLETED)

MIN_ATTRIBUTIONS_FOR_CHANGE = 2
"""The mind-brain change is counted among patients who named their three causes at
least twice (a first and a last)."""


def counts_as_enrolled(*, status: str, onboarded: bool) -> bool:
    """ "Enrolled" in the outcomes report: started the program, i.e. finished
    onboarding, or is active, paused or completed. An invitation not taken up yet is
    counted apart; a withdrawal after onboarding stays enrolled (the trial's
    denominator is everyone who started)."""
    return onboarded or status in STARTED_ENROLLMENT_STATUSES


def adherence(*, sessions: int, active_weeks: int) -> float | None:
    """Somatic-tracking sessions per active week (None with no active week)."""
    return sessions / active_weeks if active_weeks else None


# ====================================================================== practice sessions
# Whether one somatic-tracking session counts toward practice figures (the clinician's
# counts, the outcomes report's adherence): defined in programs.practice.counting,
# which keeps Enrollment.practice_sessions_logged and may not import tracking.
counts_toward_practice = _counting.counts_toward_practice


# ====================================================================== three causes
MIND_BRAIN_CATEGORIES = frozenset({"stress", "psychological", "brain"})
"""The coding scheme's mind-brain categories (Ashar et al., JAMA Netw Open 2023): the
values of AttributionCategory that count toward the mind-brain score (tests/test_rules.py
holds them equal to programs.models.MIND_BRAIN)."""
CAUSES_PER_ATTRIBUTION = 3
"""The question asks for the three most important causes."""


def mind_brain_score(categories: Iterable[str]) -> int:
    """How many of the causes' categories are mind-brain ones (0–3 for three causes)."""
    return sum(1 for c in categories if c in MIND_BRAIN_CATEGORIES)


def clinician_mind_brain_score(clinician_categories: Sequence[str]) -> int | None:
    """The mind-brain score from the clinician's coding of one attribution's causes, or
    None until every one of its three causes is coded ("" = not coded yet). What the
    outcomes report reads, where it exists, in place of the patient's own coding; the
    coding services store it on Attribution.clinician_mind_brain_score."""
    if len(clinician_categories) != CAUSES_PER_ATTRIBUTION or not all(clinician_categories):
        return None
    return mind_brain_score(clinician_categories)


# ====================================================================== outcomes cohort (issue 16)
# The report counts outcomes the way the trial did (Ashar et al., JAMA Psychiatry 2022):
# at fixed time points, among everyone who could have reached them. Someone in week 2
# cannot have finished, so they are "still in the program" and counted apart.
ENROLLMENT_WITHDRAWN = "withdrawn"

# The follow-up check-ins' slots (tracking.checkins.schedule: "followup-<n>m") that the
# report reads, with how the page names them.
FOLLOWUP_SLOTS: tuple[tuple[str, str], ...] = (
    ("followup-1m", "1 month after the end"),
    ("followup-3m", "3 months after the end"),
    # The trial's gains were largely kept at one year (Ashar et al. 2022): 6 and 12
    # months ask whether they last here too (issue 19, "after week 8").
    ("followup-6m", "6 months after the end"),
    ("followup-12m", "12 months after the end"),
)


def in_outcome_cohort(*, status: str, onboarded: bool, end_window_closed: bool | None) -> bool:
    """In the outcomes cohort: started the program (`counts_as_enrolled`) and either
    withdrew, or is active or completed and the window of their end-of-program
    check-in has closed (whether or not they answered it), or is completed without an
    end check-in at all. A paused enrollment's
    check-ins wait, so it is still in the program; so is anyone whose end window is
    still open or ahead. An end check-in answered early counts once its window closes,
    so everyone is counted at the same point of their program.

    `end_window_closed`: whether the end check-in's window has closed (its `closes_at`
    at or before now), None when there is no end check-in."""
    if not counts_as_enrolled(status=status, onboarded=onboarded):
        return False
    if status == ENROLLMENT_WITHDRAWN:
        return True
    if status == ENROLLMENT_COMPLETED and end_window_closed is None:
        # Marked completed with no end check-in scheduled (e.g. its program has none):
        # the program is over for them, and a missing end score counts as missing.
        return True
    return status in LIVE_ENROLLMENT_STATUSES and bool(end_window_closed)


def reached_followup(*, status: str, followup_window_closed: bool | None) -> bool:
    """A member of the cohort counts at a follow-up once its window has closed, or at
    once if they withdrew (a missing follow-up is then "not a responder"). No
    follow-up check-in at all (a program without follow-ups, `followup_window_closed`
    None): not counted."""
    if followup_window_closed is None:
        return False
    return status == ENROLLMENT_WITHDRAWN or followup_window_closed


def arrived_at_point(*, status: str, score: Score | None) -> bool:
    """Someone counted at a point (`reached_followup`, or the end) who actually got
    there: anyone who did not withdraw, or a withdrawal with a score there (answered
    before leaving). A withdrawal without one still counts as not a responder (the
    trial's rule), but when nobody at a point arrived, its figures are only
    withdrawals, and the report says "nobody has reached it yet" instead of a
    percentage."""
    return status != ENROLLMENT_WITHDRAWN or score is not None


def is_responder_eligible(baseline: Score | None, *, floor: int) -> bool:
    """Counted in the responder figures: a baseline average pain at or above the
    practice's floor (PracticeSettings.responder_baseline_floor, by default
    DEFAULT_RESPONDER_BASELINE_FLOOR = 4, the trial's entry criterion). Below it, ending
    "pain-free" or falling 30% says little (1 → 0 is 100%); no baseline, no judgement."""
    return baseline is not None and baseline >= floor


# ---------------------------------------------------------------- 95% confidence interval
T_95_TWO_SIDED: tuple[float, ...] = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
"""Student's t, two-sided 95% (the 0.975 quantile), for 1 to 30 degrees of freedom, as
printed in every statistics table."""

_Z_975 = 1.959963984540054


def t_critical_95(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom: the table for
    1–30, then the Cornish–Fisher expansion about the normal quantile (Abramowitz and
    Stegun 26.7.5), which agrees with exact values to 4 decimals from 30 on."""
    if df < 1:
        raise ValueError("A t interval needs at least one degree of freedom.")
    if df <= len(T_95_TWO_SIDED):
        return T_95_TWO_SIDED[df - 1]
    z = _Z_975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_ci_95(values: Sequence[Score]) -> tuple[float, float | None, float | None]:
    """The mean of `values` and its 95% confidence interval (t distribution, n − 1
    degrees of freedom): mean ± t × SD / √n, SD with n − 1. One value: the mean and no
    interval (None, None). No values: ValueError (the caller shows "no one yet")."""
    n = len(values)
    if not n:
        raise ValueError("No values.")
    mean = sum(float(v) for v in values) / n
    if n < 2:
        return mean, None, None
    variance = sum((float(v) - mean) ** 2 for v in values) / (n - 1)
    half = t_critical_95(n - 1) * (variance / n) ** 0.5
    return mean, mean - half, mean + half


# ---------------------------------------------------------------- mind-brain coding
# The categories and the per-answer scores are "three causes" above; a report pair
# says who coded it.
CODED_BY_CLINICIAN = "clinician"
CODED_BY_PATIENT = "self"


def mind_brain_scores(causes: Sequence[tuple[str, str]]) -> tuple[int, int | None]:
    """One "three causes" answer's mind-brain score (0–3) as the patient coded it, and
    as the clinician coded it, from each cause's (patient's category, clinician's
    category or ""). The clinician's score exists only when every cause has a clinician
    code (the trial's causes were coded by trained raters); otherwise None."""
    own = mind_brain_score(category for category, _clinician in causes)
    return own, clinician_mind_brain_score([clinician for _own, clinician in causes])


def mind_brain_pair(
    first: tuple[int, int | None], last: tuple[int, int | None]
) -> tuple[int, int, str]:
    """A baseline-to-end pair of answers (each `mind_brain_scores`) as (first score,
    last score, who coded them): the clinician's scores when both answers are fully
    clinician-coded, otherwise both the patient's own, labelled self-coded, so a pair
    never mixes two coders."""
    (first_own, first_clinician), (last_own, last_clinician) = first, last
    if first_clinician is not None and last_clinician is not None:
        return first_clinician, last_clinician, CODED_BY_CLINICIAN
    return first_own, last_own, CODED_BY_PATIENT
