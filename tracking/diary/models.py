"""The patient's pain and fear diary: one row per episode they chose to log.

In tracking, not programs (where the practice logs live), because an episode is a
measurement the care team follows over time: it is charted with tracking.charts on
the progress page and the patient's detail page, and its free text goes straight to
tracking.safety.scanner.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.models import Enrollment, Reflection


class Activity(models.TextChoices):
    SITTING = "sitting", _("Sitting")
    STANDING = "standing", _("Standing")
    WALKING = "walking", _("Walking")
    BENDING = "bending", _("Bending or lifting")
    HOUSEWORK = "housework", _("Housework or chores")
    WORK = "work", _("Working")
    EXERCISE = "exercise", _("Exercise or sport")
    DRIVING = "driving", _("Driving or travelling")
    RESTING = "resting", _("Lying down or resting")
    WAKING = "waking", _("Waking up")
    OTHER = "other", _("Something else")


class Sleep(models.TextChoices):
    WELL = "well", _("Slept well")
    OK = "ok", _("Slept so-so")
    POORLY = "poorly", _("Slept poorly")


class Place(models.TextChoices):
    HOME = "home", _("At home")
    WORK = "work", _("At work")
    OUTSIDE = "outside", _("Outdoors")
    TRAVEL = "travel", _("On the way somewhere")
    SOCIAL = "social", _("With other people")
    CARE = "care", _("At a health appointment")
    OTHER = "other", _("Somewhere else")


class DiaryEntry(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="diary_entries"
    )
    occurred_at = models.DateTimeField()  # UTC; entered in the patient's own zone
    activity = models.CharField(max_length=16, choices=Activity.choices, blank=True)
    activity_note = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=16, choices=Place.choices, blank=True)
    sleep = models.CharField(max_length=16, choices=Sleep.choices, blank=True)
    stress = models.PositiveSmallIntegerField(null=True, blank=True)  # 0–10
    pain = models.PositiveSmallIntegerField()  # 0–10
    fear = models.PositiveSmallIntegerField()  # 0–10
    self_talk = models.TextField(max_length=2000, blank=True)  # "what I told myself"
    # A clue the patient ticked in an evidence checklist (Reflection.checked), if they
    # linked one: the checklist and the clue's key in it.
    clue_reflection = models.ForeignKey(
        Reflection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clue_key = models.CharField(max_length=64, blank=True)
    # The new-entry form's one-time token (painapp.submit_once): sent again by Back and
    # Save, it finds this entry rather than making a second. None for older entries.
    client_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            # the diary list and the charts: one enrollment's newest episodes
            models.Index(fields=["enrollment", "-occurred_at"], name="diary_entry_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain__lte=10, fear__lte=10)
                & (models.Q(stress__isnull=True) | models.Q(stress__lte=10)),
                name="diary_entry_scores_0_10",
            ),
            models.UniqueConstraint(fields=["enrollment", "client_token"], name="diary_entry_once"),
        ]

    def __str__(self) -> str:
        return f"Diary entry {self.pk}"
