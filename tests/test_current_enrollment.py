"""programs.access.current_enrollment: the patient's own enrollment, read by plain SQL on
Postgres and by the ORM elsewhere, the two giving the same rows."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone

from programs.access import (
    _latest_enrollments_orm,
    _latest_enrollments_sql,
    current_enrollment,
)
from programs.models import Enrollment, EnrollmentStatus, ProgramVersion, Screening
from tests.factories import make_enrollment


def finished(enrollment: Enrollment, clinician, status: str) -> Enrollment:
    """An earlier enrollment of the same patient in the same practice, since ended."""
    old = Enrollment.objects.create(
        patient=enrollment.patient, practice=enrollment.practice, clinician=clinician,
        program_version=enrollment.program_version, start_date=date(2025, 1, 6), status=status)
    Enrollment.objects.filter(pk=old.pk).update(
        created_at=enrollment.created_at - timedelta(days=400))
    return old


def values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def as_read(enrollment: Enrollment) -> tuple[dict, dict, dict]:
    return (values(enrollment), values(enrollment.program_version),
            values(enrollment.clinician))


def test_the_sql_and_the_orm_read_the_same_enrollments(cast, enrollment, other_enrollment,
                                                       django_assert_num_queries):
    # An older, finished enrollment of the same patient, and one in another practice.
    old = finished(enrollment, cast.other_clinician, EnrollmentStatus.COMPLETED)
    make_enrollment(cast.patient, cast.outsider_clinician, cast.other_practice,
                    version=enrollment.program_version)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=EnrollmentStatus.PAUSED, paused_on=date(2026, 3, 1), paused_days=4,
        red_flags=["night pain", {"note": "<b>& 'quotes'</b>"}],
        screening=Screening.CLEARED, screening_cleared_by=cast.clinician,
        screening_cleared_at=timezone.now(), preferred_practice_time=time(7, 30),
        mind_brain_first=1, mind_brain_last=3)

    for patient, practice in ((cast.patient, cast.practice), (cast.other_patient, cast.practice),
                              (cast.patient, cast.other_practice),
                              (cast.outsider_patient, cast.other_practice)):
        with django_assert_num_queries(1):
            sql = _latest_enrollments_sql(patient.pk, practice.pk)
        orm = _latest_enrollments_orm(patient.pk, practice.pk)
        assert [as_read(e) for e in sql] == [as_read(e) for e in orm]
    mine = _latest_enrollments_sql(cast.patient.pk, cast.practice.pk)
    assert [e.pk for e in mine] == [enrollment.pk, old.pk]
    assert mine[0].red_flags == ["night pain", {"note": "<b>& 'quotes'</b>"}]
    assert isinstance(mine[0].program_version, ProgramVersion)
    assert isinstance(mine[0].clinician, get_user_model())
    assert mine[0].program_version.tracking_guide == enrollment.program_version.tracking_guide
    assert mine[0]._state.adding is False and mine[0]._state.db == "default"


def test_it_picks_the_open_enrollment_with_the_requests_own_patient_and_practice(
        cast, enrollment, django_assert_num_queries):
    finished(enrollment, cast.other_clinician, EnrollmentStatus.WITHDRAWN)
    request = RequestFactory().get("/")
    request.user, request.practice = cast.patient, cast.practice
    with django_assert_num_queries(1):
        found = current_enrollment(request)
        assert found.pk == enrollment.pk
        assert found.patient is cast.patient and found.practice is cast.practice
        assert found.clinician.pk == cast.clinician.pk
        assert found.program_version.pk == enrollment.program_version_id
    request.user = cast.outsider_patient
    assert current_enrollment(request) is None
