"""Writing the patient's diary: save (new or edited) and delete an episode.

Every save sends the patient's own words ("what I was doing", "what I told myself")
through the crisis-word scanner (tracking.safety.scanner): a hit raises the urgent
self-harm alert for the care team (unless the entry's alert is still open or
acknowledged, so the team has it already, or the words are the same as its alert
already resolved: tracking.safety.scanner's rule), and the caller shows the patient
where to get help at once and tells them their care team has been told, or, when
nothing new was raised for words already handled, that they were told before.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from painapp import edit_version
from painapp.submit_once import create_once
from programs.models import Enrollment, Reflection
from programs.safety import Crisis
from tracking import rules
from tracking.diary.models import Activity, DiaryEntry, Place, Sleep
from tracking.safety.scanner import scan_text


@dataclass(frozen=True)
class Episode:
    """One episode as the patient describes it (the form's cleaned data)."""

    occurred_at: datetime
    pain: int
    fear: int
    activity: str = ""
    activity_note: str = ""
    place: str = ""
    sleep: str = ""
    stress: int | None = None
    self_talk: str = ""
    clue_reflection: Reflection | None = None
    clue_key: str = ""


@dataclass(frozen=True)
class Saved:
    entry: DiaryEntry
    # The patient wrote a crisis phrase: show them help at once. The care team has an
    # alert not yet resolved for the entry (one raised now, or the one it already had),
    # unless `seen_before`.
    crisis: bool
    # False when the form's one-time token had saved this entry already (Back, then
    # Save again): nothing was written again, nor a second alert raised while the
    # first is not resolved.
    created: bool = True
    # The same words as the entry's alert already resolved: nobody was told again.
    seen_before: bool = False


def _check(enrollment: Enrollment, episode: Episode) -> None:
    errors: dict[str, str] = {}
    for name in ("pain", "fear", "stress"):
        value = getattr(episode, name)
        if value is not None and not 0 <= value <= 10:
            errors[name] = gettext("Choose a number from 0 to 10.")
    for name, choices in (("activity", Activity), ("place", Place), ("sleep", Sleep)):
        value = getattr(episode, name)
        if value and value not in choices.values:
            errors[name] = gettext("Choose one of the answers in the list.")
    if rules.diary_time_problem(episode.occurred_at, timezone.now()):
        errors["occurred_at"] = gettext(
            "Enter a time within the last year, and not later than now."
        )
    clue = episode.clue_reflection
    if clue is not None and (
        clue.enrollment_id != enrollment.pk or episode.clue_key not in (clue.checked or [])
    ):
        errors["clue"] = gettext("Choose one of your clues in the list.")
    if errors:
        raise ValidationError(errors)


def diary_entry_save(
    *,
    enrollment: Enrollment,
    episode: Episode,
    entry: DiaryEntry | None = None,
    client_token: uuid.UUID | None = None,
    edited_from: str | None = None,
) -> Saved:
    """Create an episode, or change `entry` (the patient's own: the caller fetched it
    scoped to their enrollment), then scan its text. A new episode's `client_token`
    (the form's, painapp.submit_once) saves it once: the same token sent again returns
    the entry it made, unchanged (created=False), with its crisis state: the patient
    who wrote a crisis phrase sees the help again (the scanner raises nothing while the
    entry's alert is open or acknowledged, nor for the same words as its resolved one,
    and a new one if they changed).

    `edited_from`: the version of `entry` the edit form was filled in from
    (painapp.edit_version). If the entry was saved since (another tab, another
    device), nothing is saved and EditConflict holds the entry as it is now; the
    caller scans what was typed as not saved (programs.safety.PatientTextForm)."""
    _check(enrollment, episode)
    if entry is not None and entry.enrollment_id != enrollment.pk:
        raise ValidationError(gettext("This entry belongs to another patient."))
    fields = {
        "occurred_at": episode.occurred_at,
        "pain": episode.pain,
        "fear": episode.fear,
        "activity": episode.activity,
        "activity_note": episode.activity_note.strip(),
        "place": episode.place,
        "sleep": episode.sleep,
        "stress": episode.stress,
        "self_talk": episode.self_talk.strip(),
        "clue_reflection": episode.clue_reflection,
        "clue_key": episode.clue_key if episode.clue_reflection else "",
    }
    with transaction.atomic():
        if entry is None:
            entry, created = create_once(
                DiaryEntry, client_token=client_token, enrollment=enrollment, **fields
            )
        else:
            now = DiaryEntry.objects.select_for_update().filter(pk=entry.pk).first()
            if now is not None and not edit_version.is_current(now, edited_from):
                raise edit_version.EditConflict(now)
            created = True
            for name, value in fields.items():
                setattr(entry, name, value)
            entry.save()
        texts = [t for t in (entry.activity_note, entry.self_talk) if t]
        found = scan_text(enrollment, source=f"diary:{entry.pk}", texts=texts)[0]
    return Saved(
        entry=entry,
        crisis=bool(found),
        created=created,
        seen_before=found == Crisis.SEEN,
    )


def diary_entry_delete(*, enrollment: Enrollment, entry: DiaryEntry) -> None:
    """Delete one of the patient's own episodes (an alert it raised stays: the care
    team still needs to see it)."""
    if entry.enrollment_id != enrollment.pk:
        raise ValidationError(gettext("This entry belongs to another patient."))
    entry.delete()
