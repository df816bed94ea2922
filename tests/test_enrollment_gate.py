"""A practice cannot enroll patients — one invitation or a bulk import — until it has
a safety contact whose account is on and at least one escalation step; the admin is told plainly
and sent to the safety settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Membership, Role
from programs import services
from programs.models import Enrollment
from tests.factories import load_shipped_program, make_member
from tracking.models import BulkImport, EscalationStep, PracticeSettings

SETTINGS = reverse("admin_safety_settings")


def no_contact(practice):
    PracticeSettings.objects.filter(practice=practice).update(safety_contact=None)


def no_chain(practice):
    EscalationStep.objects.filter(practice=practice).delete()


def contact_switched_off(practice, *, membership: bool):
    """A second admin is the safety contact, then is switched off: their account, or
    their membership of this practice."""
    contact = make_member(practice, Role.ADMIN, "contact@riverside.test", name="Sam Contact")
    PracticeSettings.objects.filter(practice=practice).update(safety_contact=contact)
    if membership:
        Membership.objects.filter(user=contact, practice=practice).update(is_active=False)
    else:
        contact.is_active = False
        contact.save(update_fields=["is_active"])


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def invite_data(cast) -> dict:
    return {
        "full_name": "New Person",
        "email": "new@example.test",
        "timezone": "Europe/London",
        "clinician": cast.clinician.pk,
        "program_version": load_shipped_program().pk,
        "start_date": timezone.localdate().isoformat(),
    }


@pytest.mark.parametrize(
    "unready, missing",
    [(no_contact, "a safety contact"), (no_chain, "an escalation chain")],
)
def test_a_single_invitation_waits_for_the_safety_setup(admin_client, cast, unready, missing):
    unready(cast.practice)
    page = admin_client.get(reverse("patient_invite")).content.decode()
    assert f"set {missing}" in page
    assert f'href="{SETTINGS}"' in page
    assert "Send invitation" not in page
    response = admin_client.post(reverse("patient_invite"), invite_data(cast))
    assert response.status_code == 200
    assert not Enrollment.objects.filter(patient__email="new@example.test").exists()


@pytest.mark.parametrize("membership", [False, True], ids=["account off", "membership off"])
def test_a_switched_off_safety_contact_stops_enrollment_until_replaced(
    admin_client, cast, membership
):
    contact_switched_off(cast.practice, membership=membership)
    page = admin_client.get(reverse("patient_invite")).content.decode()
    assert "choose a new safety contact" in page
    assert "Sam Contact is the safety contact, but their access is switched off" in page
    assert f'href="{SETTINGS}"' in page
    assert "Send invitation" not in page
    admin_client.post(reverse("patient_invite"), invite_data(cast))
    assert not Enrollment.objects.filter(patient__email="new@example.test").exists()
    # An active contact again: the practice enrolls.
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=cast.admin)
    assert admin_client.post(reverse("patient_invite"), invite_data(cast)).status_code == 302
    assert Enrollment.objects.filter(patient__email="new@example.test").exists()


def test_the_service_refuses_too(cast):
    no_contact(cast.practice)
    no_chain(cast.practice)
    with pytest.raises(ValidationError) as error:
        services.enrollment_invite(
            practice=cast.practice,
            invited_by=cast.admin,
            email="new@example.test",
            full_name="New Person",
            clinician=cast.clinician,
            program_version=load_shipped_program(),
            start_date=timezone.localdate(),
            timezone_name="UTC",
        )
    assert "a safety contact and an escalation chain" in str(error.value)


def test_a_ready_practice_invites(admin_client, cast):
    response = admin_client.post(reverse("patient_invite"), invite_data(cast))
    assert response.status_code == 302
    assert Enrollment.objects.filter(patient__email="new@example.test").exists()


def test_the_bulk_import_waits_for_the_safety_setup(admin_client, cast):
    no_chain(cast.practice)
    page = admin_client.get(reverse("admin_import")).content.decode()
    assert "set an escalation chain" in page and f'href="{SETTINGS}"' in page
    file = SimpleUploadedFile(
        "p.csv",
        b"full_name,email,clinician_email,start_date,timezone,program\n"
        b"A B,ab@example.test,clin@riverside.test,2030-01-01,UTC,\n",
        content_type="text/csv",
    )
    response = admin_client.post(reverse("admin_import"), {"file": file})
    assert response.status_code == 200
    assert not BulkImport.objects.exists()


def test_an_import_checked_before_the_chain_went_cannot_be_confirmed(admin_client, cast):
    load_shipped_program()
    file = SimpleUploadedFile(
        "p.csv",
        b"full_name,email,clinician_email,start_date,timezone,program\n"
        b"A B,ab@example.test,clin@riverside.test,2030-01-01,UTC,\n",
        content_type="text/csv",
    )
    response = admin_client.post(reverse("admin_import"), {"file": file})
    record = BulkImport.objects.get()
    no_contact(cast.practice)
    response = admin_client.post(reverse("admin_import_confirm", args=[record.pk]), follow=True)
    assert "set a safety contact" in response.content.decode()
    assert not Enrollment.objects.filter(patient__email="ab@example.test").exists()


def test_the_settings_page_says_what_is_missing(admin_client, cast):
    no_chain(cast.practice)
    page = admin_client.get(SETTINGS).content.decode()
    assert "set an escalation chain" in page
