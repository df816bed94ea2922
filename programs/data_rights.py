"""What programs keeps about a person, for their data export and account deletion
(painapp.accounts.data_rights, which may not import programs: registered from
ProgramsConfig.ready)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import pgettext

from painapp.accounts.data_rights import PersonalData, RowWords, TablePolicy, row_by_row
from painapp.accounts.models import User
from programs.audio.models import Recording
from programs.forms import WEEKDAYS
from programs.models import (
    ActivityCompletion,
    Attribution,
    AttributionCause,
    Enrollment,
    MedicalAssessment,
    PracticeSession,
    Reflection,
)
from programs.practice.services import sensations_as_now
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    ProgramSwitch,
)


def _activity_title(row: ActivityCompletion | Reflection | Attribution, user: User) -> dict:
    activity = row.activity
    return {"activity_title": activity.title if activity else ""}


def _enrollment_extras(enrollment: Enrollment, user: User) -> dict:
    version = enrollment.program_version
    return {
        "program": pgettext("data download value", "%(title)s (version %(number)s)")
        % {"title": version.title, "number": version.number},
        "practice": enrollment.practice.name,
        "clinician": enrollment.clinician.display_name,
    }


# The spreadsheet's words for values no model choice names (the data download's
# `Readable`): my-data.json keeps the codes.
def _weekday_in_words(row: dict) -> dict:
    days = dict(WEEKDAYS)
    if row.get("checkin_weekday") not in days:
        return {}
    return {"checkin_weekday": str(days[row["checkin_weekday"]])}


def _sensations_in_words(rows: list[dict]) -> RowWords:
    """The sensations a patient picked, as their log shows them (sensations_as_now):
    words picked before their lessons followed their language read as their program
    says them now. One query for the sessions, and one for each enrollment with such
    words."""
    sessions = PracticeSession.objects.filter(
        pk__in=[row["id"] for row in rows if row.get("sensations")]
    ).select_related("enrollment__program_version")
    by_enrollment: dict[int, list[PracticeSession]] = defaultdict(list)
    for session in sessions:
        by_enrollment[session.enrollment_id].append(session)
    now: dict[int, list[str]] = {}
    for group in by_enrollment.values():
        now.update(sensations_as_now(group[0].enrollment, group))

    def words(row: dict) -> dict:
        picked = now.get(row["id"], row.get("sensations") or [])
        return {"sensations": ", ".join(str(w) for w in picked)}

    return words


_WITH_ACTIVITY = TablePolicy(select_related=("activity",), extras=_activity_title)

PERSONAL_DATA = PersonalData(
    # Who looks after the patient, who cleared their safety hold, and who coded a cause
    # of their pain: staff.
    staff_references=(
        Enrollment._meta.get_field("clinician"),
        Enrollment._meta.get_field("screening_cleared_by"),
        AttributionCause._meta.get_field("coded_by"),
        MedicalAssessment._meta.get_field("recorded_by"),
        # A practice's recorded audio: the admin who uploaded it (not patient data).
        Recording._meta.get_field("uploaded_by"),
        # The clinician who tailored the program (programs.tailoring).
        ActivityAdjustment._meta.get_field("created_by"),
        CustomExercise._meta.get_field("created_by"),
        ExposureSuggestion._meta.get_field("created_by"),
        ProgramSwitch._meta.get_field("created_by"),
    ),
    # An enrollment is its patient's: every row pointing at one is about them.
    people={Enrollment: "patient"},
    policies={
        Enrollment: TablePolicy(
            select_related=("program_version", "practice", "clinician"), extras=_enrollment_extras
        ),
        ActivityCompletion: _WITH_ACTIVITY,
        Reflection: _WITH_ACTIVITY,
        Attribution: _WITH_ACTIVITY,
    },
    readable={
        Enrollment: row_by_row(_weekday_in_words),
        PracticeSession: _sensations_in_words,
    },
)
