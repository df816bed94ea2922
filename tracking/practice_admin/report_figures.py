"""The figures the outcomes report is made of (tracking/practice_admin/reports.py): a
responder share with both denominators, and a mean change with its 95% confidence
interval, each with the words the page shows for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tracking import rules


def of(count: int, whole: int, label: str) -> str:
    """'7 of 10 with an end score (70%)', or '0 of 0 …' when there is nobody."""
    text = _("%(count)s of %(whole)s %(label)s") % {"count": count, "whole": whole, "label": label}
    return f"{text} ({round(100 * count / whole)}%)" if whole else text


def pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Share:
    """`count` responders among those with a score (completers) and among everyone
    eligible at that point (a missing score = not a responder)."""

    count: int
    completers: int
    everyone: int

    @property
    def completers_text(self) -> str:
        return of(self.count, self.completers, _("with a score"))

    @property
    def everyone_text(self) -> str:
        return of(self.count, self.everyone, _("in the cohort"))

    @property
    def pct_completers(self) -> int | None:
        return pct(self.count, self.completers)

    @property
    def pct_everyone(self) -> int | None:
        return pct(self.count, self.everyone)


@dataclass(frozen=True)
class MeanChange:
    """Mean score at the start and at the end among `n` people with both, and the mean
    change (end − start: negative is lower) with its 95% CI (None below 2 people)."""

    n: int
    start: float | None = None
    end: float | None = None
    change: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def change_abs(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def direction(self) -> str:
        """'lower', 'higher' or 'same' (rounded to one decimal)."""
        if self.change is None or round(self.change, 1) == 0:
            return "same"
        return "lower" if self.change < 0 else "higher"

    @property
    def has_ci(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def pct_start(self) -> int | None:
        """For mind-brain scores (0–3): the share of causes that were mind-brain."""
        return None if self.start is None else round(100 * self.start / 3)

    @property
    def pct_end(self) -> int | None:
        return None if self.end is None else round(100 * self.end / 3)


def mean_change(pairs: Sequence[tuple[float, float]]) -> MeanChange:
    """MeanChange of (start, end) pairs, the CI from `rules.mean_ci_95` of the changes."""
    if not pairs:
        return MeanChange(0)
    start = sum(a for a, _b in pairs) / len(pairs)
    end = sum(b for _a, b in pairs) / len(pairs)
    change, low, high = rules.mean_ci_95([b - a for a, b in pairs])
    return MeanChange(len(pairs), start, end, change, low, high)
