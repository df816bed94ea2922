"""Writing audit events. Every staff read of patient data goes through `audit`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent, Practice, User


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy
    # rewrites it, and gunicorn behind our proxy sets REMOTE_ADDR correctly.
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


# One statement for any number of events: the columns that differ come as arrays and
# are unnested. Table and column names are the model's; every value is a parameter.
_INSERT_READS = f"""
INSERT INTO {AuditEvent._meta.db_table}
    (actor_id, practice_id, subject_id, action, object_type, object_id, at, ip, request_id)
SELECT %s, %s, u.subject_id, %s, u.object_type, u.object_id, %s, %s::inet, %s
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(subject_id, object_type, object_id)
"""  # noqa: S608 (names from the model; values are params)


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
    request (the caseload writes one per patient on screen, the patient pages one per
    view): one INSERT of plain values on Postgres, so recording 25 reads costs about
    what recording one does, and no model instance is built per event.
    """
    if not reads:
        return
    actor_id = request.user.pk if request.user.is_authenticated else None
    event = dict(actor_id=actor_id, practice_id=practice_id, action=action, at=timezone.now(),
                 ip=client_ip(request), request_id=current_request_id())
    if connection.vendor == "postgresql":
        _insert_reads_sql(event, reads)
    else:
        _insert_reads_orm(event, reads)


def _insert_reads_sql(event: dict, reads: Sequence[tuple[int | None, str, str]]) -> None:
    subjects, types, ids = zip(*reads, strict=True)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_READS, [
            event["actor_id"], event["practice_id"], event["action"], event["at"], event["ip"],
            event["request_id"], list(subjects), list(types), list(ids)])


def _insert_reads_orm(event: dict, reads: Sequence[tuple[int | None, str, str]]) -> None:
    """The portable form (SQLite, the embedded demo)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(subject_id=subject_id, object_type=object_type, object_id=object_id, **event)
        for subject_id, object_type, object_id in reads)
