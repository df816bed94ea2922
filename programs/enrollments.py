"""Writes for practice admins: an enrollment's life after the invitation (transfer,
complete, withdraw), moving caseloads, and deactivating a clinician.

Pause and resume are programs.services.enrollment_pause/resume. Every function here
checks its own rules and raises ValidationError with a sentence an admin can read, and
changes only what programs owns: the admin's action is the service of the same name in
tracking.lifecycle, which adds tracking's follow-up and the audit event in the same
transaction (programs may not import tracking).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from painapp.accounts.badges import badges_changed
from painapp.accounts.models import Invitation, Membership, Practice, Role, User
from painapp.accounts.services import membership_deactivate
from programs import weeks
from programs.models import Enrollment, EnrollmentStatus

OPEN_STATUSES = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)
# A clinician's caseload: open enrollments and completed ones (whose follow-up
# check-ins and alerts still go to the clinician). Withdrawn ones stay as they were.
CASELOAD_STATUSES = (*OPEN_STATUSES, EnrollmentStatus.COMPLETED)


def active_patient_count(practice: Practice) -> int:
    """The practice overview's "active patients": people with an active enrollment in
    this practice (not invited, paused, completed or withdrawn), whose account is on.
    Someone with two such enrollments counts once."""
    return (
        Enrollment.objects.filter(
            practice=practice, status=EnrollmentStatus.ACTIVE, patient__is_active=True
        )
        .values("patient_id")
        .distinct()
        .count()
    )


def _active_clinician(practice: Practice, user: User | None) -> User:
    if (
        user is None
        or not Membership.objects.filter(
            user=user, practice=practice, role=Role.CLINICIAN, is_active=True
        ).exists()
    ):
        raise ValidationError(gettext("Choose a clinician who is active in this practice."))
    return user


def enrollment_transfer(*, enrollment: Enrollment, to_clinician: User) -> None:
    """Hand one patient to another clinician of the same practice.

    A patient who has not accepted their invitation yet keeps a waiting invitation
    that names their clinician: it follows the enrollment.
    """
    _active_clinician(enrollment.practice, to_clinician)
    if to_clinician.pk == enrollment.clinician_id:
        raise ValidationError(gettext("This patient is already with that clinician."))
    if enrollment.status not in CASELOAD_STATUSES:
        raise ValidationError(gettext("A withdrawn enrollment cannot move to another clinician."))
    with transaction.atomic():
        enrollment.clinician = to_clinician
        enrollment.save(update_fields=["clinician", "updated_at"])
        badges_changed(enrollment.practice_id)  # the alerts each clinician sees
        Invitation.objects.filter(
            membership__user_id=enrollment.patient_id,
            membership__practice_id=enrollment.practice_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(clinician=to_clinician)


def enrollment_complete(*, enrollment: Enrollment) -> None:
    """Mark the program finished (normally after the last week). Reminders stop;
    follow-up check-ins still run."""
    if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
        raise ValidationError(gettext("Only an active or paused enrollment can be completed."))
    _close(enrollment, EnrollmentStatus.COMPLETED)


def enrollment_withdraw(*, enrollment: Enrollment) -> None:
    """Take the patient off the program. Nothing is deleted; reminders and check-ins
    stop. A patient who never accepted the invitation also loses the link."""
    if enrollment.status not in OPEN_STATUSES:
        raise ValidationError(gettext("This enrollment is already closed."))
    with transaction.atomic():
        if enrollment.status == EnrollmentStatus.INVITED:
            Invitation.objects.filter(
                membership__user_id=enrollment.patient_id,
                membership__practice_id=enrollment.practice_id,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            ).update(revoked_at=timezone.now())
        _close(enrollment, EnrollmentStatus.WITHDRAWN)


def _close(enrollment: Enrollment, status: str) -> None:
    # A paused enrollment's days on pause are counted in, so the weeks it reached stay
    # what they were on the day it closed.
    if enrollment.paused_on is not None:
        enrollment.paused_days = weeks.days_paused(
            today=enrollment.local_date(),
            paused_days=enrollment.paused_days,
            paused_on=enrollment.paused_on,
        )
        enrollment.paused_on = None
    enrollment.status = status
    enrollment.save(update_fields=["status", "paused_on", "paused_days", "updated_at"])


def caseload_reassign(
    *, practice: Practice, from_clinician: User, to_clinician: User
) -> list[Enrollment]:
    """Move `from_clinician`'s caseload (open and completed enrollments) to `to_clinician`.

    Returns the enrollments moved (with their patients loaded, for the audit trail).
    Waiting patient invitations that name the old clinician move too.
    """
    _active_clinician(practice, to_clinician)
    if from_clinician.pk == to_clinician.pk:
        raise ValidationError(gettext("Choose a different clinician to take over these patients."))
    with transaction.atomic():
        moved = list(
            Enrollment.objects.select_for_update(of=("self",))
            .filter(practice=practice, clinician=from_clinician, status__in=CASELOAD_STATUSES)
            .select_related("patient")
        )
        Enrollment.objects.filter(pk__in=[e.pk for e in moved]).update(
            clinician=to_clinician, updated_at=timezone.now()
        )
        badges_changed(practice.pk)
        Invitation.objects.filter(
            membership__practice=practice,
            clinician=from_clinician,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(clinician=to_clinician)
    for enrollment in moved:
        enrollment.clinician = to_clinician
    return moved


def clinician_deactivate(
    *, practice: Practice, clinician: User, reassign_to: User | None
) -> list[Enrollment]:
    """Switch a clinician off, handing their caseload to `reassign_to` first.

    With patients still in their care and nobody to take them, nothing changes and a
    ValidationError says so: no patient is ever left without a clinician. Their
    sessions end at once (painapp.accounts.services). Returns the enrollments
    that moved.
    """
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user")
            .filter(practice=practice, user=clinician, role=Role.CLINICIAN)
            .first()
        )
        if membership is None or not membership.is_active:
            raise ValidationError(gettext("This clinician is not active in your practice."))
        open_count = Enrollment.objects.filter(
            practice=practice, clinician=clinician, status__in=CASELOAD_STATUSES
        ).count()
        moved: list[Enrollment] = []
        if open_count:
            if reassign_to is None:
                raise ValidationError(
                    ngettext(
                        "%(name)s still looks after %(n)s patient. Choose who takes them over.",
                        "%(name)s still looks after %(n)s patients. Choose who takes them over.",
                        open_count,
                    )
                    % {"name": clinician.display_name, "n": open_count}
                )
            moved = caseload_reassign(
                practice=practice, from_clinician=clinician, to_clinician=reassign_to
            )
        membership_deactivate(membership=membership)
    return moved
