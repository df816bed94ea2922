"""Writing audit events. Every staff read of patient data goes through `audit`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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
