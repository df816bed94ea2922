"""audit_reads: many staff reads recorded in one INSERT; asynchronous commit only when
the operator turns it on, and never for a transaction that may hold changes."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from painapp.accounts import audit as audit_module
from painapp.accounts.audit import async_commit
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent

COLUMNS = (
    "actor_id",
    "practice_id",
    "subject_id",
    "action",
    "object_type",
    "object_id",
    "at",
    "ip",
    "request_id",
)


def _request(user, ip="203.0.113.9"):
    request = RequestFactory().get("/caseload/", REMOTE_ADDR=ip)
    request.user = user
    return request


@pytest.mark.django_db
def test_it_records_one_event_per_read_with_the_requests_details(cast):
    request = _request(cast.clinician)
    reads = [
        (cast.patient.pk, "programs.enrollment", "11"),
        (cast.other_patient.pk, "programs.enrollment", "12"),
        (None, "page", "caseload"),
    ]

    with CaptureQueriesContext(connection) as queries:
        audit_module.audit_reads(
            request, "caseload.viewed", practice_id=cast.practice.pk, reads=reads
        )

    # One INSERT however many (inside the test's transaction: no BEGIN/COMMIT of its own).
    assert [q["sql"].split()[0] for q in queries] == ["INSERT"]
    events = list(
        AuditEvent.objects.filter(action="caseload.viewed").order_by("object_id").values(*COLUMNS)
    )
    assert [(e["subject_id"], e["object_type"], e["object_id"]) for e in events] == [
        reads[0],
        reads[1],
        reads[2],
    ]
    for event in events:
        assert event["actor_id"] == cast.clinician.pk
        assert event["practice_id"] == cast.practice.pk
        assert event["ip"] == "203.0.113.9"
        assert event["request_id"] == current_request_id()
    assert len({e["at"] for e in events}) == 1


@pytest.mark.django_db
def test_it_records_nothing_for_no_reads(cast, django_assert_num_queries):
    with django_assert_num_queries(0):
        audit_module.audit_reads(
            _request(cast.clinician), "caseload.viewed", practice_id=cast.practice.pk, reads=[]
        )
    assert not AuditEvent.objects.filter(action="caseload.viewed").exists()


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def _record_and_watch(cast) -> tuple[list[str], str]:
    """Record one read; return the statements it sent and synchronous_commit as it
    was when the event was written."""
    seen = []

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("INSERT"):
            with connection.cursor() as cursor:  # same transaction as the INSERT
                cursor.execute("SHOW synchronous_commit")
                seen.append(cursor.fetchone()[0])
        return result

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(watch):
        audit_module.audit_reads(
            _request(cast.clinician),
            "caseload.viewed",
            practice_id=cast.practice.pk,
            reads=[(cast.patient.pk, "programs.enrollment", "11")],
        )
    statements = [q["sql"] for q in queries if q["sql"] != "SHOW synchronous_commit"]
    return statements, seen[0]


@pytest.mark.django_db(transaction=True)
def test_by_default_a_read_commits_durably_in_one_statement(cast, settings):
    assert settings.AUDIT_READS_ASYNC_COMMIT is False  # the documented default
    statements, during = _record_and_watch(cast)
    assert [s.split()[0] for s in statements] == ["INSERT"]
    assert during == "on"
    assert AuditEvent.objects.filter(action="caseload.viewed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_turned_on_a_read_commits_asynchronously_and_leaves_the_session_durable(cast, settings):
    """Outside a transaction the read gets its own, with synchronous commit off for that
    transaction only: the event is there, and the next statement (a change, say)
    commits durably again."""
    settings.AUDIT_READS_ASYNC_COMMIT = True
    statements, during = _record_and_watch(cast)
    assert [s.split()[0] for s in statements] == ["BEGIN", "SET", "INSERT", "COMMIT"]
    assert statements[1] == "SET LOCAL synchronous_commit TO OFF"
    assert during == "off"
    assert AuditEvent.objects.filter(action="caseload.viewed").count() == 1
    assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_turned_on_it_still_keeps_a_callers_transaction_durable(cast, settings):
    """An atomic block may hold changes to patient data: a read recorded inside one
    must not make their commit asynchronous."""
    settings.AUDIT_READS_ASYNC_COMMIT = True
    with transaction.atomic():
        audit_module.audit_reads(
            _request(cast.clinician),
            "patient.viewed",
            practice_id=cast.practice.pk,
            reads=[(cast.patient.pk, "programs.enrollment", "11")],
        )
        assert _synchronous_commit() == "on"
    assert AuditEvent.objects.filter(action="patient.viewed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_async_switch_lasts_until_its_transaction_ends(settings):
    settings.AUDIT_READS_ASYNC_COMMIT = True
    with async_commit():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
def test_an_error_inside_rolls_the_events_back(cast, settings):
    settings.AUDIT_READS_ASYNC_COMMIT = True
    with pytest.raises(RuntimeError), async_commit():
        AuditEvent.objects.create(action="patient.viewed", object_type="page", object_id="x")
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="patient.viewed").exists()
    assert _synchronous_commit() == "on"
