"""A booster session: program content for the months after the last week."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models

from programs.models import ProgramVersion


class Booster(models.Model):
    """One month's booster of a program version (read from its boosters/ folder)."""

    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="boosters")
    # Opens this many months after the end, counting the end's own month as 1
    # (programs.weeks.booster_opens_on).
    month = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(default=5)
    body_md = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "month"], name="booster_month_unique"),
            models.UniqueConstraint(fields=["version", "slug"], name="booster_slug_unique"),
        ]
        ordering = ["version", "month"]

    def __str__(self) -> str:
        return f"{self.version} booster {self.month}"
