"""The practice outcomes report: this practice's own figures, counted at fixed points of
each patient's program the way the PRT trial counted its outcomes (Ashar et al., JAMA
Psychiatry 2022), without claiming to be a trial (issue 16).

Every definition lives in tracking.rules; the page says each one in a line.

- Cohort: enrollments that started the program and either withdrew, or whose
  end-of-program check-in window has closed (`rules.in_outcome_cohort`). Everyone else
  who started is "still in the program", shown as a count only. The date range is on
  the cohort date: the end check-in's date, or the day of the withdrawal (the
  enrollment's last change once withdrawn).
- Primary outcome: the mean change in average pain from the baseline to the end check-in,
  with a 95% confidence interval (t distribution), among everyone in the cohort with
  both scores.
- Responders, at the end and at each follow-up: among those whose baseline reached the
  practice's floor (`rules.is_responder_eligible`; the number below it is shown):
  pain-free or nearly (0–1), a real improvement (2 points or 30%, the composite) and each
  part. Two denominators: those with a score at that point ("completers"), and everyone
  in the cohort at that point, a missing score counting as not a responder (as the trial
  counted everyone randomised).
- Mind-brain causes: the first and the last "three causes" activity of the program,
  for those who did both; the clinician's coding where every cause of both answers is
  coded, otherwise the patient's own (labelled self-coded). Two groups, both counted.

Five queries whatever the number of patients (tests/test_outcomes_report.py counts them
at 5 and 200): the practice's settings, the enrollments with their summaries, their end
and follow-up check-ins, the week and three-causes activities of their program versions,
and the first and last three-causes answers (their mind-brain scores as stored when
answered and coded). Everything else is summed in Python over the rows (a few thousand
at most). Each read asks SQL for the form the report uses: a window's "closed" as
yes/no, a withdrawal's local day as a date, a check-in's average pain as a number, so
thousands of timestamps and JSON documents are not parsed to be compared once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, FloatField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from painapp.accounts.models import Practice, User
from programs.models import (
    ActivityKind,
    Attribution,
    Enrollment,
    EnrollmentStatus,
    Program,
    Week,
)
from tracking import rules
from tracking.models import CheckIn, PracticeSettings
from tracking.practice_admin.report_figures import MeanChange, Share, mean_change

END_LABEL = gettext_noop("End of program")
# rules.FOLLOWUP_SLOTS' labels, for the catalogue (tracking.rules stays free of Django): the
# page shows them through gettext.
gettext_noop("1 month after the end")
gettext_noop("3 months after the end")
gettext_noop("6 months after the end")
gettext_noop("12 months after the end")


@dataclass(frozen=True)
class OutcomeFilters:
    practice: Practice
    date_from: date | None = None  # cohort date: end check-in, or withdrawal
    date_to: date | None = None
    program: Program | None = None
    clinician: User | None = None
    language: str = ""  # the patient's language (User.language); "" is every language

    @property
    def language_name(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


@dataclass(frozen=True)
class Timepoint:
    """The outcomes at one point: the end check-in or a follow-up."""

    key: str
    label: str
    reached: int  # in the cohort at this point
    scored: int  # of them, with a pain score here
    change: MeanChange  # baseline → here, everyone with both scores
    eligible: int  # baseline ≥ floor: the responder denominators' "everyone"
    low_baseline: int  # baseline below the floor: left out of the responder figures
    no_baseline: int  # no baseline score: left out too
    completers: int  # eligible with a score here
    pain_free: Share
    real_improvement: Share
    by_points: Share
    by_percent: Share
    # Counted here only as withdrawals without a score (`rules.arrived_at_point`): they
    # are not responders, but if nobody else is here yet the point is "not reached".
    withdrew_before: int = 0

    @property
    def arrived(self) -> int:
        """How many of those counted here got here (did not withdraw before it)."""
        return self.reached - self.withdrew_before

    @property
    def nobody_yet(self) -> bool:
        """Nobody has reached this point yet: its responder figures would be withdrawals
        only ("0 of 3, 0%"), so the page says so instead of a percentage."""
        return self.arrived == 0

    @property
    def shares(self) -> list[tuple[str, str, Share]]:
        return [
            (
                _("Pain-free or nearly"),
                _("average pain 0–%(max)s out of 10 at that check-in.")
                % {"max": rules.PAIN_FREE_MAX},
                self.pain_free,
            ),
            (
                _("Real improvement"),
                _(
                    "average pain at least %(points)s points or at least "
                    "%(percent)s%% below the baseline, either one."
                )
                % {"points": rules.REAL_CHANGE_POINTS, "percent": rules.REAL_CHANGE_PERCENT},
                self.real_improvement,
            ),
            (
                _("Down %(points)s points or more") % {"points": rules.REAL_CHANGE_POINTS},
                _("the points part of a real improvement, on its own."),
                self.by_points,
            ),
            (
                _("Down %(percent)s%% or more") % {"percent": rules.REAL_CHANGE_PERCENT},
                _("the percentage part of a real improvement, on its own."),
                self.by_percent,
            ),
        ]


@dataclass(frozen=True)
class MindBrain:
    """Baseline-to-end pairs of "three causes" answers, in two groups by coder."""

    clinician: MeanChange
    self_coded: MeanChange
    first_only: int  # did the first three-causes activity but not the last


@dataclass(frozen=True)
class CohortRow:
    """One cohort enrollment, as the CSV gives it: no name, no email."""

    enrollment_id: int
    patient_id: int  # whose row it is, for the audit trail's per-patient reads only
    clinician: str
    status: str
    cohort_date: date
    baseline: float | None
    end: float | None
    followups: tuple[float | None, ...]  # in rules.FOLLOWUP_SLOTS' order
    followups_reached: tuple[bool, ...]
    eligible: bool
    mb_first: int | None = None
    mb_last: int | None = None
    mb_coder: str = ""
    language: str = ""  # the patient's language code ("en", "es")

    @property
    def pseudonym(self) -> str:
        """A stable code for the enrollment that does not reveal its id (an HMAC with
        the site's secret key): rows of two exports can be matched, not traced."""
        digest = salted_hmac("painapp.outcomes.pseudonym", str(self.enrollment_id)).hexdigest()
        return f"E-{digest[:10]}"


@dataclass(frozen=True)
class MonthResponders:
    month: date  # the first of the month
    eligible: int
    pain_free: int
    real_improvement: int


@dataclass(frozen=True)
class OutcomesReport:
    filters: OutcomeFilters
    floor: int
    cohort: int
    withdrawn: int
    finished: int  # has an end score
    still_in_program: int
    not_started: int
    end: Timepoint
    followups: list[Timepoint]
    fear: MeanChange
    mind_brain: MindBrain
    sessions: int
    active_weeks: int
    rows: list[CohortRow] = field(repr=False)
    months: list[MonthResponders]
    # Average pain 0..10 among the end pairs: how many people had each score.
    baseline_counts: list[int]
    end_counts: list[int]

    @property
    def adherence(self) -> float | None:
        """Somatic-tracking sessions per active week, over the cohort."""
        return rules.adherence(sessions=self.sessions, active_weeks=self.active_weeks)

    @property
    def timepoints(self) -> list[Timepoint]:
        return [self.end, *self.followups]


# ---------------------------------------------------------------- the queries
def scoped(filters: OutcomeFilters) -> QuerySet[Enrollment]:
    """The practice's enrollments for the program and clinician filters (the date range
    is on the cohort date, known only once the end check-ins are read)."""
    qs = Enrollment.objects.filter(practice=filters.practice)
    if filters.program is not None:
        qs = qs.filter(program_version__program=filters.program)
    if filters.clinician is not None:
        qs = qs.filter(clinician=filters.clinician)
    if filters.language:
        qs = qs.filter(patient__language=filters.language)
    return qs


_SLOTS = (rules.END_SLOT, *(slot for slot, _label in rules.FOLLOWUP_SLOTS))


def _checkins(qs: QuerySet[Enrollment], now: datetime) -> dict[int, dict[str, tuple[Any, ...]]]:
    """Each enrollment's end and follow-up check-ins: slot -> (due date, whether its
    window has closed by `now`, average pain if answered)."""
    out: dict[int, dict[str, tuple[Any, ...]]] = defaultdict(dict)
    # Only what the report needs, in the form it needs it: "closed" as a yes/no from SQL
    # rather than each window's end as a datetime, and only the average-pain total of
    # each check-in's figures (tracking.checkins.figures) as a number, not the JSON (a
    # practice's report reads five check-ins per patient).
    for enrollment_id, slot, due, closed, status, total in (
        # (kind too, so that Postgres reads them by their own index, checkin_outcome_idx)
        CheckIn.objects.filter(
            enrollment__in=qs.values("pk"),
            kind__in=(CheckIn.Kind.END, CheckIn.Kind.FOLLOWUP),
            slot__in=_SLOTS,
        )
        .order_by()
        .annotate(
            closed=ExpressionWrapper(Q(closes_at__lte=now), output_field=BooleanField()),
            pain=Cast(KT(f"figures__totals__{rules.PAIN_AVG}"), FloatField()),
        )
        .values_list("enrollment_id", "slot", "due_date", "closed", "status", "pain")
    ):
        pain = total if status == CheckIn.Status.COMPLETED else None
        out[enrollment_id][slot] = (due, closed, pain)
    return out


def _program_shape(versions: set[int]) -> tuple[dict[int, int], dict[int, tuple[int, int]]]:
    """Per program version: its week count, and its first and last three-causes
    activities (the baseline and end answers of the mind-brain pairs). One query."""
    weeks: dict[int, set[int]] = defaultdict(set)
    causes: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    if not versions:
        return {}, {}
    # Weeks with their activities (a LEFT JOIN: a week without any still counts).
    for version, number, activity_id, kind, order in (
        Week.objects.filter(version__in=versions)
        .order_by()
        .values_list(
            "version_id", "number", "activities__pk", "activities__kind", "activities__order"
        )
    ):
        weeks[version].add(number)
        if kind == ActivityKind.ATTRIBUTION:
            causes[version].append((number, order, activity_id))
    ends = {}
    for version, found in causes.items():
        found.sort()
        if len(found) >= 2:
            ends[version] = (found[0][2], found[-1][2])
    return {v: len(numbers) for v, numbers in weeks.items()}, ends


def _answers(
    qs: QuerySet[Enrollment], activity_ids: set[int]
) -> dict[tuple[int, int], tuple[int, int | None]]:
    """(enrollment, activity) -> that three-causes answer's mind-brain scores (the
    patient's own, the clinician's or None), as `rules.mind_brain_scores` gives them:
    stored on each Attribution when it is answered and coded, so no cause is read."""
    if not activity_ids:
        return {}
    return {
        (enrollment_id, activity_id): (own, clinician)
        for enrollment_id, activity_id, own, clinician in Attribution.objects.filter(
            enrollment__in=qs.values("pk"), activity_id__in=activity_ids
        )
        .order_by()
        .values_list(
            "enrollment_id", "activity_id", "mind_brain_score", "clinician_mind_brain_score"
        )
    }


# ---------------------------------------------------------------- the report
def _timepoint(key: str, label: str, people: Sequence[tuple[CohortRow, float | None]]) -> Timepoint:
    """`people`: each cohort row that reached this point, with its score here."""
    pairs = [(r.baseline, s) for r, s in people if r.baseline is not None and s is not None]
    eligible = [(r, s) for r, s in people if r.eligible]
    completers = [(r.baseline, s) for r, s in eligible if s is not None]

    def share(test: Any) -> Share:
        return Share(sum(1 for b, s in completers if test(b, s)), len(completers), len(eligible))

    return Timepoint(
        key=key,
        label=label,
        reached=len(people),
        scored=sum(1 for _r, s in people if s is not None),
        change=mean_change(pairs),
        eligible=len(eligible),
        low_baseline=sum(1 for r, _s in people if r.baseline is not None and not r.eligible),
        no_baseline=sum(1 for r, _s in people if r.baseline is None),
        completers=len(completers),
        pain_free=share(lambda _b, s: rules.is_pain_free_or_nearly(s)),
        real_improvement=share(rules.is_real_improvement),
        by_points=share(rules.improved_by_points),
        by_percent=share(rules.improved_by_percent),
        withdrew_before=sum(
            1 for r, s in people if not rules.arrived_at_point(status=r.status, score=s)
        ),
    )


def _clinician_label(full_name: str | None, clinician_id: int | None) -> str:
    # In English in the CSV's rows whatever the admin's language (like its header).
    if clinician_id is None:
        return "No clinician"
    return full_name or f"Clinician {clinician_id}"


def outcomes_report(filters: OutcomeFilters, *, now: datetime | None = None) -> OutcomesReport:
    """The report for `filters` (see the module docstring for every definition)."""
    now = now or timezone.now()
    zone = ZoneInfo(filters.practice.timezone)
    today = rules.local_date(now, zone)
    # Read without creating the settings row: a GET writes nothing.
    floor = (
        PracticeSettings.objects.filter(practice=filters.practice)
        .values_list("responder_baseline_floor", flat=True)
        .first()
    )
    if floor is None:
        floor = rules.DEFAULT_RESPONDER_BASELINE_FLOOR
    qs = scoped(filters)
    values = list(
        # Dates and yes/no where the report needs no more: whether onboarding was done,
        # and the local day of the last change (a withdrawal's day), both from SQL.
        qs.order_by("pk")
        .annotate(
            onboarded=ExpressionWrapper(Q(onboarded_at__isnull=False), output_field=BooleanField()),
            changed_on=TruncDate("updated_at", tzinfo=zone),
        )
        .values_list(
            "pk",
            "patient_id",
            "status",
            "onboarded",
            "clinician_id",
            "clinician__full_name",
            "summary__pain_baseline",
            "summary__pain_end",
            "summary__fear_baseline",
            "summary__fear_end",
            "practice_sessions_logged",
            "start_date",
            "paused_days",
            "paused_on",
            "changed_on",
            "patient__language",
            "program_version_id",
        )
    )
    checkins = _checkins(qs, now) if values else {}
    week_counts, cause_ends = _program_shape({v[-1] for v in values})
    answers = _answers(qs, {a for pair in cause_ends.values() for a in pair}) if values else {}

    rows: list[CohortRow] = []
    fear_pairs: list[tuple[float, float]] = []
    sessions = active_weeks = still = not_started = 0
    for (
        pk,
        patient_id,
        status,
        onboarded,
        clinician_id,
        clinician_name,
        base_pain,
        end_pain,
        base_fear,
        end_fear,
        logged,
        start_date,
        paused_days,
        paused_on,
        left_on,
        language,
        version_id,
    ) in values:
        if not rules.counts_as_enrolled(status=status, onboarded=onboarded):
            not_started += status == EnrollmentStatus.INVITED
            continue
        mine = checkins.get(pk, {})
        end_due, end_closed, _end_pain = mine.get(rules.END_SLOT, (None, None, None))
        if not rules.in_outcome_cohort(
            status=status, onboarded=onboarded, end_window_closed=end_closed
        ):
            still += 1
            continue
        withdrawn = status == EnrollmentStatus.WITHDRAWN
        cohort_date = left_on if withdrawn or end_due is None else end_due
        if (filters.date_from and cohort_date < filters.date_from) or (
            filters.date_to and cohort_date > filters.date_to
        ):
            continue
        followups, reached = [], []
        for slot, _label in rules.FOLLOWUP_SLOTS:
            _due, closed, pain = mine.get(slot, (None, None, None))
            followups.append(pain)
            reached.append(rules.reached_followup(status=status, followup_window_closed=closed))
        mb: dict[str, Any] = {}
        ends = cause_ends.get(version_id)
        if ends and (pk, ends[0]) in answers and (pk, ends[1]) in answers:
            first, last, coder = rules.mind_brain_pair(
                answers[(pk, ends[0])], answers[(pk, ends[1])]
            )
            mb = {"mb_first": first, "mb_last": last, "mb_coder": coder}
        elif ends and (pk, ends[0]) in answers:
            mb = {"mb_first": answers[(pk, ends[0])][0]}
        rows.append(
            CohortRow(
                enrollment_id=pk,
                patient_id=patient_id,
                clinician=_clinician_label(clinician_name, clinician_id),
                status=status,
                cohort_date=cohort_date,
                baseline=base_pain,
                end=end_pain,
                followups=tuple(followups),
                followups_reached=tuple(reached),
                eligible=rules.is_responder_eligible(base_pain, floor=floor),
                language=language,
                **mb,
            )
        )
        if base_fear is not None and end_fear is not None:
            fear_pairs.append((base_fear, end_fear))
        # Practice: program weeks reached up to the end of the program's time for them.
        closed = status in (EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN)
        elapsed = rules.program_days_elapsed(
            start_date=start_date,
            today=left_on if closed else today,
            paused_days=paused_days,
            paused_on=paused_on,
        )
        sessions += logged
        active_weeks += rules.calendar_week(
            days_elapsed=elapsed, week_count=week_counts.get(version_id, 0)
        )

    # Labels in the reader's language (the English ones are marked above).
    end = _timepoint(rules.END_SLOT, _(END_LABEL), [(r, r.end) for r in rows])
    followups = [
        _timepoint(slot, _(label), [(r, r.followups[i]) for r in rows if r.followups_reached[i]])
        for i, (slot, label) in enumerate(rules.FOLLOWUP_SLOTS)
    ]
    paired = [r for r in rows if r.baseline is not None and r.end is not None]
    baseline_counts, end_counts = [0] * (rules.NRS_MAX + 1), [0] * (rules.NRS_MAX + 1)
    for r in paired:
        baseline_counts[_bin(r.baseline)] += 1
        end_counts[_bin(r.end)] += 1
    return OutcomesReport(
        filters=filters,
        floor=floor,
        cohort=len(rows),
        withdrawn=sum(1 for r in rows if r.status == EnrollmentStatus.WITHDRAWN),
        finished=sum(1 for r in rows if r.end is not None),
        still_in_program=still,
        not_started=not_started,
        end=end,
        followups=followups,
        fear=mean_change(fear_pairs),
        mind_brain=_mind_brain(rows),
        sessions=sessions,
        active_weeks=active_weeks,
        rows=rows,
        months=_months(rows),
        baseline_counts=baseline_counts,
        end_counts=end_counts,
    )


def _bin(score: float | None) -> int:
    """The whole-number bar (0–10) a score is drawn in."""
    return min(rules.NRS_MAX, max(0, int(round(score or 0))))


def _mind_brain(rows: list[CohortRow]) -> MindBrain:
    groups: dict[str, list[tuple[float, float]]] = {
        rules.CODED_BY_CLINICIAN: [],
        rules.CODED_BY_PATIENT: [],
    }
    first_only = 0
    for r in rows:
        if r.mb_coder and r.mb_first is not None and r.mb_last is not None:
            groups[r.mb_coder].append((r.mb_first, r.mb_last))
        elif r.mb_first is not None:
            first_only += 1
    return MindBrain(
        clinician=mean_change(groups[rules.CODED_BY_CLINICIAN]),
        self_coded=mean_change(groups[rules.CODED_BY_PATIENT]),
        first_only=first_only,
    )


def _months(rows: list[CohortRow]) -> list[MonthResponders]:
    """Responders at the end by cohort month, among those eligible (missing = not)."""
    by_month: dict[date, list[CohortRow]] = defaultdict(list)
    for r in rows:
        if r.eligible:
            by_month[r.cohort_date.replace(day=1)].append(r)
    return [
        MonthResponders(
            month,
            len(people),
            sum(1 for r in people if rules.is_pain_free_or_nearly(r.end)),
            sum(1 for r in people if rules.is_real_improvement(r.baseline, r.end)),
        )
        for month, people in sorted(by_month.items())
    ]
