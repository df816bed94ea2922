"""Alerts: something a clinician should look at, and who acknowledged and resolved it.

Raised by tracking.alerts.evaluate and tracking.safety.scanner; the clocks that follow
one (escalation, the resolve deadline, handover) live beside this module.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from painapp.accounts.models import Practice
from programs.models import Enrollment


class Alert(models.Model):
    """Something a clinician should look at, with who acknowledged and resolved it."""

    class Kind(models.TextChoices):
        SELF_HARM = "self_harm", gettext_lazy("Thoughts of self-harm reported")
        RED_FLAG = "red_flag", gettext_lazy("Red flags at screening")
        PAIN_UP = "pain_up", gettext_lazy("Pain up from baseline")
        FEAR_HIGH = "fear_high", gettext_lazy("High fear of movement")
        MISSED = "missed_checkins", gettext_lazy("Missed check-ins")
        # Screening rules (tracking.rules, issue 15)
        DEPRESSION_SCREEN = "phq2_positive", gettext_lazy("Positive depression screen (PHQ-2)")
        DEPRESSION = "phq9_high", gettext_lazy("High depression score (PHQ-9)")
        ANXIETY = "gad7_high", gettext_lazy("High anxiety score (GAD-7)")
        NEW_SYMPTOMS = "new_symptoms", gettext_lazy("New symptoms reported at a weekly check-in")
        # A yes to the weekly question on the signs of cauda equina (tracking.rules), or
        # words describing them the patient wrote (tracking.safety.scanner): where is
        # named with the title (tracking.alerts.wording.alert_title).
        EMERGENCY_SYMPTOMS = "emergency_symptoms", gettext_lazy("Emergency signs reported")

    class Severity(models.TextChoices):
        URGENT = "urgent", gettext_lazy("Urgent")
        HIGH = "high", gettext_lazy("High")
        ROUTINE = "routine", gettext_lazy("Routine")

    class Status(models.TextChoices):
        # A context of its own: Spanish agrees with the noun ("la alerta": abierta).
        OPEN = "open", pgettext_lazy("alert status", "Open")
        ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
        RESOLVED = "resolved", gettext_lazy("Resolved")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="alerts")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # Structured facts for the clinician (e.g. scores, which red flags). Never free text.
    details = models.JSONField(default=dict, blank=True)
    # What raised it (e.g. "checkin:123"), so the same event never raises two alerts
    # while one is still being worked (open or acknowledged). An entry the patient edits
    # in place (a reflection, the safety plan) raises a new one after its alert is
    # resolved, when its words changed since (tracking.safety.scanner: the alert's
    # details keep a keyed fingerprint of them, never the words).
    source = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=dj_timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # When a person must have acknowledged it (the practice's response time for its
    # severity), and how far up the escalation chain it has climbed (0 = the clinician).
    due_at = models.DateTimeField(null=True, blank=True)
    # Its first due time, kept as it was when raised: each escalation step moves `due_at`
    # on (the next people's time), but how late the alert is counts from this
    # (tracking.rules.alert_clock).
    first_due_at = models.DateTimeField(null=True, blank=True)
    escalation_tier = models.PositiveSmallIntegerField(default=0)
    # The position of the escalation step it last went to (None: still with the
    # clinician), and when nobody was left on the chain, so the practice's safety contact
    # was told and every member of staff sees a banner until someone acknowledges it.
    escalation_position = models.PositiveSmallIntegerField(null=True, blank=True)
    chain_exhausted_at = models.DateTimeField(null=True, blank=True)
    # Everyone the escalation chain (or its end) told of it, by user id, in the order
    # they were told: who may open it besides the patient's clinician and the admins
    # (tracking.access.alerts_in_scope), and whom its pages name as told. Kept as it
    # happened, so a later handover or chain edit changes neither.
    escalated_to = ArrayField(models.IntegerField(), default=list, blank=True)
    # Acknowledged, it must be resolved by `resolve_by` (tracking.rules.resolve_deadline);
    # not resolved by then, the escalation chain is told, at `resolve_escalated_at`. A
    # contact attempt after that starts a new resolve time and clears it, so the next
    # missed deadline tells the chain again (tracking.rules.resolve_clock_after_attempt);
    # `resolve_told_at` keeps when the chain was last told it was not resolved in time.
    resolve_by = models.DateTimeField(null=True, blank=True)
    resolve_escalated_at = models.DateTimeField(null=True, blank=True)
    resolve_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind", "source"],
                condition=~Q(status="resolved"),
                name="alert_once_open_per_source",
            ),
        ]
        indexes = [
            # caseload "has alerts" filter and alert badges
            models.Index(fields=["enrollment", "status"]),
            # escalation sweep (tracking.alerts.escalation): open alerts past their due
            # time that still have somewhere to go
            models.Index(
                fields=["due_at"],
                condition=Q(status="open", chain_exhausted_at__isnull=True),
                name="alert_open_due_idx",
            ),
            # the resolve sweep (tracking.alerts.resolve_clock): acknowledged alerts past
            # their resolve time whose chain has not been told yet
            models.Index(
                fields=["resolve_by"],
                condition=Q(status="acknowledged", resolve_escalated_at__isnull=True),
                name="alert_unresolved_due_idx",
            ),
            # the alert inbox and the menu's count: a practice's alerts not yet resolved
            models.Index(
                fields=["practice", "due_at"],
                condition=~Q(status="resolved"),
                name="alert_unresolved_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
