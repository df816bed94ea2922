"""Reads of session notes, for an enrollment the caller fetched through tracking.access."""

from __future__ import annotations

from programs.models import Enrollment
from tracking.session_notes.models import SessionNote

# The patient detail shows the newest sessions; the program has 8 to 9 of them, so a
# longer course is rare, and the page stays one query however many there are.
TIMELINE_SHOWN = 12


def patient_session_notes(enrollment: Enrollment, *, limit: int = TIMELINE_SHOWN) -> list:
    """The newest `limit` session notes with their author, one query."""
    return list(
        SessionNote.objects.filter(enrollment_id=enrollment.pk)
        .select_related("author")
        .order_by("-session_date", "-created_at", "-pk")[:limit]
    )


def session_notes_for_export(enrollment: Enrollment) -> list[SessionNote]:
    """Every session note of the enrollment, oldest first, one query."""
    return list(
        SessionNote.objects.filter(enrollment_id=enrollment.pk).order_by(
            "session_date", "created_at", "pk"
        )
    )


def session_note_csv_rows(enrollment: Enrollment, week_of) -> list[tuple]:
    """The patient's sessions as measurement-CSV rows (tracking.exports.measurements),
    as (sort time, row): recorded_at, program week, "PRT session", the session's date,
    then one measure a row. The clinician's free-text notes stay out of the export, as
    private notes stay out of every staff export; the homework is in. One query."""
    rows: list[tuple] = []
    for note in session_notes_for_export(enrollment):
        at = note.created_at
        context = f"session {note.session_date.isoformat()}"
        for measure, value in (
            ("minutes", note.minutes),
            ("mode", note.mode),
            ("components", "; ".join(note.components)),
            ("somatic_response", note.somatic_response),
            ("exposure_set", note.exposure_set),
            ("exposure_outcome", note.exposure_outcome),
            ("risk_identified", "yes" if note.risk_identified else "no"),
            ("risk_actions", "; ".join(note.risk_actions)),
            ("homework", note.homework),
        ):
            if value != "":
                rows.append((at, [at, week_of(at), "PRT session", context, measure, "", value]))
    return rows
