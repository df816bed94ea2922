"""Reads for the patient's results page (after a check-in) and progress page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.models import (
    Enrollment,
    EnrollmentStatus,
    PracticeSession,
)
from programs.practice.minimum import (
    counted_q,
    min_practice_seconds_sql,
    short_sessions_note,
)
from tracking import rules
from tracking.charts import Point, pain_free_range, score_text
from tracking.checkins.schedule import extra_slot
from tracking.checkins.selectors import (
    CheckInRow,
    _row,
    checkin_short_label,
    checkin_title,
    extra_checkin,
    is_available,
    shown_rows,
)
from tracking.checkins.services import CheckInLength, checkin_length
from tracking.instruments.registry import with_shipped_rules
from tracking.models import Alert, CheckIn, PracticeSettings, Response
from tracking.safety.resources import OTHER, active_language, crisis_country, crisis_resources_for

# ---------------------------------------------------------------- results


@dataclass
class Change:
    """One score now against the patient's start."""

    label: str
    now: int | float | None
    start: int | float | None

    @property
    def points(self) -> rules.Score | None:
        """How far it fell (positive = lower = better)."""
        return rules.change_points(self.start, self.now)

    @property
    def percent(self) -> int | None:
        return rules.change_percent(self.start, self.now)

    @property
    def direction(self) -> str:
        if self.points is None:
            return "unknown"
        return "down" if self.points > 0 else "up" if self.points < 0 else "same"

    @property
    def amount(self) -> rules.Score | None:
        points = self.points
        return None if points is None else -points if points < 0 else points

    @property
    def summary(self) -> str:
        """e.g. "down 2 points (33% lower)", "up 1 point", "no change"."""
        if self.points is None:
            return ""
        if self.points == 0:
            return _("no change")
        amount = score_text(self.amount)
        n = {"n": amount}
        if self.points > 0:
            text = (
                ngettext("down %(n)s point", "down %(n)s points", 1 if self.amount == 1 else 2) % n
            )
        else:
            text = ngettext("up %(n)s point", "up %(n)s points", 1 if self.amount == 1 else 2) % n
        if self.percent is not None and self.points > 0:
            text += " " + _("(%(p)s%% lower)") % {"p": self.percent}
        elif self.percent is not None:
            text += " " + _("(%(p)s%% higher)") % {"p": -self.percent}
        return text

    @property
    def is_real_improvement(self) -> bool:
        """A change people notice (rules.is_real_improvement: 2 points or 30% lower)."""
        return rules.is_real_improvement(self.start, self.now)


@dataclass
class Results:
    # The thresholds the page explains, from the rules that apply them.
    pain_free_range: ClassVar[str] = pain_free_range()
    real_change_points: ClassVar[int] = rules.REAL_CHANGE_POINTS
    real_change_percent: ClassVar[int] = rules.REAL_CHANGE_PERCENT

    checkin: CheckIn
    title: str
    is_start: bool
    start_title: str | None
    pain: Change
    fear: Change
    worst: Change
    pain_free: bool
    self_harm_alert: bool
    safety_answer: bool
    # Whether one of its self-harm alerts is not resolved yet: with an alert but none
    # open, the clinic already dealt with these answers and was not told again.
    self_harm_open: bool = False
    # Its self-harm alert came only from an answer saved before sending (a draft) that
    # the sent check-in no longer holds: the patient changed it back to 0. The help
    # still shows (the earlier answer was seen, and the clinic may call), in words that
    # do not say they gave an answer they took back.
    answer_changed: bool = False
    # A self-harm answer carried over from the check-in before (the full PHQ-9 after
    # the weekly one: rules.carries_self_harm_answer), not asked here: one short line
    # with the way to help, not the crisis box the patient saw minutes before.
    self_harm_before: bool = False
    crisis_md: str = ""
    scores: dict[str, dict] = field(default_factory=dict)
    # The groups of the weekly "any new symptoms?" answered yes (tracking.rules'
    # SYMPTOM_GROUPS); the extra check-in a positive PHQ-2 opened (the full PHQ-9,
    # today); the practice's settings when a panel needs them.
    symptom_groups: tuple[str, ...] = ()
    extra: CheckIn | None = None
    # How long the extra check-in is (the one rule: services.checkin_length).
    extra_length: CheckInLength | None = None
    settings: PracticeSettings | None = None

    @property
    def new_symptoms(self) -> bool:
        """A yes to any of the weekly new-symptoms questions."""
        return bool(self.symptom_groups)

    @property
    def symptom_guidance(self) -> rules.SymptomGuidance:
        return rules.symptom_guidance(self.symptom_groups)

    @property
    def changes(self) -> list[Change]:
        return [self.pain, self.fear]

    @property
    def show_crisis(self) -> bool:
        return self.self_harm_alert or self.safety_answer

    @property
    def says_real_change(self) -> bool:
        """Whether `words` already explains a real change (2 points or 30%), so the
        page's footnote need not repeat it."""
        return not self.is_start and not self.pain_free and self.pain.is_real_improvement

    @property
    def words(self) -> list[str]:
        """A few plain, kind sentences about what the numbers mean (PRT_NOTES.md)."""
        pain, fear = self.pain, self.fear
        if self.is_start:
            out = [
                _(
                    "This is your starting point. Each check-in after this one will show "
                    "how things compare to today."
                )
            ]
            if self.pain_free:
                out.append(_("Your average pain is 0 or 1: pain-free or nearly pain-free."))
            return out
        out = []
        if self.pain_free:
            out.append(
                _(
                    "Your average pain is in the 0 to 1 range: pain-free or nearly "
                    "pain-free. In the PRT study, about two in three people reached this "
                    "range by the end. That study had 151 people. The 50 who had PRT got "
                    "1 doctor visit and 8 one-to-one sessions with a therapist over 4 "
                    "weeks, and this app has not itself been tested in a trial."
                )
            )
        elif pain.is_real_improvement:
            out.append(
                _(
                    "That is a real change. A drop of %(points)s points, "
                    "or of %(percent)s%% or more, is one people notice in "
                    "daily life."
                )
                % {"points": rules.REAL_CHANGE_POINTS, "percent": rules.REAL_CHANGE_PERCENT}
            )
        elif pain.direction == "down":
            out.append(_("Your pain is a little lower than at the start. Small changes add up."))
        elif pain.direction == "same":
            out.append(_("No change in pain yet. That is common in the first weeks."))
        elif pain.direction == "up":
            out.append(
                _(
                    "Your pain is higher than at the start. Ups and downs are normal and do "
                    "not mean the program is not working. If something new or worrying is "
                    "going on, talk to your doctor or care team."
                )
            )
        if fear.direction == "down":
            out.append(
                ngettext(
                    "Your fear of moving is down by %(n)s point. Fear often eases before "
                    "pain does, so this is a good sign.",
                    "Your fear of moving is down by %(n)s points. Fear often eases before "
                    "pain does, so this is a good sign.",
                    1 if fear.amount == 1 else 2,
                )
                % {"n": score_text(fear.amount)}
            )
        elif not pain.is_real_improvement and not self.pain_free:
            out.append(
                _(
                    "Fear usually eases first, and pain follows. "
                    "Keep going with your daily practice."
                )
            )
        return out


def _total(responses: dict[str, Response], key: str):
    response = responses.get(key)
    return None if response is None else response.scores.get("total")


def checkin_results(checkin: CheckIn) -> Results:
    """This check-in against the patient's first completed one (normally the baseline).

    Three queries: the completed check-ins' responses, the safety alert, and the
    practice's crisis resources when needed.
    """
    enrollment = checkin.enrollment
    responses = list(
        Response.objects.filter(
            checkin__enrollment=enrollment, checkin__status=CheckIn.Status.COMPLETED
        )
        .select_related("checkin", "instrument")
        .order_by("checkin__opens_at", "checkin_id")
    )
    by_checkin: dict[int, dict[str, Response]] = {}
    checkins: dict[int, CheckIn] = {}
    for r in responses:
        by_checkin.setdefault(r.checkin_id, {})[r.instrument_key] = r
        checkins[r.checkin_id] = r.checkin
    mine = by_checkin.get(checkin.pk, {})
    first_id = next((pk for pk, rs in by_checkin.items() if rules.PAIN_AVG in rs), None)
    # The check-in this one is compared with; None when this one is the start.
    start_id = None if first_id == checkin.pk else first_id
    is_start = start_id is None
    start = {} if start_id is None else by_checkin[start_id]

    def change(label: str, key: str) -> Change:
        return Change(
            label=label, now=_total(mine, key), start=None if is_start else _total(start, key)
        )

    pain = change(_("Average pain"), rules.PAIN_AVG)
    safety_answer = False
    carried = checkin.answered_before or {}
    for response in mine.values():
        # A practice's own PHQ-9 stored with other rules is read with ours.
        scoring = with_shipped_rules(response.instrument).scoring
        safety_item = (scoring or {}).get("safety_item")
        asked = rules.asked_here(response.answers, carried.get(response.instrument_key))
        if safety_item and rules.is_self_harm_answer(asked.get(safety_item)):
            safety_answer = True
    found = list(
        Alert.objects.filter(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            source=f"checkin:{checkin.pk}",
        ).values_list("status", "details")
    )
    alert_statuses = {status for status, _details in found}
    self_harm_alert = bool(alert_statuses)
    answer_changed = (
        self_harm_alert
        and not safety_answer
        and all(
            d.get("draft") and not d.get("crisis_words") and not d.get("unsaved")
            for _status, d in found
        )
    )
    symptoms = mine.get(rules.NEW_SYMPTOMS)
    # Read by the response's own version: version 1's one question or version 2's two.
    symptom_groups = rules.new_symptom_groups(symptoms.answers) if symptoms is not None else ()
    new_symptoms = bool(symptom_groups)
    crisis_md, settings = "", None
    if self_harm_alert or safety_answer or new_symptoms:
        settings = PracticeSettings.for_practice(enrollment.practice_id)
        # The numbers for the patient's own country (tracking.safety.resources).
        crisis_md = crisis_resources_for(
            practice_id=enrollment.practice_id,
            country=crisis_country(enrollment).code or OTHER,
            language=active_language(),
        )
    extra, extra_length = None, None
    if rules.offers_full_phq9(_total(mine, rules.PHQ2)):
        offered = extra_checkin(enrollment, extra_slot(checkin))
        if offered is not None:
            extra = offered.checkin
            extra_length = checkin_length(offered, enrollment.practice_id)
    return Results(
        checkin=checkin,
        title=checkin_title(checkin),
        is_start=is_start,
        start_title=None if start_id is None else checkin_title(checkins[start_id]),
        pain=pain,
        fear=change(_("Fear of movement"), rules.FEAR_MOVEMENT),
        worst=change(_("Worst pain"), rules.PAIN_WORST),
        pain_free=rules.is_pain_free_or_nearly(pain.now),
        self_harm_alert=self_harm_alert,
        safety_answer=safety_answer,
        self_harm_open=bool(alert_statuses - {Alert.Status.RESOLVED}),
        answer_changed=answer_changed,
        self_harm_before=rules.carries_self_harm_answer(carried),
        crisis_md=crisis_md,
        scores={key: r.scores for key, r in mine.items()},
        symptom_groups=symptom_groups,
        extra=extra,
        extra_length=extra_length,
        settings=settings,
    )


# ---------------------------------------------------------------- progress


@dataclass
class Progress:
    pain: list[Point]
    fear: list[Point]
    practice: list[Point]
    pain_baseline: float | None
    fear_baseline: float | None
    rows: list[CheckInRow]
    # The days practised in the last few calendar weeks, on the patient's own dates.
    calendar: list[list[rules.CalendarDay]] = field(default_factory=list)
    has_open: bool = False  # a check-in is open now
    next_due: date | None = None  # else, the day the next one opens (None: none planned)
    # Sessions kept but not counted above: shorter than the practice's minimum.
    short_sessions: int = 0
    min_seconds: int = rules.DEFAULT_MIN_PRACTICE_SECONDS

    @property
    def practised_days(self) -> int:
        return rules.practised_days(self.calendar)

    @property
    def short_note(self) -> str:
        return short_sessions_note(self.short_sessions, self.min_seconds)

    @property
    def calendar_today(self) -> date | None:
        """The patient's today: the last day of the calendar not yet to come."""
        days = [d.day for week in self.calendar for d in week if not d.future]
        return days[-1] if days else None


def progress_data(enrollment: Enrollment, now: datetime) -> Progress:
    """The patient's own measures over the program. Three queries, whatever the history:
    check-ins, their responses, practice sessions counted per day. The mind-brain score
    of their three causes is not among them: it is the clinician's to read, never scored
    back to the patient (issue 16)."""
    every = list(CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at", "pk"))
    checkins = [c for c in every if c.opens_at <= now]
    # Whether one is open now (as checkin_home decides it), else when the next opens: the
    # page's "Go to my check-in" button shows only when there is one to go to.
    has_open = any(is_available(c, now, enrollment) for c in checkins)
    upcoming = next(
        (c for c in every if c.status == CheckIn.Status.SCHEDULED and c.opens_at > now), None
    )
    responses: dict[int, dict[str, Response]] = {}
    for r in Response.objects.filter(checkin__enrollment=enrollment).only(
        "checkin_id", "instrument_key", "scores"
    ):
        responses.setdefault(r.checkin_id, {})[r.instrument_key] = r

    rows = shown_rows([_row(c, now, enrollment) for c in checkins], enrollment)

    def series(key: str) -> list[Point]:
        points = []
        for row in rows:
            value = _total(responses.get(row.checkin.pk, {}), key)
            note = (
                ""
                if value is not None
                else (
                    _("Missed")
                    if row.status == CheckIn.Status.MISSED
                    else _("Not done yet")
                    if row.status == CheckIn.Status.OPEN
                    else _("Not asked")
                    if row.status == CheckIn.Status.COMPLETED
                    else row.status_label
                )
            )
            points.append(
                Point(
                    checkin_short_label(row.checkin),
                    row.title,
                    value,
                    note,
                    status=row.status if value is None else "",
                )
            )
        return points

    pain, fear = series(rules.PAIN_AVG), series(rules.FEAR_MOVEMENT)
    pain_baseline = next((p.value for p in pain if p.value is not None), None)
    fear_baseline = next((p.value for p in fear if p.value is not None), None)

    # Practice sessions per program week, up to the week the calendar has reached.
    reached = rules.weeks_so_far(
        start_date=enrollment.start_date,
        today=enrollment.local_date(now),
        week_count=enrollment.week_count,
    )
    # Only the sessions that count (the practice's minimum length, the rule the
    # clinician's figures use: programs.practice.minimum.counted_q); the short ones are
    # counted apart, for a kind word. One query, a row a day.
    per_week = dict.fromkeys(range(1, reached + 1), 0)
    days = set()
    short = 0
    min_seconds = rules.DEFAULT_MIN_PRACTICE_SECONDS
    counted = counted_q(enrollment.practice_id)
    for day, count, not_counted, minimum in (
        PracticeSession.objects.filter(enrollment=enrollment)
        .values_list("local_date")
        .annotate(
            n=Count("pk", filter=counted),
            short=Count("pk", filter=~counted),
            m=Max(min_practice_seconds_sql(enrollment.practice_id)),
        )
        .values_list("local_date", "n", "short", "m")
    ):
        short += not_counted
        min_seconds = minimum  # the same on every row: the practice's
        if not count:
            continue
        days.add(day)
        week = rules.week_of(enrollment.start_date, day)
        if week in per_week:
            per_week[week] += count
    practice = [
        Point(_("W%(n)s") % {"n": w}, _("Week %(n)s") % {"n": w}, n) for w, n in per_week.items()
    ]

    return Progress(
        has_open=has_open,
        # (Paused: check-ins wait, so no date is promised; ended: none will come.)
        next_due=None
        if has_open
        or upcoming is None
        or enrollment.status == EnrollmentStatus.PAUSED
        or enrollment.has_ended
        else upcoming.due_date,
        pain=pain,
        fear=fear,
        practice=practice,
        pain_baseline=pain_baseline,
        fear_baseline=fear_baseline,
        rows=rows,
        calendar=rules.practice_calendar(days, enrollment.local_date(now)),
        short_sessions=short,
        min_seconds=min_seconds,
    )
