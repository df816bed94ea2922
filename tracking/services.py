"""Writes with side effects for tracking: alerts, check-ins, reminders."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from painapp.accounts.models import User
from programs.models import Enrollment
from tracking.models import Alert


def alert_raise(*, enrollment: Enrollment, kind: str, severity: str, source: str,
                details: dict | None = None) -> Alert | None:
    """Open an alert once per (enrollment, kind, source). Returns None if it exists."""
    try:
        with transaction.atomic():
            return Alert.objects.create(
                enrollment=enrollment, practice_id=enrollment.practice_id, kind=kind,
                severity=severity, source=source, details=details or {},
            )
    except IntegrityError:
        return None


def alert_acknowledge(*, alert: Alert, by: User) -> bool:
    updated = Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
        status=Alert.Status.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=timezone.now())
    alert.refresh_from_db()
    return bool(updated)


def alert_resolve(*, alert: Alert, by: User) -> bool:
    now = timezone.now()
    updated = Alert.objects.filter(pk=alert.pk).exclude(status=Alert.Status.RESOLVED).update(
        status=Alert.Status.RESOLVED, resolved_by=by, resolved_at=now)
    if updated and alert.acknowledged_at is None:
        Alert.objects.filter(pk=alert.pk).update(acknowledged_by=by, acknowledged_at=now)
    alert.refresh_from_db()
    return bool(updated)
