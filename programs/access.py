"""Loading the requesting patient's own enrollment, and their own rows, or 404."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, wraps

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.shortcuts import get_object_or_404, redirect, render

from painapp.accounts.access import patient_required
from programs.models import Enrollment, EnrollmentStatus, ProgramVersion


def current_enrollment(request) -> Enrollment | None:
    """The patient's enrollment in their active practice: the open one, else the latest.

    One query, with the program version and the clinician. Every patient page starts
    here, so on Postgres it is plain SQL: the ORM took ~1 ms to build and compile it
    against ~0.2 ms for Postgres to answer.
    """
    latest = (_latest_enrollments_sql if connection.vendor == "postgresql"
              else _latest_enrollments_orm)
    open_first = sorted(latest(request.user.pk, request.practice.pk), key=lambda e: not e.is_open)
    if not open_first:
        return None
    # The patient and the practice are the request's own (already loaded): no joins.
    enrollment = open_first[0]
    enrollment.patient, enrollment.practice = request.user, request.practice
    return enrollment


# Enough to find the open one among a patient's enrollments in one practice (there is at
# most one open; older ones are completed or withdrawn).
_LATEST = 5


def _latest_enrollments_orm(patient_id: int, practice_id: int) -> list[Enrollment]:
    """The patient's newest enrollments in the practice, with version and clinician: the
    portable form of `_latest_enrollments_sql` (SQLite, the embedded demo)."""
    return list(Enrollment.objects.filter(patient_id=patient_id, practice_id=practice_id)
                .select_related("program_version", "clinician")
                .order_by("-created_at")[:_LATEST])


@dataclass(frozen=True)
class _Columns:
    """A model's concrete fields as a SELECT list, and how to turn them back into an
    instance the way the ORM does (Model.from_db after each field's from_db_value)."""

    model: type[Model]
    fields: tuple[Field, ...]

    @classmethod
    def of(cls, model: type[Model]) -> _Columns:
        return cls(model, tuple(model._meta.concrete_fields))

    def select(self, alias: str) -> str:
        return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in self.fields)

    def load(self, values: Sequence) -> Model:
        values = [f.from_db_value(v, None, connection) if hasattr(f, "from_db_value") else v
                  for f, v in zip(self.fields, values, strict=True)]
        return self.model.from_db(connection.alias, [f.attname for f in self.fields], values)


@cache
def _latest_enrollments_query() -> tuple[str, _Columns, _Columns, _Columns]:
    enrollment, version, clinician = (_Columns.of(Enrollment), _Columns.of(ProgramVersion),
                                      _Columns.of(get_user_model()))
    sql = f"""
SELECT {enrollment.select("e")}, {version.select("v")}, {clinician.select("c")}
FROM {Enrollment._meta.db_table} e
JOIN {ProgramVersion._meta.db_table} v ON v.id = e.program_version_id
JOIN {get_user_model()._meta.db_table} c ON c.id = e.clinician_id
WHERE e.patient_id = %s AND e.practice_id = %s
ORDER BY e.created_at DESC LIMIT {_LATEST}"""  # noqa: S608 (names from the models; values are params)
    return sql, enrollment, version, clinician


def _latest_enrollments_sql(patient_id: int, practice_id: int) -> list[Enrollment]:
    """`_latest_enrollments_orm` as plain SQL (Postgres)."""
    sql, enrollment, version, clinician = _latest_enrollments_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient_id, practice_id])
        rows = cursor.fetchall()
    version_at = len(enrollment.fields)
    clinician_at = version_at + len(version.fields)
    found = []
    for row in rows:
        loaded = enrollment.load(row[:version_at])
        loaded.program_version = version.load(row[version_at:clinician_at])
        loaded.clinician = clinician.load(row[clinician_at:])
        found.append(loaded)
    return found


def enrollment_required(view=None, *, allow_onboarding: bool = False):
    """A patient view that needs their enrollment (as `request.enrollment`).

    Until onboarding and the safety screening are done, every program page leads
    there instead.
    """

    def decorator(view):
        @wraps(view)
        @patient_required
        def wrapped(request, *args, **kwargs):
            enrollment = current_enrollment(request)
            if enrollment is None:
                return render(request, "programs/no_enrollment.html", status=200)
            request.enrollment = enrollment
            if not allow_onboarding:
                if enrollment.on_safety_hold:
                    return redirect("safety_hold")
                if enrollment.needs_onboarding:
                    return redirect("onboarding")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


def own(request, queryset: QuerySet | type[Model], **lookup):
    """One of the requesting patient's own rows, or 404 (never another patient's)."""
    return get_object_or_404(queryset, enrollment=request.enrollment, **lookup)


ACTIVE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)
