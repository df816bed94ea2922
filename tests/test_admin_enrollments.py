"""Practice admins manage enrollments: a filtered, paged list; and pause, resume,
complete, withdraw and transfer, each confirmed first and recorded with who did it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Invitation, Role
from programs.models import Enrollment, EnrollmentStatus
from programs.services import enrollment_invite
from tests.factories import make_enrollment, make_member


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def set_status(enrollment, status, **extra):
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status, **extra)
    enrollment.refresh_from_db()
    return enrollment


# ---------------------------------------------------------------- the list
def test_it_lists_the_practices_enrollments_with_status_clinician_and_week(
        admin_client, cast, enrollment, other_enrollment):
    page = admin_client.get(reverse("admin_enrollments")).content.decode()
    assert "Pat One" in page and "pat2@riverside.test" in page
    assert "Dr Kim" in page and "2 of 8" in page  # started 10 days ago: week 2
    assert "pat@elsewhere.test" not in page
    assert reverse("patient_invite") in page and reverse("admin_import") in page


def test_it_filters_by_status_and_clinician(admin_client, cast, enrollment, other_enrollment):
    set_status(other_enrollment, EnrollmentStatus.PAUSED)
    page = admin_client.get(reverse("admin_enrollments"), {"status": "paused"}).content.decode()
    assert "pat2@riverside.test" in page and "pat@riverside.test" not in page
    page = admin_client.get(reverse("admin_enrollments"),
                            {"clinician": cast.clinician.pk}).content.decode()
    assert "pat@riverside.test" in page and "pat2@riverside.test" not in page
    response = admin_client.get(reverse("admin_enrollments"),
                                {"clinician": cast.outsider_clinician.pk})
    assert "Choose a clinician from the list" in response.content.decode()


def test_it_pages_long_lists(admin_client, cast, program_version):
    for n in range(53):
        make_enrollment(make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test"),
                        cast.clinician, cast.practice, version=program_version)
    first = admin_client.get(reverse("admin_enrollments"), {"status": "active"})
    text = first.content.decode()
    assert "53 enrollments" in text and "Page 1 of 2" in text
    assert "?status=active&amp;page=2" in text
    second = admin_client.get(reverse("admin_enrollments"), {"status": "active", "page": 2})
    assert len(re.findall(r'href="/practice/enrollments/\d+/"', second.content.decode())) == 3


def test_the_list_makes_the_same_queries_as_patients_grow(admin_client, cast, program_version):
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse("admin_enrollments")).status_code == 200
        return len(ctx.captured_queries)

    admin_client.get(reverse("admin_enrollments"))
    for n in range(3):
        make_enrollment(make_member(cast.practice, Role.PATIENT, f"a{n}@riverside.test"),
                        cast.clinician, cast.practice, version=program_version)
    few = measure()
    for n in range(40):
        make_enrollment(make_member(cast.practice, Role.PATIENT, f"b{n}@riverside.test",
                                    tz="America/Chicago"),
                        cast.other_clinician, cast.practice, version=program_version)
    assert measure() == few


def test_opening_an_enrollment_is_recorded(admin_client, cast, enrollment):
    page = admin_client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode()
    assert "pat@riverside.test" in page and "Move to another clinician" in page
    assert reverse("patient_detail", args=[enrollment.pk]) in page
    event = AuditEvent.objects.get(action="enrollment.viewed")
    assert (event.actor, event.subject, event.object_id) == (cast.admin, cast.patient,
                                                             str(enrollment.pk))


# ---------------------------------------------------------------- changes
ACTIONS = [
    # action, status before, status after, what the audit trail records
    ("pause", EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, "enrollment.paused"),
    ("resume", EnrollmentStatus.PAUSED, EnrollmentStatus.ACTIVE, "enrollment.resumed"),
    ("complete", EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, "enrollment.completed"),
    ("complete", EnrollmentStatus.PAUSED, EnrollmentStatus.COMPLETED, "enrollment.completed"),
    ("withdraw", EnrollmentStatus.ACTIVE, EnrollmentStatus.WITHDRAWN, "enrollment.withdrawn"),
]


@pytest.mark.parametrize(("action", "before", "after", "recorded"), ACTIONS)
def test_each_change_is_confirmed_first_and_recorded(admin_client, cast, enrollment, action,
                                                     before, after, recorded):
    if before == EnrollmentStatus.PAUSED:
        set_status(enrollment, before, paused_on=timezone.localdate())
    url = reverse(f"admin_enrollment_{action}", args=[enrollment.pk])

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "recorded in the audit trail with your name" in confirm.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == before  # looking at the question changes nothing

    response = admin_client.post(url)
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == after
    event = AuditEvent.objects.get(action=recorded)
    assert (event.actor, event.subject, event.practice, event.object_id) == (
        cast.admin, cast.patient, cast.practice, str(enrollment.pk))
    # The enrollment's page shows who did it.
    history = admin_client.get(response.url).content.decode()
    assert "<td>Admin</td>" in history


def test_pausing_then_resuming_pushes_the_weeks_back(admin_client, cast, enrollment):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        admin_client.post(reverse("admin_enrollment_pause", args=[enrollment.pk]))
    with time_machine.travel(start + timedelta(days=5), tick=False):
        admin_client.force_login(cast.admin)
        admin_client.post(reverse("admin_enrollment_resume", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.paused_days == 5


def test_a_change_that_does_not_fit_the_status_changes_nothing(admin_client, cast, enrollment):
    url = reverse("admin_enrollment_resume", args=[enrollment.pk])
    assert "This cannot be done while the program is active" in admin_client.get(
        url).content.decode()
    response = admin_client.post(url)
    assert response.status_code == 400
    assert "This cannot be done while the program is active" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="enrollment.resumed").exists()


def test_withdrawing_someone_not_started_yet_also_stops_their_invitation(admin_client, cast,
                                                                         program_version):
    enrollment, invitation = enrollment_invite(
        practice=cast.practice, invited_by=cast.admin, email="new@example.org",
        full_name="New One", clinician=cast.clinician, program_version=program_version,
        start_date=timezone.localdate(), timezone_name="UTC", send=False)
    admin_client.post(reverse("admin_enrollment_withdraw", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    invitation.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert invitation.status == Invitation.Status.REVOKED


def test_the_detail_page_links_to_resend_and_revoke_the_invitation(admin_client, cast,
                                                                   program_version):
    enrollment, invitation = enrollment_invite(
        practice=cast.practice, invited_by=cast.admin, email="new@example.org",
        full_name="New One", clinician=cast.clinician, program_version=program_version,
        start_date=timezone.localdate(), timezone_name="UTC", send=False)
    page = admin_client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode()
    assert reverse("invitation_resend", args=[invitation.pk]) in page
    assert reverse("invitation_revoke", args=[invitation.pk]) in page


def test_it_transfers_a_patient_to_another_clinician(admin_client, cast, enrollment):
    url = reverse("admin_enrollment_transfer", args=[enrollment.pk])
    page = admin_client.get(url).content.decode()
    assert "They are with Dr Kim now" in page
    response = admin_client.post(url, {"to_clinician": cast.other_clinician.pk})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.clinician == cast.other_clinician
    event = AuditEvent.objects.get(action="enrollment.transferred")
    assert (event.actor, event.subject, event.object_id) == (cast.admin, cast.patient,
                                                             str(enrollment.pk))


def test_it_only_transfers_to_an_active_clinician_of_this_practice(admin_client, cast,
                                                                   enrollment):
    gone = make_member(cast.practice, Role.CLINICIAN, "gone@riverside.test", active=False)
    url = reverse("admin_enrollment_transfer", args=[enrollment.pk])
    for candidate in (cast.outsider_clinician, gone, cast.clinician, cast.admin):
        response = admin_client.post(url, {"to_clinician": candidate.pk})
        assert response.status_code == 200
        assert "Choose a clinician from the list" in response.content.decode()
    response = admin_client.post(url, {})
    assert "Choose a clinician." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.clinician == cast.clinician
    assert not AuditEvent.objects.filter(action="enrollment.transferred").exists()
