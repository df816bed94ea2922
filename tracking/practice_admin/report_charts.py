"""The outcomes report's two charts, drawn on the server as SVG like the patients' charts
(tracking/charts.py, whose frame and scale they share): the pain distribution at the
baseline and at the end, and the responders at the end by cohort month.

Each is a grouped bar chart: one group per category (a pain score, a month), one bar
per series. The SVG is `role="img"`, named by the card's heading and described by a
one-sentence summary; every number is in the card's table as well.
templates/jinja2/tracking/practice_admin/outcome_charts.html writes the markup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracking import charts, rules
from tracking.practice_admin.reports import OutcomesReport

MAX_NUMBERED_GROUPS = 12  # above this, numbers over the bars would overlap
CHAR_WIDTH = 7  # a character of a bar's number (10px bold) with room, in the drawing's units


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # "base" or "end": the bar's colour, and its legend's
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class GroupBar:
    x: str
    y: str
    width: str
    height: str
    css: str
    label: str  # the number over it, or ""
    label_x: str
    label_y: str


@dataclass
class GroupedChart:
    key: str
    title: str
    summary: str
    category_name: str  # the table's first column
    categories: list[str]  # axis labels
    category_names: list[str]  # the table's row headings
    series: list[Series]
    y_max: int
    tick_step: int
    suffix: str = ""  # "%" for shares
    # The table's extra column (e.g. how many people a month's share is of).
    extra_name: str = ""
    extra: list[str] | None = None
    label_gap: float = charts.LABEL_GAP  # the least room between two axis labels

    @cached_property
    def drawing(self) -> dict[str, Any]:
        frame = charts.frame(self.y_max, self.tick_step, None)
        n = max(len(self.categories), 1)
        slot = (charts.WIDTH - charts.RIGHT - charts.LEFT) / n
        group = slot * 0.8
        width = group / max(len(self.series), 1)
        numbered = n <= MAX_NUMBERED_GROUPS
        bars = []
        for i in range(len(self.categories)):
            left = charts.LEFT + slot * i + (slot - group) / 2
            for j, s in enumerate(self.series):
                value = s.values[i]
                if value is None:
                    continue
                y = charts._y(value, self.y_max)
                x = left + width * j
                text = _number(value, self.suffix) if numbered and value else ""
                if len(text) * CHAR_WIDTH > width - 4:
                    text = ""  # it would run into the next bar's number: it is in the table
                bars.append(
                    GroupBar(
                        x=str(round(x, 1)),
                        y=str(y),
                        width=str(round(max(width - 1, 1), 1)),
                        height=str(round(charts.BOTTOM - y, 1)),
                        css=s.css,
                        label=text,
                        label_x=str(round(x + width / 2, 1)),
                        label_y=str(round(y - 3, 1)),
                    )
                )
        every = max(1, math.ceil(self.label_gap / slot))
        labels = [
            (str(round(charts.LEFT + slot * (i + 0.5), 1)), label)
            for i, label in enumerate(self.categories)
            if i % every == 0 or i == len(self.categories) - 1
        ]
        return {
            "frame": frame,
            "bars": bars,
            "labels": labels,
            "empty": not any(v for s in self.series for v in s.values),
        }

    @property
    def rows(self) -> list[tuple[str, list[str], str]]:
        """The table: each category's name, each series' number, the extra column."""
        return [
            (
                name,
                [
                    _number(s.values[i], self.suffix) if s.values[i] is not None else "—"
                    for s in self.series
                ],
                self.extra[i] if self.extra else "",
            )
            for i, name in enumerate(self.category_names)
        ]


def _number(value: float | None, suffix: str) -> str:
    if value is None:
        return "—"
    return f"{round(value)}{suffix}"


def _scale(top: int) -> tuple[int, int]:
    """A y range from 0 that holds `top` people, with 4–5 whole-number ticks."""
    step = max(1, math.ceil(max(top, 1) / 4))
    return step * math.ceil(max(top, 1) / step), step


def distribution_chart(report: OutcomesReport) -> GroupedChart:
    n = report.end.change.n
    scores = [str(s) for s in range(rules.NRS_MAX + 1)]
    y_max, step = _scale(max(report.baseline_counts + report.end_counts))
    if n:
        at_most = sum(report.end_counts[: rules.PAIN_FREE_MAX + 1])
        before = sum(report.baseline_counts[: rules.PAIN_FREE_MAX + 1])
        summary = ngettext(
            "Average pain of the %(n)s person with a baseline and an end score: %(before)s "
            "scored 0–%(max)s at the baseline and %(at_most)s at the end.",
            "Average pain of the %(n)s people with a baseline and an end score: %(before)s "
            "scored 0–%(max)s at the baseline and %(at_most)s at the end.",
            n,
        ) % {"n": n, "before": before, "max": rules.PAIN_FREE_MAX, "at_most": at_most}
    else:
        summary = _("No one in the cohort has both a baseline and an end score yet.")
    return GroupedChart(
        key="distribution",
        title=_("Average pain at the baseline and at the end"),
        summary=summary,
        category_name=_("Average pain (0–10)"),
        categories=scores,
        category_names=scores,
        series=[
            Series(_("Baseline"), "base", tuple(float(c) for c in report.baseline_counts)),
            Series(_("End"), "end", tuple(float(c) for c in report.end_counts)),
        ],
        y_max=y_max,
        tick_step=step,
        label_gap=16,  # "10" at 12px: every score gets its label
    )


def months_chart(report: OutcomesReport) -> GroupedChart:
    months = report.months
    if months:
        last = months[-1]
        summary = _(
            "Share of people counted for responders who were pain-free or nearly, and who "
            "had a real improvement, at the end, by the month they ended or withdrew; "
            "%(month)s: %(pain_free)s pain-free or nearly, %(real)s real improvement "
            "(of %(eligible)s)."
        ) % {
            "month": date_format(last.month, "F Y"),
            "pain_free": _share(last.pain_free, last.eligible),
            "real": _share(last.real_improvement, last.eligible),
            "eligible": last.eligible,
        }
    else:
        summary = _("No one counted for responders has ended or withdrawn yet.")
    return GroupedChart(
        key="months",
        title=_("Responders at the end, by cohort month"),
        summary=summary,
        category_name=_("Month"),
        # Month names in the reader's language ("Mar 26", "March 2026" in English).
        categories=[date_format(m.month, "MONTH_YEAR_SHORT_FORMAT") for m in months],
        category_names=[date_format(m.month, "F Y") for m in months],
        series=[
            Series(
                _("Pain-free or nearly"),
                "base",
                tuple(100 * m.pain_free / m.eligible for m in months),
            ),
            Series(
                _("Real improvement"),
                "end",
                tuple(100 * m.real_improvement / m.eligible for m in months),
            ),
        ],
        y_max=100,
        tick_step=25,
        suffix="%",
        extra_name=_("People counted"),
        extra=[str(m.eligible) for m in months],
    )


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def report_charts(report: OutcomesReport) -> list[Any]:
    """The two chart cards, as markup for the Django template."""
    card = charts.macros("tracking/practice_admin/outcome_charts.html").card
    return [card(c) for c in (distribution_chart(report), months_chart(report))]
