"""The charts of the patient's progress page and the clinician's patient detail.

The charts are SVG drawn on the server, not Chart.js: they need no JavaScript (so
they work under the strict CSP, on old phones and with scripts off), print cleanly,
and cost nothing to load. Each SVG is `role="img"` named by the chart's visible
heading and described by a one-sentence summary; every number is also in a data
table with a caption, for screen readers and anyone who prefers numbers.

This module works out the geometry (where each line, dot, bar and label goes) as
plain strings; templates/jinja2/tracking/charts.html writes the SVG and the card
around it. That one template is rendered by Django's Jinja2 backend (autoescape on)
rather than Django's own: a 52-week record draws eight charts of ~50 points with
tables of 52 rows, and Django's templates took several times as long as Jinja2 to
write them (measured when the markup moved out of Python, issue 13).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, cast

from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils.translation import gettext, ngettext

from tracking import rules

if TYPE_CHECKING:
    from tracking.checkins.results import Progress

# The drawing's own coordinate system; the SVG scales to the screen's width.
WIDTH, HEIGHT = 420, 246
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 190
# Points closer than this make a chart "dense" (a year of weekly check-ins): smaller
# dots and fewer numbers, so that nothing overlaps.
DENSE_SLOT = 20
# The least room one x label needs ("Start", "W52", "+3m" at the size phones set them,
# static/css/patient.css: 21.5 units from 360px wide; six check-ins still get a label each).
LABEL_GAP = 56
# Where the x labels and the "missed" marks sit, under the axis.
LABEL_Y, NOTE_Y = BOTTOM + 23, BOTTOM + 48
# A missed check-in's point: a code (rules' stored status), never the words shown,
# which are in the reader's language.
MISSED = rules.CHECKIN_MISSED


def score_text(value: rules.Score | None) -> str:
    """A score as the screens write it: a whole number without a decimal point, any
    other to one decimal ("7", "6.5"); nothing for no score."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def pain_free_range() -> str:
    """The pain-free band in words, from the rule ("0–1")."""
    return f"0–{rules.PAIN_FREE_MAX}"


@dataclass(frozen=True)
class Point:
    """One value on a chart's x-axis: a check-in, a program week, a reflection."""

    label: str  # short, for the axis ("W3")
    name: str  # in full, for the table ("Week 3 check-in")
    value: float | None
    note: str = ""  # why there is no value, in the reader's words: "Missed", "Not done yet", …
    status: str = ""  # the check-in's status code ("missed"): what the drawing compares

    @property
    def cell(self) -> str:
        """The point's cell in its chart's data table: the value, or why there is none."""
        return str(self.value) if self.value is not None else self.note or "—"


def _y(value: float, y_max: int) -> float:
    """The height a value is drawn at, on a chart from 0 to y_max."""
    return round(BOTTOM - (value / y_max) * (BOTTOM - TOP), 1)


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class Frame:
    """What every chart of one scale has in common: the grid, its ticks, the 0–1 band
    and the axis. Shared by every patient's chart of that scale (`frame`)."""

    ticks: tuple[Tick, ...]
    band_y: str = ""  # the band's top, if the chart has one
    band_height: str = ""
    band_label_y: str = ""
    band_range: str = ""  # "0–1"; the template words it in the reader's language

    # The same for every chart, as strings for the template.
    view_box = f"0 0 {WIDTH} {HEIGHT}"
    left = str(LEFT)
    right = str(WIDTH - RIGHT)
    plot_width = str(WIDTH - RIGHT - LEFT)
    axis_y = str(BOTTOM)
    tick_x = str(LEFT - 6)  # the ticks' numbers, right-aligned left of the grid
    band_label_x = str(LEFT + 6)
    label_y = str(LABEL_Y)
    note_y = str(NOTE_Y)
    note_top = str(NOTE_Y - 9)  # the top of a missed check-in's tick
    middle_x = str((LEFT + WIDTH - RIGHT) / 2)
    middle_y = str((TOP + BOTTOM) / 2)
    baseline_label_x = str(WIDTH - RIGHT - 2)


@lru_cache(maxsize=64)
def frame(y_max: int, tick_step: int, band_max: float | None) -> Frame:
    """The frame of a chart from 0 to `y_max`, ticks every `tick_step`, with the 0 to
    `band_max` band shaded if given (average pain's pain-free band)."""
    ticks = tuple(Tick(str(_y(v, y_max)), str(v)) for v in range(0, y_max + 1, tick_step))
    if band_max is None:
        return Frame(ticks=ticks)
    band_top = _y(band_max, y_max)
    return Frame(
        ticks=ticks,
        band_y=str(band_top),
        band_height=str(round(BOTTOM - band_top, 1)),
        band_label_y=str(round(band_top + 12, 1)),
        band_range=pain_free_range(),
    )


@lru_cache(maxsize=64)
def _xs(n: int) -> tuple[str, ...]:
    """The x of each of n points (the middle of its slot), as written."""
    slot = (WIDTH - RIGHT - LEFT) / max(n, 1)
    return tuple(str(round(LEFT + slot * (i + 0.5), 1)) for i in range(n))


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    height: str


@dataclass(frozen=True)
class Mark:
    """A dot (x, y) or a piece of text (x, y, text) placed on the chart."""

    x: str
    y: str = ""
    text: str = ""


@dataclass
class Drawing:
    """Everything the SVG template draws, besides the frame, as strings."""

    frame: Frame
    baseline_y: str = ""
    bar_width: str = ""
    bars: tuple[Bar, ...] = ()
    lines: tuple[str, ...] = ()  # each polyline's points, "x,y x,y …"
    dot_radius: str = ""
    dots: tuple[Mark, ...] = ()
    values: tuple[Mark, ...] = ()  # the numbers written beside bars and dots
    x_labels: tuple[Mark, ...] = ()
    missed_words: tuple[str, ...] = ()  # x of each "missed" written under its label
    missed_row_word: bool = False  # "missed" once, at the row's start, before ticks
    missed_ticks: tuple[str, ...] = ()  # x of each missed check-in's tick
    empty: bool = False  # no answers yet


@dataclass
class Chart:
    """One chart's data: its card's words, its points, its scale. The drawing is
    worked out when the template first asks for it."""

    key: str  # names the card's heading and summary ids: "pain", "fear", …
    title: str
    unit: str  # the table's value column
    summary: str
    points: list[Point]
    y_max: int
    tick_step: int
    kind: str = "line"  # or "bar"
    band_max: float | None = None
    baseline: float | None = None
    baseline_label: str = ""
    # False where the page shows this chart's numbers in a shared table instead.
    own_table: bool = True

    @cached_property
    def drawing(self) -> Drawing:
        return draw(self)


def draw(chart: Chart) -> Drawing:
    """Where everything goes: the frame (cached per scale), the baseline, then bars or
    lines and dots, the numbers, and the x labels with the missed check-ins marked.

    Dense charts (a year of weekly check-ins) write numbers only on the first and the
    last answer, the two the summary names, and draw the line without a dot at every
    answer; every number is in the table. Within one chart the same value always lands
    at the same height, so each value's height is worked out once (`at`).
    """
    points = chart.points
    y_max = chart.y_max
    n = len(points)
    slot = (WIDTH - RIGHT - LEFT) / max(n, 1)
    dense = slot < DENSE_SLOT
    xs = _xs(n)
    drawing = Drawing(frame=frame(y_max, chart.tick_step, chart.band_max))
    if chart.baseline is not None:
        drawing.baseline_y = str(_y(chart.baseline, y_max))

    answered = [i for i, p in enumerate(points) if p.value is not None]
    numbered = set(answered) if not dense else {answered[0], answered[-1]} if answered else set()
    values: list[Mark] = []
    if chart.kind == "bar":
        width = round(min(slot * 0.6, 36), 1)
        half = width / 2
        bars = []
        for i, (x, p) in enumerate(zip(xs, points, strict=True)):
            y = _y(p.value or 0, y_max)
            bars.append(Bar(str(round(float(x) - half, 1)), str(y), str(round(BOTTOM - y, 1))))
            if i in numbered:
                values.append(Mark(x, str(round(y - 4, 1)), score_text(p.value)))
        drawing.bar_width, drawing.bars = str(width), tuple(bars)
    else:
        last = n - 1
        at: dict[float, str] = {}  # value -> its y, as written
        lines: list[str] = []
        dots: list[Mark] = []
        run: list[str] = []
        for i, (x, p) in enumerate(zip(xs, points, strict=True)):
            value = p.value
            if value is None:
                if len(run) > 1:
                    lines.append(" ".join(run))
                run = []
                continue
            y_text = at.get(value)
            if y_text is None:
                y_text = at[value] = str(_y(value, y_max))
            run.append(f"{x},{y_text}")
            # Dense: a dot only where the line needs one (an answer between two gaps, which
            # would not show otherwise) and on the two numbered answers.
            if (
                not dense
                or i in numbered
                or (
                    (i == 0 or points[i - 1].value is None)
                    and (i == last or points[i + 1].value is None)
                )
            ):
                dots.append(Mark(x, y_text))
            if i in numbered:
                values.append(
                    Mark(x, str(round(max(float(y_text) - 8, TOP - 4), 1)), score_text(value))
                )
        if len(run) > 1:
            lines.append(" ".join(run))
        drawing.lines, drawing.dots = tuple(lines), tuple(dots)
        drawing.dot_radius = "3" if dense else "4.5"
    drawing.values = tuple(values)

    # Axis labels at least LABEL_GAP apart, the last point's always (every label is in
    # the table). A missed check-in is marked under its label: the word when there is
    # room, else a short tick in the same colour, with the word once at the row's start.
    every = max(1, math.ceil(LABEL_GAP / slot))
    last = n - 1
    labels: list[Mark] = []
    missed: list[str] = []
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        if i == last or (i % every == 0 and last - i >= every):
            labels.append(Mark(x, text=p.label))
        if p.status == MISSED:
            missed.append(x)
    drawing.x_labels = tuple(labels)
    if every == 1:
        drawing.missed_words = tuple(missed)
    else:
        drawing.missed_row_word = bool(missed)
        drawing.missed_ticks = tuple(missed)
    drawing.empty = not answered
    return drawing


# ---------------------------------------------------------------- markup
def macros(template_name: str) -> Any:
    """The macros of one of the Jinja2 templates (templates/jinja2/). With autoescape
    on, a macro escapes every value it writes and returns its markup as such
    (markupsafe's Markup), which Django's templates write as it is."""
    return cast(Jinja2, engines["jinja2"]).get_template(template_name).template.module


def chart_cards(
    charts: list[Chart], *, level: int = 3, printing: bool = False, region: bool = True
) -> list[Any]:
    """Each chart's card, for a Django template to write: heading `level`, without the
    table when `printing`, the table a named scrolling `region` on the staff pages."""
    card = macros("tracking/charts.html").card
    return [card(chart, level=level, printing=printing, region=region) for chart in charts]


# ---------------------------------------------------------------- the patient's page
def _trend_summary(points: list[Point], what: dict[str, str]) -> str:
    """The chart's one-sentence summary from `what`'s sentences (already in the
    reader's language): "none" (no answer), "one" (%(when)s, %(value)s), "two"
    (%(first)s, %(first_when)s, %(last)s, %(last_when)s)."""
    done = [p for p in points if p.value is not None]
    missed = sum(1 for p in points if p.status == MISSED)
    missed_text = (
        " "
        + ngettext("%(n)s check-in was missed.", "%(n)s check-ins were missed.", missed)
        % {"n": missed}
        if missed
        else ""
    )
    if not done:
        return what["none"] + missed_text
    first, last = done[0], done[-1]
    if first is last:
        return (
            what["one"] % {"when": first.name.lower(), "value": score_text(first.value)}
            + missed_text
        )
    return (
        what["two"]
        % {
            "first": score_text(first.value),
            "first_when": first.name.lower(),
            "last": score_text(last.value),
            "last_when": last.name.lower(),
        }
        + missed_text
    )


def progress_charts(progress: Progress) -> list[Chart]:
    """The three charts of the patient's own progress page, in their words (no
    mind-brain score: that is the clinician's, never scored back to the patient)."""
    # Whole sentences, each translated as one (Spanish orders the words differently).
    pain_words = {
        "none": gettext("No answers yet for your average pain."),
        "one": gettext("Your average pain at the %(when)s: %(value)s."),
        "two": gettext(
            "Your average pain was %(first)s at the %(first_when)s "
            "and %(last)s at the %(last_when)s."
        ),
    }
    fear_words = {
        "none": gettext("No answers yet for your fear of movement."),
        "one": gettext("Your fear of movement at the %(when)s: %(value)s."),
        "two": gettext(
            "Your fear of movement was %(first)s at the %(first_when)s "
            "and %(last)s at the %(last_when)s."
        ),
    }
    started = gettext("The dashed line is where you started.")
    pain_summary = _trend_summary(progress.pain, pain_words)
    pain_summary += (
        " "
        + started
        + " "
        + gettext("The shaded band at the bottom is 0 to %(max)s: pain-free or nearly pain-free.")
        % {"max": rules.PAIN_FREE_MAX}
    )
    fear_summary = _trend_summary(progress.fear, fear_words)
    if progress.fear_baseline is not None:
        fear_summary += " " + started
    total = sum(int(p.value or 0) for p in progress.practice)
    practice_summary = ngettext(
        "%(n)s somatic tracking session so far, counted by program week.",
        "%(n)s somatic tracking sessions so far, counted by program week.",
        total,
    ) % {"n": total}
    # Room above the tallest bar for its number; a week of daily practice fits at least.
    most = max([0] + [int(p.value or 0) for p in progress.practice])
    practice_max = max(7, -(-(most + 1) // 7) * 7)
    return [
        Chart(
            "pain",
            gettext("Average pain"),
            gettext("Average pain (0 to 10)"),
            pain_summary,
            progress.pain,
            y_max=10,
            tick_step=2,
            band_max=rules.PAIN_FREE_MAX,
            baseline=progress.pain_baseline,
            baseline_label=gettext("Start %(value)s")
            % {"value": score_text(progress.pain_baseline)},
        ),
        Chart(
            "fear",
            gettext("Fear of movement"),
            gettext("Fear of movement (0 to 10)"),
            fear_summary,
            progress.fear,
            y_max=10,
            tick_step=2,
            baseline=progress.fear_baseline,
            baseline_label=gettext("Start %(value)s")
            % {"value": score_text(progress.fear_baseline)},
        ),
        Chart(
            "practice",
            gettext("Practice sessions each week"),
            gettext("Sessions"),
            practice_summary,
            progress.practice,
            y_max=practice_max,
            tick_step=max(1, practice_max // 7),
            kind="bar",
        ),
    ]
