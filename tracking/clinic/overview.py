"""One patient's overview for their clinician or admin: check-ins, charts' data, alerts and notes.

It takes an enrollment already looked up by tracking.access. Query counts are part of
the contract (tests/test_patient_detail.py, test_patient_query_counts.py): six small
ORM reads, each an indexed read of this enrollment's rows, whatever the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import Count, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext

from programs.models import Attribution, Enrollment, PracticeSession
from programs.selectors import outline_for
from tracking import rules
from tracking.band_labels import band_label
from tracking.charts import Chart, Point, pain_free_range, score_text
from tracking.checkins.figures import EMPTY as EMPTY_FIGURES
from tracking.clinic.caseload import change_text
from tracking.expressions import counted_sessions
from tracking.models import Alert, CheckIn, ClinicianNote, ReminderPreferences

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class CheckInItem:
    """A check-in as the clinician's screens show it, with its figures
    (tracking.checkins.figures: the totals, bands and short forms, empty until it is
    done)."""

    pk: int
    slot: str
    kind: str
    week: int | None
    status: str  # effective now (rules.effective_status)
    opens_at: datetime
    closes_at: datetime
    completed_at: datetime | None
    instrument_keys: list[str]
    figures: dict[str, dict] = field(default_factory=lambda: EMPTY_FIGURES)

    # Plain properties: the overview reads each once per check-in (_checkin_charts), and
    # cached_property's lookup cost more than working them out.
    @property
    def title(self) -> str:
        if self.kind == CheckIn.Kind.BASELINE:
            return gettext("Baseline check-in")
        if self.kind == CheckIn.Kind.WEEKLY:
            return gettext("Week %(n)s check-in") % {"n": self.week}
        if self.kind == CheckIn.Kind.END:
            return gettext("End-of-program check-in")
        if self.kind == CheckIn.Kind.EXTRA:
            if self.week:
                return gettext("Week %(n)s extra PHQ-9") % {"n": self.week}
            return gettext("Extra PHQ-9")
        months = self.slot.removeprefix("followup-").removesuffix("m")
        return gettext("%(n)s-month follow-up") % {"n": months}

    @property
    def short(self) -> str:
        if self.kind == CheckIn.Kind.BASELINE:
            return gettext("Base")
        if self.kind == CheckIn.Kind.WEEKLY:
            return gettext("W%(n)s") % {"n": self.week}
        if self.kind == CheckIn.Kind.END:
            return gettext("End")
        if self.kind == CheckIn.Kind.EXTRA:
            return gettext("W%(n)s") % {"n": self.week} + "+" if self.week else gettext("More")
        return "+" + self.slot.removeprefix("followup-").removesuffix("m") + "m"

    @property
    def status_label(self) -> str:
        return str(CheckIn.Status(self.status).label)

    @property
    def answered(self) -> dict[str, Any]:
        """The instruments answered, each with its score's total."""
        return self.figures["totals"]

    def total(self, key: str) -> float | None:
        return self.figures["totals"].get(key)

    def band(self, key: str) -> str | None:
        """The band of a full form's score (PHQ-9, GAD-7), if it was answered."""
        return self.figures["bands"].get(key)

    def short_form(self, prefix: str) -> int | None:
        """PHQ-2 or GAD-2 (first two items, 0–6), from the short or the full form: the
        same two questions open both, so every check-in adds a comparable point."""
        return self.figures["short"].get(prefix)


def opened_checkins(enrollment: Enrollment, now: datetime) -> list[CheckInItem]:
    """Every check-in of the enrollment that has opened by `now`, oldest first, with its
    status as it is now. One query."""
    status = enrollment.status
    return [
        CheckInItem(
            pk=pk,
            slot=slot,
            kind=kind,
            week=week,
            status=rules.effective_status(
                stored=stored,
                opens_at=opens_at,
                closes_at=closes_at,
                now=now,
                enrollment_status=status,
            ),
            opens_at=opens_at,
            closes_at=closes_at,
            completed_at=completed_at,
            instrument_keys=keys or [],
            figures=figures or EMPTY_FIGURES,
        )
        for (
            pk,
            slot,
            kind,
            week,
            stored,
            opens_at,
            closes_at,
            completed_at,
            keys,
            figures,
        ) in CheckIn.objects.filter(enrollment_id=enrollment.pk, opens_at__lte=now)
        .order_by("opens_at", "pk")
        .values_list(
            "pk",
            "slot",
            "kind",
            "week",
            "status",
            "opens_at",
            "closes_at",
            "completed_at",
            "instrument_keys",
            "figures",
        )
    ]


def _note(item: CheckInItem, asked: bool) -> str:
    if item.status == CheckIn.Status.MISSED:
        return gettext("Missed")
    if item.status == CheckIn.Status.OPEN:
        return gettext("Not done yet")
    return gettext("Not asked") if not asked else gettext("No answer")


def _trend(points: list[Point], what: str) -> str:
    """A chart's summary; `what` is the measure's name in the reader's language."""
    done = [p for p in points if p.value is not None]
    missed = sum(1 for p in points if p.status == CheckIn.Status.MISSED)
    tail = (
        " " + ngettext("%(n)s missed.", "%(n)s missed.", missed) % {"n": missed} if missed else ""
    )
    if not done:
        return gettext("No %(what)s answers yet.") % {"what": what} + tail
    what = capfirst(what)
    first, last = done[0], done[-1]
    if len(done) == 1:
        return (
            gettext("%(what)s: %(value)s at %(when)s.")
            % {"what": what, "value": score_text(first.value), "when": first.name.lower()}
            + tail
        )
    return (
        gettext("%(what)s %(first)s at %(first_when)s, %(last)s at %(last_when)s.")
        % {
            "what": what,
            "first": score_text(first.value),
            "first_when": first.name.lower(),
            "last": score_text(last.value),
            "last_when": last.name.lower(),
        }
        + tail
    )


# The overview's check-in charts: key, title, table unit, y max, tick step, the
# instruments that ask it, only the check-ins that asked it, the pain-free band, the
# summary's words. Their values come from _checkin_values, in this order.
_CHECKIN_CHARTS = (
    (
        "pain",
        gettext_lazy("Average pain"),
        gettext_lazy("Average pain (0–10)"),
        10,
        2,
        (rules.PAIN_AVG,),
        False,
        True,
        gettext_lazy("average pain"),
    ),
    (
        "worst",
        gettext_lazy("Worst pain"),
        gettext_lazy("Worst pain (0–10)"),
        10,
        2,
        (rules.PAIN_WORST,),
        False,
        True,
        gettext_lazy("worst pain"),
    ),
    (
        "fear",
        gettext_lazy("Fear of movement"),
        gettext_lazy("Fear of movement (0–10)"),
        10,
        2,
        (rules.FEAR_MOVEMENT,),
        False,
        False,
        gettext_lazy("fear of movement"),
    ),
    (
        "fabq",
        gettext_lazy("FABQ physical activity"),
        "FABQ-PA (0–24)",
        24,
        4,
        (rules.FABQ_PA,),
        True,
        False,
        "FABQ-PA",
    ),
    (
        "phq",
        gettext_lazy("Low mood (PHQ-2)"),
        "PHQ-2 (0–6)",
        6,
        1,
        (rules.PHQ2, rules.PHQ9),
        False,
        False,
        "PHQ-2",
    ),
    (
        "gad",
        gettext_lazy("Anxiety (GAD-2)"),
        "GAD-2 (0–6)",
        6,
        1,
        (rules.GAD2, rules.GAD7),
        False,
        False,
        "GAD-2",
    ),
)
# The columns of the check-in charts' shared table (each one's unit).
MEASURE_COLUMNS = tuple(unit for _, _, unit, *_ in _CHECKIN_CHARTS)


def _checkin_values(item: CheckInItem) -> tuple[float | None, ...]:
    """One check-in's value for each of _CHECKIN_CHARTS."""
    return (
        item.total(rules.PAIN_AVG),
        item.total(rules.PAIN_WORST),
        item.total(rules.FEAR_MOVEMENT),
        item.total(rules.FABQ_PA),
        item.short_form("phq"),
        item.short_form("gad"),
    )


@dataclass
class MeasureRow:
    """One row of the check-in measures table: a check-in, then for each of
    MEASURE_COLUMNS its value or why there is none."""

    title: str  # "Week 3", not "Week 3 check-in": the caption says what the rows are
    cells: list[str]


def _checkin_charts(checkins: list[CheckInItem]) -> tuple[list[Chart], list[MeasureRow]]:
    """The check-in charts, from one pass over the check-ins (each one's names,
    instruments and values read once, not once per chart), and the same numbers as the
    rows of one table: each check-in and, for each chart, its value or why there is none
    (the charts' text alternative, one row a check-in: a clinician reads a check-in
    across its measures, and six tables of 52 rows would repeat every name six times)."""
    items = [
        (item, item.short, item.title, frozenset(item.instrument_keys), _checkin_values(item))
        for item in checkins
    ]
    rows = [MeasureRow(title.removesuffix(" check-in"), []) for _, _, title, _, _ in items]
    charts = []
    for n, (key, title, unit, y_max, tick_step, asked_keys, only_asked, band, what) in enumerate(
        _CHECKIN_CHARTS
    ):
        points = []
        baseline = None
        for (item, short, name, instruments, values), row in zip(items, rows, strict=True):
            # A done check-in asked what it has answers for: one that left a questionnaire
            # out (no version in the patient's language) did not ask it.
            if item.status == CheckIn.Status.COMPLETED:
                asked = not item.answered.keys().isdisjoint(asked_keys)
            else:
                asked = not instruments.isdisjoint(asked_keys)
            v = values[n]
            row.cells.append(score_text(v) if v is not None else _note(item, asked))
            if only_asked and not asked:  # the chart leaves it out; the table says why
                continue
            if v is None:
                points.append(Point(short, name, v, row.cells[-1], status=item.status))
                continue
            if item.kind == CheckIn.Kind.BASELINE:
                baseline = v
            points.append(Point(short, name, v))
        summary = _trend(points, str(what))
        if baseline is not None:
            summary += " " + gettext("Dashed line: baseline.")
        if band:
            summary += " " + gettext("Shaded band: %(range)s, pain-free or nearly.") % {
                "range": pain_free_range()
            }
        charts.append(
            Chart(
                key,
                str(title),
                str(unit),
                summary,
                points,
                y_max,
                tick_step,
                band_max=rules.PAIN_FREE_MAX if band else None,
                baseline=baseline,
                baseline_label=gettext("Baseline %(value)s") % {"value": score_text(baseline)},
                own_table=False,
            )
        )
    return charts, rows


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
        Alert.objects.filter(enrollment_id=enrollment.pk)
        .select_related("acknowledged_by", "resolved_by", "resolution")
        .only(
            "kind",
            "severity",
            "status",
            "details",
            "created_at",
            "acknowledged_at",
            "resolved_at",
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
    series, measure_rows = _checkin_charts(checkins)

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
            _trend(mind_points, gettext("mind-brain score"))
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
