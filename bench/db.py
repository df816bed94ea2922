"""Bulk-loading helpers for the bench: Postgres COPY from Python rows, id blocks,
and plain SQL. Only for the benchmark's own database."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone


def execute(sql: str, params: dict | list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: dict | list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys from the table's own sequence, so rows can be
    COPYed with their ids known in advance (and the sequence stays right)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model: type[models.Model], rows: Iterable[dict]) -> int:
    """COPY rows (dicts keyed by field attname, e.g. ``patient_id``) into the model's
    table. Fields a row leaves out get the model's default (``auto_now``/
    ``auto_now_add`` fields get now), so a new field with a default does not break
    the bench; a new required field without one fails loudly, naming it."""
    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    plan = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((f.attname, "now", None))
        elif f.primary_key:
            plan.append((f.attname, "none", None))
        else:
            # Django's own default: the declared one, "" for text, None when nullable.
            plan.append((f.attname, "default", f))
    is_json = [isinstance(f, models.JSONField) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # A primary key the rows do not give is left to the database.
    skip_pk = [False] * len(fields)
    count = 0
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    for i, f in enumerate(fields):
        if f.primary_key and f.attname not in first:
            skip_pk[i] = True
    if any(skip_pk):
        columns = ", ".join(
            connection.ops.quote_name(f.column) for i, f in enumerate(fields) if not skip_pk[i]
        )

    def values(row: dict) -> list:
        out = []
        for i, (attname, how, f) in enumerate(plan):
            if skip_pk[i]:
                continue
            if attname in row:
                v = row[attname]
            elif how == "now":
                v = now
            elif how == "default":
                v = f.get_default()
                if v is None and not f.null:
                    raise KeyError(f"{model.__name__}.{attname} needs a value in the bench data")
            else:
                v = None
            if is_json[i] and v is not None:
                v = json.dumps(v)
            out.append(v)
        return out

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        ) as copy,
    ):
        for row in _chain(first, rows):
            copy.write_row(values(row))
            count += 1
    return count


def _chain(first, rest):
    yield first
    yield from rest


def table_counts(models_: list[type[models.Model]]) -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in models_}
