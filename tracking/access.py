"""Which patients a staff member may see — the one place that decides it.

A clinician sees the enrollments they look after; a practice admin sees every
enrollment of their practice; nobody sees another practice. Every lookup by id goes
through `enrollment_for_staff`, which answers 404 for anything else and records the
denial; every successful read of patient data is audited by the view via
`audit_read`.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from painapp.accounts.audit import audit, audit_reads
from painapp.accounts.models import Role
from programs.models import Enrollment


def visible_enrollments(request: HttpRequest) -> QuerySet[Enrollment]:
    """Enrollments the requesting staff member may see (needs request.membership)."""
    membership = request.membership
    qs = Enrollment.objects.filter(practice_id=membership.practice_id)
    if membership.role == Role.CLINICIAN:
        return qs.filter(clinician_id=request.user.pk)
    if membership.role == Role.ADMIN:
        return qs
    return qs.none()


def enrollment_for_staff(request: HttpRequest, pk: int) -> Enrollment:
    """One enrollment the user may see, with patient/clinician/version loaded, or 404.

    A miss is recorded as `access.denied` (no trace of the target is kept beyond the
    id that was asked for).
    """
    enrollment = (visible_enrollments(request)
                  .select_related("patient", "clinician", "program_version", "practice")
                  .filter(pk=pk).first())
    if enrollment is None:
        audit(request, "access.denied", practice=request.membership.practice,
              object_type="programs.enrollment", object_id=str(pk))
        raise Http404
    return enrollment


def audit_read(request: HttpRequest, action: str, enrollment: Enrollment, obj=None) -> None:
    """Record a staff read or export of one patient's data."""
    obj = obj if obj is not None else enrollment
    audit_reads(request, action, practice_id=enrollment.practice_id,
                reads=[(enrollment.patient_id, obj._meta.label_lower, str(obj.pk))])
