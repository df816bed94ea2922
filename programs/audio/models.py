"""A practice's own recorded audio: one recording per somatic-tracking step or guided
session, per language, each with its transcript.

Not patient data (it is the practice's, like its safety settings): every member of the
practice may hear it, nobody else. The file lives in Django's default storage under a
name painapp chooses (never the uploader's file name) and is only ever served through
`programs.audio.views.recording_file`, which checks the practice: there is no public
media URL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import Practice

# Guided sessions come in these lengths (minutes); a slot is "session:<minutes>".
SESSION_MINUTES = (5, 10, 15)
STEP_PREFIX = "step:"
SESSION_PREFIX = "session:"


def session_slot(minutes: int) -> str:
    return f"{SESSION_PREFIX}{minutes}"


def step_slot(key: str) -> str:
    return f"{STEP_PREFIX}{key}"


def recording_path(instance: Recording, filename: str) -> str:
    # The name is ours: the practice's folder, the file's own digest and the extension
    # of the format it really is (services.recording_save passes "<sha256>.<ext>").
    return f"audio/{instance.practice_id}/{filename}"


class Recording(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="recordings")
    # "step:<key>" (a step of the somatic-tracking guide, by its key) or "session:<minutes>".
    slot = models.CharField(max_length=64)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    file = models.FileField(upload_to=recording_path, max_length=255)
    # What the file was found to be (programs.audio.sniff), sent as its Content-Type.
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    transcript = models.TextField(_("Transcript"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "programs"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "slot", "language"], name="recording_slot_unique"
            )
        ]
        ordering = ["practice", "language", "slot"]

    def __str__(self) -> str:
        return f"Recording {self.pk} ({self.slot}, {self.language})"

    @property
    def is_session(self) -> bool:
        return self.slot.startswith(SESSION_PREFIX)
