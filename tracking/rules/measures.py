"""The measures, pain-free, real improvement, program weeks, check-in and enrollment status."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from programs import weeks as _weeks
from tracking.rules._base import Score, _exact

# ====================================================================== measures
# Instrument keys that rules, summaries and charts read by name. They are the keys of
# the shipped instruments (tracking/instruments/shipped.py); a practice cannot reuse
# them for its own questionnaires, so a score under one of these keys always means
# the shipped question.
PAIN_AVG = "pain_avg"  # average pain, last 7 days, 0–10: the trial's outcome
PAIN_WORST = "pain_worst"  # worst pain, last 7 days, 0–10
FEAR_MOVEMENT = "fear_movement"  # "how afraid are you that moving will hurt", 0–10
FABQ_PA = "fabq_pa"  # FABQ physical-activity subscale, 0–24
PHQ9 = "phq9"
PHQ2 = "phq2"
GAD7 = "gad7"
GAD2 = "gad2"
CAUSES = "causes"  # the three causes of pain, scored as the mind-brain score 0–3

# The end-of-program check-in's slot: "finished the program" in the outcomes report
# means this check-in is done with an average-pain answer, and the summary's end
# scores come from it.
END_SLOT = "end"

# The 0–10 numeric rating scales (pain, fear, somatic-tracking ratings).
NRS_MAX = 10


# ====================================================================== pain-free
PAIN_FREE_MAX = 1
"""Average pain 0 or 1 on the 0–10 scale is "pain-free or nearly pain-free": the
responder outcome of the PRT trial (Ashar et al., JAMA Psychiatry 2022; 66% of the PRT
group reached it). Read by the patient's check-in results and progress chart (the
shaded 0–1 band), the caseload's 0–1 column, the patient overview and printable
summary, the "not improving" filter (a pain-free patient is never "not improving") and
the outcomes report (at the end-of-program check-in)."""


def is_pain_free_or_nearly(score: Score | None) -> bool:
    """Average pain at most PAIN_FREE_MAX (0–1). No score (None) is not pain-free: the
    trial counted a missing score as not pain-free, and so does the report."""
    return score is not None and score <= PAIN_FREE_MAX


# ====================================================================== real improvement
REAL_CHANGE_POINTS = 2
REAL_CHANGE_PERCENT = 30
"""A change in average pain patients notice in daily life: at least 2 points, or at
least 30%, below their baseline (Farrar et al., Pain 2001; the IMMPACT
recommendations, Dworkin et al., J Pain 2008; PRT_NOTES.md). Either one is enough. Read by the
patient's check-in results ("That is a real change"), the caseload (the green change
and the "not improving" filter), the patient overview and printable summary, and the
outcomes report, which also counts each threshold on its own."""


def change_points(baseline: Score | None, current: Score | None) -> Score | None:
    """How far the score fell from the baseline, in points: positive is lower (better),
    negative higher. None when either score is missing. Kept in the scores' own type,
    as the screens format it ("down 2.5 pts")."""
    if baseline is None or current is None:
        return None
    return baseline - current


def change_percent(baseline: Score | None, current: Score | None) -> int | None:
    """The fall from the baseline as a whole percentage of it, as the screens show it
    ("down 3 pts (43%)"); negative when the score went up.

    None when either score is missing, and when the baseline is 0: there is no percent
    of nothing (and a patient starting at 0 is already pain-free). Rounded half to
    even, as Python's round() always did here: 8 → 7 is 12.5%, shown as 12%.
    """
    if baseline is None or current is None or not baseline:
        return None
    base = _exact(baseline)
    return round(Fraction(100 * (base - _exact(current))) / base)


def improved_by_points(baseline: Score | None, current: Score | None) -> bool:
    """At least REAL_CHANGE_POINTS (2) below the baseline. False when either is missing."""
    if baseline is None or current is None:
        return False
    return _exact(baseline) - _exact(current) >= REAL_CHANGE_POINTS


def improved_by_percent(baseline: Score | None, current: Score | None) -> bool:
    """At least REAL_CHANGE_PERCENT (30%) below the baseline, exactly: 10 → 7 counts,
    7 → 4.9 counts. False when either is missing or the baseline is 0 (nothing to fall
    from)."""
    if baseline is None or current is None or baseline <= 0:
        return False
    base = _exact(baseline)
    return 100 * (base - _exact(current)) >= REAL_CHANGE_PERCENT * base


def is_real_improvement(baseline: Score | None, current: Score | None) -> bool:
    """A clinically important improvement: 2+ points or 30%+ below the baseline.

    No baseline or no current score (None): no improvement can be claimed, False.
    Baseline 0: False (pain cannot fall below 0); such a patient shows as pain-free
    instead. A rise is never an improvement.
    """
    return improved_by_points(baseline, current) or improved_by_percent(baseline, current)


# ====================================================================== program weeks
# Program time is the program's: its arithmetic lives in programs.weeks (standard
# library only; programs may not import tracking, and Enrollment's methods use it).
# Named here as well, so it is defined once and every reader still asks `rules`.
DAYS_PER_WEEK = _weeks.DAYS_PER_WEEK
calendar_week = _weeks.calendar_week
current_week = _weeks.current_week
days_paused = _weeks.days_paused
local_date = _weeks.local_date
practice_week_starts_on = _weeks.practice_week_starts_on
# After the last week (issue 19): the end date and the monthly boosters.
program_ends_on = _weeks.program_ends_on
past_end = _weeks.past_end
add_months = _weeks.add_months
booster_opens_on = _weeks.booster_opens_on
program_days_elapsed = _weeks.program_days_elapsed
week_of = _weeks.week_of
week_opens_on = _weeks.week_opens_on
weeks_so_far = _weeks.weeks_so_far
# A start date an admin sets (the invitation and the bulk import), and when a date
# told to the patient shows its year.
START_MAX_DAYS_BACK = _weeks.START_MAX_DAYS_BACK
START_MAX_DAYS_AHEAD = _weeks.START_MAX_DAYS_AHEAD
start_date_problem = _weeks.start_date_problem
date_needs_year = _weeks.date_needs_year


# ====================================================================== check-in status
# CheckIn.Status's values.
CHECKIN_SCHEDULED = "scheduled"
CHECKIN_OPEN = "open"
CHECKIN_COMPLETED = "completed"
CHECKIN_MISSED = "missed"
# A check-in not yet done whose window can still open or close.
CHECKIN_PENDING = (CHECKIN_SCHEDULED, CHECKIN_OPEN)

# EnrollmentStatus's values that rules read.
ENROLLMENT_ACTIVE = "active"
ENROLLMENT_PAUSED = "paused"
ENROLLMENT_COMPLETED = "completed"
# Enrollments whose check-ins open and close with the calendar. A paused enrollment's
# check-ins wait (and move when it resumes); an invited or withdrawn one's never run;
# follow-ups still run after the program is completed.
LIVE_ENROLLMENT_STATUSES = (ENROLLMENT_ACTIVE, ENROLLMENT_COMPLETED)

# ReminderSchedule.Kind's values.
REMINDER_PRACTICE = "practice"
REMINDER_CHECKIN = "checkin"


def gets_reminders(*, kind: str, status: str) -> bool:
    """Whether an enrollment in `status` is reminded of `kind`. Practice reminders while
    the program is active; check-in reminders whenever its check-ins open and close
    (LIVE_ENROLLMENT_STATUSES), so a completed program's follow-ups at 1, 3, 6 and 12
    months are reminded too (issue 19). Nothing while paused, invited or withdrawn.
    (The patient's own preferences, and an inactive account, are checked apart.)"""
    if kind == REMINDER_CHECKIN:
        return status in LIVE_ENROLLMENT_STATUSES
    return status == ENROLLMENT_ACTIVE


def effective_status(
    *, stored: str, opens_at: datetime, closes_at: datetime, now: datetime, enrollment_status: str
) -> str:
    """What a check-in is at `now`, even before the minute sweep has written it.

    Done or missed stays so. Otherwise, on an enrollment that is not live (paused,
    invited, withdrawn) it is "scheduled": it waits. On a live one it is "missed" from
    `closes_at` on, "open" from `opens_at` on (at exactly `opens_at` it is open; at
    exactly `closes_at` it is missed), and "scheduled" before. Read by the patient's
    check-in list, the check-in page, progress and results, and every clinician screen
    that lists check-ins.
    """
    if stored in (CHECKIN_COMPLETED, CHECKIN_MISSED):
        return stored
    if enrollment_status not in LIVE_ENROLLMENT_STATUSES:
        return CHECKIN_SCHEDULED
    if closes_at <= now:
        return CHECKIN_MISSED
    if opens_at <= now:
        return CHECKIN_OPEN
    return CHECKIN_SCHEDULED


def is_open_for_answers(
    *, stored: str, opens_at: datetime, closes_at: datetime, now: datetime, enrollment_status: str
) -> bool:
    """The patient may answer (and save a draft of) the check-in now."""
    return (
        effective_status(
            stored=stored,
            opens_at=opens_at,
            closes_at=closes_at,
            now=now,
            enrollment_status=enrollment_status,
        )
        == CHECKIN_OPEN
    )
