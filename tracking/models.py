"""Measurement and follow-up: alerts, instruments, check-ins, reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from painapp.accounts.models import Practice
from programs.models import Enrollment


class Alert(models.Model):
    """Something a clinician should look at, with who acknowledged and resolved it."""

    class Kind(models.TextChoices):
        SELF_HARM = "self_harm", "Thoughts of self-harm reported"
        RED_FLAG = "red_flag", "Red flags at screening"
        PAIN_UP = "pain_up", "Pain up from baseline"
        FEAR_HIGH = "fear_high", "High fear of movement"
        MISSED = "missed_checkins", "Missed check-ins"

    class Severity(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        ROUTINE = "routine", "Routine"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="alerts")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # Structured facts for the clinician (e.g. scores, which red flags). Never free text.
    details = models.JSONField(default=dict, blank=True)
    # What raised it (e.g. "checkin:123"), so the same event never raises two alerts.
    source = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind", "source"],
                                    name="alert_once_per_source"),
        ]
        indexes = [
            # caseload "has alerts" filter and alert badges
            models.Index(fields=["enrollment", "status"]),
            # escalation sweep: urgent alerts still open
            models.Index(fields=["created_at"], condition=Q(status="open", severity="urgent"),
                         name="alert_urgent_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
