"""Saving, replacing and deleting a practice's recordings. Each change is one
transaction with its `practice_audio.*` audit event (a settings change, with before and
after); an old file leaves storage only once the change has committed."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from painapp.accounts.audit import audit
from painapp.accounts.models import Practice, User
from programs.audio.models import Recording
from programs.audio.sniff import AudioFormat


def _described(recording: Recording | None) -> dict | None:
    """A recording as the audit trail keeps it: no file contents, the words in full."""
    if recording is None:
        return None
    return {
        "file": recording.file.name,
        "content_type": recording.content_type,
        "size": recording.size,
        "transcript": recording.transcript,
    }


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()[:32]


def _delete_file_after_commit(name: str | None) -> None:
    if not name:
        return
    doomed: str = name
    storage = Recording._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(doomed))


def recording_save(
    *,
    request: HttpRequest,
    practice: Practice,
    uploaded_by: User,
    slot: str,
    language: str,
    upload: UploadedFile,
    audio_format: AudioFormat,
    transcript: str,
) -> tuple[Recording, bool]:
    """Store `upload` as the practice's recording for (slot, language), replacing any
    there was. Returns (recording, replaced)."""
    storage = Recording._meta.get_field("file").storage
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update()
            .filter(practice=practice, slot=slot, language=language)
            .first()
        )
        before = _described(recording)
        old_name = (recording.file.name or "") if recording is not None else ""
        if recording is None:
            recording = Recording(practice=practice, slot=slot, language=language)
        recording.content_type = audio_format.content_type
        recording.size = upload.size or 0
        recording.transcript = transcript
        recording.uploaded_by = uploaded_by
        # Our name: the content's digest, with the extension of what the file really is
        # (never the uploader's file name, which may say anything).
        recording.file.save(f"{_digest(upload)}.{audio_format.extension}", upload, save=False)
        new_name = recording.file.name or ""
        # A save that fails must not leave the new file behind in storage.
        try:
            recording.save()
            audit(
                request,
                "practice_audio.changed",
                practice=practice,
                obj=recording,
                changes={f"{slot}|{language}": [before, _described(recording)]},
            )
        except Exception:
            storage.delete(new_name)
            raise
        _delete_file_after_commit(old_name)
    return recording, before is not None


def recording_delete(*, request: HttpRequest, recording: Recording) -> None:
    """Remove the recording; patients hear the read-aloud voice for it again."""
    with transaction.atomic():
        before = _described(recording)
        name = recording.file.name
        pk = recording.pk
        recording.delete()
        audit(
            request,
            "practice_audio.deleted",
            practice=recording.practice,
            object_type="programs.recording",
            object_id=str(pk),
            changes={f"{recording.slot}|{recording.language}": [before, None]},
        )
        _delete_file_after_commit(name)
