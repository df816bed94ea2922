"""Server-drawn SVG charts for the patient's progress page and the clinician's detail.

The charts are SVG drawn on the server, not Chart.js: they need no JavaScript (so
they work under the strict CSP, on old phones and with scripts off), print cleanly,
and cost nothing to load. Each SVG is `role="img"` named by the chart's visible
heading and described by a one-sentence summary; every number is also in a data
table with a caption, for screen readers and anyone who prefers numbers."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.utils.safestring import SafeString, mark_safe

from tracking.checkins.results import Point, Progress
from tracking.checkins.schedule import PAIN_FREE_MAX

# The same few labels ("W3", "Week 3 check-in", "Missed") recur in every chart of every
# page: escape each once per process. Only our own names and notes pass through here.
_escape = lru_cache(maxsize=2048)(html.escape)



# The drawing's own coordinate system; the SVG scales to the screen's width.
WIDTH, HEIGHT = 420, 236
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 16, 190
# Points closer than this make a chart "dense" (a year of weekly check-ins): smaller
# dots and fewer numbers, so that nothing overlaps.
DENSE_SLOT = 20
# The least room one x label needs ("Base", "W52", "+3m" at 12px).
LABEL_GAP = 34


@dataclass
class Chart:
    key: str
    title: str
    unit: str  # the table's value column
    summary: str
    kind: str  # "line" | "bar"
    y_max: int
    points: list[Point]
    svg: SafeString = SafeString("")  # drawn by _draw

    @cached_property
    def table_rows(self) -> SafeString:
        """The body rows of the chart's data table: one per point, its value or why
        there is none (the text alternative to the drawing)."""
        if not self.points:
            return mark_safe('<tr><td colspan="2">No answers yet.</td></tr>')
        rows = "\n".join(
            f'<tr><th scope="row">{_escape(p.name)}</th><td>'
            f"{p.value if p.value is not None else _escape(p.note or '—')}</td></tr>"
            for p in self.points
        )
        return mark_safe(rows)  # noqa: S308 (escaped text only)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@lru_cache(maxsize=64)
def _xs(n: int) -> tuple[str, ...]:
    """The x of each of n points (the middle of its slot), as written."""
    slot = (WIDTH - RIGHT - LEFT) / max(n, 1)
    return tuple(str(round(LEFT + slot * (i + 0.5), 1)) for i in range(n))


@lru_cache(maxsize=64)
def _frame(key: str, y_max: int, tick_step: int, band_max: float | None) -> str:
    """The start of a chart's SVG up to its axis: the same for every patient's chart of
    this kind (`key` escaped by the caller)."""
    right = WIDTH - RIGHT

    def y_of(value: float) -> float:
        return round(BOTTOM - (value / y_max) * (BOTTOM - TOP), 1)

    out = [
        f'<svg class="chart chart--{key}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-{key}-h" '
        f'aria-describedby="chart-{key}-desc" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    if band_max is not None:
        band_top = y_of(band_max)
        out.append(
            f'<rect class="chart__band" x="{LEFT}" y="{band_top}" width="{right - LEFT}" '
            f'height="{round(BOTTOM - band_top, 1)}"></rect>'
        )
    for v in range(0, y_max + 1, tick_step):
        y = y_of(v)
        out.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{right}" y1="{y}" y2="{y}">'
            f'</line><text class="chart__tick" x="{LEFT - 6}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{v}</text>'
        )
    if band_max is not None:
        out.append(
            f'<text class="chart__band-label" x="{LEFT + 6}" '
            f'y="{round(band_top + 12, 1)}">0–1: pain-free or nearly</text>'
        )
    out.append(
        f'<line class="chart__axis" x1="{LEFT}" x2="{right}" y1="{BOTTOM}" y2="{BOTTOM}"></line>'
    )
    return "\n".join(out)


def _draw(
    chart: Chart,
    *,
    tick_step: int,
    band_max: float | None = None,
    baseline: float | None = None,
    baseline_label: str = "",
) -> Chart:
    """Draw the chart as an SVG image (`role="img"`, named and described by the card's
    heading and summary, whose ids follow the chart's key): ticks, the band and the
    baseline, then bars or lines and dots, then the x labels.

    The markup is written here in one pass over the points, not by a template loop nor
    through per-point dicts: a 52-week record has eight charts of ~50 points each, and
    drawing them element by element was most of the patient-detail page's cost. Numbers
    are the ints and floats computed here, written with str(); every text is escaped
    (html.escape, what Django's escape does). Within one chart the same value always
    lands at the same height, so each value's height is computed once (`at`, a local
    table that lives as long as this call).
    """
    points = chart.points
    y_max = chart.y_max
    key = _escape(chart.key)  # ours ("pain", "fear", …), escaped all the same
    right = WIDTH - RIGHT

    def y_of(value: float) -> float:
        return round(BOTTOM - (value / y_max) * (BOTTOM - TOP), 1)

    out = [_frame(key, y_max, tick_step, band_max)]
    if baseline is not None:
        y = y_of(baseline)
        out.append(
            f'<line class="chart__baseline" x1="{LEFT}" x2="{right}" '
            f'y1="{y}" y2="{y}"></line>'
            f'<text class="chart__baseline-label" x="{right - 2}" '
            f'y="{y}" dy="-5" text-anchor="end">{html.escape(baseline_label)}'
            "</text>"
        )

    slot = (right - LEFT) / max(len(points), 1)
    dense = slot < DENSE_SLOT
    xs = _xs(len(points))
    # Dense charts (a year of weekly check-ins) write numbers only on the first and the
    # last answer, the two the summary names, and draw the line without a dot at every
    # answer; every number is in the table.
    answered = [i for i, p in enumerate(points) if p.value is not None]
    numbered = set(answered) if not dense else {answered[0], answered[-1]} if answered else set()
    if chart.kind == "bar":
        width = round(min(slot * 0.6, 36), 1)
        half = width / 2
        for i, (x, p) in enumerate(zip(xs, points, strict=True)):
            y = y_of(p.value or 0)
            out.append(
                f'<rect class="chart__bar" x="{round(float(x) - half, 1)}" y="{y}" '
                f'width="{width}" height="{round(BOTTOM - y, 1)}"></rect>'
            )
            if i in numbered:
                out.append(
                    f'<text class="chart__value" x="{x}" y="{y - 4}" text-anchor="middle">'
                    f"{_fmt(p.value)}</text>"
                )
    else:
        radius = "3" if dense else "4.5"
        last = len(points) - 1
        at: dict[float, str] = {}  # value -> its y, as written
        marks: list[str] = []
        run: list[str] = []
        for i, (x, p) in enumerate(zip(xs, points, strict=True)):
            value = p.value
            if value is None:
                if len(run) > 1:
                    out.append(
                        f'<polyline class="chart__line" points="{" ".join(run)}"></polyline>'
                    )
                run = []
                continue
            y_text = at.get(value)
            if y_text is None:
                y_text = at[value] = str(y_of(value))
            run.append(f"{x},{y_text}")
            # Dense: a dot only where the line needs one (an answer between two gaps, which
            # would not show otherwise) and on the two numbered answers.
            if not dense or i in numbered or (
                (i == 0 or points[i - 1].value is None)
                and (i == last or points[i + 1].value is None)
            ):
                marks.append(
                    f'<circle class="chart__dot" cx="{x}" cy="{y_text}" r="{radius}"></circle>'
                )
            if i in numbered:
                marks.append(
                    f'<text class="chart__value" x="{x}" '
                    f'y="{round(max(float(y_text) - 8, TOP - 4), 1)}" text-anchor="middle">'
                    f"{_fmt(value)}</text>"
                )
        if len(run) > 1:
            out.append(f'<polyline class="chart__line" points="{" ".join(run)}"></polyline>')
        out += marks

    # Axis labels at least LABEL_GAP apart, the last point's always (every label is in
    # the table). A missed check-in is marked under its label: the word when there is
    # room, else a short tick in the same colour, with the word once at the row's start.
    every = max(1, math.ceil(LABEL_GAP / slot))
    last = len(points) - 1
    label_y, note_y = BOTTOM + 17, BOTTOM + 32
    missed_seen = False
    for i, (x, p) in enumerate(zip(xs, points, strict=True)):
        if i == last or (i % every == 0 and last - i >= every):
            out.append(
                f'<text class="chart__x" x="{x}" y="{label_y}" text-anchor="middle">'
                f"{_escape(p.label)}</text>"
            )
        if p.note != "Missed":
            continue
        if every == 1:
            out.append(
                f'<text class="chart__note" x="{x}" y="{note_y}" text-anchor="middle">missed</text>'
            )
            continue
        if not missed_seen:
            missed_seen = True
            out.append(
                f'<text class="chart__note" x="{LEFT - 6}" y="{note_y}" '
                'text-anchor="end">missed</text>'
            )
        out.append(
            f'<line class="chart__missed" x1="{x}" x2="{x}" y1="{note_y - 9}" y2="{note_y}"></line>'
        )
    if not answered:
        out.append(
            f'<text class="chart__empty" x="{(LEFT + right) / 2}" y="{(TOP + BOTTOM) / 2}" '
            'text-anchor="middle">No answers yet</text>'
        )
    out.append("</svg>")
    chart.svg = mark_safe("\n".join(out))  # noqa: S308 (numbers and escaped text only)
    return chart


def _trend_summary(points: list[Point], what: str, *, lower_is_better: bool = True) -> str:
    done = [p for p in points if p.value is not None]
    missed = sum(1 for p in points if p.note == "Missed")
    missed_text = (
        f" {missed} check-in{'s were' if missed != 1 else ' was'} missed." if missed else ""
    )
    if not done:
        return f"No answers yet for {what}.{missed_text}"
    first, last = done[0], done[-1]
    if first is last:
        return f"{what.capitalize()} at {first.name.lower()}: {_fmt(first.value)}.{missed_text}"
    return (
        f"{what.capitalize()} was {_fmt(first.value)} at {first.name.lower()} and "
        f"{_fmt(last.value)} at {last.name.lower()}.{missed_text}"
    )


def build_charts(progress: Progress) -> list[Chart]:
    pain_summary = _trend_summary(progress.pain, "your average pain")
    pain_summary += (
        " The dashed line is where you started. The shaded band at the "
        "bottom is 0 to 1: pain-free or nearly pain-free."
    )
    fear_summary = _trend_summary(progress.fear, "your fear of movement")
    if progress.fear_baseline is not None:
        fear_summary += " The dashed line is where you started."
    total = sum(int(p.value or 0) for p in progress.practice)
    practice_summary = (
        f"{total} somatic tracking session{'s' if total != 1 else ''} so far, "
        "counted by program week."
    )
    mind = progress.mind_brain
    mind_summary = (
        "How many of your three causes of pain were mind or brain causes (stress, "
        "emotions, or learned pain), from 0 to 3. "
        + (
            f"It was {mind[0].value} in {mind[0].name.lower()} and {mind[-1].value} in "
            f"{mind[-1].name.lower()}."
            if len(mind) > 1
            else f"It was {mind[0].value} in {mind[0].name.lower()}."
            if mind
            else "No answers yet."
        )
    )
    # Room above the tallest bar for its number; a week of daily practice fits at least.
    most = max([0] + [int(p.value or 0) for p in progress.practice])
    practice_max = max(7, -(-(most + 1) // 7) * 7)
    return [
        _draw(
            Chart(
                "pain",
                "Average pain",
                "Average pain (0 to 10)",
                pain_summary,
                "line",
                10,
                progress.pain,
            ),
            tick_step=2,
            band_max=PAIN_FREE_MAX,
            baseline=progress.pain_baseline,
            baseline_label=f"Start {_fmt(progress.pain_baseline)}",
        ),
        _draw(
            Chart(
                "fear",
                "Fear of movement",
                "Fear of movement (0 to 10)",
                fear_summary,
                "line",
                10,
                progress.fear,
            ),
            tick_step=2,
            baseline=progress.fear_baseline,
            baseline_label=f"Start {_fmt(progress.fear_baseline)}",
        ),
        _draw(
            Chart(
                "practice",
                "Practice sessions each week",
                "Sessions",
                practice_summary,
                "bar",
                practice_max,
                progress.practice,
            ),
            tick_step=max(1, practice_max // 7),
        ),
        _draw(
            Chart(
                "mind",
                "Mind-brain score",
                "Mind-brain causes (0 to 3)",
                mind_summary,
                "line",
                3,
                mind,
            ),
            tick_step=1,
        ),
    ]

