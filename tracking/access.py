"""Which patients a staff member may see — the one place that decides it.

A clinician sees the enrollments they look after; a practice admin sees every
enrollment of their practice; nobody sees another practice. Every lookup by id goes
through `enrollment_for_staff`, which answers 404 for anything else and records the
denial; every successful read of patient data is audited by the view via
`audit_read`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from painapp import rows
from painapp.accounts.audit import (
    audit,
    audit_reads,
    client_ip,
    read_commit_sql,
)
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent, Practice, Role, User
from painapp.prepared import prepared_cursor
from programs.models import Enrollment, ProgramVersion
from tracking.models import (
    Alert,
)


@dataclass(frozen=True)
class EnrollmentScope:
    """The enrollments a staff member may see, as values: those of `practice_id`, and
    with `clinician_id` only the ones that clinician looks after.

    The same scope two ways: a queryset for the ORM, and a condition for the statements
    written out in SQL. The caseload's statement used to take the queryset and compile
    it (`.values(...).query.sql_with_params()`), ~0.3 ms of ORM work a request to write
    two equalities; it now takes the condition from here, so tracking.access still says
    who sees what and the page pays for no compiling.
    """

    practice_id: int
    clinician_id: int | None = None  # None: every clinician's (a practice admin)

    def enrollments(self) -> QuerySet[Enrollment]:
        qs = Enrollment.objects.filter(practice_id=self.practice_id)
        return qs if self.clinician_id is None else qs.filter(clinician_id=self.clinician_id)

    def sql(self, alias: str, params: dict[str, Any]) -> str:
        """The scope as a condition on the enrollments table aliased `alias`, its values
        added to `params` (named scope_*: the statement's other names must differ)."""
        params["scope_practice"] = self.practice_id
        if self.clinician_id is None:
            return f"{alias}.practice_id = %(scope_practice)s"
        params["scope_clinician"] = self.clinician_id
        return (f"{alias}.practice_id = %(scope_practice)s"
                f" AND {alias}.clinician_id = %(scope_clinician)s")


def enrollment_scope(request: HttpRequest) -> EnrollmentScope | None:
    """What the requesting staff member may see (needs request.membership): a
    clinician their own patients' enrollments, an admin their practice's; anyone else
    nothing (None)."""
    membership = request.membership
    if membership.role == Role.CLINICIAN:
        return EnrollmentScope(membership.practice_id, request.user.pk)
    if membership.role == Role.ADMIN:
        return EnrollmentScope(membership.practice_id)
    return None


def visible_enrollments(request: HttpRequest) -> QuerySet[Enrollment]:
    """Enrollments the requesting staff member may see (needs request.membership)."""
    scope = enrollment_scope(request)
    return scope.enrollments() if scope is not None else Enrollment.objects.none()


def enrollment_for_staff(request: HttpRequest, pk: int, *, viewed: str = "") -> Enrollment:
    """One enrollment the user may see, with patient/clinician/version loaded, or 404.

    A miss is recorded as `access.denied` (no trace of the target is kept beyond the
    id that was asked for). With `viewed`, a hit is recorded as that read of the
    enrollment, the event `audit_read(request, viewed, enrollment)` writes: on Postgres
    in the lookup's own statement (one round trip and one commit, not two, for the
    pages that record the view as soon as they have the enrollment).
    """
    if connection.vendor != "postgresql":
        return _enrollment_for_staff_portable(request, pk, viewed=viewed)
    scope = enrollment_scope(request)
    if viewed and scope is not None:
        enrollment = _enrollment_for_staff_sql(request, scope, pk, viewed)
        if enrollment is None:  # access.denied is written by the same statement
            raise Http404
        return enrollment
    found = _enrollment_for_staff_sql(request, scope, pk) if scope is not None else None
    return _found_or_denied(request, pk, found, viewed)


def _enrollment_for_staff_portable(request: HttpRequest, pk: int, *,
                                   viewed: str = "") -> Enrollment:
    """enrollment_for_staff through the ORM, with the audit event written after it
    (SQLite, the embedded demo)."""
    enrollment = visible_enrollments(request).select_related(*_LOADED).filter(pk=pk).first()
    return _found_or_denied(request, pk, enrollment, viewed)


def _found_or_denied(request: HttpRequest, pk: int, enrollment: Enrollment | None,
                     viewed: str) -> Enrollment:
    if enrollment is None:
        audit(request, "access.denied", practice=request.membership.practice,
              object_type="programs.enrollment", object_id=str(pk))
        raise Http404
    if viewed:
        audit_read(request, viewed, enrollment)
    return enrollment


# The rows loaded with the enrollment (as select_related would), and the plain-SQL
# read of the same: every patient page starts with this lookup, and the ORM spent
# ~1.3 ms compiling its four joins and building the instances, longer than Postgres
# took to answer. Same scope as visible_enrollments; columns from the models' _meta.
_LOADED = ("patient", "clinician", "program_version", "practice")
_MODELS: tuple[type[Model], ...] = (Enrollment, User, User, ProgramVersion, Practice)
_ALIASES = ("e", "p", "c", "v", "pr")


_ENROLLMENT_SELECT = f"""
SELECT {", ".join(rows.columns(m, a) for m, a in zip(_MODELS, _ALIASES, strict=True))}
FROM {Enrollment._meta.db_table} e
JOIN {User._meta.db_table} p ON p.id = e.patient_id
JOIN {User._meta.db_table} c ON c.id = e.clinician_id
JOIN {ProgramVersion._meta.db_table} v ON v.id = e.program_version_id
JOIN {Practice._meta.db_table} pr ON pr.id = e.practice_id
WHERE e.id = %(pk)s AND {{scope}}"""  # noqa: S608 (names from the models; values are params)

# The lookup with its audit event (a data-modifying CTE: the INSERT runs whether or not
# the SELECT finds a row). A hit writes the event audit_read would (`viewed`, the
# patient as subject), a miss the one `audit` would for access.denied (no subject);
# both name the enrollment id asked for and the user's practice, which is the
# enrollment's practice on a hit. `{commit}`: read_commit_sql() (painapp.accounts.audit).
_AUDITED_SQL = f"""
WITH found AS ({_ENROLLMENT_SELECT}),
logged AS (
  INSERT INTO {AuditEvent._meta.db_table}
      (actor_id, practice_id, subject_id, action, object_type, object_id, at, ip, request_id)
  SELECT %(actor)s::bigint, %(practice)s::bigint, (SELECT patient_id FROM found),
         CASE WHEN EXISTS (SELECT FROM found) THEN %(viewed)s ELSE %(denied)s END,
         %(object_type)s, %(object_id)s, %(at)s, %(ip)s::inet, %(request_id)s
  FROM (SELECT) AS one_row{{commit}})
SELECT * FROM found"""  # noqa: S608 (names from the models; values are params)


def _enrollment_for_staff_sql(request: HttpRequest, scope: EnrollmentScope, pk: int,
                              viewed: str = "") -> Enrollment | None:
    """enrollment_for_staff's lookup as one written-out statement (Postgres), within
    `scope` (enrollment_scope's, as every other read): the SELECT, with `viewed` also
    the audit event of the hit or miss."""
    params: dict[str, Any] = {"pk": pk}
    condition = scope.sql("e", params)
    if viewed:
        sql = _AUDITED_SQL.format(scope=condition, commit=read_commit_sql())
        params.update(
            actor=request.user.pk if request.user.is_authenticated else None,
            practice=request.membership.practice_id, viewed=viewed, denied="access.denied",
            object_type=Enrollment._meta.label_lower, object_id=str(pk), at=timezone.now(),
            ip=client_ip(request), request_id=current_request_id())
    else:
        sql = _ENROLLMENT_SELECT.format(scope=condition)
    with prepared_cursor() as cursor:  # planned once per connection: painapp.prepared
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    enrollment, *related = rows.from_joined_row(row, *_MODELS)
    for name, instance in zip(_LOADED, related, strict=True):
        Enrollment._meta.get_field(name).set_cached_value(enrollment, instance)
    return enrollment


def audit_read(request: HttpRequest, action: str, enrollment: Enrollment, obj=None) -> None:
    """Record a staff read or export of one patient's data."""
    obj = obj if obj is not None else enrollment
    audit_reads(request, action, practice_id=enrollment.practice_id,
                reads=[(enrollment.patient_id, obj._meta.label_lower, str(obj.pk))])







logger = logging.getLogger(__name__)



# ------------------------------------------------------------------ staff access
def alert_for_staff(request: HttpRequest, pk: int) -> Alert:
    """One alert of a patient the staff member may see (tracking.access decides:
    a clinician their own patients, a practice admin their practice, who also get
    urgent alerts escalated to them), or 404 with the denial audited."""
    alert = (Alert.objects.select_related("enrollment__patient", "enrollment__clinician",
                                          "practice", "acknowledged_by", "resolved_by")
             .filter(pk=pk, enrollment__in=visible_enrollments(request)).first())
    if alert is None:
        audit(request, "access.denied", practice=request.membership.practice,
              object_type="tracking.alert", object_id=str(pk))
        raise Http404
    return alert
