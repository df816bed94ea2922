"""Writing audit events. Every staff read of patient data goes through `audit`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent, Practice, User


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: behind one of settings.TRUSTED_PROXIES it already holds the
    # client's address (painapp.proxies), and from anyone else X-Forwarded-For is
    # whatever the client wrote, so it was dropped.
    return request.META.get("REMOTE_ADDR") or None


def audit(
    request: HttpRequest | None,
    action: str,
    *,
    practice: Practice | None = None,
    subject: User | None = None,
    obj: Any = None,
    actor: User | None = None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor,
        practice=practice,
        subject=subject,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else str(object_id),
        ip=client_ip(request) if request is not None else None,
        request_id=current_request_id(),
    )


# Staff reads are recorded with Postgres's asynchronous commit. A page that shows patient
# data writes nothing but its audit events, and waiting for them to reach the disk (the
# WAL flush) was the largest single cost of the caseload and patient pages under load
# (bench: ~0.5 of the 3x budget). Asynchronous commit is atomic and keeps order, never
# corrupts, and loses nothing if painapp crashes; if the database server itself crashes,
# the events of the last moment (at most 3 x wal_writer_delay, 0.6 s by default) may be
# missing, as if those page views had not committed. Everything that changes data, and
# its audit event, commits durably as before: the setting is local to the one statement
# (set_config(..., true) lasts until its own transaction ends) and is left out inside a
# transaction (an atomic block), whose commit may hold changes.
ASYNC_COMMIT_SQL = "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"


def reads_commit_async() -> bool:
    """Whether a read-audit statement run now is its own transaction (autocommit), and
    so may commit asynchronously; inside an atomic block the commit stays durable."""
    return not connection.in_atomic_block


def read_commit_sql() -> str:
    """What a read-audit statement adds to its FROM list to commit asynchronously when
    it may (reads_commit_async), else ""."""
    return f", {ASYNC_COMMIT_SQL}" if reads_commit_async() else ""


@dataclass(frozen=True)
class ReadEvent:
    """What every event of one staff read has in common: who, in which practice, what,
    when, from where, in which request. Each event adds whose data and which row."""

    actor_id: int | None
    practice_id: int | None
    action: str
    at: datetime
    ip: str | None
    request_id: str

    @classmethod
    def of(cls, request: HttpRequest, action: str, *, practice_id: int | None) -> ReadEvent:
        return cls(actor_id=request.user.pk if request.user.is_authenticated else None,
                   practice_id=practice_id, action=action, at=timezone.now(),
                   ip=client_ip(request), request_id=current_request_id())

    def record(self, reads: Sequence[tuple[int | None, str, str]]) -> None:
        """Write one event per (subject id, object type, object id)."""
        if not reads:
            return
        if connection.vendor == "postgresql":
            _insert_reads_sql(self, reads)
        else:
            _insert_reads_orm(self, reads)


# One statement for any number of events: the columns that differ come as arrays and
# are unnested. Table and column names are the model's; every value is a parameter.
_INSERT_READS = f"""
INSERT INTO {AuditEvent._meta.db_table}
    (actor_id, practice_id, subject_id, action, object_type, object_id, at, ip, request_id)
SELECT %s, %s, u.subject_id, %s, u.object_type, u.object_id, %s, %s::inet, %s
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(subject_id, object_type, object_id)"""  # noqa: S608 (names from the model; values are params)


def audit_reads(
    request: HttpRequest,
    action: str,
    *,
    practice_id: int | None,
    reads: Sequence[tuple[int | None, str, str]],
) -> None:
    """Record that the requesting user read these rows: one event per
    (subject id, object type, object id), all with the same actor, practice, time,
    address and request id.

    The same events `audit` writes, for the pages that show patient data on every
    request (the patient pages one per view; the caseload one per patient on screen,
    inside its own statement): one INSERT of plain values on Postgres, so recording 25
    reads costs about what recording one does, and no model instance is built per event.
    """
    ReadEvent.of(request, action, practice_id=practice_id).record(reads)


def _insert_reads_sql(event: ReadEvent, reads: Sequence[tuple[int | None, str, str]]) -> None:
    subjects, types, ids = zip(*reads, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_READS + read_commit_sql(), [
            event.actor_id, event.practice_id, event.action, event.at, event.ip,
            event.request_id, list(subjects), list(types), list(ids)])


def _insert_reads_orm(event: ReadEvent, reads: Sequence[tuple[int | None, str, str]]) -> None:
    """The portable form (SQLite, the embedded demo)."""
    shared = {name: getattr(event, name) for name in
              ("actor_id", "practice_id", "action", "at", "ip", "request_id")}
    AuditEvent.objects.bulk_create(
        AuditEvent(subject_id=subject_id, object_type=object_type, object_id=object_id, **shared)
        for subject_id, object_type, object_id in reads)
