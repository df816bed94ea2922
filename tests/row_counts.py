"""How many rows each of an app's tables holds, read in one query: tests that check a
refused post changed nothing compare these before and after, often hundreds of times."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from psycopg import sql


def row_counts(*app_labels: str) -> dict[str, int]:
    """{"app.Model": rows} for every model of the named apps."""
    models = [m for label in app_labels for m in apps.get_app_config(label).get_models()]
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {}, count(*) FROM {}").format(
            sql.Literal(m._meta.label), sql.Identifier(m._meta.db_table)
        )
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())
