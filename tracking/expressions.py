"""SQL expressions shared by the reads (the caseload, the reports)."""

from __future__ import annotations

from django.db.models import Func, IntegerField


class DaysBetween(Func):
    """Whole days from the second date to the first, on Postgres and on SQLite."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection,
                           template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)
