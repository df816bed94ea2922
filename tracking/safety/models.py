"""The safety loop's records: crisis resources, safety plans, hold decisions, resolutions
and contact attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from painapp.accounts.models import Practice
from programs.models import Enrollment
from tracking import rules


class CrisisResource(models.Model):
    """Where to turn in a crisis, for patients in one country, in Markdown: what "Get
    help now" shows a patient whose enrollment names that country. A practice starts
    with tracking.safety.resources' reviewed defaults and may edit them."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2, e.g. "GB"
    body_md = models.TextField(max_length=4000)
    # Where the numbers were checked (URLs, one a line), so a reviewer can re-check them.
    source = models.TextField(blank=True, max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["practice", "country"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "country"], name="crisis_resource_once"),
        ]

    def __str__(self) -> str:
        return f"Crisis resources ({self.country})"


class SafetyPlan(models.Model):
    """A patient's own personal safety plan (optional): what they notice, what helps,
    who to call. The patient writes it; their care team can read it (audited)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="safety_plan"
    )
    warning_signs = models.TextField(blank=True, max_length=3000)
    coping = models.TextField(blank=True, max_length=3000)
    people_places = models.TextField(blank=True, max_length=3000)
    people_to_call = models.TextField(blank=True, max_length=3000)
    professionals = models.TextField(blank=True, max_length=3000)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("warning_signs", "coping", "people_places", "people_to_call", "professionals")

    def __str__(self) -> str:
        return f"Safety plan {self.pk}"

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name in self.TEXT_FIELDS)


class HoldDecision(models.Model):
    """What a clinician decided about a red-flag safety hold, and why.

    Clear: the patient starts. Refer: to their GP, a specialist or the emergency
    department, recorded here; the program stays on hold or is withdrawn, as the
    clinician chose. Withdraw: the patient leaves the program. The reason is the
    clinician's own words for the record: shown to staff, never written to logs or the
    audit trail (which carry the decision only)."""

    class Decision(models.TextChoices):
        CLEAR = "clear", gettext_lazy("Clear the hold: safe to start the program")
        REFER = "refer", gettext_lazy("Refer the patient for a medical assessment")
        WITHDRAW = "withdraw", gettext_lazy("Withdraw the patient from the program")

    class ReferTo(models.TextChoices):
        GP = "gp", gettext_lazy("Their GP or family doctor")
        SPECIALIST = "specialist", gettext_lazy("A specialist")
        EMERGENCY = "emergency", gettext_lazy("The emergency department")

    class AfterReferral(models.TextChoices):
        KEEP_ON_HOLD = "hold", gettext_lazy("Keep the program on hold until the assessment is back")
        WITHDRAW = "withdraw", gettext_lazy("Withdraw the patient from the program")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="hold_decisions"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices)
    refer_to = models.CharField(max_length=16, choices=ReferTo.choices, blank=True)
    after_referral = models.CharField(max_length=16, choices=AfterReferral.choices, blank=True)
    reason = models.TextField(max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"Hold decision {self.pk} ({self.decision})"


class AlertResolution(models.Model):
    """The documented contact that closes an alert (issue 15): whether the patient was
    reached, when and how, the risk judged after it, and the plan. An alert is resolved
    only with one of these (tracking.alerts.services.alert_resolve)."""

    class Method(models.TextChoices):
        PHONE = "phone", gettext_lazy("Phone")
        VIDEO = "video", gettext_lazy("Video")
        IN_PERSON = "in_person", gettext_lazy("In person")
        MESSAGE = "message", gettext_lazy("Message")
        OTHER = "other", gettext_lazy("Other")

    class Risk(models.TextChoices):
        NONE = "none", gettext_lazy("None")
        LOW = "low", gettext_lazy("Low")
        MEDIUM = "medium", gettext_lazy("Medium")
        HIGH = "high", gettext_lazy("High")

    class Plan(models.TextChoices):
        SAFETY_PLAN = "safety_plan", gettext_lazy("Safety plan made")
        GP_REFERRAL = "gp_referral", gettext_lazy("Referred to their GP / primary care")
        CRISIS_TEAM = "crisis_team", gettext_lazy("Referred to a crisis team")
        EMERGENCY = "emergency", gettext_lazy("Emergency services called")
        CONTINUE = "continue", gettext_lazy("Continue the program")
        PAUSE = "pause", gettext_lazy("Pause the program")
        WITHDRAW = "withdraw", gettext_lazy("Withdraw from the program")
        # Only the clinician's decision on a red-flag safety hold records this
        # (tracking.clinic.services.safety_hold_clear); the resolve form never offers it
        # (tracking.rules.HOLD_DECISION_PLANS).
        HOLD_CLEARED = "hold_cleared", gettext_lazy("Safety hold cleared after clinical review")

    alert = models.OneToOneField(
        "tracking.Alert", on_delete=models.CASCADE, related_name="resolution"
    )
    contacted = models.BooleanField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    risk_after = models.CharField(max_length=8, choices=Risk.choices, blank=True)
    plan = models.JSONField(default=list)  # Plan values, one or more
    note = models.TextField(max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return f"Resolution of alert {self.alert_id}"

    @classmethod
    def form_plan_choices(cls) -> list[tuple[str, str | Promise]]:
        """The plans a person may choose on the resolve form: all but those only a
        safety-hold decision records (tracking.rules.HOLD_DECISION_PLANS)."""
        return [
            (value, label)
            for value, label in cls.Plan.choices
            if value not in rules.HOLD_DECISION_PLANS
        ]

    @property
    def by_hold_decision(self) -> bool:
        """Closed by the clinician's decision on a red-flag safety hold, not by a
        contact with the patient (the decision and its reason are the record)."""
        return any(p in rules.HOLD_DECISION_PLANS for p in self.plan)

    def plan_labels(self) -> list[str]:
        labels = dict(self.Plan.choices)
        return [labels.get(p, p) for p in self.plan]


class AlertContactAttempt(models.Model):
    """A try to reach the patient about an alert that did not get through ("we could
    not reach them"): who, when, how, and a note. For an alert that needs prompt contact
    (tracking.rules.needs_prompt_contact) this does not resolve it: the alert stays open,
    its resolve clock running (tracking.rules.unreached_outcome;
    tracking.alerts.services.alert_contact_attempt)."""

    alert = models.ForeignKey(
        "tracking.Alert", on_delete=models.CASCADE, related_name="contact_attempts"
    )
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=16, choices=AlertResolution.Method.choices)
    note = models.TextField(max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The resolve form's one-time token (painapp.submit_once): the same form sent again
    # (a double click, Save after Back) finds this attempt rather than storing a second.
    client_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["attempted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "client_token"], name="contact_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"Contact attempt for alert {self.alert_id}"
