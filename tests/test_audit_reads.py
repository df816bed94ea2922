"""audit_reads: many staff reads recorded in one statement, the same rows either way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from painapp.accounts import audit as audit_module
from painapp.accounts.audit import ASYNC_COMMIT_SQL, ReadEvent
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent

COLUMNS = ("actor_id", "practice_id", "subject_id", "action", "object_type", "object_id", "at",
           "ip", "request_id")


def _request(user, ip="203.0.113.9"):
    request = RequestFactory().get("/caseload/", REMOTE_ADDR=ip)
    request.user = user
    return request


@pytest.mark.django_db
def test_it_records_one_event_per_read_with_the_requests_details(cast):
    request = _request(cast.clinician)
    reads = [(cast.patient.pk, "programs.enrollment", "11"),
             (cast.other_patient.pk, "programs.enrollment", "12")]

    audit_module.audit_reads(request, "caseload.viewed", practice_id=cast.practice.pk,
                             reads=reads)

    events = list(AuditEvent.objects.filter(action="caseload.viewed")
                  .order_by("object_id").values(*COLUMNS))
    assert [(e["subject_id"], e["object_type"], e["object_id"]) for e in events] == reads
    for event in events:
        assert event["actor_id"] == cast.clinician.pk
        assert event["practice_id"] == cast.practice.pk
        assert event["ip"] == "203.0.113.9"
        assert event["request_id"] == current_request_id()
    assert events[0]["at"] == events[1]["at"]


@pytest.mark.django_db
def test_it_records_nothing_for_no_reads(cast):
    audit_module.audit_reads(_request(cast.clinician), "caseload.viewed",
                             practice_id=cast.practice.pk, reads=[])
    assert not AuditEvent.objects.filter(action="caseload.viewed").exists()


@pytest.mark.django_db
def test_the_sql_and_the_portable_insert_write_the_same_rows(cast):
    # Postgres takes the one-statement path; SQLite (the demo) the ORM one. Both are run
    # here, on the same input, and must leave identical rows.
    event = {"actor_id": cast.clinician.pk, "practice_id": cast.practice.pk,
             "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
             "ip": "2001:db8::1", "request_id": "abc123"}
    reads = [(cast.patient.pk, "programs.enrollment", "7"), (None, "page", "caseload")]

    audit_module._insert_reads_sql(ReadEvent(action="sql", **event), reads)
    audit_module._insert_reads_orm(ReadEvent(action="orm", **event), reads)

    def rows(action):
        events = AuditEvent.objects.filter(action=action).order_by("object_id")
        return [tuple(v for k, v in e.items() if k != "action") for e in events.values(*COLUMNS)]

    assert rows("sql") == rows("orm")
    assert len(rows("sql")) == 2


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_read_commits_asynchronously_and_leaves_the_session_durable(cast):
    """Outside a transaction the read's INSERT is its own transaction and switches
    synchronous commit off for that transaction only: the event is there, and the next
    statement (a change, say) commits durably again."""
    with CaptureQueriesContext(connection) as queries:
        audit_module.audit_reads(_request(cast.clinician), "caseload.viewed",
                                 practice_id=cast.practice.pk,
                                 reads=[(cast.patient.pk, "programs.enrollment", "11")])
    assert "set_config('synchronous_commit', 'off', true)" in queries[-1]["sql"]
    assert AuditEvent.objects.filter(action="caseload.viewed").count() == 1
    assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_the_async_switch_lasts_until_its_transaction_ends():
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {ASYNC_COMMIT_SQL}")  # noqa: S608 (our constant)
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"


@pytest.mark.django_db
def test_a_read_inside_a_transaction_keeps_its_commit_durable(cast):
    """An atomic block may hold changes to patient data: a read recorded inside one
    must not make their commit asynchronous."""
    with transaction.atomic():
        audit_module.audit_reads(_request(cast.clinician), "patient.viewed",
                                 practice_id=cast.practice.pk,
                                 reads=[(cast.patient.pk, "programs.enrollment", "11")])
        assert _synchronous_commit() == "on"
    assert AuditEvent.objects.filter(action="patient.viewed").count() == 1
