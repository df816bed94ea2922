"""The practice outcomes report: who enrolled, how they practised, and how they are
doing at the end, measured as in the PRT trial (Ashar et al., JAMA Psychiatry 2022).

Everything comes from two queries (one row per enrollment of the cohort, and the
programs' week counts), whatever the number of patients (tests/test_outcomes_report.py
counts them at 5 and 200): each patient's scores, sessions and mind-brain figures are
kept ready on the enrollment and its summary (programs.services, tracking.summaries).

Definitions (shown on the page too):

- Cohort: the practice's enrollments whose start date falls in the chosen range,
  optionally for one program and one clinician.
- Enrolled: started the program, i.e. finished onboarding (or is active, paused or
  completed). Invitations not taken up yet are counted apart as "not started".
  Active + paused + completed + withdrawn = enrolled.
- Finished: the end-of-program check-in (slot "end") is done with an average-pain
  answer. Baseline: the check-in in slot "baseline".
- Pain-free or nearly: average pain in the last week 0–1 at the end check-in. The
  trial's denominator was everyone randomised, with a missing end score counted as
  not pain-free, so each share is given both ways: of those who finished, and of all
  enrolled.
- Real improvement: average pain at least 2 points, or at least 30%, below baseline
  (PRT_NOTES.md). Counted among those who finished with a baseline score, and again
  among all enrolled.
- Mean change: end minus baseline (negative = lower = better), among those with both.
- Adherence: somatic-tracking sessions logged per active week. A patient's active
  weeks are the program weeks their calendar reached (paused days not counted), up
  to today, or to the day the enrollment was completed or withdrawn.
- Mind-brain attribution: the mind-brain score (0–3) of the first and the last "three
  causes" the patient recorded, among patients who recorded it at least twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Count, QuerySet
from django.utils import timezone

from painapp.accounts.models import Practice, User
from programs.models import (
    Enrollment,
    EnrollmentStatus,
    Program,
    Week,
)
from tracking import rules

WITH_BASELINE = "who finished with a starting score"


@dataclass(frozen=True)
class OutcomeFilters:
    practice: Practice
    date_from: date | None = None
    date_to: date | None = None
    program: Program | None = None
    clinician: User | None = None


@dataclass(frozen=True)
class Share:
    """`count` people, out of those who finished and out of all enrolled."""

    count: int
    finished: int
    enrolled: int
    # Who the first denominator is, in words: "who finished", ...
    finished_label: str = "who finished"

    @property
    def finished_text(self) -> str:
        """e.g. '7 of 10 who finished (70%)'."""
        return of(self.count, self.finished, self.finished_label)

    @property
    def enrolled_text(self) -> str:
        """e.g. '7 of 15 enrolled (47%)'."""
        return of(self.count, self.enrolled, "enrolled")

    @staticmethod
    def _pct(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def pct_finished(self) -> int | None:
        return self._pct(self.count, self.finished)

    @property
    def pct_enrolled(self) -> int | None:
        return self._pct(self.count, self.enrolled)


@dataclass(frozen=True)
class MeanChange:
    n: int
    start: float | None
    end: float | None

    @property
    def change(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def change_abs(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def direction(self) -> str:
        """'lower', 'higher' or 'same' (rounded to one decimal)."""
        if self.change is None or round(self.change, 1) == 0:
            return "same"
        return "lower" if self.change < 0 else "higher"


@dataclass(frozen=True)
class OutcomesReport:
    filters: OutcomeFilters
    enrolled: int
    active: int
    paused: int
    completed: int
    withdrawn: int
    not_started: int
    finished: int
    finished_with_baseline: int
    pain_free: Share
    improved_2_points: Share
    improved_30_percent: Share
    pain: MeanChange
    fear: MeanChange
    sessions: int
    active_weeks: int
    mind_brain: MeanChange

    @property
    def adherence(self) -> float | None:
        """Somatic-tracking sessions per active week."""
        return rules.adherence(sessions=self.sessions, active_weeks=self.active_weeks)

    @property
    def mind_brain_pct_start(self) -> int | None:
        """Share of named causes in the mind-brain categories, first time (0–100)."""
        s = self.mind_brain.start
        return None if s is None else round(100 * s / 3)

    @property
    def mind_brain_pct_end(self) -> int | None:
        e = self.mind_brain.end
        return None if e is None else round(100 * e / 3)


def cohort(filters: OutcomeFilters) -> QuerySet[Enrollment]:
    qs = Enrollment.objects.filter(practice=filters.practice)
    if filters.date_from:
        qs = qs.filter(start_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(start_date__lte=filters.date_to)
    if filters.program is not None:
        qs = qs.filter(program_version__program=filters.program)
    if filters.clinician is not None:
        qs = qs.filter(clinician=filters.clinician)
    return qs


class _Row(NamedTuple):
    """One enrollment's part in the report (a tuple: a thousand of them are made per
    report)."""

    status: str
    onboarded: bool
    base_pain: float | None
    end_pain: float | None
    base_fear: float | None
    end_fear: float | None
    mb_first: int | None
    mb_last: int | None
    mb_count: int
    sessions: int
    elapsed: int  # days of program time, paused days not counted
    week_count: int

    @property
    def started(self) -> bool:
        return rules.counts_as_enrolled(status=self.status, onboarded=self.onboarded)

    @property
    def weeks_reached(self) -> int:
        return rules.calendar_week(days_elapsed=self.elapsed, week_count=self.week_count)


_CLOSED = (EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN)


def _rows(filters: OutcomeFilters, today: date) -> list[_Row]:
    """One row per enrollment of the cohort. Two small queries and no subquery per
    patient: the check-in scores come from each enrollment's summary
    (tracking.checkins.summaries), the session count and mind-brain scores from the
    enrollment's own figures (programs.services), the week counts per program version.

    The rows are summed in Python: a single SQL aggregate of the same figures costs
    more in building the ORM expression (twenty filtered aggregates) than the whole
    cohort costs to fetch. Program time is `rules.program_days_elapsed` up to the last
    day of it, in the practice's time zone: today, or the day the enrollment was
    completed or withdrawn (its last change)."""
    zone = ZoneInfo(filters.practice.timezone)
    values = list(
        cohort(filters)
        .order_by()
        .values_list(
            "status",
            "onboarded_at",
            "summary__pain_baseline",
            "summary__pain_end",
            "summary__fear_baseline",
            "summary__fear_end",
            "mind_brain_first",
            "mind_brain_last",
            "attributions_recorded",
            "practice_sessions_logged",
            "start_date",
            "paused_days",
            "paused_on",
            "updated_at",
            "program_version_id",
        )
    )
    versions = {row[-1] for row in values}
    weeks = (
        dict(
            Week.objects.filter(version__in=versions)
            .order_by()
            .values("version")
            .annotate(n=Count("pk"))
            .values_list("version", "n")
        )
        if versions
        else {}
    )
    rows = []
    for (
        status,
        onboarded_at,
        base_pain,
        end_pain,
        base_fear,
        end_fear,
        mb_first,
        mb_last,
        mb_count,
        sessions,
        start_date,
        paused_days,
        paused_on,
        updated_at,
        version_id,
    ) in values:
        end_day = rules.local_date(updated_at, zone) if status in _CLOSED else today
        elapsed = rules.program_days_elapsed(
            start_date=start_date, today=end_day, paused_days=paused_days, paused_on=paused_on
        )
        rows.append(
            _Row(
                status,
                onboarded_at is not None,
                base_pain,
                end_pain,
                base_fear,
                end_fear,
                mb_first,
                mb_last,
                mb_count,
                sessions,
                elapsed,
                weeks.get(version_id, 0),
            )
        )
    return rows


def _mean(values: Sequence[float | None]) -> float | None:
    """The mean of `values`, which the caller took from the rows that have them."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def outcomes_report(filters: OutcomeFilters, *, today: date | None = None) -> OutcomesReport:
    """The report for `filters`: two queries, then sums in Python over the cohort's
    rows (a few thousand at most)."""
    today = today or timezone.localdate(timezone=ZoneInfo(filters.practice.timezone))
    rows = _rows(filters, today)
    started = [r for r in rows if r.started]
    by_status = {
        status: sum(1 for r in started if r.status == status) for status in EnrollmentStatus.values
    }
    finished = [r for r in started if r.end_pain is not None]
    paired = [r for r in finished if r.base_pain is not None]
    fear_paired = [r for r in started if r.base_fear is not None and r.end_fear is not None]
    mb_paired = [r for r in started if r.mb_count >= rules.MIN_ATTRIBUTIONS_FOR_CHANGE]
    enrolled, n_finished, n_paired = len(started), len(finished), len(paired)
    pain_free = sum(1 for r in finished if rules.is_pain_free_or_nearly(r.end_pain))
    two_points = sum(1 for r in paired if rules.improved_by_points(r.base_pain, r.end_pain))
    thirty_pct = sum(1 for r in paired if rules.improved_by_percent(r.base_pain, r.end_pain))
    not_started = sum(1 for r in rows if not r.started and r.status == EnrollmentStatus.INVITED)
    return OutcomesReport(
        filters=filters,
        enrolled=enrolled,
        active=by_status[EnrollmentStatus.ACTIVE],
        paused=by_status[EnrollmentStatus.PAUSED],
        completed=by_status[EnrollmentStatus.COMPLETED],
        withdrawn=by_status[EnrollmentStatus.WITHDRAWN],
        not_started=not_started,
        finished=n_finished,
        finished_with_baseline=n_paired,
        pain_free=Share(pain_free, n_finished, enrolled),
        improved_2_points=Share(two_points, n_paired, enrolled, WITH_BASELINE),
        improved_30_percent=Share(thirty_pct, n_paired, enrolled, WITH_BASELINE),
        pain=MeanChange(
            n_paired, _mean([r.base_pain for r in paired]), _mean([r.end_pain for r in paired])
        ),
        fear=MeanChange(
            len(fear_paired),
            _mean([r.base_fear for r in fear_paired]),
            _mean([r.end_fear for r in fear_paired]),
        ),
        sessions=sum(r.sessions for r in started),
        active_weeks=sum(r.weeks_reached for r in started),
        mind_brain=MeanChange(
            len(mb_paired),
            _mean([r.mb_first for r in mb_paired]),
            _mean([r.mb_last for r in mb_paired]),
        ),
    )


# ---------------------------------------------------------------- words and CSV


def of(count: int, whole: int, label: str) -> str:
    """'7 of 10 who finished (70%)', or '0 of 0 who finished' when nobody did."""
    text = f"{count} of {whole} {label}"
    return f"{text} ({round(100 * count / whole)}%)" if whole else text


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:+.{digits}f}" if value else f"{0:.{digits}f}"


def _plain(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report_rows(report: OutcomesReport) -> list[list[str]]:
    """The report as (measure, result, who is counted) rows, for the CSV export."""
    r = report
    rows = [
        ["Enrolled (started the program)", str(r.enrolled), "all enrolled"],
        ["Active", str(r.active), "all enrolled"],
        ["Paused", str(r.paused), "all enrolled"],
        ["Completed", str(r.completed), "all enrolled"],
        ["Withdrawn", str(r.withdrawn), "all enrolled"],
        ["Invited, not started yet", str(r.not_started), "not counted as enrolled"],
        ["Finished the end-of-program check-in", str(r.finished), "all enrolled"],
        [
            "Practice sessions per active week",
            _plain(r.adherence),
            f"{r.sessions} sessions over {r.active_weeks} active weeks",
        ],
    ]
    for label, share in (
        (f"Pain-free or nearly (average pain 0–{rules.PAIN_FREE_MAX} at the end)", r.pain_free),
        (
            f"Average pain at least {rules.REAL_CHANGE_POINTS} points lower than at the start",
            r.improved_2_points,
        ),
        (
            f"Average pain at least {rules.REAL_CHANGE_PERCENT}% lower than at the start",
            r.improved_30_percent,
        ),
    ):
        rows.append([label, share.finished_text, "of those who finished"])
        rows.append(
            [
                label,
                share.enrolled_text,
                "of all enrolled (a missing end check-in counts as not reached)",
            ]
        )
    rows += [
        [
            "Average pain, start → end (mean change)",
            f"{_plain(r.pain.start)} → {_plain(r.pain.end)} ({_num(r.pain.change)})",
            f"{r.pain.n} with both scores",
        ],
        [
            "Fear of movement, start → end (mean change)",
            f"{_plain(r.fear.start)} → {_plain(r.fear.end)} ({_num(r.fear.change)})",
            f"{r.fear.n} with both scores",
        ],
        [
            "Mind-brain score of the three causes (0–3), first → last (mean change)",
            f"{_plain(r.mind_brain.start)} → {_plain(r.mind_brain.end)} "
            f"({_num(r.mind_brain.change)})",
            f"{r.mind_brain.n} who named causes at least twice",
        ],
    ]
    return rows
