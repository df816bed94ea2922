"""How an enrollment's status reads to staff: the one place that says it.

An enrollment stays "invited" until the patient has finished onboarding, but a patient
who has accepted the invitation is onboarding, not invited (accepting turns their
membership of the practice on), and one whose screening found red flags waits for a
clinician's safety review. Every staff screen that shows an enrollment's status says it
with `status_label`: the caseload (tracking.clinic.caseload), the clinician's patient
header and printed summary, and the practice admin's enrollment list, detail and
confirmation pages (the `enrollment_status` template filter).

The staff lists filter by the same statuses (STATUS_CHOICES, `status_filter`): a
status chosen lists exactly the enrollments whose badge says it, in the caseload
(tracking.clinic) and the admin's enrollment list (tracking.practice_admin) alike.

Whether the patient accepted is read in the same query that loads the enrollment, as
the annotation `accepted` (`with_accepted`, or `accepted=invitation_accepted()` in a
.values() query): never a query per enrollment. tracking.access.enrollment_for_staff
loads it for every staff page of one enrollment.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

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


# The statuses staff read, in a list's order: an enrollment's raw status, except that an
# "invited" one is Invited (not accepted yet), Onboarding (accepted) or On hold (its
# screening found red flags). Values are what the lists' ?status= carries.
INVITED = EnrollmentStatus.INVITED.value
ONBOARDING = "onboarding"
ON_HOLD = "hold"
LABELS: dict[str, str | Promise] = {
    INVITED: EnrollmentStatus.INVITED.label,
    ONBOARDING: _("Onboarding"),
    ON_HOLD: _("On hold: safety review"),
    **{v: label for v, label in EnrollmentStatus.choices if v != INVITED},
}
# A status filter's choices: "" is any status.
STATUS_CHOICES: list[tuple[str, str | Promise]] = [("", _("Any status")), *LABELS.items()]


def status_key(status: str, screening: str, accepted: bool) -> str:
    """Which of LABELS an enrollment is. An invited enrollment whose screening found red
    flags is on hold for a safety review; else, once the patient has accepted, they are
    onboarding; every other status is itself."""
    if status == EnrollmentStatus.INVITED:
        if screening == Screening.HOLD:
            return ON_HOLD
        if accepted:
            return ONBOARDING
    return status


def status_label(status: str, screening: str, accepted: bool) -> str:
    """The status as it is for the patient, in the reader's language (status_key)."""
    return str(LABELS[status_key(status, screening, accepted)])


def status_filter(key: str) -> Q:
    """The enrollments whose status_key is `key` (one of LABELS), for an Enrollment
    query's filter: in the query itself (acceptance is an EXISTS), no query more. A
    bookmarked ?status=invited from before Onboarding was apart keeps meaning "has not
    accepted yet". An unknown key (a saved filter holding a status that no longer
    exists) filters nothing: the whole list, not an error."""
    if key not in LABELS:
        return Q()
    invited = Q(status=EnrollmentStatus.INVITED)
    if key == ON_HOLD:
        return invited & Q(screening=Screening.HOLD)
    if key == ONBOARDING:
        return invited & ~Q(screening=Screening.HOLD) & Q(invitation_accepted())
    if key == INVITED:
        return invited & ~Q(screening=Screening.HOLD) & ~Q(invitation_accepted())
    return Q(status=key)


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
