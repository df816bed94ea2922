"""The fear ladder (graded exposure): its rungs, and each exposure planned and done."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as dj_timezone

from programs.exposure.rules import ExposureBand, exposure_band
from programs.models import ZERO_TO_HUNDRED, ZERO_TO_TEN, Enrollment


class FearItem(models.Model):
    """A rung of the fear ladder: an avoided activity and how harmful it feels (0–100)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="fear_items")
    label = models.CharField(max_length=200)
    harm_rating = models.PositiveSmallIntegerField(validators=ZERO_TO_HUNDRED)
    first_rating = models.PositiveSmallIntegerField(validators=ZERO_TO_HUNDRED)
    position = models.PositiveIntegerField(default=0)
    # The "add a step" form's one-time token (painapp.submit_once): sent again, it finds
    # this rung rather than adding a second. None for older rungs and suggested ones.
    client_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "harm_rating", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "client_token"], name="fear_item_once"),
        ]


class Exposure(models.Model):
    """One planned-then-done exposure: what I expected, and what happened."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="exposures")
    fear_item = models.ForeignKey(
        FearItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="exposures"
    )
    activity = models.CharField(max_length=200)
    predicted_pain = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)
    predicted_harm = models.PositiveSmallIntegerField(validators=ZERO_TO_HUNDRED)
    expectation = models.TextField(blank=True, max_length=1000)
    planned_at = models.DateTimeField(default=dj_timezone.now)
    actual_pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    actual_harm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=ZERO_TO_HUNDRED
    )
    fear_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_HUNDRED)
    note = models.TextField(blank=True, max_length=2000)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The plan form's one-time token (painapp.submit_once): sent again, it finds this
    # plan rather than making a second. None for older plans.
    client_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-planned_at"]
        indexes = [models.Index(fields=["enrollment", "-planned_at"])]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "client_token"], name="exposure_once"),
        ]

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None

    @property
    def pain_violation(self) -> int | None:
        """Predicted minus actual pain: positive means it went better than feared."""
        return None if self.actual_pain is None else self.predicted_pain - self.actual_pain

    @property
    def harm_violation(self) -> int | None:
        return None if self.actual_harm is None else self.predicted_harm - self.actual_harm

    @property
    def band(self) -> ExposureBand | None:
        """How it went against the prediction (programs.exposure.rules.exposure_band);
        None until it is logged."""
        if self.actual_pain is None or self.actual_harm is None:
            return None
        return exposure_band(
            predicted_pain=self.predicted_pain,
            actual_pain=self.actual_pain,
            predicted_harm=self.predicted_harm,
            actual_harm=self.actual_harm,
            fear_after=self.fear_after,
        )
