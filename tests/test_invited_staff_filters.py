"""A clinician invited who has not accepted yet: not a person to filter by (no
patients, nothing done) in the practice admin's enrollment and outcome filters or the
audit trail's "person" filter, nor one to give patients to (as the invitation form).
A former clinician stays in the filters while they have patients here; staff stay in
the audit filter once they have done something."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import Role, make_enrollment, make_member


@pytest.fixture
def invited(cast):
    return make_member(
        cast.practice, Role.CLINICIAN, "new.clinician@riverside.test", name="Dr New", active=False
    )


@pytest.fixture
def former(cast, program_version):
    """A clinician switched off who still has a (withdrawn) patient here."""
    user = make_member(cast.practice, Role.CLINICIAN, "old@riverside.test", name="Dr Former")
    patient = make_member(cast.practice, Role.PATIENT, "their.patient@p.test", name="Their Pat")
    make_enrollment(patient, user, cast.practice, version=program_version)
    user.memberships.update(is_active=False)
    AuditEvent.objects.create(
        actor=user, practice=cast.practice, action="enrollment.viewed", object_type="x"
    )
    return user


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def options(page: str, select: str) -> str:
    start = page.index(f'name="{select}"')
    return page[start : page.index("</select>", start)]


@pytest.mark.parametrize("name", ["admin_enrollments", "admin_outcomes"])
def test_the_clinician_filters_leave_out_a_clinician_not_yet_joined(
    admin_client, cast, invited, former, name
):
    listed = options(admin_client.get(reverse(name)).content.decode(), "clinician")
    assert "Dr New" not in listed
    assert "Dr Former" in listed and cast.clinician.display_name in listed


def test_the_audit_person_filter_lists_only_people_who_did_something(
    admin_client, cast, invited, former
):
    AuditEvent.objects.create(
        actor=cast.clinician, practice=cast.practice, action="enrollment.viewed", object_type="x"
    )
    listed = options(admin_client.get(reverse("admin_audit")).content.decode(), "actor")
    assert "Dr New" not in listed
    assert "Dr Former" in listed and cast.clinician.display_name in listed


def test_a_clinician_not_yet_joined_cannot_be_given_patients(admin_client, cast, invited):
    page = admin_client.get(reverse("patient_invite")).content.decode()
    assert "Dr New" not in options(page, "clinician")
