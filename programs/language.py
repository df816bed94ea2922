"""What the patient's language page says about their lessons (registered with
painapp.accounts.views.language.language_notes in ProgramsConfig.ready).

A program version has one language (ProgramVersion.language), and an enrollment is on
one version, chosen in the patient's language when they were invited
(programs.services.version_for_patient). Changing the app's language later does not
move them: the only switch between versions (programs.tailoring.switching, a
clinician's) keeps to the enrollment's language, as the check-ins, reflections and
tailoring it carries over are in it. So the page says so, rather than staying silent
while the lessons stay in the old language."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from programs.models import Enrollment, EnrollmentStatus

# Enrollments whose lessons the patient reads (not one withdrawn or still invited).
LESSON_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.COMPLETED)


def _name(code: str) -> str:
    return str(get_language_info(code)["name_translated"])


def lesson_language_notes(request: HttpRequest) -> list[str]:
    """For a patient on a program: which language their lessons are in, and, when it
    is not the one they read the app in, that their care team can help. One query
    (and the membership's, cached for the request)."""
    membership = membership_for(request)
    if membership is None or membership.role != Role.PATIENT:
        return []
    lessons = (
        Enrollment.objects.filter(
            patient_id=request.user.pk,
            practice_id=membership.practice_id,
            status__in=LESSON_STATUSES,
        )
        .order_by("-created_at")
        .values_list("program_version__language", flat=True)
        .first()
    )
    if lessons is None:
        return []
    chosen = getattr(request.user, "language", "")
    notes = [
        _(
            "Your lessons stay in %(lessons)s, the language your program started in. "
            "Changing the language here does not change them."
        )
        % {"lessons": _name(lessons)}
    ]
    if chosen != lessons:
        notes.append(
            _(
                "If you would like your lessons in %(chosen)s, tell your care team. "
                "They can talk it through with you."
            )
            % {"chosen": _name(chosen)}
        )
    return notes
