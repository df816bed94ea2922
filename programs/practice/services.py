"""Writes for the somatic-tracking player: recording a practice session, once.

Kept apart from programs/services.py so the player can grow without touching the
curriculum and enrollment services; it calls them (activity_complete) like any view.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Activity, ActivityKind, Enrollment, PracticeSession, ProgramVersion
from programs.practice.counting import counts_toward_practice
from programs.practice.minimum import min_practice_seconds
from programs.safety import patient_wrote
from programs.services import activity_complete

NOTE_MAX_LENGTH = 2000
# A session is 3–10 minutes; anything past two hours is a page left open, not practice.
DURATION_MAX_SECONDS = 2 * 60 * 60
# A duration the player could not have measured is refused, never cut down to size.
DURATION_MESSAGE = gettext_lazy(
    "We could not save how long this practice took: the time we got is not possible "
    "(a session lasts from 0 seconds to 2 hours). Your answers are all still here. Press "
    "“Save to my log” again to save them without that time."
)


def sensation_words(enrollment: Enrollment) -> list[str]:
    """The words the patient may pick from, from their own program version's guide."""
    return [
        str(w) for w in (enrollment.program_version.tracking_guide or {}).get("sensation_words", [])
    ]


def _as_this_edition(enrollment: Enrollment, words: Iterable[str]) -> dict[str, str]:
    """The rule, in one place: a word picked in another edition of the patient's
    program (before their lessons followed their language to this one,
    programs.language) is the word in the same place of this edition's list (the
    editions list the same sensations in the same order). Returns old word → this
    edition's word, for the words given that are not this edition's; one query, and
    only when there is such a word."""
    current = sensation_words(enrollment)
    known = set(current)
    twins: dict[str, str] = {}
    if any(w not in known for w in words):
        guides = (
            ProgramVersion.objects.filter(program_id=enrollment.program_version.program_id)
            .exclude(pk=enrollment.program_version_id)
            .values_list("tracking_guide", flat=True)
        )
        for guide in guides:
            old_words = [str(w) for w in (guide or {}).get("sensation_words", [])]
            if len(old_words) == len(current):
                for old, new in zip(old_words, current, strict=True):
                    twins.setdefault(old, new)
    return twins


def words_as_now(enrollment: Enrollment, words: Iterable[str]) -> list[str]:
    """Sensation words as the patient's program says them now (_as_this_edition): what
    a player tab opened before a language switch posts is saved as this edition's
    words, as the log shows them; a word of no edition stays as it is (and is
    refused)."""
    words = [str(w) for w in words]
    twins = _as_this_edition(enrollment, words)
    return [twins.get(w, w) for w in words]


def sensations_as_now(
    enrollment: Enrollment, sessions: Iterable[PracticeSession]
) -> dict[int, list[str]]:
    """Each session's sensation words (by session id) as the patient's program says
    them now (_as_this_edition); what was stored stays as it is."""
    sessions = list(sessions)
    twins = _as_this_edition(enrollment, [w for s in sessions for w in s.sensations])
    return {s.pk: [twins.get(w, w) for w in s.sensations] for s in sessions}


def practice_activity_for_week(
    enrollment: Enrollment, at: datetime | None = None
) -> Activity | None:
    """The 'practice' activity of the enrollment's current week, if that week has one."""
    week = enrollment.current_week(at)
    if week < 1:
        return None
    return (
        Activity.objects.filter(
            week__version_id=enrollment.program_version_id,
            week__number=week,
            kind=ActivityKind.PRACTICE,
        )
        .order_by("order")
        .first()
    )


def practice_session_record(
    *,
    enrollment: Enrollment,
    client_token: uuid.UUID,
    pain_before: int,
    threat_before: int,
    pain_after: int,
    threat_after: int,
    sensations: Iterable[str] = (),
    note: str = "",
    duration_seconds: int = 0,
    at: datetime | None = None,
) -> tuple[PracticeSession, bool]:
    """Record one somatic-tracking session and mark the week's practice done.

    Returns (session, created). The player sends the same `client_token` with every
    attempt to save one session, so a retry after a lost response, a double tap or a
    re-sent form finds the row already there and returns it unchanged (created=False).
    The unique constraint on (enrollment, client_token) makes this hold even when two
    attempts race: get_or_create catches the loser's IntegrityError and reads the row.
    The token is only ever looked up within `enrollment`, so one patient's token can
    never reach another patient's row.

    `local_date` is the patient's own calendar date at `at` (now by default), so a
    session at 23:30 in Los Angeles counts for that day, not for tomorrow in UTC.

    A word of another edition of the program (a player opened before a language
    switch) is saved as this edition's (words_as_now).

    Raises ValidationError for a rating outside 0–10, a word not in the guide, a
    duration outside 0 seconds–2 hours, or a note over 2000 characters; nothing is
    saved then.
    """
    ratings = {
        "pain_before": pain_before,
        "threat_before": threat_before,
        "pain_after": pain_after,
        "threat_after": threat_after,
    }
    errors: dict[str, str] = {}
    for name, value in ratings.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            errors[name] = _("Choose a number from 0 to 10.")
    allowed = sensation_words(enrollment)
    picked = set(words_as_now(enrollment, sensations))
    if picked - set(allowed):
        errors["sensations"] = _("Please pick words from the list only.")
    if (
        isinstance(duration_seconds, bool)
        or not isinstance(duration_seconds, int)
        or not 0 <= duration_seconds <= DURATION_MAX_SECONDS
    ):
        errors["duration_seconds"] = str(DURATION_MESSAGE)
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Please keep your note to %(n)s characters or fewer.") % {
            "n": f"{NOTE_MAX_LENGTH:,}"
        }
    if errors:
        raise ValidationError(errors)

    at = at or timezone.now()
    with transaction.atomic():
        session, created = PracticeSession.objects.get_or_create(
            enrollment=enrollment,
            client_token=client_token,
            defaults={
                **ratings,
                "practiced_at": at,
                "local_date": enrollment.local_date(at),
                "duration_seconds": duration_seconds,
                # The guide's order, not the order of clicks, so the log reads the same way.
                "sensations": [w for w in allowed if w in picked],
                "note": note,
            },
        )
        if created and counts_toward_practice(
            duration_seconds, min_seconds=min_practice_seconds(enrollment.practice_id)
        ):
            # update(), not save(): a counter, so no lost increments, and updated_at
            # (the day a closed enrollment ended, for the reports) stays as it was.
            # Only sessions of the practice's minimum length count (a shorter one is
            # kept, and still marks the week's practice done: the patient is never
            # told off for a short one).
            Enrollment.objects.filter(pk=enrollment.pk).update(
                practice_sessions_logged=F("practice_sessions_logged") + 1
            )
        if created:
            activity = practice_activity_for_week(enrollment, at)
            if activity is not None:
                activity_complete(enrollment=enrollment, activity=activity)
        # A repeat too (a retry whose first answer never reached the phone): its alert
        # is raised once, but the patient must still see the help.
        patient_wrote(enrollment, source=f"practice:{session.pk}", texts=[session.note])
    return session, created
