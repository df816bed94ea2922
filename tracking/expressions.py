"""SQL expressions shared by the reads (the caseload, the reports)."""

from __future__ import annotations

from django.db.models import Count, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


class DaysBetween(Func):
    """Whole days from the second date to the first, on Postgres and on SQLite."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)


def count_per_enrollment(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated subquery grouped on its `enrollment`, 0 when nothing
    matches.

    A subquery per count rather than Count() over joins: several reverse joins in one
    GROUP BY multiply each other's rows, and their counts with them.
    """
    return Coalesce(
        Subquery(queryset.order_by().values("enrollment").annotate(n=Count("pk")).values("n")[:1],
                 output_field=IntegerField()),
        Value(0),
    )
