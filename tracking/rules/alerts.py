"""When an alert is raised, its defaults, and the caseload's verdicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from programs.practice import counting as _counting
from tracking.rules._base import Score, _exact
from tracking.rules.measures import (
    CHECKIN_MISSED,
    CHECKIN_PENDING,
    LIVE_ENROLLMENT_STATUSES,
    is_pain_free_or_nearly,
    is_real_improvement,
)

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
"""An URGENT alert unacknowledged this long moves up the chain, if that is sooner than
its response time (tracking.rules.step_minutes)."""
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
AGE_MIN_FLOOR = 18
"""The youngest age a practice may accept: the program, its consent and its safety
steps are written for adults (the trial enrolled adults aged 21–70; PRT_NOTES.md), and
a minor's consent and safeguarding need more than this app does. A practice may set a
higher minimum (e.g. the trial's 21), never a lower one."""
URGENT_RESPONSE_MAX_MINUTES = 8 * 60
"""The longest a practice may give itself to respond to an URGENT (self-harm) alert:
one working day of the default 8-hour day. Counted in working time like every response
time (tracking.rules.working_deadline), a longer setting would let a self-harm alert wait
days; the escalation setting may still move it up sooner."""
RESPONSE_TIME_ORDER = ("urgent", "high", "routine")
"""Severities from most to least severe: a less severe alert's response time may never
be shorter than a more severe one's (`response_times_out_of_order`)."""


def response_times_out_of_order(minutes: Mapping[str, int | None]) -> list[tuple[str, str]]:
    """(severity, more severe severity) for each response time shorter than the one
    before it in RESPONSE_TIME_ORDER: {"urgent": 5000, "high": 480, "routine": 10} gives
    [("high", "urgent"), ("routine", "high")]. Equal times are in order. A severity
    missing or None (a value already refused) is left out: the others are compared."""
    given = {s: m for s in RESPONSE_TIME_ORDER if (m := minutes.get(s)) is not None}
    return [(less, more) for more, less in pairwise(given) if given[less] < given[more]]


LIMITED_SETTINGS = (
    "age_min",
    "age_max",
    "response_minutes_urgent",
    "response_minutes_high",
    "response_minutes_routine",
)
"""The PracticeSettings fields these limits bound (settings_within_limits)."""


def settings_within_limits(values: Mapping[str, int]) -> dict[str, int]:
    """The LIMITED_SETTINGS of `values` brought within the limits, each moved as little
    as it takes: the youngest age up to AGE_MIN_FLOOR (the oldest no younger than it),
    the urgent response time down to URGENT_RESPONSE_MAX_MINUTES, then each less severe
    response time up to the one before it. Values already within are kept as they are.
    The settings form refuses values outside; this is for what was saved before the
    limits (the data migration) and for every reader, so none acts on one."""
    out = {name: values[name] for name in LIMITED_SETTINGS}
    out["age_min"] = max(out["age_min"], AGE_MIN_FLOOR)
    out["age_max"] = max(out["age_max"], out["age_min"])
    previous = 0
    for severity in RESPONSE_TIME_ORDER:
        name = f"response_minutes_{severity}"
        value = max(out[name], previous)
        if severity == "urgent":
            value = min(value, URGENT_RESPONSE_MAX_MINUTES)
        out[name] = previous = value
    return out


# The trial enrolled people whose average pain was at least 4 of 10: the outcomes
# report counts responders only among enrollments whose baseline reached this floor.
DEFAULT_RESPONDER_BASELINE_FLOOR = 4
# A somatic-tracking session counts toward practice figures from this many seconds
# (programs.practice.counting, re-exported below with its rule).
DEFAULT_MIN_PRACTICE_SECONDS = _counting.DEFAULT_MIN_PRACTICE_SECONDS
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


def escalation_next(
    steps: Sequence[tuple[int, Sequence[int]]],
    *,
    reached: int | None,
    holding: Iterable[int],
) -> tuple[int | None, list[int]]:
    """Where an alert goes when it escalates, and whom that tells.

    `steps`: the practice's chain in order, each (position, the active people it names
    now, by id). `reached`: the position the alert last went to (None: still with the
    patient's clinician). `holding`: who was told of it already: the patient's
    clinician when they were emailed as it was raised (then a "the patient's clinician"
    step tells nobody new; otherwise it is their first email about it), whoever the
    chain told before, and anyone else the caller names (who acknowledged it).

    A step at or below `reached` is behind the alert: its people have it. A step whose
    people all have it already tells nobody new, so it is passed over: the alert goes
    straight on to the first step that adds a person, with no step's delay spent on
    nobody. Returns (that step's position, the people it adds, in the step's order),
    or (None, []) when no step is left to add anyone (the end of the chain)."""
    have = set(holding)
    for position, people in steps:
        if step_passed(position, reached=reached):
            have.update(people)
            continue
        fresh = [person for person in people if person not in have]
        if fresh:
            return position, fresh
    return None, []


def step_passed(position: int, *, reached: int | None, through: bool = False) -> bool:
    """Whether an alert has reached or passed the chain's step at `position`: it went
    to that position or a later one (`reached`, the position it last went to; None:
    still with the patient's clinician), or it went through the whole chain (`through`:
    every step is behind it, one added at the end since too). Positions are the chain's
    as it is now: moving or removing a step renumbers it, and an alert at position 2 has
    passed whatever step is at 1 or 2 today."""
    return through or (reached is not None and position <= reached)


def chain_newcomers(
    before: Sequence[tuple[int, Sequence[int]]],
    after: Sequence[tuple[int, Sequence[int]]],
    *,
    reached: int | None,
    through: bool,
    holding: Iterable[int],
) -> list[int]:
    """Whom a change of the chain adds to the steps an alert has reached or passed
    (`step_passed`), so they are told of it at once rather than never: the people on
    those steps of the chain `after` the change who were on none of them `before` it
    and do not have it already (`holding`, as for `escalation_next`: whoever the chain
    told, the patient's clinician when emailed as it was raised, who acknowledged it).
    In the order of the chain, each once. `before` and `after` as `escalation_next`
    reads a chain: (position, the active people the step names now).

    A step the alert has not reached yet adds nobody now: its clock brings the alert
    there. Someone taken off a step keeps what they were told; nobody is told twice."""
    had = {
        person
        for position, people in before
        if step_passed(position, reached=reached, through=through)
        for person in people
    }
    have = set(holding) | had
    found: list[int] = []
    for position, people in after:
        if not step_passed(position, reached=reached, through=through):
            continue
        for person in people:
            if person not in have:
                have.add(person)
                found.append(person)
    return found


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


def is_baseline_only(*, baseline: Score | None, current: Score | None, pain_checkins: int) -> bool:
    """Only the baseline has been answered (fewer than MIN_CHECKINS_FOR_CHANGE pain
    check-ins): the "current" score is the baseline itself, so the page labels it
    "(baseline only)" rather than "5 from 5", which reads like "no change"."""
    return baseline is not None and current is not None and pain_checkins < MIN_CHECKINS_FOR_CHANGE


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


# ---------------------------------------------------------------- resolving an alert
# The contact recorded when an alert is resolved is the follow-up of that alert, so it
# happened after the alert was raised and not after now. The form reads the time to the
# minute (a datetime-local input has no seconds), so a contact in the very minute the
# alert was raised reads as up to 59 seconds before it: that, and only that, is allowed.
CONTACT_BEFORE_RAISED_SLACK = timedelta(minutes=1)


def contact_time_problem(contacted_at: datetime, *, raised_at: datetime, now: datetime) -> str:
    """A resolved alert's contact time's problem: "future", "before_raised", or "" when
    it is fine. Both ends are allowed (contact at the minute it was raised, or now)."""
    if contacted_at > now:
        return "future"
    if contacted_at < raised_at - CONTACT_BEFORE_RAISED_SLACK:
        return "before_raised"
    return ""


# ====================================================================== prompt contact
ALERT_SELF_HARM = "self_harm"
ALERT_RED_FLAG = "red_flag"
ALERT_NEW_SYMPTOMS = "new_symptoms"
ALERT_EMERGENCY_SYMPTOMS = "emergency_symptoms"
ALERT_URGENT = "urgent"
ALERT_RESOLVED = "resolved"
"""`Alert.Kind`, `Alert.Severity` and `Alert.Status` values (tests hold them equal)."""

PROMPT_CONTACT_ALERT_KINDS = frozenset(
    {ALERT_SELF_HARM, ALERT_RED_FLAG, ALERT_NEW_SYMPTOMS, ALERT_EMERGENCY_SYMPTOMS}
)
"""Alerts a person must act on promptly, whatever their severity: the patient told us
of thoughts of self-harm (PHQ-9 item 9, crisis words), a red flag at screening, or new
symptoms at a weekly check-in (emergency signs, or signs for a doctor soon)."""


def needs_prompt_contact(*, kind: str, severity: str) -> bool:
    """An alert the patient's clinician is emailed about as soon as it is raised (the
    rest wait for the inbox and the daily digest), and that holds the patient's account
    deletion until it is resolved: the kinds above, and every urgent alert (a PHQ-9 of
    20 or more, say)."""
    return kind in PROMPT_CONTACT_ALERT_KINDS or severity == ALERT_URGENT


def alert_holds_deletion(*, kind: str, severity: str, status: str) -> bool:
    """A patient's account may not be deleted while an alert that needs prompt contact
    (`needs_prompt_contact`) is not resolved: open (nobody has looked yet) or
    acknowledged (someone has looked but has not yet reached the patient and documented
    the contact on the resolve form). Deleting would take the alert, its page, its
    resolve-deadline escalation and the patient's contact details with it, so the
    clinician could no longer call. Other alerts never hold it. Read by
    tracking.data_rights (the self-service page, the deletion service itself and the
    Django admin) and said in docs/data-retention.md."""
    return needs_prompt_contact(kind=kind, severity=severity) and status != ALERT_RESOLVED


# ---------------------------------------------------------------- not reached
# An alert that needs prompt contact (`needs_prompt_contact`) climbs "until a person
# documents contact". "We could not reach them" is a contact ATTEMPT: recorded (who,
# when, how, note), and the alert stays open with its resolve clock running. It is
# resolved without reaching the patient only when the plan hands the risk to someone who
# acts on it NOW. Every `AlertResolution.Plan` value is in this table (tests hold them
# equal): True hands the risk on, False needs the patient reached first. A referral is
# a letter or a place in a queue, not a person who acts now, so neither referral counts:
# the crisis-team plan is worded, and was recorded for years, as "Referred to a crisis
# team" (often after contact), so it cannot be read as "a team took it on and is
# reaching them now"; relabelling it would change what past resolutions say.
PLANS_HANDING_RISK_ON: dict[str, bool] = {
    "emergency": True,  # emergency services called: a welfare check, someone goes
    "crisis_team": False,  # a referral: nobody is known to be acting now
    "gp_referral": False,  # a letter or a queue: nobody acts now
    "safety_plan": False,  # a safety plan is made WITH the patient
    "continue": False,  # nobody acts: the risk is still unknown
    "pause": False,  # nobody acts
    "withdraw": False,  # nobody acts, and the patient loses their care here
    "hold_cleared": False,  # a safety-hold decision only (below)
}
HOLD_DECISION_PLANS = frozenset({"hold_cleared"})
"""Plans only the clinician's decision on a red-flag safety hold records (its reason is
the record, tracking.clinic.services): "Safety hold cleared after clinical review". The
resolve form never offers them, and they never resolve an alert that needs prompt
contact without reaching the patient (False above)."""


class Unreached(StrEnum):
    """What "we could not reach them" on the resolve form does."""

    RESOLVE = "resolve"  # the alert is resolved, not reached (the plan says what follows)
    ATTEMPT = "attempt"  # a contact attempt is recorded; the alert stays open


def plan_hands_risk_on(plan: Iterable[str]) -> bool:
    """One of the chosen plans hands the risk to someone who acts (the table above)."""
    return any(PLANS_HANDING_RISK_ON.get(choice, False) for choice in plan)


def unreached_outcome(*, kind: str, severity: str, plan: Iterable[str]) -> Unreached:
    """The patient was not reached: an alert that needs prompt contact is resolved only
    with a plan that hands the risk on, otherwise the try is a contact attempt and the
    alert stays open. Other alerts (missed check-ins, pain up) may be resolved without
    contact, as the clinician judges."""
    if not needs_prompt_contact(kind=kind, severity=severity):
        return Unreached.RESOLVE
    return Unreached.RESOLVE if plan_hands_risk_on(plan) else Unreached.ATTEMPT


# ============================================================ crisis-word alerts
# The values of tracking.alerts.models.Alert.Status (tests/test_crisis_alert_rule.py
# holds them equal).
ALERT_OPEN = "open"
ALERT_ACKNOWLEDGED = "acknowledged"
ALERT_RESOLVED = "resolved"


class CrisisSource(StrEnum):
    """What crisis words are weighed against, for `crisis_alert_decision`."""

    ENTRY = "entry"  # an entry's (or check-in's) own alerts ("diary:12")
    NEW = "new"  # words typed in a new entry, not saved: its kind's pending alert ("diary:new")
    SAVED_OWN = "saved_own"  # words now saved: the entry's own alert marked unsaved
    SAVED_NEW = "saved_new"  # words now saved in an entry: its kind's pending new-entry alert


class CrisisDecision(StrEnum):
    RAISE = "raise"  # a new urgent alert: the care team is told now
    OPEN = "open"  # the alert is not resolved yet: the team has it already
    SEEN = "seen"  # the same words as the newest resolved alert: nothing new is raised
    ABSORB = "absorb"  # nobody has looked yet: the alert takes the newest words, no new one
    TAKE_OVER = "take_over"  # the words are saved now: the alert becomes the entry's
    ENTRY = "entry"  # not this alert's: the entry's own alerts decide (CrisisSource.ENTRY)


_R, _O, _S = CrisisDecision.RAISE, CrisisDecision.OPEN, CrisisDecision.SEEN
_A, _T, _E = CrisisDecision.ABSORB, CrisisDecision.TAKE_OVER, CrisisDecision.ENTRY
# (what the words are weighed against, the alert's status (None: no alert)) →
# (decision for the same words, decision for different words).
CRISIS_ALERT_RULES: dict[tuple[CrisisSource, str | None], tuple[CrisisDecision, CrisisDecision]] = {
    # An entry edited in place: while its alert is open or acknowledged, nothing new (the
    # team is on it); after it is resolved, a new alert only when the words changed.
    (CrisisSource.ENTRY, None): (_R, _R),
    (CrisisSource.ENTRY, ALERT_OPEN): (_O, _O),
    (CrisisSource.ENTRY, ALERT_ACKNOWLEDGED): (_O, _O),
    (CrisisSource.ENTRY, ALERT_RESOLVED): (_S, _R),
    # Every new entry of a kind shares one pending source, so "the same words" may be
    # another submission: a resolved alert never silences them, and one a person has
    # acknowledged does not take them in (the safe side). One nobody has looked at yet
    # takes them: the team will see it.
    (CrisisSource.NEW, None): (_R, _R),
    (CrisisSource.NEW, ALERT_OPEN): (_A, _A),
    (CrisisSource.NEW, ALERT_ACKNOWLEDGED): (_R, _R),
    (CrisisSource.NEW, ALERT_RESOLVED): (_R, _R),
    # The entry's alert for words it refused (a stale tab), now saved as they were: it no
    # longer says they were not saved. Other words: the entry's rule (the alert stays).
    (CrisisSource.SAVED_OWN, None): (_E, _E),
    (CrisisSource.SAVED_OWN, ALERT_OPEN): (_T, _E),
    (CrisisSource.SAVED_OWN, ALERT_ACKNOWLEDGED): (_T, _E),
    (CrisisSource.SAVED_OWN, ALERT_RESOLVED): (_E, _E),
    # An entry of the kind saved with crisis words while its kind's pending alert is
    # open: the entry takes it over, whatever the words (a trimmed message), one alert.
    # Acknowledged, only for the very words the person is on.
    (CrisisSource.SAVED_NEW, None): (_E, _E),
    (CrisisSource.SAVED_NEW, ALERT_OPEN): (_T, _T),
    (CrisisSource.SAVED_NEW, ALERT_ACKNOWLEDGED): (_T, _E),
    (CrisisSource.SAVED_NEW, ALERT_RESOLVED): (_E, _E),
}


def crisis_alert_decision(
    *, source: CrisisSource, status: str | None, same_words: bool
) -> CrisisDecision:
    """The one rule for crisis words a patient wrote (or a check-in's safety answers),
    weighed against one alert: `status` is its status (None: there is none) and
    `same_words` whether it was raised for these very words (its fingerprint; an alert
    stored before fingerprints counts as other words). CRISIS_ALERT_RULES says what
    follows for each kind of `source`."""
    same, other = CRISIS_ALERT_RULES[(source, status)]
    return same if same_words else other


class RepeatDecision(StrEnum):
    RAISE = "raise"  # a new urgent alert (and its urgent email), as for a first hit
    ATTACH = "attach"  # noted on the open alert ("again at …"): no second alert or email


# A crisis hit (crisis words, or a check-in's self-harm answers) at a source that has no
# alert of its own to decide it, weighed against the patient's newest other self-harm
# alert not resolved yet (None: there is none). While nobody has acknowledged that one,
# the team is being told already: the hit is added to it. Once a person acknowledged it,
# they may have spoken to the patient since, so a new hit is news: a new alert.
REPEAT_CRISIS_RULES: dict[str | None, RepeatDecision] = {
    None: RepeatDecision.RAISE,
    ALERT_OPEN: RepeatDecision.ATTACH,
    ALERT_ACKNOWLEDGED: RepeatDecision.RAISE,
    ALERT_RESOLVED: RepeatDecision.RAISE,
}


def repeat_crisis_decision(*, open_alert_status: str | None) -> RepeatDecision:
    """What a new crisis hit does, given the status of the patient's other self-harm
    alert not yet resolved (REPEAT_CRISIS_RULES)."""
    return REPEAT_CRISIS_RULES[open_alert_status]
