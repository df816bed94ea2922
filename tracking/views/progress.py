"""The patient's progress page: their own measures over the program, as charts.

The charts are SVG drawn on the server, not Chart.js: they need no JavaScript (so
they work under the strict CSP, on old phones and with scripts off), print cleanly,
and cost nothing to load. Each SVG is `role="img"` named by the chart's visible
heading and described by a one-sentence summary; every number is also in a data
table with a caption, for screen readers and anyone who prefers numbers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from programs.access import enrollment_required
from tracking import checkins
from tracking.checkins import PAIN_FREE_MAX, Point

# The same few labels ("W3", "Week 3 check-in", "Missed") recur in every chart of every
# page: escape each once per process. Only our own names and notes pass through here.
_escape = lru_cache(maxsize=2048)(html.escape)

# The drawing's own coordinate system; the SVG scales to the screen's width.
WIDTH, HEIGHT = 420, 236
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 16, 190


@dataclass
class Chart:
    key: str
    title: str
    unit: str  # the table's value column
    summary: str
    kind: str  # "line" | "bar"
    y_max: int
    points: list[Point]
    ticks: list[dict] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    band: dict | None = None
    baseline: dict | None = None
    empty: bool = False
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot(self) -> dict:
        return {
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": BOTTOM,
            "tick_x": LEFT - 6,
            "band_label_x": LEFT + 6,
            "label_y": BOTTOM + 17,
            "note_y": BOTTOM + 32,
            "baseline_label_x": WIDTH - RIGHT - 2,
            "empty_x": (LEFT + WIDTH - RIGHT) / 2,
            "empty_y": (TOP + BOTTOM) / 2,
        }

    # The markup is built here, not by a template loop: a 52-week record has eight charts
    # of ~50 points each, and drawing them element by element in the template language
    # (a variable lookup, localisation and escaping per attribute) was most of the
    # patient-detail page's cost. Numbers (the geometry, ticks, values through _fmt) are
    # ints and floats we computed, written with str() as the template wrote them; every
    # text is escaped (html.escape, which is what Django's escape does, without its
    # lazy-string wrapper; memoised above).
    @cached_property
    def svg(self) -> SafeString:
        """The chart as an SVG image (`role="img"`, named and described by the card's
        heading and summary, whose ids follow the chart's key)."""
        key = _escape(self.key)  # ours ("pain", "fear", …), escaped all the same
        p = self.plot
        left, right, bottom = p["left"], p["right"], p["bottom"]
        out = [
            f'<svg class="chart chart--{key}" viewBox="0 0 {self.width} {self.height}" '
            f'role="img" aria-labelledby="chart-{key}-h" '
            f'aria-describedby="chart-{key}-desc" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg">'
        ]
        band = self.band
        if band:
            out.append(
                f'<rect class="chart__band" x="{band["x"]}" y="{band["y"]}" '
                f'width="{band["width"]}" height="{band["height"]}"></rect>'
            )
        tick_x = p["tick_x"]
        out.extend(
            f'<line class="chart__grid" x1="{left}" x2="{right}" y1="{t["y"]}" y2="{t["y"]}">'
            f'</line><text class="chart__tick" x="{tick_x}" y="{t["y"]}" text-anchor="end" '
            f'dominant-baseline="middle">{t["label"]}</text>'
            for t in self.ticks
        )
        if band:
            out.append(
                f'<text class="chart__band-label" x="{p["band_label_x"]}" '
                f'y="{band["text_y"]}">0–1: pain-free or nearly</text>'
            )
        out.append(
            f'<line class="chart__axis" x1="{left}" x2="{right}" y1="{bottom}" '
            f'y2="{bottom}"></line>'
        )
        base = self.baseline
        if base:
            out.append(
                f'<line class="chart__baseline" x1="{base["x1"]}" x2="{base["x2"]}" '
                f'y1="{base["y"]}" y2="{base["y"]}"></line>'
                f'<text class="chart__baseline-label" x="{p["baseline_label_x"]}" '
                f'y="{base["y"]}" dy="-5" text-anchor="end">{_escape(base["label"])}'
                "</text>"
            )
        out.extend(
            f'<rect class="chart__bar" x="{b["x"]}" y="{b["y"]}" width="{b["width"]}" '
            f'height="{b["height"]}"></rect><text class="chart__value" x="{b["cx"]}" '
            f'y="{b["text_y"]}" text-anchor="middle">{b["text"]}</text>'
            for b in self.bars
        )
        out.extend(
            f'<polyline class="chart__line" points="{points}"></polyline>'
            for points in self.segments
        )
        out.extend(
            f'<circle class="chart__dot" cx="{m["x"]}" cy="{m["y"]}" r="4.5"></circle>'
            f'<text class="chart__value" x="{m["x"]}" y="{m["text_y"]}" '
            f'text-anchor="middle">{m["text"]}</text>'
            for m in self.marks
        )
        label_y, note_y = p["label_y"], p["note_y"]
        for label in self.labels:
            x = label["x"]
            out.append(
                f'<text class="chart__x" x="{x}" y="{label_y}" text-anchor="middle">'
                f"{_escape(label['text'])}</text>"
            )
            if label["note"]:
                out.append(
                    f'<text class="chart__note" x="{x}" y="{note_y}" '
                    f'text-anchor="middle">{_escape(label["note"])}</text>'
                )
        if self.empty:
            out.append(
                f'<text class="chart__empty" x="{p["empty_x"]}" y="{p["empty_y"]}" '
                'text-anchor="middle">No answers yet</text>'
            )
        out.append("</svg>")
        return mark_safe("\n".join(out))  # noqa: S308 (numbers and escaped text only)

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


def _y(value: float, y_max: int) -> float:
    return round(BOTTOM - (value / y_max) * (BOTTOM - TOP), 1)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _draw(
    chart: Chart,
    *,
    tick_step: int,
    band_max: float | None = None,
    baseline: float | None = None,
    baseline_label: str = "",
) -> Chart:
    """Fill in the geometry: ticks, the x labels, then lines or bars."""
    n = max(len(chart.points), 1)
    slot = (WIDTH - RIGHT - LEFT) / n
    chart.ticks = [
        {"y": _y(v, chart.y_max), "label": v} for v in range(0, chart.y_max + 1, tick_step)
    ]
    xs = [round(LEFT + slot * (i + 0.5), 1) for i in range(len(chart.points))]
    # Thin out the axis labels when they would collide (every label is in the table).
    every = 1 if slot >= 26 else 2 if slot >= 13 else 3
    chart.labels = [
        {
            "x": x,
            "text": p.label if i % every == 0 or i == len(xs) - 1 else "",
            "note": "missed" if p.note == "Missed" and every == 1 else "",
        }
        for i, (x, p) in enumerate(zip(xs, chart.points, strict=True))
    ]
    chart.empty = all(p.value is None for p in chart.points)
    if band_max is not None:
        top = _y(band_max, chart.y_max)
        chart.band = {
            "y": top,
            "height": round(BOTTOM - top, 1),
            "x": LEFT,
            "width": WIDTH - RIGHT - LEFT,
            "text_y": round(top + 12, 1),
        }
    if baseline is not None:
        chart.baseline = {
            "y": _y(baseline, chart.y_max),
            "label": baseline_label,
            "x1": LEFT,
            "x2": WIDTH - RIGHT,
        }
    if chart.kind == "bar":
        width = round(min(slot * 0.6, 36), 1)
        chart.bars = [
            {
                "x": round(x - width / 2, 1),
                "y": _y(p.value or 0, chart.y_max),
                "width": width,
                "height": round(BOTTOM - _y(p.value or 0, chart.y_max), 1),
                "cx": x,
                "text": _fmt(p.value),
                "text_y": _y(p.value or 0, chart.y_max) - 4,
            }
            for x, p in zip(xs, chart.points, strict=True)
        ]
        return chart
    run: list[str] = []
    for x, p in zip(xs, chart.points, strict=True):
        if p.value is None:
            if len(run) > 1:
                chart.segments.append(" ".join(run))
            run = []
            continue
        y = _y(p.value, chart.y_max)
        run.append(f"{x},{y}")
        chart.marks.append(
            {"x": x, "y": y, "text": _fmt(p.value), "text_y": round(max(y - 8, TOP - 4), 1)}
        )
    if len(run) > 1:
        chart.segments.append(" ".join(run))
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


def build_charts(progress: checkins.Progress) -> list[Chart]:
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


@require_GET
@enrollment_required
def progress(request: HttpRequest) -> HttpResponse:
    enrollment = request.enrollment
    data = checkins.progress_data(enrollment, timezone.now())
    return render(
        request,
        "tracking/progress.html",
        {
            "charts": build_charts(data),
            "progress": data,
            "pain_free_max": PAIN_FREE_MAX,
        },
    )
