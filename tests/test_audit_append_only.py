"""Audit events are append-only: neither the app nor a raw query can change them."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from painapp.accounts.audit import audit
from painapp.accounts.models import AuditEvent


@pytest.fixture
def event(cast):
    return audit(
        None, "record.viewed", practice=cast.practice, subject=cast.patient, actor=cast.clinician
    )


def test_the_app_cannot_update_or_delete_an_event(event):
    event.action = "nothing.happened"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "record.viewed"


def test_the_database_refuses_even_raw_sql(event):
    for sql in ("UPDATE accounts_auditevent SET action = 'x'", "DELETE FROM accounts_auditevent"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "record.viewed"


def test_deleting_a_person_keeps_the_trail(event, cast):
    cast.clinician.delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.actor_id is not None and kept.action == "record.viewed"
