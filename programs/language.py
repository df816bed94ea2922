"""A patient's lessons follow the language they read the app in (registered with
painapp.accounts.views.language in ProgramsConfig.ready).

A program version has one language (ProgramVersion.language), and an enrollment is on
one version, chosen in the patient's language when they were invited
(programs.services.version_for_patient). When the patient changes the app's language
and their program has an edition in it, their program moves to that edition
(`lessons_follow_language`): the newest version of the same program in the new
language, keeping their calendar (the same week), through the same whole switch as a
clinician's (programs.tailoring.switching.program_switch: completions, reflections and
tailoring carried by slug, check-ins still to answer asked in the new language; what
the patient wrote stays as written). It just happens, with a note on the next page:
the patient asked for the app in that language, and a program in another one is not
what anyone reading it would choose. When the program has no edition in that language,
or is over, the language page says the lessons stay as they are
(`lesson_language_notes`); before the patient has started (no page says it yet), the
next page does, in the same words.

The same rule, here and nowhere else, runs whenever a patient's language is set
(painapp.accounts.views.language.language_follow): on the language page, and when
they accept their invitation in another language than the one they were invited in
(the program was chosen in the invitation's language), before they have started. A
patient who has not started (still invited, no completions) switches the same way,
audited and listed for the clinician as a switch by language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Membership, Role, User
from programs.models import Enrollment, EnrollmentStatus, ProgramVersion
from programs.tailoring.models import SwitchCause, SwitchStart
from programs.tailoring.switching import program_switch

# Enrollments whose lessons the patient reads (not one withdrawn or still invited).
LESSON_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.COMPLETED)
# ... and those whose lessons can still move to another language: one not started yet
# too (accepting the invitation, onboarding), not a finished one (its check-ins and
# boosters are dated from its end).
FOLLOWING_STATUSES = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


def _name(code: str) -> str:
    return str(get_language_info(code)["name_translated"])


def edition_in(version: ProgramVersion, language: str) -> ProgramVersion | None:
    """The newest version of `version`'s program in `language`, or None when it has
    none (or `version` is already in it). One query."""
    if version.language == language:
        return None
    return (
        ProgramVersion.objects.filter(program_id=version.program_id, language=language)
        .order_by("-number")
        .first()
    )


def _patient_enrollment(membership: Membership | None, user: User) -> Enrollment | None:
    if membership is None or membership.role != Role.PATIENT or membership.user_id != user.pk:
        return None
    return (
        Enrollment.objects.filter(
            patient_id=user.pk,
            practice_id=membership.practice_id,
            status__in=(EnrollmentStatus.INVITED, *LESSON_STATUSES),
        )
        .select_related("program_version")
        .order_by("-created_at")
        .first()
    )


def lessons_follow_language(
    *, request: HttpRequest, user: User, membership: Membership | None
) -> list[str]:
    """`user`'s language has just been set (in the transaction that saved it), as a
    member of `membership`'s practice: move the program they are on there to its
    edition in that language, if it has one, keeping their calendar. Returns what the
    next page tells them (in the new language, which is active)."""
    enrollment = _patient_enrollment(membership, user)
    if enrollment is None or enrollment.status not in FOLLOWING_STATUSES:
        return []
    started = enrollment.status != EnrollmentStatus.INVITED
    edition = edition_in(enrollment.program_version, user.language)
    if edition is None:
        lessons = enrollment.program_version.language
        if started or lessons == user.language:
            # Started: the language page's own note says it (lesson_language_notes).
            return []
        # Not started (the invitation accepted in another language): no page says it
        # yet, so the next one does, in the language page's words.
        return [_no_edition_note(lessons, user.language)]
    try:
        switch = program_switch(
            enrollment=enrollment,
            to_version=edition,
            reason="",
            by=user,
            start=SwitchStart.CALENDAR,
            cause=SwitchCause.LANGUAGE,
            request=request,
        )
    except ValidationError:
        # Not possible today (the editions have the same weeks); if it ever is, the
        # language is saved and the page says the lessons stayed.
        return []
    if not started:
        # Nothing done yet, no week to stay in: just which language the lessons are in.
        return [
            _(
                "Your lessons are in %(lessons)s too. If you choose another language, "
                "your lessons change with it when your program has them in that language."
            )
            % {"lessons": _name(edition.language)}
        ]
    return [
        _(
            "Your lessons are in %(language)s now too. You are still in week %(week)s. "
            "What you have done is still done, and what you wrote stays as you wrote it."
        )
        % {"language": _name(edition.language), "week": switch.week_after}
    ]


def lesson_language_notes(request: HttpRequest) -> list[str]:
    """For a patient on a program: which language their lessons are in and, when it is
    not the one they read the app in, why. One query (and the membership's, cached
    for the request)."""
    membership = membership_for(request)
    if membership is None or membership.role != Role.PATIENT:
        return []
    chosen = getattr(request.user, "language", "")
    found = (
        Enrollment.objects.filter(
            patient_id=request.user.pk,
            practice_id=membership.practice_id,
            status__in=LESSON_STATUSES,
        )
        .order_by("-created_at")
        .annotate(
            has_edition=Exists(
                ProgramVersion.objects.filter(
                    program_id=OuterRef("program_version__program_id"), language=chosen
                )
            )
        )
        .values_list("program_version__language", "status", "has_edition")
        .first()
    )
    if found is None:
        return []
    lessons, status, has_edition = found
    if lessons == chosen:
        return [
            _(
                "Your lessons are in %(lessons)s too. If you choose another language, "
                "your lessons change with it when your program has them in that language."
            )
            % {"lessons": _name(lessons)}
        ]
    if status == EnrollmentStatus.COMPLETED:
        return [
            _("Your program is finished, so your lessons stay in %(lessons)s.")
            % {"lessons": _name(lessons)}
        ]
    if has_edition:
        # Only from before the lessons followed the language (on this page, then when
        # an invitation is accepted): the clinician's switch offers that edition
        # (switching.other_language_allowed).
        return [
            _(
                "Your lessons are still in %(lessons)s. Your care team can move them to "
                "%(chosen)s for you."
            )
            % {"lessons": _name(lessons), "chosen": _name(chosen)}
        ]
    return [_no_edition_note(lessons, chosen)]


def _no_edition_note(lessons: str, chosen: str) -> str:
    """The program has no edition in `chosen`, the language the patient reads the app
    in: the lessons stay in `lessons`."""
    return _(
        "Your program does not have lessons in %(chosen)s yet, so your lessons stay "
        "in %(lessons)s. If reading them is hard, tell your care team. They can talk "
        "it through with you."
    ) % {"lessons": _name(lessons), "chosen": _name(chosen)}
