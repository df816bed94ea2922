"""A patient's check-ins as the clinician's screens show them: each with its figures,
and the six check-in charts and their shared table of numbers (the overview, the
check-in answers section and the measurements CSV read them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, ngettext

from programs.models import Enrollment
from tracking import rules
from tracking.charts import Chart, Point, pain_free_range, score_text
from tracking.checkins.figures import EMPTY as EMPTY_FIGURES
from tracking.checkins.selectors import interim_title
from tracking.models import CheckIn

if TYPE_CHECKING:
    pass


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

    # Plain properties: the overview reads each once per check-in (checkin_charts), and
    # cached_property's lookup cost more than working them out.
    @property
    def title(self) -> str:
        if self.kind == CheckIn.Kind.BASELINE:
            return gettext("Baseline check-in")
        if self.kind == CheckIn.Kind.WEEKLY:
            return gettext("Week %(n)s check-in") % {"n": self.week}
        if self.kind == CheckIn.Kind.END:
            return gettext("End-of-program check-in")
        if self.kind == CheckIn.Kind.INTERIM:
            return interim_title(self.week)
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
        if self.kind == CheckIn.Kind.INTERIM:
            return gettext("Mid")
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


def trend_text(points: list[Point], what: str) -> str:
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
            gettext("%(what)s: %(value)s at the %(when)s.")
            % {"what": what, "value": score_text(first.value), "when": first.name.lower()}
            + tail
        )
    return (
        gettext("%(what)s %(first)s at the %(first_when)s, %(last)s at the %(last_when)s.")
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


def checkin_charts(checkins: list[CheckInItem]) -> tuple[list[Chart], list[MeasureRow]]:
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
        summary = trend_text(points, str(what))
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
