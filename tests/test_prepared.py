"""painapp.prepared: the hot written-out reads are prepared statements, planned once per
connection, and behave as any other query (counted, logged without patient data)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painapp.prepared import prepared_cursor
from tests.clinical_data import build_history


def _prepared(fragment: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this session's prepared statements whose text
    contains `fragment`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return [(generic, custom) for statement, generic, custom in cursor.fetchall()
                if fragment in statement]


@pytest.mark.django_db
def test_the_patient_page_reads_are_prepared_and_then_run_from_one_plan(client, cast,
                                                                          enrollment):
    build_history(enrollment, weeks=3, pain_start=6, pain_end=4)
    client.force_login(cast.clinician)
    for _ in range(8):
        assert client.get(reverse("patient_detail", args=[enrollment.pk])).status_code == 200
    # Postgres plans a prepared statement's first five runs for their values, then uses
    # its generic plan when that is no worse: these statements' are not.
    for fragment in ("WITH found AS", "FROM programs_week WHERE version_id"):
        [(generic, custom)] = _prepared(fragment)
        assert custom == 5 and generic == 3, fragment


@pytest.mark.django_db
def test_a_prepared_query_is_counted_and_logged_without_its_values():
    with CaptureQueriesContext(connection) as queries, prepared_cursor() as cursor:
        cursor.execute("SELECT %s::text, %s::bigint", ["pat@example.org", None])
        assert cursor.fetchone() == ("pat@example.org", None)
    assert [q["sql"] for q in queries] == ["SELECT %s::text, %s::bigint"]
