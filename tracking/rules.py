"""Every clinical definition and threshold of painapp, each defined once.

What counts as pain-free, as a real improvement, which program week a patient is in,
whether a check-in is open, how a PHQ-9 is banded, when an alert is raised: each rule
is a named constant or a small pure function here, and everything else asks it. The
numbers come from the published trial and the measurement literature summarised in
the team's clinical notes (PRT_NOTES.md); each docstring says where a number comes
from and who reads it.

Plain values in, plain values out: no model, no query, no clock. So the same rule
serves a model method, a service, a selector holding numbers from a SQL row, and the
wording of a template. Where SQL has to filter or sort by a rule, the service that owns
the data stores the rule's result in a column and SQL reads the column (issue 13):
nothing here is written a second time in SQL.

This module imports only the standard library and programs.weeks (itself standard
library only): tracking.models takes its default thresholds from here, so it may not
import a model. The status words below are the
values of `CheckIn.Status` and `EnrollmentStatus`; tests/test_rules.py holds them equal.

Scores are whole numbers today (every shipped 0–10 item is answered with a whole
number, and a practice cannot reuse a shipped key), but the summary keeps them as
floats and a practice's own instrument may average. The arithmetic below is exact for
any of them: a float is read as the decimal it prints as (7.3 is 73/10), so 30% of 10
is 3, not 3.0000000000000004.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from programs import weeks as _weeks
from programs.practice import counting as _counting

Score = int | float | Fraction


def _exact(value: Score) -> Fraction:
    """`value` as an exact fraction; a float as the decimal its repr shows."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


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

_REAL_CHANGE_FRACTION = Fraction(REAL_CHANGE_PERCENT, 100)


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
    return round(100 * (base - _exact(current)) / base)


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
    return base - _exact(current) >= base * _REAL_CHANGE_FRACTION


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
program_days_elapsed = _weeks.program_days_elapsed
week_of = _weeks.week_of
week_opens_on = _weeks.week_opens_on
weeks_so_far = _weeks.weeks_so_far


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


# ====================================================================== alerts
# Each practice can change these (PracticeSettings); these are the defaults it starts
# with, and what tracking.models declares as its fields' defaults.
DEFAULT_PAIN_RISE_POINTS = 2
"""Pain up: average pain at least this many points above baseline … (mirrors the
2-point clinically important change, in the wrong direction)."""
DEFAULT_PAIN_RISE_CHECKINS = 2
"""… on this many check-ins in a row, so one bad week alone does not alert (HIGH)."""
DEFAULT_FEAR_HIGH_THRESHOLD = 8
"""Fear of movement at or above this (0–10): a treatment target for graded exposure,
not a danger, so the alert is ROUTINE and goes in the digest."""
DEFAULT_MISSED_IN_A_ROW = 2
"""This many closed check-ins in a row missed raises a ROUTINE alert."""
DEFAULT_ESCALATION_MINUTES = 120
# How soon the practice promises a person looks at an alert, by severity (minutes): each
# alert's due time; unacknowledged at its due time, it climbs the escalation chain.
DEFAULT_RESPONSE_MINUTES_URGENT = 60
# Counted in working time (working_deadline below): 1 working hour, 1 working day and 3
# working days of the default 8-hour day.
DEFAULT_RESPONSE_MINUTES_HIGH = 8 * 60
DEFAULT_RESPONSE_MINUTES_ROUTINE = 3 * 8 * 60
# The practice's age range for the program (red flags: new back pain under 20 or over
# 50 needs a medical assessment, which the attestation records; outside the range, no
# enrollment).
DEFAULT_AGE_MIN = 18
DEFAULT_AGE_MAX = 120
# The trial enrolled people whose average pain was at least 4 of 10: the outcomes
# report counts responders only among enrollments whose baseline reached this floor.
DEFAULT_RESPONDER_BASELINE_FLOOR = 4
# A somatic-tracking session counts toward practice figures from this many seconds
# (programs.practice.counting, re-exported below with its rule).
DEFAULT_MIN_PRACTICE_SECONDS = _counting.DEFAULT_MIN_PRACTICE_SECONDS
"""An urgent (self-harm) alert nobody acknowledged within this many minutes goes to
the practice's admins."""
DEFAULT_CHECKIN_WINDOW_DAYS = 3
"""A check-in stays open this many days after its local midnight, then counts as
missed (a program may set its own `window_days`)."""

MISSED_LOOKBACK = timedelta(days=14)
"""How far back "missed recently" looks: the caseload's "missed a check-in in the
last 14 days" filter and badge, and the missed-check-ins alert sweep (which reads only
check-ins closed within it)."""

DIGEST_LOCAL_HOUR = 7
"""Clinicians get their daily digest from 07:00 their own time."""
FIRST_DIGEST_WINDOW = timedelta(hours=24)
"""A clinician's first digest covers the 24 hours before it."""


def in_a_row_needed(setting: int) -> int:
    """How many check-ins in a row a practice's "in a row" setting asks for (pain up,
    missed), and so how many the rule's query reads. A setting of 0 means 1: a rule
    needing no check-in at all would alert on nothing or on everything."""
    return max(1, setting)


def reaches_pain_rise(pain: Score | None, *, baseline: Score | None, rise_points: int) -> bool:
    """This check-in's average pain is at least baseline + `rise_points`. The pain-up
    rule only reads the history when this holds (and a check-in with no pain answer or
    a patient with no baseline can never start a run)."""
    if pain is None or baseline is None:
        return False
    return _exact(pain) >= _exact(baseline) + rise_points


def pain_has_risen(
    *, baseline: Score | None, recent: Sequence[Score | None], rise_points: int, in_a_row: int
) -> bool:
    """The pain-up rule: each of the last `in_a_row` check-ins with an average-pain
    answer, ending with the one just recorded (`recent`, oldest first), is at least
    baseline + `rise_points`. Check-ins without pain (a missed week) are not in
    `recent`: they neither break nor extend a run. No baseline: never."""
    needed = in_a_row_needed(in_a_row)
    if baseline is None or len(recent) < needed:
        return False
    limit = _exact(baseline) + rise_points
    return all(total is not None and _exact(total) >= limit for total in recent[-needed:])


def is_fear_high(fear: Score | None, *, threshold: int) -> bool:
    """Fear of movement at or above the practice's threshold (8 by default)."""
    return fear is not None and fear >= threshold


def missed_in_a_row(closed_newest_first: Iterable[str], *, in_a_row: int) -> bool:
    """The missed-check-ins rule: the latest `in_a_row` closed check-ins (statuses of
    the completed and missed ones, newest first) were all missed."""
    needed = in_a_row_needed(in_a_row)
    last = list(closed_newest_first)[:needed]
    return len(last) == needed and all(status == CHECKIN_MISSED for status in last)


def escalation_due(*, created_at: datetime, escalation_minutes: int, now: datetime) -> bool:
    """An urgent alert still open at `now` is due to go to the practice admins."""
    return created_at + timedelta(minutes=escalation_minutes) <= now


def digest_due(local_now: datetime) -> bool:
    """The clinician's own clock (`local_now`, in their zone) has reached the digest
    hour."""
    return local_now.hour >= DIGEST_LOCAL_HOUR


# ====================================================================== caseload
MIN_CHECKINS_FOR_CHANGE = 2
"""A change from baseline is shown once this many check-ins have a pain answer (the
baseline and one after it): before that "current" is the baseline itself. The
caseload's pain and fear change and its "pain change" sort, and the patient overview."""

MIN_WEEKLY_FOR_TREND = 2
""""Not improving" is only judged after this many weekly check-ins: one week is too
early to call a trend."""

PRACTICE_LOOKBACK = timedelta(days=7)
"""The caseload's practice column counts somatic-tracking sessions in the last 7 days."""


def shows_change(*, baseline: Score | None, current: Score | None, pain_checkins: int) -> bool:
    """Whether a change from baseline is shown at all (see MIN_CHECKINS_FOR_CHANGE)."""
    return baseline is not None and current is not None and pain_checkins >= MIN_CHECKINS_FOR_CHANGE


def is_not_improving(*, weekly_done: int, baseline: Score | None, current: Score | None) -> bool:
    """The caseload's "not improving" flag and filter: at least MIN_WEEKLY_FOR_TREND
    weekly check-ins done, both scores known, not pain-free or nearly, and no real
    improvement. A pain-free patient is never "not improving", whatever the change."""
    return (
        weekly_done >= MIN_WEEKLY_FOR_TREND
        and baseline is not None
        and current is not None
        and not is_pain_free_or_nearly(current)
        and not is_real_improvement(baseline, current)
    )


def missed_recently(
    *, stored: str, closes_at: datetime, now: datetime, enrollment_status: str
) -> bool:
    """A check-in that counts for the caseload's "missed recently": its window closed
    within MISSED_LOOKBACK before `now` (both ends included) and it is missed now
    (`effective_status`: marked missed, or still pending on a live enrollment)."""
    if not now - MISSED_LOOKBACK <= closes_at <= now:
        return False
    # What effective_status says of a window already closed.
    return stored == CHECKIN_MISSED or (
        stored in CHECKIN_PENDING and enrollment_status in LIVE_ENROLLMENT_STATUSES
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


# ====================================================================== red flags
# The onboarding screen's red flags (PRT_NOTES.md, "Safety"), each defined once: its
# stored key, the plain words the patient reads, and what it means for them. URGENT
# flags are signs of cauda equina compression, which needs the emergency department the
# same day; the rest mean "see your doctor before you start". Every flag holds the
# program and raises a HIGH red-flag alert (tracking.lifecycle.screening_submit).
# Keys are stored on the enrollment and in alerts: never rename one; wording may improve.
RED_FLAG_URGENT = "urgent"
"""Go to the emergency department today, or call the local emergency number."""
RED_FLAG_SEE_DOCTOR = "see_doctor"
"""See a doctor before starting the program."""


class RedFlag(NamedTuple):
    key: str
    label: str | Promise  # translated (gettext_lazy): str() it in the reader's language
    action: str  # RED_FLAG_URGENT or RED_FLAG_SEE_DOCTOR
    asked: bool = True  # False: worked out from other answers, never a tick-box


RED_FLAGS: tuple[RedFlag, ...] = (
    # Cauda equina: the emergency department today.
    RedFlag(
        "bladder_bowel",
        gettext_lazy("New trouble controlling your bladder or bowels"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "saddle_numbness",
        gettext_lazy("Numbness between your legs or around your bottom (the 'saddle' area)"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "sexual_changes",
        gettext_lazy(
            "New loss of feeling in your genitals, or new problems with sex (such as erections "
            "or feeling)"
        ),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "both_legs",
        gettext_lazy("Pain, numbness, tingling or weakness in both legs"),
        RED_FLAG_URGENT,
    ),
    RedFlag(
        "leg_weakness",
        gettext_lazy("Weakness in a leg that is getting worse, or a foot that drags or flops"),
        RED_FLAG_URGENT,
    ),
    # Infection, cancer, fracture and other causes: see a doctor before starting.
    RedFlag(
        "fever_unwell",
        gettext_lazy("Fever, or feeling generally unwell, along with your back pain"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "immunosuppression",
        gettext_lazy(
            "A weak immune system, for example from HIV, cancer treatment (chemotherapy), or "
            "taking steroid tablets for a long time"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "iv_drug_use",
        gettext_lazy("Injecting drugs into a vein, now or in the past year"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "spinal_procedure_or_infection",
        gettext_lazy(
            "An operation, injection or other procedure on your spine in the last year, or an "
            "infection in your spine"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag("weight_loss", gettext_lazy("Losing weight without trying"), RED_FLAG_SEE_DOCTOR),
    RedFlag("cancer_history", gettext_lazy("Having had cancer at any time"), RED_FLAG_SEE_DOCTOR),
    RedFlag(
        "recent_trauma",
        gettext_lazy("A recent serious fall, accident or injury"),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "minor_trauma_fragile_bones",
        gettext_lazy(
            "A small fall, bump or strain before the pain, if you have thin bones (osteoporosis) "
            "or take steroid tablets for a long time"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "thoracic_pain",
        gettext_lazy(
            "Pain mainly in your upper or middle back (between or around your shoulder blades)"
        ),
        RED_FLAG_SEE_DOCTOR,
    ),
    RedFlag(
        "constant_night_pain",
        gettext_lazy("Pain that never lets up in any position, even at night"),
        RED_FLAG_SEE_DOCTOR,
    ),
    # Worked out from the date of birth and when the pain started (back_pain_onset_flag).
    RedFlag(
        "onset_after_50",
        gettext_lazy("Back pain that first started when you were 50 or older"),
        RED_FLAG_SEE_DOCTOR,
        asked=False,
    ),
    RedFlag(
        "onset_before_20",
        gettext_lazy("Back pain that first started before you were 20"),
        RED_FLAG_SEE_DOCTOR,
        asked=False,
    ),
)
RED_FLAGS_BY_KEY = {flag.key: flag for flag in RED_FLAGS}


def red_flag_label(key: str) -> str:
    """The plain words for a stored key (the key itself for one retired since)."""
    flag = RED_FLAGS_BY_KEY.get(key)
    return str(flag.label) if flag else key


def red_flags_urgent(keys: Iterable[str]) -> bool:
    """Whether any of these flags means the emergency department today."""
    return any(RED_FLAGS_BY_KEY[k].action == RED_FLAG_URGENT for k in keys if k in RED_FLAGS_BY_KEY)


ONSET_AGE_OLDER = 50
"""Back pain that first started at this age or older needs a medical check first
(cancer, fracture and infection are commoner)."""
ONSET_AGE_YOUNGER = 20
"""Back pain that first started before this age needs a medical check first
(inflammatory and structural causes are commoner)."""


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years of age on `on`. Someone born on 29 February has their birthday
    on 1 March in a year without one (they are not a year older on 28 February)."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def age_in_range(age: int, *, age_min: int, age_max: int) -> bool:
    """The practice's age range for the program, both ends included."""
    return age_min <= age <= age_max


def back_pain_onset_flag(*, date_of_birth: date, onset_year: int) -> str | None:
    """The onset red flag from the year the back pain first started, or None.

    Only the year is asked, so the age then is one of two (before or after that year's
    birthday): the rule errs toward asking for a check, flagging if either could be 50
    or over, or under 20."""
    oldest = onset_year - date_of_birth.year
    youngest = oldest - 1
    if oldest >= ONSET_AGE_OLDER:
        return "onset_after_50"
    if youngest < ONSET_AGE_YOUNGER:
        return "onset_before_20"
    return None


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
)


def in_outcome_cohort(
    *, status: str, onboarded: bool, end_closes_at: datetime | None, now: datetime
) -> bool:
    """In the outcomes cohort: started the program (`counts_as_enrolled`) and either
    withdrew, or is active or completed and the window of their end-of-program
    check-in has closed (whether or not they answered it), or is completed without an
    end check-in at all. A paused enrollment's
    check-ins wait, so it is still in the program; so is anyone whose end window is
    still open or ahead. An end check-in answered early counts once its window closes,
    so everyone is counted at the same point of their program."""
    if not counts_as_enrolled(status=status, onboarded=onboarded):
        return False
    if status == ENROLLMENT_WITHDRAWN:
        return True
    if status == ENROLLMENT_COMPLETED and end_closes_at is None:
        # Marked completed with no end check-in scheduled (e.g. its program has none):
        # the program is over for them, and a missing end score counts as missing.
        return True
    return status in LIVE_ENROLLMENT_STATUSES and end_closes_at is not None and end_closes_at <= now


def reached_followup(*, status: str, followup_closes_at: datetime | None, now: datetime) -> bool:
    """A member of the cohort counts at a follow-up once its window has closed, or at
    once if they withdrew (a missing follow-up is then "not a responder"). No
    follow-up check-in at all (a program without follow-ups): not counted."""
    if followup_closes_at is None:
        return False
    return status == ENROLLMENT_WITHDRAWN or followup_closes_at <= now


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
# PRT_NOTES.md) and a short "any new symptoms?" red-flag question every week.
WEEKLY_SAFETY = "phq9_item9"
NEW_SYMPTOMS = "new_symptoms"
NEW_SYMPTOMS_ITEM = "new_symptoms"


def is_new_symptoms_answer(value: object) -> bool:
    """The weekly "any new symptoms?" item answered yes (1). Raises a HIGH alert and
    shows the patient where to get care (PRT_NOTES.md, red flags)."""
    return value == 1


def new_symptoms_alert_severity(value: object) -> str | None:
    return SEVERITY_HIGH if is_new_symptoms_answer(value) else None


# ====================================================================== crisis words (issue 15)
DEFAULT_CRISIS_WORDS: tuple[str, ...] = (
    # Wishing to die / not to be alive
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "better off without me",
    "dont want to be here",
    "dont want to be alive",
    "dont want to live",
    "dont want to wake up",
    "no reason to live",
    "nothing to live for",
    "cant go on",
    "not worth living",
    "life is not worth",
    "end my life",
    "end it all",
    "ending it all",
    "ending it",
    "want to end it",
    "take my own life",
    "take my life",
    "kill myself",
    "killing myself",
    "kill my self",
    "killing my self",
    "suicide",
    "suicidal",
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self harm",
    "cut myself",
    "cutting myself",
    "overdose",
    "hang myself",
    "unalive",
)
"""Phrases in a patient's free text that start the safety workflow like PHQ-9 item 9
(PRT_NOTES.md, Safety): each practice starts with this list (PracticeSettings
.crisis_words) and may edit it. Written in the scanner's normal form (lower case, no
accents, apostrophes dropped, other punctuation and hyphens as spaces: "don't" is
"dont", "kill my-self" is "kill my self"), matched as whole words.

Reviewed choices: phrases about the self only. "this pain is killing me", "I could
die of embarrassment", "killing time", "dying to try it" do not match: a chronic-pain
patient says these every week, and an alert for each would teach the clinic to
ignore the alert. "ending it" does match (as in "thinking about ending it"), accepting
a rare false alarm ("ending it early") because a missed one costs more; a bare "end
it" does not ("I'll end it there" is common in practice notes).
"""


DEFAULT_CRISIS_WORDS_ES: tuple[str, ...] = (
    # Querer morir / no querer vivir
    "quiero morir",
    "quiero morirme",
    "me quiero morir",
    "deseo morir",
    "deseo morirme",
    "ojala me muera",
    "ojala estuviera muerto",
    "ojala estuviera muerta",
    "mejor muerto",
    "mejor muerta",
    "mejor sin mi",
    "no quiero vivir",
    "no quiero seguir viviendo",
    "no puedo seguir viviendo",
    "no quiero estar vivo",
    "no quiero estar viva",
    "no quiero despertar",
    "no quiero despertarme",
    "no tengo razon para vivir",
    "no tengo por que vivir",
    "no vale la pena vivir",
    # Quitarse la vida
    "quitarme la vida",
    "me voy a quitar la vida",
    "acabar con mi vida",
    "terminar con mi vida",
    "poner fin a mi vida",
    "acabar con todo",
    "terminar con todo",
    "matarme",
    "me voy a matar",
    "me quiero matar",
    "suicidarme",
    "me quiero suicidar",
    "me voy a suicidar",
    "suicidio",
    "suicida",
    "suicidas",
    "ahorcarme",
    "sobredosis",
    "cortarme las venas",
    # Hacerse daño a propósito
    "autolesion",
    "autolesiones",
    "autolesionarme",
    "hacerme dano a proposito",
    "lastimarme a proposito",
)
"""The Spanish crisis words (issue 18): the scanner looks for these in every patient's
text together with the practice's list (or DEFAULT_CRISIS_WORDS), whatever the
patient's language (people mix languages). Same normal form as the English list: no
accents ("daño" is "dano", "razón" is "razon"), lower case, whole words.

Reviewed choices, as for the English list: phrases about the self only. "este dolor me
está matando", "me muero de dolor", "me muero de ganas", "matar el tiempo" do not
match. A bare "hacerme daño" / "lastimarme" does not match: in this program patients
write "tengo miedo de hacerme daño en la espalda" every week (fear of movement);
only "a propósito" does. A bare "cortarme" does not match ("cortarme el pelo"). "no
quiero morir" does match (it holds "quiero morir"): talk of dying is worth a look.
"""


def default_crisis_words() -> list[str]:
    """PracticeSettings.crisis_words' default (a fresh list for each practice)."""
    return list(DEFAULT_CRISIS_WORDS)


def weekly_keys_with_safety(keys: Sequence[str]) -> list[str]:
    """A weekly check-in's instruments with the two every week must ask, whatever the
    program's config says: the self-harm item (WEEKLY_SAFETY, right after the PHQ-2 when
    there is one; not needed when the full PHQ-9 is asked) and "any new symptoms?"
    (NEW_SYMPTOMS, last). Read by the check-in schedule."""
    out = list(keys)
    if PHQ9 not in out and WEEKLY_SAFETY not in out:
        at = out.index(PHQ2) + 1 if PHQ2 in out else len(out)
        out.insert(at, WEEKLY_SAFETY)
    if NEW_SYMPTOMS not in out:
        out.append(NEW_SYMPTOMS)
    return out


# ====================================================================== alert due times
# Every alert has a due time: when a person must have acknowledged it. It is the
# practice's response time for the alert's severity (PracticeSettings.response_minutes_*)
# counted in WORKING time: only minutes inside the practice's working hours, on its
# working days, in its time zone, count. An alert raised outside working hours starts
# its clock at the next opening.
#
# URGENT alerts count working time too, deliberately: painapp is not watched around the
# clock, and a chain that "escalates" to people asleep at 3 a.m. only looks like cover.
# The clinician is still told at once (in-app and by email) whatever the hour; what waits
# for working hours is the clock that moves the alert up the chain. The patient is told
# exactly this (tracking.safety.copy) together with the emergency numbers to call now. A
# practice that does staff round the clock says so with every day and 00:00–00:00 hours,
# and then the clock is the wall clock.
#
# Each escalation step gets the same response time again, counted in working time from
# the moment it escalated.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MAX_DAYS_AHEAD = 3700  # ten years: a bound on the walk, never reached by a real schedule


def wall_time_to_utc(day: date, at: time, tz: tzinfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `tz`. A wall time in a
    spring-forward gap is the moment the clocks jump; one in a fall-back fold is its
    first occurrence (as for reminders)."""
    local = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) == local.replace(tzinfo=None):
        return local.astimezone(UTC)
    a = local.astimezone(UTC)
    b = local.replace(fold=1).astimezone(UTC)
    lo, hi = min(a, b), max(a, b)
    offset_before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == offset_before:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def working_windows(
    start: datetime,
    *,
    tz: tzinfo,
    day_start: time,
    day_end: time,
    working_days: Collection[int],
) -> Iterable[tuple[datetime, datetime]]:
    """The practice's working periods (UTC start, UTC end), in order, from the one that
    contains or follows `start`. A period opens at `day_start` on a working day (0=Monday)
    and closes at `day_end` the same day, or the next day when `day_end` is not after
    `day_start` (overnight cover; equal times mean the whole day)."""
    day = start.astimezone(tz).date() - timedelta(days=1)  # yesterday's overnight period
    for _ in range(_MAX_DAYS_AHEAD):
        if day.weekday() in working_days:
            opens = wall_time_to_utc(day, day_start, tz)
            closes_on = day if day_end > day_start else day + timedelta(days=1)
            closes = wall_time_to_utc(closes_on, day_end, tz)
            if closes > start and closes > opens:
                yield max(opens, start), closes
        day += timedelta(days=1)


def working_deadline(
    start: datetime,
    minutes: int,
    *,
    tz: tzinfo,
    day_start: time,
    day_end: time,
    working_days: Collection[int],
) -> datetime:
    """`start` plus `minutes` of working time (see above). Minutes are real elapsed
    minutes: a working period that spans a clock change counts the hours that really
    passed. With no working days at all the clock is the wall clock (a practice must
    not be able to switch escalation off by leaving the days empty)."""
    start = start.astimezone(UTC)
    days = {d for d in working_days if 0 <= d <= 6}
    if not days:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=max(minutes, 0))
    last_open = start
    for opens, closes in working_windows(
        start, tz=tz, day_start=day_start, day_end=day_end, working_days=days
    ):
        last_open = opens
        if opens + left <= closes:
            return opens + left
        left -= closes - opens
    return last_open + left  # not reached: bounded walk


# ---------------------------------------------------------------- practice calendar
# The patient's gentle calendar on their progress page (issue 19): the days they
# practised in the last few calendar weeks, on their own dates. It counts days and
# nothing else: no streak, no "missed" day, no target (outcome independence,
# PRT_NOTES.md: practice "works" whatever happens, and a day off is not a failure).
PRACTICE_CALENDAR_WEEKS = 4


class CalendarDay(NamedTuple):
    day: date
    practised: bool
    future: bool  # after the patient's today: not lived yet, shown blank


def practice_calendar(
    practised: Collection[date], today: date, *, weeks: int = PRACTICE_CALENDAR_WEEKS
) -> list[list[CalendarDay]]:
    """`weeks` calendar weeks, Monday first, the last one the week of `today` (the
    patient's own date: enrollment.local_date), each day marked practised or not."""
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    return [
        [
            CalendarDay(day, day in practised, day > today)
            for day in (first + timedelta(days=7 * week + n) for n in range(7))
        ]
        for week in range(weeks)
    ]


def practised_days(calendar: Sequence[Sequence[CalendarDay]]) -> int:
    """How many days of the calendar had practice (a count, never a streak)."""
    return sum(1 for week in calendar for day in week if day.practised)
