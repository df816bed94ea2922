"""Practice admins manage clinicians: the list, moving a caseload, and switching a
clinician off — which ends their sessions at once and never strands a patient."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Invitation, Membership, Role
from programs.models import Enrollment, EnrollmentStatus
from programs.services import enrollment_invite
from tests.factories import form_login, load_shipped_program, make_enrollment, make_member


def membership(user, practice):
    return Membership.objects.get(user=user, practice=practice)


def logged_in(user) -> Client:
    """A separate browser with `user` logged in through the real login form."""
    browser = Client()
    response = form_login(browser, user)
    assert response.status_code == 302
    return browser


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def test_it_lists_the_practices_clinicians_with_their_caseloads(
    admin_client, cast, enrollment, other_enrollment
):
    page = admin_client.get(reverse("admin_clinicians")).content.decode()
    assert "Dr Kim" in page and "clin2@riverside.test" in page
    assert "clin@elsewhere.test" not in page
    assert reverse("invitation_create") in page


def test_the_list_makes_the_same_queries_as_the_practice_grows(
    admin_client, cast, program_version, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.get(reverse("admin_clinicians"))
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("admin_clinicians"))
    for n in range(15):
        clinician = make_member(cast.practice, Role.CLINICIAN, f"c{n}@riverside.test")
        patient = make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test")
        make_enrollment(patient, clinician, cast.practice, version=program_version)
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse("admin_clinicians"))


# ---------------------------------------------------------------- switching off
def test_switching_off_a_clinician_ends_their_sessions_at_once(admin_client, cast):
    phone, laptop = logged_in(cast.other_clinician), logged_in(cast.other_clinician)
    assert phone.get(reverse("caseload")).status_code == 200
    m = membership(cast.other_clinician, cast.practice)

    response = admin_client.post(reverse("admin_clinician_deactivate", args=[m.pk]))
    assert response.status_code == 302

    for browser in (phone, laptop):
        response = browser.get(reverse("caseload"))
        assert response.status_code == 302 and reverse("account_login") in response.url
    m.refresh_from_db()
    assert not m.is_active
    # Other people stay logged in.
    assert admin_client.get(reverse("admin_clinicians")).status_code == 200
    event = AuditEvent.objects.get(action="clinician.deactivated")
    assert (event.actor, event.practice, event.object_id) == (cast.admin, cast.practice, str(m.pk))


def test_a_switched_off_clinician_who_logs_in_again_sees_nothing_of_the_practice(
    admin_client, cast
):
    m = membership(cast.other_clinician, cast.practice)
    admin_client.post(reverse("admin_clinician_deactivate", args=[m.pk]))
    again = logged_in(cast.other_clinician)
    assert again.get(reverse("caseload")).status_code in (302, 404)


def test_switching_off_needs_someone_to_take_over_their_patients(admin_client, cast, enrollment):
    browser = logged_in(cast.clinician)
    m = membership(cast.clinician, cast.practice)
    url = reverse("admin_clinician_deactivate", args=[m.pk])
    page = admin_client.get(url).content.decode()
    assert "They look after 1 patient" in page

    response = admin_client.post(url, {"reassign_to": ""})
    assert response.status_code == 200
    assert "Choose who takes over their patients" in response.content.decode()
    m.refresh_from_db()
    enrollment.refresh_from_db()
    assert m.is_active and enrollment.clinician == cast.clinician
    assert browser.get(reverse("caseload")).status_code == 200  # nothing happened


def test_switching_off_moves_their_patients_in_the_same_step(
    admin_client, cast, enrollment, program_version
):
    paused = make_enrollment(
        make_member(cast.practice, Role.PATIENT, "p3@riverside.test"),
        cast.clinician,
        cast.practice,
        version=program_version,
    )
    paused.status = EnrollmentStatus.PAUSED
    paused.save()
    gone = make_enrollment(
        make_member(cast.practice, Role.PATIENT, "p4@riverside.test"),
        cast.clinician,
        cast.practice,
        version=program_version,
    )
    gone.status = EnrollmentStatus.WITHDRAWN
    gone.save()
    m = membership(cast.clinician, cast.practice)

    response = admin_client.post(
        reverse("admin_clinician_deactivate", args=[m.pk]),
        {"reassign_to": cast.other_clinician.pk},
        follow=True,
    )
    assert "2 patients moved to" in response.content.decode()
    m.refresh_from_db()
    assert not m.is_active
    assert set(
        Enrollment.objects.filter(clinician=cast.other_clinician).values_list("pk", flat=True)
    ) == {enrollment.pk, paused.pk}
    gone.refresh_from_db()
    assert gone.clinician == cast.clinician  # withdrawn ones keep their history
    moved = AuditEvent.objects.filter(action="enrollment.transferred", actor=cast.admin)
    assert {(e.subject_id, e.object_id) for e in moved} == {
        (enrollment.patient_id, str(enrollment.pk)),
        (paused.patient_id, str(paused.pk)),
    }


def test_it_only_hands_patients_to_an_active_clinician_of_this_practice(
    admin_client, cast, enrollment
):
    m = membership(cast.clinician, cast.practice)
    for candidate in (cast.outsider_clinician, cast.clinician, cast.admin):
        response = admin_client.post(
            reverse("admin_clinician_deactivate", args=[m.pk]), {"reassign_to": candidate.pk}
        )
        assert "Choose a clinician from the list" in response.content.decode()
    m.refresh_from_db()
    assert m.is_active


# ---------------------------------------------------------------- moving a caseload
def test_it_moves_a_whole_caseload_and_records_each_patient(
    admin_client, cast, enrollment, program_version
):
    second = make_enrollment(
        make_member(cast.practice, Role.PATIENT, "p5@riverside.test"),
        cast.clinician,
        cast.practice,
        version=program_version,
    )
    m = membership(cast.clinician, cast.practice)
    url = reverse("admin_clinician_reassign", args=[m.pk])
    assert "Move 2 patients" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"to_clinician": cast.other_clinician.pk}, follow=True)
    assert "2 patients moved from Dr Kim" in response.content.decode()
    assert not Enrollment.objects.filter(clinician=cast.clinician).exists()
    assert AuditEvent.objects.filter(action="enrollment.transferred").count() == 2
    assert AuditEvent.objects.filter(action="caseload.reassigned", actor=cast.admin).count() == 1
    m.refresh_from_db()
    assert m.is_active  # moving patients does not switch anyone off
    assert second.pk in Enrollment.objects.filter(clinician=cast.other_clinician).values_list(
        "pk", flat=True
    )


def test_waiting_patient_invitations_follow_the_caseload(admin_client, cast):
    enrollment, invitation = enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="soon@example.org",
        full_name="Soon",
        clinician=cast.clinician,
        program_version=load_shipped_program(),
        start_date=timezone.localdate(),
        timezone_name="UTC",
        send=False,
    )
    m = membership(cast.clinician, cast.practice)
    admin_client.post(
        reverse("admin_clinician_reassign", args=[m.pk]), {"to_clinician": cast.other_clinician.pk}
    )
    invitation.refresh_from_db()
    enrollment.refresh_from_db()
    assert invitation.clinician == enrollment.clinician == cast.other_clinician
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_moving_a_caseload_again_says_plainly_there_was_nobody_left(admin_client, cast, enrollment):
    """A second tab still showing "Move 1 patient" is sent after the first moved them:
    the admin is told nothing was left to move, not that "0 patients moved"."""
    m = membership(cast.clinician, cast.practice)
    url = reverse("admin_clinician_reassign", args=[m.pk])
    first = admin_client.post(url, {"to_clinician": cast.other_clinician.pk}, follow=True)
    assert "1 patient moved from Dr Kim" in first.content.decode()
    response = admin_client.post(url, {"to_clinician": cast.other_clinician.pk}, follow=True)
    page = response.content.decode()
    assert "There were no patients left to move: they may have been moved already." in page
    assert 'class="message message--info"' in page
    assert "0 patients moved" not in page and "message--success" not in page
    assert AuditEvent.objects.filter(action="caseload.reassigned").count() == 1
    assert Enrollment.objects.get(pk=enrollment.pk).clinician == cast.other_clinician

    cast.admin.language = "es"  # the staff member's own language, as on their account
    cast.admin.save(update_fields=["language"])
    response = admin_client.post(url, {"to_clinician": cast.other_clinician.pk}, follow=True)
    assert "No quedaban pacientes por pasar" in response.content.decode()
