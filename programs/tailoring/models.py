"""A clinician's changes to one patient's path through the program ("tailoring").

Each row is one change with the short reason the patient is shown. The reasons,
titles and instructions here are written by staff, never by the patient; the one
thing a patient types here, the note on a custom exercise, goes through the safety
scanner (programs.safety.patient_wrote) in `custom_exercise_complete`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from programs.models import Activity, Enrollment, FearItem, ProgramVersion

REASON_MAX = 200


class AdjustmentAction(models.TextChoices):
    ASSIGN = "assign", _("Open now")
    SKIP = "skip", _("Skip")
    MOVE = "move", _("Move to another week")


class SwitchStart(models.TextChoices):
    """Where a program switch puts the patient in the new program (not stored: the
    switch keeps the weeks before and after, and whether it restarted)."""

    CALENDAR = "calendar", _("Keep their calendar: the same week number")
    WEEK_ONE = "week1", _("Start again at week 1 today")
    LAST_WEEK = "last", _("Start the new program's last week today")


class SwitchCause(models.TextChoices):
    """Who moved the patient to another program version, and so what they are told."""

    CLINICIAN = "clinician", _("Their clinician, with a reason")
    # The patient changed the app's language, and their lessons followed it to the same
    # program in that language (programs.language.lessons_follow_language).
    LANGUAGE = "language", _("The patient changed their language")


class ActivityAdjustment(models.Model):
    """One lesson or activity of the program, changed for one patient: opened now,
    skipped (it no longer counts towards their progress), or moved to another week.
    At most one per (enrollment, activity): a new change replaces the old one."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="activity_adjustments"
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=8, choices=AdjustmentAction.choices)
    to_week = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=REASON_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "activity"], name="one_adjustment_per_activity"
            ),
        ]

    # What the patient's note says (templates/programs/tailoring/_change_note.html).
    @property
    def note_kind(self) -> str:
        return self.action


class CustomExercise(models.Model):
    """An exercise a clinician wrote for one patient, shown in a week of their program
    as an activity they can mark done (with an optional note, which is scanned)."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="custom_exercises"
    )
    week = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    instructions = models.TextField(max_length=3000)
    reason = models.CharField(max_length=REASON_MAX)
    minutes = models.PositiveSmallIntegerField(default=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    # Taken back by the clinician: hidden from the patient, kept for the record.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # What the patient wrote when marking it done (optional): scanned for safety words.
    patient_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["week", "created_at", "pk"]
        indexes = [models.Index(fields=["enrollment", "week"])]

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    note_kind = "exercise"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the patient")
    ACCEPTED = "accepted", _("Added to the ladder")
    DECLINED = "declined", _("Not added")


class ExposureSuggestion(models.Model):
    """A step a clinician suggests for the patient's fear ladder. It becomes a rung
    only when the patient accepts it and rates how harmful it feels to them."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="exposure_suggestions"
    )
    label = models.CharField(max_length=200)
    reason = models.CharField(max_length=REASON_MAX)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    fear_item = models.ForeignKey(
        FearItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    note_kind = "suggestion"


class ProgramSwitch(models.Model):
    """A patient moved from one program version to another, with the week they were in
    before and after, and the reason they are shown: a clinician's (another program or
    a newer edition, in the program's language or the patient's), or the patient's own
    change of language (`cause`, no reason typed: the pages say it in the reader's
    language)."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="program_switches"
    )
    from_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    to_version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    week_before = models.PositiveSmallIntegerField()
    week_after = models.PositiveSmallIntegerField()
    restarted = models.BooleanField(default=False)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    cause = models.CharField(
        max_length=10, choices=SwitchCause.choices, default=SwitchCause.CLINICIAN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    # What the patient's note says (templates/programs/tailoring/_change_note.html).
    @property
    def note_kind(self) -> str:
        return "language" if self.cause == SwitchCause.LANGUAGE else "switch"
