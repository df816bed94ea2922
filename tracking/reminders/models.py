"""The reminder schedules and their deliveries (ARCHITECTURE.md, "Scheduling, exactly once")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy

from programs.models import Enrollment


class ReminderPreferences(models.Model):
    """What the patient wants to be reminded of, how and when. Editable by them."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    practice_enabled = models.BooleanField(default=True)
    practice_time = models.TimeField(default="09:00")
    practice_days = models.JSONField(default=list, help_text="0=Mon … 6=Sun; empty = every day")
    checkin_enabled = models.BooleanField(default=True)
    paused = models.BooleanField(default=False)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    email_enabled = models.BooleanField(default=True)
    in_app_enabled = models.BooleanField(default=True)
    sms_enabled = models.BooleanField(default=False)
    phone = models.CharField(max_length=32, blank=True)
    unsubscribed_at = models.DateTimeField(
        null=True, blank=True, help_text="Unsubscribed from email reminders."
    )
    updated_at = models.DateTimeField(auto_now=True)

    # What the patient edits on their reminder settings page (its version,
    # painapp.edit_version, is by these saved values and VERSIONED_FIELDS': a
    # clinician's pause and an email's unsubscribe link change the row too).
    PATIENT_FIELDS = (
        "paused",
        "practice_enabled",
        "practice_time",
        "practice_days",
        "checkin_enabled",
        "quiet_start",
        "quiet_end",
        "email_enabled",
        "in_app_enabled",
        "sms_enabled",
        "phone",
    )
    # The settings form's version: what it edits, and the unsubscribe link's change
    # (an `.update()` of `unsubscribed_at` only), so a tab opened before an unsubscribe
    # is refused rather than turning the emails back on.
    VERSIONED_FIELDS = (*PATIENT_FIELDS, "unsubscribed_at")

    def __str__(self) -> str:
        return f"Reminder preferences {self.pk}"

    @property
    def channels(self) -> list[str]:
        out = []
        if self.email_enabled and self.unsubscribed_at is None:
            out.append("email")
        if self.in_app_enabled:
            out.append("in_app")
        if self.sms_enabled and self.phone:
            out.append("sms")
        return out


class ReminderSchedule(models.Model):
    """A recurring reminder. `next_due_at` (UTC) is computed from the patient's wall
    clock and time zone; the sweep claims due rows and advances it."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", gettext_lazy("Daily practice")
        CHECKIN = "checkin", gettext_lazy("Check-in")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="reminder_schedules"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    next_due_at = models.DateTimeField(null=True, blank=True)
    # For check-in reminders: which check-in and stage the next fire is for.
    next_slot = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind"], name="one_schedule_per_kind"),
        ]
        indexes = [
            # sweep_due_reminders: active schedules whose time has come
            models.Index(fields=["next_due_at"], condition=Q(active=True), name="reminder_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder {self.pk}"


class Delivery(models.Model):
    """One reminder sent (or to be sent) on one channel. Unique per (schedule, slot,
    channel): a second claim of the same slot inserts nothing."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    schedule = models.ForeignKey(
        ReminderSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    slot = models.CharField(max_length=64, help_text="The local day or check-in stage.")
    channel = models.CharField(max_length=16)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set by the worker that claims it; renewed by that worker's heartbeat while it
    # lives. A "sending" row whose claim has not been renewed for CLAIM_TIMEOUT
    # belongs to a dead worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # If the delivery is still pending then, the minute sweep hands it to a worker
    # again (its message was lost, or a retry's was). Empty: at the next sweep — the
    # broker refused the message.
    requeue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "slot", "channel"], name="delivery_once"),
        ]
        indexes = [
            # admins' "failed deliveries" list
            models.Index(
                fields=["status", "-created_at"],
                condition=Q(status="failed"),
                name="delivery_failed_idx",
            ),
            # requeue_stale_deliveries, every minute: pending ones to queue again (or
            # to give up on), among the few rows not yet finished
            models.Index(
                fields=["requeue_at"], condition=Q(status="pending"), name="delivery_pending_idx"
            ),
            # requeue_stale_deliveries: claims of workers that died
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="delivery_sending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"
