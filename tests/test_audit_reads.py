"""audit_reads: many staff reads recorded in one statement, the same rows either way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from painapp.accounts import audit as audit_module
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
             "action": "patient.viewed", "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
             "ip": "2001:db8::1", "request_id": "abc123"}
    reads = [(cast.patient.pk, "programs.enrollment", "7"), (None, "page", "caseload")]

    audit_module._insert_reads_sql({**event, "action": "sql"}, reads)
    audit_module._insert_reads_orm({**event, "action": "orm"}, reads)

    def rows(action):
        events = AuditEvent.objects.filter(action=action).order_by("object_id")
        return [tuple(v for k, v in e.items() if k != "action") for e in events.values(*COLUMNS)]

    assert rows("sql") == rows("orm")
    assert len(rows("sql")) == 2
