"""programs.access.current_enrollment: the patient's own enrollment in the practice they
are using, the open one first, read in one query."""

from __future__ import annotations

from datetime import date, timedelta

from django.test import RequestFactory

from programs.access import current_enrollment
from programs.models import Enrollment, EnrollmentStatus
from tests.factories import make_enrollment


def finished(enrollment: Enrollment, clinician, status: str, *, days_ago: int = 400) -> Enrollment:
    """An earlier enrollment of the same patient in the same practice, since ended."""
    old = Enrollment.objects.create(
        patient=enrollment.patient,
        practice=enrollment.practice,
        clinician=clinician,
        program_version=enrollment.program_version,
        start_date=date(2025, 1, 6),
        status=status,
    )
    Enrollment.objects.filter(pk=old.pk).update(
        created_at=enrollment.created_at - timedelta(days=days_ago)
    )
    return old


def request_of(user, practice):
    request = RequestFactory().get("/")
    request.user, request.practice = user, practice
    return request


def test_it_picks_the_open_enrollment_with_the_requests_own_patient_and_practice(
    cast, enrollment, django_assert_num_queries
):
    finished(enrollment, cast.other_clinician, EnrollmentStatus.WITHDRAWN)
    request = request_of(cast.patient, cast.practice)
    with django_assert_num_queries(1):
        found = current_enrollment(request)
        assert found.pk == enrollment.pk
        assert found.patient is cast.patient and found.practice is cast.practice
        assert found.clinician.pk == cast.clinician.pk
        assert found.program_version.pk == enrollment.program_version_id
    request.user = cast.outsider_patient
    assert current_enrollment(request) is None


def test_an_open_enrollment_wins_over_a_newer_finished_one(cast, enrollment):
    newer = finished(enrollment, cast.other_clinician, EnrollmentStatus.COMPLETED, days_ago=-1)
    assert newer.created_at > enrollment.created_at
    assert current_enrollment(request_of(cast.patient, cast.practice)).pk == enrollment.pk


def test_with_none_open_it_is_the_latest(cast, enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    finished(enrollment, cast.other_clinician, EnrollmentStatus.WITHDRAWN)
    assert current_enrollment(request_of(cast.patient, cast.practice)).pk == enrollment.pk


def test_it_reads_only_the_patients_enrollments_in_the_practice_in_use(
    cast, enrollment, other_enrollment
):
    elsewhere = make_enrollment(
        cast.patient,
        cast.outsider_clinician,
        cast.other_practice,
        version=enrollment.program_version,
    )
    assert current_enrollment(request_of(cast.patient, cast.other_practice)).pk == elsewhere.pk
    assert current_enrollment(request_of(cast.other_patient, cast.practice)).pk == (
        other_enrollment.pk
    )
    assert current_enrollment(request_of(cast.other_patient, cast.other_practice)) is None
