"""Writing audit events. Every staff read of patient data goes through `audit`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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
    changes: dict | None = None,
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
        changes=changes or {},
    )


@contextmanager
def async_commit() -> Iterator[None]:
    """Commit what the block writes with Postgres's asynchronous commit, when
    settings.AUDIT_READS_ASYNC_COMMIT is on and the block is not already inside a
    transaction; otherwise the block runs as it is (durable).

    For the audit events of pages that only read (`audit_reads`), nothing else: the
    commit returns before the WAL reaches the disk. It is atomic, keeps order, never
    corrupts, and loses nothing if painapp crashes; if the database server itself
    crashes, the events of its last moment (at most 3 x wal_writer_delay, 0.6 s by
    default) may be missing, as if those page views had not committed. SECURITY.md
    states the trade-off; the setting is off (durable) unless the operator turns it on.

    `SET LOCAL` lasts until the block's own transaction ends, so the connection goes
    back to the pool durable. Inside a caller's atomic block it is never used: that
    transaction may hold changes to patient data, whose commit must stay durable.
    """
    if not settings.AUDIT_READS_ASYNC_COMMIT or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


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
        return cls(
            actor_id=request.user.pk if request.user.is_authenticated else None,
            practice_id=practice_id,
            action=action,
            at=timezone.now(),
            ip=client_ip(request),
            request_id=current_request_id(),
        )

    def record(self, reads: Sequence[tuple[int | None, str, str]]) -> None:
        """Write one event per (subject id, object type, object id): one INSERT for any
        number of them (see `async_commit` for how it commits)."""
        if not reads:
            return
        shared = {
            name: getattr(self, name)
            for name in ("actor_id", "practice_id", "action", "at", "ip", "request_id")
        }
        events = [
            AuditEvent(
                subject_id=subject_id, object_type=object_type, object_id=object_id, **shared
            )
            for subject_id, object_type, object_id in reads
        ]
        with async_commit():
            if len(events) == 1:
                # bulk_create puts even one row in a transaction of its own (BEGIN and
                # COMMIT, two more round trips); most pages record one read.
                events[0].save(force_insert=True)
            else:
                AuditEvent.objects.bulk_create(events)


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
    request (the patient pages one per view, the caseload one per patient on screen):
    one INSERT, so recording 25 reads costs about what recording one does.
    """
    ReadEvent.of(request, action, practice_id=practice_id).record(reads)
