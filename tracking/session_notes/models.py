"""A structured note of one PRT therapy session (in person or by telehealth), written
by the clinician who held it.

Kept as written, like ClinicianNote: a correction is a new note, so the record of
what was known when stays intact. Staff-only: the patient's own download holds the
session's facts (date, length, mode, what was covered, homework), not the clinician's
free-text working notes (tracking/data_rights.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Enrollment


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Telehealth: video")
    PHONE = "phone", _("Telehealth: phone")


class Component(models.TextChoices):
    """The PRT components a session can cover (PRT_NOTES.md: the five components and
    graded exposure)."""

    EDUCATION = "education", _("Education: pain as a protective alarm")
    EVIDENCE = "evidence", _("Reviewing the evidence that the pain is neuroplastic")
    SOMATIC_TRACKING = "somatic_tracking", _("Somatic tracking")
    EMOTIONAL_THREATS = "emotional_threats", _("Emotional threats (stress, fear, pressure)")
    POSITIVE_AFFECT = "positive_affect", _("Positive feelings and sensations")
    EXPOSURE = "exposure", _("Graded exposure")


class SomaticResponse(models.TextChoices):
    SAFER = "safer", _("Felt safer or calmer")
    SAME = "same", _("No clear change")
    MORE_THREAT = "more_threat", _("More threat or distress")


class ExposureOutcome(models.TextChoices):
    BETTER = "better", _("Went better than predicted")
    AS_PREDICTED = "as_predicted", _("Went as predicted")
    WORSE = "worse", _("Went worse than predicted")
    NOT_YET = "not_yet", _("Set for later, not tried yet")


class RiskAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", _("Reviewed or made a safety plan")
    CRISIS_RESOURCES = "crisis_resources", _("Gave crisis resources")
    CARE_TEAM = "care_team", _("Told the care team or the practice's safety contact")
    DOCTOR = "doctor", _("Referred to or contacted their doctor")
    EMERGENCY = "emergency", _("Contacted emergency services")
    FOLLOW_UP = "follow_up", _("Booked an earlier follow-up")


class SessionNote(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="session_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    session_date = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=16, choices=SessionMode.choices)
    components = models.JSONField(default=list)  # Component values, in Component order
    somatic_response = models.CharField(max_length=16, choices=SomaticResponse.choices, blank=True)
    exposure_set = models.CharField(max_length=300, blank=True)
    exposure_outcome = models.CharField(max_length=16, choices=ExposureOutcome.choices, blank=True)
    # Risk review: asked at every session. Identified → what was done (RiskAction values).
    risk_identified = models.BooleanField()
    risk_actions = models.JSONField(default=list, blank=True)
    risk_note = models.TextField(max_length=2000, blank=True)
    homework = models.TextField(max_length=2000, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The form's one-time token (painapp.submit_once): the same form sent again finds
    # this note rather than storing a second. None for older notes.
    client_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-session_date", "-created_at", "-pk"]
        indexes = [
            # patient detail: the newest sessions of one enrollment
            models.Index(fields=["enrollment", "-session_date"], name="session_note_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "client_token"], name="session_note_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Session note {self.pk}"

    def component_labels(self) -> list[str]:
        labels = dict(Component.choices)
        return [str(labels.get(c, c)) for c in self.components]

    def risk_action_labels(self) -> list[str]:
        labels = dict(RiskAction.choices)
        return [str(labels.get(a, a)) for a in self.risk_actions]
