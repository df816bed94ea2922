"""Model instances from hand-written SQL.

A few hot reads (every patient page's enrollment, a staff member's look-up of one
patient, the check-in a patient submits) are written out as SQL on Postgres, because
the ORM spent longer building and compiling them than Postgres spent answering. These
helpers keep such reads as faithful as the ORM: the SELECT lists every concrete column
of the model (from its _meta, so a new field is read too), and the instance is built
as the ORM builds it, through the backend's and the field's converters (Django reads
jsonb as text: JSONField decodes it) and `Model.from_db`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, qualified by `alias`, as a SELECT list."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many values `columns(model, …)` selects."""
    return len(model._meta.concrete_fields)


@cache
def _loader(model: type[Model]) -> tuple[list[str], list[tuple[int, Any, list]]]:
    """The model's attribute names and, for each column that has any, its converters,
    worked out once per process."""
    fields = model._meta.concrete_fields
    converting = []
    for i, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if converters:
            converting.append((i, col, converters))
    return [f.attname for f in fields], converting


def from_row(model: type[M], values: Sequence) -> M:
    """An instance from the values of `columns(model, …)`, as the ORM builds it."""
    names, converting = _loader(model)
    values = list(values)
    for i, col, converters in converting:
        for convert in converters:
            values[i] = convert(values[i], col, connection)
    return model.from_db(connection.alias, names, values)


def from_joined_row(row: Sequence, *models: type[Model]) -> list[Model]:
    """One instance per model from a row that selected `columns(model, …)` of each,
    in that order; whatever the row selected after them is left alone."""
    instances, start = [], 0
    for model in models:
        end = start + width(model)
        instances.append(from_row(model, row[start:end]))
        start = end
    return instances
