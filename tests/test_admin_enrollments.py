"""Practice admins manage enrollments: a filtered, paged list; and pause, resume,
complete, withdraw and transfer, each confirmed first and recorded with who did it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Invitation, Role
from programs.models import Enrollment, EnrollmentStatus
from programs.services import enrollment_invite
from tests.db_faults import REFUSED, writes_refused
from tests.factories import make_enrollment, make_member
from tracking import lifecycle
from tracking.models import CheckIn, ReminderSchedule


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
    admin_client, cast, enrollment, other_enrollment
):
    page = admin_client.get(reverse("admin_enrollments")).content.decode()
    assert "Pat One" in page and "pat2@riverside.test" in page
    assert "Dr Kim" in page and "2 of 8" in page  # started 10 days ago: week 2
    assert "pat@elsewhere.test" not in page
    assert reverse("patient_invite") in page and reverse("admin_import") in page


def test_it_filters_by_status_and_clinician(admin_client, cast, enrollment, other_enrollment):
    set_status(other_enrollment, EnrollmentStatus.PAUSED)
    page = admin_client.get(reverse("admin_enrollments"), {"status": "paused"}).content.decode()
    assert "pat2@riverside.test" in page and "pat@riverside.test" not in page
    page = admin_client.get(
        reverse("admin_enrollments"), {"clinician": cast.clinician.pk}
    ).content.decode()
    assert "pat@riverside.test" in page and "pat2@riverside.test" not in page
    response = admin_client.get(
        reverse("admin_enrollments"), {"clinician": cast.outsider_clinician.pk}
    )
    assert "Choose a clinician from the list" in response.content.decode()


def test_it_pages_long_lists(admin_client, cast, program_version):
    for n in range(53):
        make_enrollment(
            make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test"),
            cast.clinician,
            cast.practice,
            version=program_version,
        )
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
        make_enrollment(
            make_member(cast.practice, Role.PATIENT, f"a{n}@riverside.test"),
            cast.clinician,
            cast.practice,
            version=program_version,
        )
    few = measure()
    for n in range(40):
        make_enrollment(
            make_member(cast.practice, Role.PATIENT, f"b{n}@riverside.test", tz="America/Chicago"),
            cast.other_clinician,
            cast.practice,
            version=program_version,
        )
    assert measure() == few


def test_opening_an_enrollment_is_recorded(admin_client, cast, enrollment):
    page = admin_client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode()
    assert "pat@riverside.test" in page and "Move to another clinician" in page
    assert reverse("patient_detail", args=[enrollment.pk]) in page
    event = AuditEvent.objects.get(action="enrollment.viewed")
    assert (event.actor, event.subject, event.object_id) == (
        cast.admin,
        cast.patient,
        str(enrollment.pk),
    )


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
def test_each_change_is_confirmed_first_and_recorded(
    admin_client, cast, enrollment, action, before, after, recorded
):
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
        cast.admin,
        cast.patient,
        cast.practice,
        str(enrollment.pk),
    )
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
    assert (
        "This cannot be done while the program is active" in admin_client.get(url).content.decode()
    )
    response = admin_client.post(url)
    assert response.status_code == 400
    assert "This cannot be done while the program is active" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="enrollment.resumed").exists()


def test_withdrawing_someone_not_started_yet_also_stops_their_invitation(
    admin_client, cast, program_version
):
    enrollment, invitation = enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="new@example.org",
        full_name="New One",
        clinician=cast.clinician,
        program_version=program_version,
        start_date=timezone.localdate(),
        timezone_name="UTC",
        send=False,
    )
    admin_client.post(reverse("admin_enrollment_withdraw", args=[enrollment.pk]))
    enrollment.refresh_from_db()
    invitation.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert invitation.status == Invitation.Status.REVOKED


def test_the_detail_page_links_to_resend_and_revoke_the_invitation(
    admin_client, cast, program_version
):
    enrollment, invitation = enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="new@example.org",
        full_name="New One",
        clinician=cast.clinician,
        program_version=program_version,
        start_date=timezone.localdate(),
        timezone_name="UTC",
        send=False,
    )
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
    assert (event.actor, event.subject, event.object_id) == (
        cast.admin,
        cast.patient,
        str(enrollment.pk),
    )


def test_it_only_transfers_to_an_active_clinician_of_this_practice(admin_client, cast, enrollment):
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


# ---------------------------------------------------------------- all or nothing
# Each action is one tracking.lifecycle service: the change, tracking's follow-up and
# the audit event commit together. A real database failure part-way (tests/db_faults)
# must leave nothing half-done and no audit event.
def _state(enrollment) -> tuple:
    enrollment.refresh_from_db()
    invitations = sorted(
        Invitation.objects.filter(membership__user_id=enrollment.patient_id).values_list(
            "clinician_id", "revoked_at"
        )
    )
    return (
        enrollment.status,
        enrollment.paused_on,
        enrollment.paused_days,
        enrollment.clinician_id,
        invitations,
    )


def _invited(cast, program_version):
    enrollment, _ = enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="new@example.org",
        full_name="New One",
        clinician=cast.clinician,
        program_version=program_version,
        start_date=timezone.localdate(),
        timezone_name="UTC",
        send=False,
    )
    return enrollment


SERVICES = [
    # action, how the enrollment starts, the service's extra arguments, its audit event
    ("pause", EnrollmentStatus.ACTIVE, {}, "enrollment.paused"),
    ("resume", EnrollmentStatus.PAUSED, {}, "enrollment.resumed"),
    ("complete", EnrollmentStatus.PAUSED, {}, "enrollment.completed"),
    # Withdrawing someone invited also revokes their invitation; moving them moves it.
    ("withdraw", EnrollmentStatus.INVITED, {}, "enrollment.withdrawn"),
    (
        "transfer",
        EnrollmentStatus.INVITED,
        {"to_clinician": "other_clinician"},
        "enrollment.transferred",
    ),
]


@pytest.mark.parametrize(("action", "before", "extra", "recorded"), SERVICES)
def test_an_action_whose_audit_event_cannot_be_written_changes_nothing(
    cast, enrollment, program_version, action, before, extra, recorded
):
    if before == EnrollmentStatus.INVITED:
        enrollment = _invited(cast, program_version)
    elif before == EnrollmentStatus.PAUSED:
        set_status(enrollment, before, paused_on=timezone.localdate() - timedelta(days=3))
    kwargs = {key: getattr(cast, value) for key, value in extra.items()}
    service = getattr(lifecycle, f"enrollment_{action}")
    untouched = _state(enrollment)

    with writes_refused(AuditEvent), pytest.raises(DatabaseError, match=REFUSED):
        service(enrollment=enrollment, by=cast.admin, **kwargs)

    assert _state(enrollment) == untouched
    assert not AuditEvent.objects.exists()
    # With the audit trail writable again, the same call does it, and says who did.
    service(enrollment=enrollment, by=cast.admin, **kwargs)
    assert _state(enrollment) != untouched
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject, event.object_id) == (
        recorded,
        cast.admin,
        enrollment.patient,
        str(enrollment.pk),
    )


def _due_dates(enrollment) -> dict[str, object]:
    return dict(CheckIn.objects.filter(enrollment=enrollment).values_list("slot", "due_date"))


def test_resuming_moves_the_waiting_checkins_or_nothing_at_all(cast, program_version):
    patient = make_member(cast.practice, Role.PATIENT, "new@riverside.test")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version, days_ago=0
        )
        lifecycle.enrollment_started(enrollment=enrollment)
        lifecycle.enrollment_pause(enrollment=enrollment, by=cast.admin)
    planned = _due_dates(enrollment)
    with time_machine.travel(start + timedelta(days=5), tick=False):
        # The check-ins move first; the reminders' update then fails.
        with writes_refused(ReminderSchedule), pytest.raises(DatabaseError, match=REFUSED):
            lifecycle.enrollment_resume(enrollment=enrollment, by=cast.admin)
        assert _due_dates(enrollment) == planned
        enrollment.refresh_from_db()
        assert (enrollment.status, enrollment.paused_days) == (EnrollmentStatus.PAUSED, 0)
        assert not AuditEvent.objects.filter(action="enrollment.resumed").exists()

        lifecycle.enrollment_resume(enrollment=enrollment, by=cast.admin)
    # The end check-in is 5 days later; each weekly one moves to its week's check-in day.
    moved = _due_dates(enrollment)
    assert moved["end"] == planned["end"] + timedelta(days=5)
    assert all(moved[slot] > planned[slot] for slot in planned if slot != "baseline")
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.paused_days) == (EnrollmentStatus.ACTIVE, 5)
    assert AuditEvent.objects.filter(action="enrollment.resumed", actor=cast.admin).count() == 1


def test_a_second_resume_from_a_stale_page_changes_nothing(cast, enrollment):
    set_status(
        enrollment, EnrollmentStatus.PAUSED, paused_on=timezone.localdate() - timedelta(days=4)
    )
    stale = Enrollment.objects.get(pk=enrollment.pk)  # the other tab's copy: still paused
    lifecycle.enrollment_resume(enrollment=enrollment, by=cast.admin)
    with pytest.raises(ValidationError, match="Only a paused enrollment can be resumed"):
        lifecycle.enrollment_resume(enrollment=stale, by=cast.admin)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.paused_days) == (EnrollmentStatus.ACTIVE, 4)
    assert AuditEvent.objects.filter(action="enrollment.resumed").count() == 1
