"""One audit event for each thing the trail must hold, with every field filled in:
actor, practice, patient, action, object, the time in UTC, the address and the request
id the response carried. Reads and exports of patient data, logins and failed logins,
refusals, and every change of role or enrollment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.accounts import services
from painapp.accounts.models import AuditEvent, Membership, Role
from programs.models import EnrollmentStatus
from tests.factories import PASSWORD, form_login

IP = "10.1.2.3"


@pytest.fixture
def browser():
    return lambda user=None: _browser(user)


def _browser(user) -> Client:
    client = Client(REMOTE_ADDR=IP)
    if user is not None:
        client.force_login(user)
    return client


def the_event(
    response,
    action: str,
    *,
    actor,
    practice,
    subject=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
) -> AuditEvent:
    """The one `action` event the request behind `response` wrote, checked field by field."""
    events = list(AuditEvent.objects.filter(action=action, request_id=response["X-Request-ID"]))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.all()]
    event = events[0]
    assert event.actor_id == (actor.pk if actor else None)
    assert event.practice_id == practice.pk
    assert event.subject_id == (subject.pk if subject else None)
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    assert (event.object_type, event.object_id) == (object_type, object_id)
    assert event.ip == IP
    assert event.at.utcoffset() == timedelta(0)
    assert abs(timezone.now() - event.at) < timedelta(minutes=1)
    return event


# ---------------------------------------------------------------- reads and exports
def test_it_records_a_staff_read_of_a_patient(browser, cast, enrollment):
    response = browser(cast.clinician).get(reverse("patient_detail", args=[enrollment.pk]))
    assert response.status_code == 200
    the_event(
        response,
        "patient.viewed",
        actor=cast.clinician,
        practice=cast.practice,
        subject=cast.patient,
        obj=enrollment,
    )


@pytest.mark.parametrize(
    "name, action",
    [
        ("patient_csv", "patient.csv_exported"),
        ("patient_fhir", "patient.fhir_exported"),
        ("patient_summary", "patient.summary_exported"),
    ],
)
def test_it_records_every_staff_export(browser, cast, enrollment, name, action):
    response = browser(cast.admin).get(reverse(name, args=[enrollment.pk]))
    assert response.status_code == 200
    the_event(
        response,
        action,
        actor=cast.admin,
        practice=cast.practice,
        subject=cast.patient,
        obj=enrollment,
    )


def test_it_records_an_export_of_the_outcomes_report(browser, cast, enrollment):
    response = browser(cast.admin).get(reverse("admin_outcomes_csv"))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="report.exported")
    assert (event.actor, event.practice, event.ip, event.request_id) == (
        cast.admin,
        cast.practice,
        IP,
        response["X-Request-ID"],
    )


def test_it_records_a_view_of_the_outcomes_report(browser, cast, enrollment):
    # Aggregates only, but narrowed by a filter they can be a few people's: audited.
    response = browser(cast.admin).get(reverse("admin_outcomes"))
    assert response.status_code == 200
    the_event(
        response,
        "report.viewed",
        actor=cast.admin,
        practice=cast.practice,
        object_type="report",
        object_id="outcomes",
    )


def test_it_records_a_view_of_the_audit_trail_and_whose_events_it_showed(browser, cast, enrollment):
    # A patient event for the trail to show.
    browser(cast.clinician).get(reverse("patient_detail", args=[enrollment.pk]))
    response = browser(cast.admin).get(reverse("admin_audit"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert any(e.action == "patient.viewed" and e.subject == cast.patient for e, _l in rows)
    the_event(
        response,
        "audit.viewed",
        actor=cast.admin,
        practice=cast.practice,
        object_type="audit",
        object_id="trail",
    )
    the_event(
        response,
        "audit.patient_viewed",
        actor=cast.admin,
        practice=cast.practice,
        subject=cast.patient,
        object_type="audit",
        object_id="trail",
    )
    # The page shows the trail as it was asked for: not the events of its own view.
    assert all(e.action != "audit.viewed" for e, _l in rows)


# ---------------------------------------------------------------- logins
def test_it_records_a_login_and_a_failed_login(cast):
    client = Client(REMOTE_ADDR=IP)
    failed = client.post(
        reverse("account_login"), {"login": cast.patient.email, "password": "wrong-password-9"}
    )
    event = AuditEvent.objects.get(action="login.failed")
    assert (event.actor, event.ip, event.request_id) == (None, IP, failed["X-Request-ID"])
    ok = form_login(client, cast.patient, PASSWORD)
    event = AuditEvent.objects.get(action="login")
    assert (event.actor, event.ip, event.request_id) == (cast.patient, IP, ok["X-Request-ID"])


# ---------------------------------------------------------------- refusals
def test_it_records_a_refused_lookup_of_a_patient(browser, cast, enrollment):
    response = browser(cast.other_clinician).get(reverse("patient_detail", args=[enrollment.pk]))
    assert response.status_code == 404
    the_event(
        response,
        "access.denied",
        actor=cast.other_clinician,
        practice=cast.practice,
        object_type="programs.enrollment",
        object_id=str(enrollment.pk),
    )


@pytest.mark.parametrize(
    "who, name",
    [
        ("patient", "caseload"),
        ("patient", "admin_audit"),
        ("clinician", "admin_enrollments"),
        ("admin", "today"),
    ],
)
def test_it_records_a_page_refused_to_someone_in_the_wrong_role(
    browser, cast, enrollment, who, name
):
    user = getattr(cast, who)
    response = browser(user).get(reverse(name))
    assert response.status_code == 404
    the_event(
        response,
        "access.denied",
        actor=user,
        practice=cast.practice,
        object_type="page",
        object_id=name,
    )


# ---------------------------------------------------------------- changes
def post_action(client, enrollment, action: str):
    return client.post(reverse(f"admin_enrollment_{action}", args=[enrollment.pk]))


def test_it_records_each_step_of_an_enrollment(browser, cast, enrollment, other_enrollment):
    admin = browser(cast.admin)
    for action, event in [
        ("pause", "enrollment.paused"),
        ("resume", "enrollment.resumed"),
        ("complete", "enrollment.completed"),
    ]:
        response = post_action(admin, enrollment, action)
        assert response.status_code == 302, action
        the_event(
            response,
            event,
            actor=cast.admin,
            practice=cast.practice,
            subject=cast.patient,
            obj=enrollment,
        )
    response = post_action(admin, other_enrollment, "withdraw")
    the_event(
        response,
        "enrollment.withdrawn",
        actor=cast.admin,
        practice=cast.practice,
        subject=cast.other_patient,
        obj=other_enrollment,
    )
    other_enrollment.refresh_from_db()
    assert other_enrollment.status == EnrollmentStatus.WITHDRAWN


def test_it_records_a_transfer_to_another_clinician(browser, cast, enrollment):
    response = browser(cast.admin).post(
        reverse("admin_enrollment_transfer", args=[enrollment.pk]),
        {"to_clinician": cast.other_clinician.pk},
    )
    assert response.status_code == 302
    the_event(
        response,
        "enrollment.transferred",
        actor=cast.admin,
        practice=cast.practice,
        subject=cast.patient,
        obj=enrollment,
    )


def test_it_records_switching_a_clinician_off(browser, cast):
    membership = Membership.objects.get(user=cast.other_clinician, practice=cast.practice)
    response = browser(cast.admin).post(reverse("admin_clinician_deactivate", args=[membership.pk]))
    assert response.status_code == 302
    the_event(
        response, "clinician.deactivated", actor=cast.admin, practice=cast.practice, obj=membership
    )


def test_it_records_an_accepted_invitation_as_the_new_members_own_act(browser, cast):
    invitation = services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=services.InvitationRequest(
            email="newclin@example.org", full_name="New", role=Role.CLINICIAN
        ),
    )
    url = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    response = browser().post(
        url,
        {
            "password1": "calm-river-stones-42",
            "password2": "calm-river-stones-42",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 302
    user = invitation.membership.user
    the_event(
        response,
        "invitation.accepted",
        actor=user,
        practice=cast.practice,
        subject=user,
        obj=invitation,
    )


def test_it_records_another_practices_invitation_or_clinician_refused(browser, cast):
    invitation = services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=services.InvitationRequest(
            email="newclin@example.org", full_name="New", role=Role.CLINICIAN
        ),
    )
    clinician = Membership.objects.get(user=cast.clinician, practice=cast.practice)
    outsider = browser(cast.outsider_admin)
    for url, obj in [
        (reverse("invitation_revoke", args=[invitation.pk]), invitation),
        (reverse("admin_clinician_deactivate", args=[clinician.pk]), clinician),
    ]:
        response = outsider.post(url)
        assert response.status_code == 404
        the_event(
            response,
            "access.denied",
            actor=cast.outsider_admin,
            practice=cast.other_practice,
            obj=obj,
        )
