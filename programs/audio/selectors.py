"""Reads of a practice's recordings: what the admin page lists, and what the player
plays (for one practice and one language, in one query)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from programs.audio.models import (
    SESSION_MINUTES,
    Recording,
    session_slot,
    step_slot,
)
from programs.models import ProgramVersion


@dataclass(frozen=True)
class Slot:
    key: str  # "step:settle", "session:10"
    label: str


def step_titles(language: str) -> dict[str, str]:
    """Every somatic-tracking step key of the programs' newest versions, in guide order,
    with its title in `language` (English where a program has no version in it)."""
    titles: dict[str, str] = {}
    seen: set[tuple[int, str]] = set()
    versions = ProgramVersion.objects.only("program_id", "language", "tracking_guide").order_by(
        "program_id", "-number"
    )
    for version in versions:
        if (version.program_id, version.language) in seen:
            continue
        seen.add((version.program_id, version.language))
        for step in (version.tracking_guide or {}).get("steps", []):
            key = step.get("key")
            if not key:
                continue
            if version.language == language or key not in titles:
                titles[key] = step.get("title") or key
    return titles


def slots(language: str) -> list[Slot]:
    """What a practice can record: each step of the guide, then the guided sessions."""
    steps = [
        Slot(step_slot(key), _("Step: %(title)s") % {"title": title})
        for key, title in step_titles(language).items()
    ]
    sessions = [
        Slot(session_slot(m), _("Guided session, %(n)s minutes") % {"n": m})
        for m in SESSION_MINUTES
    ]
    return steps + sessions


def language_names() -> dict[str, str]:
    # Each language by its own name ("Español"), as the language menus show them.
    return dict(settings.LANGUAGES)


def recording_url(recording: Recording) -> str:
    return reverse("audio_file", args=[recording.pk])


def admin_rows(practice_id: int, language: str) -> list[dict]:
    """One row per slot and language, each with its recording or None (one query)."""
    found = {
        (r.slot, r.language): r
        for r in Recording.objects.filter(practice_id=practice_id).select_related("uploaded_by")
    }
    names = language_names()
    known = slots(language)
    # A step the guide no longer has keeps its recording listed, so it can be deleted.
    keys = {s.key for s in known}
    known += [Slot(key, key) for key in sorted({k for k, _ in found} - keys)]
    return [
        {
            "slot": slot,
            "language": code,
            "language_name": names[code],
            "recording": found.get((slot.key, code)),
        }
        for slot in known
        for code, _name in settings.LANGUAGES
    ]


def for_player(practice_id: int, language: str) -> dict[str, Recording]:
    """The practice's recordings in `language`, by slot (one query)."""
    return {
        r.slot: r
        for r in Recording.objects.filter(practice_id=practice_id, language=language).only(
            "pk", "slot", "transcript", "content_type", "language"
        )
    }
