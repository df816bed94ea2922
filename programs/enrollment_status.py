"""How an enrollment's status reads to staff: the one place that says it.

An enrollment stays "invited" until the patient has finished onboarding, but a patient
who has accepted the invitation is onboarding, not invited (accepting turns their
membership of the practice on), and one whose screening found red flags waits for a
clinician's safety review. Every staff screen that shows an enrollment's status says it
with `status_label`: the caseload (tracking.clinic.caseload), the clinician's patient
header and printed summary, and the practice admin's enrollment list, detail and
confirmation pages (the `enrollment_status` template filter).

Whether the patient accepted is read in the same query that loads the enrollment, as
the annotation `accepted` (`with_accepted`, or `accepted=invitation_accepted()` in a
.values() query): never a query per enrollment. tracking.access.enrollment_for_staff
loads it for every staff page of one enrollment.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext

from painapp.accounts.models import Membership
from programs.models import Enrollment, EnrollmentStatus, Screening


def invitation_accepted() -> Exists:
    """Whether the enrollment's patient has accepted the invitation: their membership of
    the enrollment's practice is on (accepting turns it on). For an Enrollment query."""
    return Exists(
        Membership.objects.filter(
            user_id=OuterRef("patient_id"), practice_id=OuterRef("practice_id"), is_active=True
        )
    )


def with_accepted(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """The enrollments, each with `accepted` (invitation_accepted) read in the same query,
    as `enrollment_label` needs."""
    return enrollments.annotate(accepted=invitation_accepted())


def status_label(status: str, screening: str, accepted: bool) -> str:
    """The status as it is for the patient. An invited enrollment whose screening found
    red flags is on hold for a safety review; else, once the patient has accepted, they
    are onboarding; every other status says its own name."""
    if status == EnrollmentStatus.INVITED:
        if screening == Screening.HOLD:
            return gettext("On hold: safety review")
        if accepted:
            return gettext("Onboarding")
    return str(EnrollmentStatus(status).label)


class AcceptedNotLoaded(LookupError):
    """An enrollment's label was asked for without `accepted` loaded with it."""


def enrollment_label(enrollment: Enrollment) -> str:
    """status_label of an enrollment loaded with `accepted` (with_accepted). One loaded
    without it is a mistake that would cost a query per enrollment, so it raises (in a
    template too: the page fails rather than reading "Invited" for an onboarding
    patient)."""
    accepted = getattr(enrollment, "accepted", None)
    if accepted is None:
        raise AcceptedNotLoaded(
            "Load the enrollment with programs.enrollment_status.with_accepted() "
            "(or tracking.access.enrollment_for_staff) before showing its status."
        )
    return status_label(enrollment.status, enrollment.screening, accepted)
