"""One patient's overview for their clinician or admin: check-ins, charts' data, alerts and notes.

It takes an enrollment already looked up by tracking.access. Query counts are part of
the contract (tests/test_patient_detail.py, test_patient_query_counts.py): six small
ORM reads, each an indexed read of this enrollment's rows, whatever the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from django.db.models import Count, Sum
from django.utils.translation import gettext

from programs.models import Attribution, Enrollment, PracticeSession
from programs.selectors import outline_for
from tracking import rules
from tracking.alerts.wording import with_attempts
from tracking.band_labels import band_label
from tracking.charts import Chart, Point, pain_free_range
from tracking.clinic.caseload import change_text
from tracking.clinic.checkin_charts import (
    MEASURE_COLUMNS,
    CheckInItem,
    MeasureRow,
    checkin_charts,
    opened_checkins,
    trend_text,
)
from tracking.expressions import counted_sessions
from tracking.models import Alert, ClinicianNote, ReminderPreferences

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class FullScores:
    """The longer questionnaires, where a check-in asked them."""

    title: str
    phq9: float | None
    phq9_band: str | None
    gad7: float | None
    gad7_band: str | None
    fabq: float | None


@dataclass
class Overview:
    enrollment: Enrollment
    week: int
    week_count: int
    reminders_paused: bool
    checkins: list[CheckInItem]
    series: list[Chart]
    full_scores: list[FullScores]
    alerts: list[Alert]  # unresolved, newest first
    resolved_alerts: list[Alert]  # the latest RESOLVED_SHOWN
    notes: list[ClinicianNote]
    practice_minutes_total: int = 0
    practice_sessions_total: int = 0
    measure_rows: list[MeasureRow] = field(default_factory=list)
    # Lazy: each in the reader's language when the page writes it.
    measure_columns: ClassVar[tuple[StrOrPromise, ...]] = MEASURE_COLUMNS
    # The thresholds the pages name, from the rules that apply them.
    pain_free_range: ClassVar[str] = pain_free_range()
    real_change_points: ClassVar[int] = rules.REAL_CHANGE_POINTS
    real_change_percent: ClassVar[int] = rules.REAL_CHANGE_PERCENT

    # The figures below are derived once each (cached): the template reads most of them
    # several times, and each walks the check-ins.
    @cached_property
    def pain(self) -> Chart:
        return self.series[0]

    @cached_property
    def pain_baseline(self) -> float | None:
        return self.pain.baseline

    @cached_property
    def _pain_answers(self) -> list[float]:
        return [v for v in (i.total(rules.PAIN_AVG) for i in self.checkins) if v is not None]

    @cached_property
    def pain_current(self) -> float | None:
        return self._pain_answers[-1] if self._pain_answers else None

    @cached_property
    def pain_change(self) -> float | None:
        """Points of average pain below baseline (negative: above it), once shown."""
        if not rules.shows_change(
            baseline=self.pain_baseline,
            current=self.pain_current,
            pain_checkins=len(self._pain_answers),
        ):
            return None
        points = rules.change_points(self.pain_baseline, self.pain_current)
        return None if points is None else float(points)

    @cached_property
    def pain_baseline_only(self) -> bool:
        """Only the baseline is answered: its score shows as "(baseline only)"."""
        return rules.is_baseline_only(
            baseline=self.pain_baseline,
            current=self.pain_current,
            pain_checkins=len(self._pain_answers),
        )

    @cached_property
    def pain_change_percent(self) -> int | None:
        if self.pain_change is None:
            return None
        return rules.change_percent(self.pain_baseline, self.pain_current)

    @cached_property
    def pain_change_text(self) -> str:
        return change_text(self.pain_change, self.pain_change_percent)

    @cached_property
    def pain_free(self) -> bool:
        return rules.is_pain_free_or_nearly(self.pain_current)

    @cached_property
    def is_real_improvement(self) -> bool:
        return self.pain_change is not None and rules.is_real_improvement(
            self.pain_baseline, self.pain_current
        )

    @cached_property
    def unlockable_weeks(self) -> list[int]:
        return list(range(self.week + 1, self.week_count + 1))


RESOLVED_SHOWN = 10
NOTES_SHOWN = 50


def load_week_count(enrollment: Enrollment) -> int:
    """The number of weeks in the enrollment's program, from the program's outline
    (read once per process, programs.selectors.program_outline), set on the
    enrollment so `current_week` asks no query."""
    enrollment._week_count = len(outline_for(enrollment).weeks)
    return enrollment._week_count


def _reminders_paused(enrollment: Enrollment) -> bool:
    """Without a query when the look-up joined `reminder_preferences` (the detail does)."""
    if Enrollment.reminder_preferences.related.is_cached(enrollment):
        try:
            return enrollment.reminder_preferences.paused
        except ReminderPreferences.DoesNotExist:
            return False
    return any(
        ReminderPreferences.objects.filter(enrollment_id=enrollment.pk).values_list(
            "paused", flat=True
        )[:1]
    )


def _practice_weeks(enrollment: Enrollment) -> dict[int, list[int]]:
    """Practice seconds and sessions per program week (rules.week_of of the patient's
    local date the player stored), of the sessions that count (at least the practice's
    minimum length). One query: summed per day, at most one row a day."""
    weeks: dict[int, list[int]] = {}
    for day, seconds, n in (
        counted_sessions(
            PracticeSession.objects.filter(enrollment_id=enrollment.pk), enrollment.practice_id
        )
        .values("local_date")
        .annotate(s=Sum("duration_seconds"), n=Count("pk"))
        .values_list("local_date", "s", "n")
    ):
        week = weeks.setdefault(rules.week_of(enrollment.start_date, day), [0, 0])
        week[0] += seconds or 0
        week[1] += n
    return weeks


def _alerts(enrollment: Enrollment) -> list[Alert]:
    """Every alert of the enrollment, newest first, with who acknowledged and resolved
    it (their names only). One query."""
    return list(
        with_attempts(Alert.objects.filter(enrollment_id=enrollment.pk))
        .select_related("acknowledged_by", "resolved_by", "resolution")
        .only(
            "kind",
            "severity",
            "status",
            "details",
            "created_at",
            "acknowledged_at",
            "resolved_at",
            # its deadlines, which every "when" about it is said from (wording.due_phrase)
            "due_at",
            "first_due_at",
            "resolve_by",
            "chain_exhausted_at",
            "acknowledged_by__full_name",
            "acknowledged_by__email",
            "resolved_by__full_name",
            "resolved_by__email",
            # its documented contact outcome (issue 15), in the same row
            "resolution__contacted",
            "resolution__contacted_at",
            "resolution__method",
            "resolution__risk_after",
            "resolution__plan",
            "resolution__note",
        )
        .order_by("-created_at", "-pk")
    )


def _split_alerts(alerts: list[Alert]) -> tuple[list[Alert], list[Alert]]:
    """Unresolved alerts, and the most recent resolved ones (newest first)."""
    return (
        [a for a in alerts if a.status != Alert.Status.RESOLVED],
        [a for a in alerts if a.status == Alert.Status.RESOLVED][:RESOLVED_SHOWN],
    )


def patient_overview(enrollment: Enrollment, now: datetime, *, notes: bool = True) -> Overview:
    """The patient-detail overview: measures over the program as charts, alerts, notes
    and what the clinician can change. Six queries whatever the history (five without
    the notes, for the printable summary); the program's week count comes from its
    cached outline."""
    week_count = load_week_count(enrollment)
    checkins = opened_checkins(enrollment, now)
    series, measure_rows = checkin_charts(checkins)

    # Practice minutes per program week, up to the week the calendar has reached.
    reached = rules.weeks_so_far(
        start_date=enrollment.start_date, today=enrollment.local_date(now), week_count=week_count
    )
    minutes = dict.fromkeys(range(1, reached + 1), 0)
    seconds_total = sessions_total = 0
    for week, (seconds, n) in _practice_weeks(enrollment).items():
        seconds_total += seconds
        sessions_total += n
        if week in minutes:
            minutes[week] += seconds
    practice = [
        Point(gettext("W%(n)s") % {"n": w}, gettext("Week %(n)s") % {"n": w}, round(s / 60))
        for w, s in minutes.items()
    ]
    most = max([0] + [int(p.value or 0) for p in practice])
    practice_max = max(30, -(-(most + 1) // 30) * 30)
    series.append(
        Chart(
            "practice",
            gettext("Practice minutes each week"),
            gettext("Minutes of somatic tracking"),
            gettext("%(minutes)s minutes in %(sessions)s sessions so far.")
            % {"minutes": round(seconds_total / 60), "sessions": sessions_total},
            practice,
            practice_max,
            practice_max // 5,
            kind="bar",
        )
    )

    # Mind-brain score: the program's three-causes activities and any causes answered in
    # a check-in, in time order.
    mind: list[tuple[datetime, Point]] = []
    for recorded_at, score, week in (
        Attribution.objects.filter(enrollment_id=enrollment.pk)
        .order_by("recorded_at", "pk")
        .values_list("recorded_at", "mind_brain_score", "activity__week__number")
    ):
        week = week or rules.week_of(enrollment.start_date, enrollment.local_date(recorded_at))
        mind.append(
            (
                recorded_at,
                Point(
                    gettext("W%(n)s") % {"n": week},
                    gettext("Week %(n)s (three causes)") % {"n": week},
                    score,
                ),
            )
        )
    for item in checkins:
        value = item.total(rules.CAUSES)
        if value is not None:
            mind.append((item.completed_at or item.opens_at, Point(item.short, item.title, value)))
    mind.sort(key=lambda pair: pair[0])
    mind_points = [p for _, p in mind]
    series.append(
        Chart(
            "mind",
            gettext("Mind-brain score"),
            gettext("Mind-brain causes (0–3)"),
            trend_text(mind_points, gettext("mind-brain score"))
            + " "
            + gettext("Patient's own coding."),
            mind_points,
            3,
            1,
        )
    )

    full = [
        FullScores(
            title=i.title,
            phq9=i.total(rules.PHQ9),
            phq9_band=band_label(i.band(rules.PHQ9)) or None,
            gad7=i.total(rules.GAD7),
            gad7_band=band_label(i.band(rules.GAD7)) or None,
            fabq=i.total(rules.FABQ_PA),
        )
        for i in checkins
        if not i.answered.keys().isdisjoint((rules.PHQ9, rules.GAD7, rules.FABQ_PA))
    ]

    alerts, resolved = _split_alerts(_alerts(enrollment))
    return Overview(
        enrollment=enrollment,
        week=enrollment.current_week(now),
        week_count=week_count,
        reminders_paused=_reminders_paused(enrollment),
        checkins=checkins,
        series=series,
        full_scores=full,
        alerts=alerts,
        resolved_alerts=resolved,
        notes=patient_notes(enrollment) if notes else [],
        practice_minutes_total=round(seconds_total / 60),
        practice_sessions_total=sessions_total,
        measure_rows=measure_rows,
    )


def patient_alerts(enrollment: Enrollment) -> tuple[list[Alert], list[Alert]]:
    """Unresolved alerts, and the most recent resolved ones. One query."""
    return _split_alerts(_alerts(enrollment))


def patient_notes(enrollment: Enrollment) -> list[ClinicianNote]:
    """The newest notes, at most NOTES_SHOWN, with their author's name. One query."""
    return list(
        ClinicianNote.objects.filter(enrollment_id=enrollment.pk)
        .select_related("author")
        .only("body", "created_at", "author__full_name", "author__email")
        .order_by("-created_at", "-pk")[:NOTES_SHOWN]
    )


def alert_of_patient(enrollment: Enrollment, pk: int) -> Alert | None:
    """One alert of this (already access-checked) enrollment, or None."""
    return (
        Alert.objects.select_related("enrollment__patient", "practice")
        .filter(enrollment=enrollment, pk=pk)
        .first()
    )
