"""SQL expressions shared by the reads (the caseload, the reports)."""

from __future__ import annotations

from django.db.models import Count, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


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
