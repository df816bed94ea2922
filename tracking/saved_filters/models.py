"""A clinician's saved caseload filters (issue 19, point 7).

A saved filter is a name and the caseload's filter set: the status, the three "show only"
checks and the sort. The name search is left out on purpose: it is usually a patient's
name, and a stored filter should not keep patients' names around (nor outlive their
deletion). Each filter belongs to one user at one practice: a clinician who works at two
practices has two lists, and nobody else ever sees either.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from painapp.accounts.models import Practice

SAVED_FILTER_NAME_MAX = 60
SAVED_FILTERS_MAX = 20  # a short list to pick from, not a second caseload


class SavedCaseloadFilter(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_caseload_filters"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=SAVED_FILTER_NAME_MAX)
    status = models.CharField(max_length=16, blank=True)
    has_alerts = models.BooleanField(default=False)
    not_improving = models.BooleanField(default=False)
    missed = models.BooleanField(default=False)
    sort = models.CharField(max_length=16, default="alerts")
    direction = models.CharField(max_length=4, default="desc")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            # One list per (user, practice): names are how the clinician tells them apart.
            models.UniqueConstraint(
                "user", "practice", models.functions.Lower("name"), name="saved_filter_name_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Saved caseload filter {self.pk}"
