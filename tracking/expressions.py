"""SQL expressions shared by the reads (the caseload, the reports)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from programs.practice.minimum import counted_q
from tracking import rules
from tracking.models import PracticeSettings


class DaysBetween(Func):
    """Whole days from the second date to the first (Postgres: date - date)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


def count_per_enrollment(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated subquery grouped on its `enrollment`, 0 when nothing
    matches.

    A subquery per count rather than Count() over joins: several reverse joins in one
    GROUP BY multiply each other's rows, and their counts with them.
    """
    return Coalesce(
        Subquery(
            queryset.order_by().values("enrollment").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def min_practice_seconds(practice_id: Any) -> Coalesce:
    """The practice's minimum somatic-tracking session length (PracticeSettings
    .min_practice_seconds), or the default when it has no settings row, as SQL: a
    correlated subquery, so applying the setting costs no query of its own.
    `practice_id`: an int, or an OuterRef/F to the practice id of the outer row."""
    return Coalesce(
        Subquery(
            PracticeSettings.objects.filter(practice_id=practice_id).values("min_practice_seconds")[
                :1
            ],
            output_field=IntegerField(),
        ),
        Value(rules.DEFAULT_MIN_PRACTICE_SECONDS),
    )


def counted_sessions(queryset: QuerySet, practice_id: Any) -> QuerySet:
    """Only the sessions of `queryset` (PracticeSession) that count toward practice
    figures: at least the practice's minimum length (rules.counts_toward_practice,
    the same comparison in SQL: programs.practice.minimum.counted_q, which the
    patient's own counts use too)."""
    return queryset.filter(counted_q(practice_id))
