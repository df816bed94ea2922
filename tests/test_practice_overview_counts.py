"""The practice overview's figures: "active patients" counts patients with an active
enrollment in this practice (not every patient account: invited, paused, completed and
withdrawn ones, or another practice's, are not active here), and "clinicians" counts
only clinicians whose membership and account are both on."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from painapp.accounts.models import Role
from programs.models import EnrollmentStatus
from tests.factories import make_enrollment, make_member


def figures(client: Client) -> dict[str, int]:
    response = client.get(reverse("practice_overview"))
    assert response.status_code == 200
    page = response.content.decode()
    return {
        label.strip(): int(n)
        for n, label in re.findall(r'<span class="stat">(\d+)</span>\s*([^<]+)</div>', page)
    }


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.admin)
    return client


@pytest.fixture
def patients_in_every_status(cast, program_version):
    """One patient per enrollment status at Riverside (two active), and an active
    patient at another practice."""
    for n, status in enumerate(
        [
            EnrollmentStatus.ACTIVE,
            EnrollmentStatus.ACTIVE,
            EnrollmentStatus.INVITED,
            EnrollmentStatus.PAUSED,
            EnrollmentStatus.COMPLETED,
            EnrollmentStatus.WITHDRAWN,
        ]
    ):
        user = make_member(cast.practice, Role.PATIENT, f"status{n}@riverside.test")
        enrollment = make_enrollment(user, cast.clinician, cast.practice, version=program_version)
        enrollment.status = status
        enrollment.save(update_fields=["status"])
    make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )


def test_active_patients_are_those_with_an_active_enrollment_here(
    admin_client, cast, patients_in_every_status
):
    # cast.patient and cast.other_patient have accounts but no enrollment at all.
    assert figures(admin_client)["active patients"] == 2


def test_a_patient_whose_account_is_off_is_not_active(
    admin_client, cast, program_version, patients_in_every_status
):
    switched_off = make_member(cast.practice, Role.PATIENT, "off@riverside.test")
    make_enrollment(switched_off, cast.clinician, cast.practice, version=program_version)
    assert figures(admin_client)["active patients"] == 3
    switched_off.is_active = False
    switched_off.save(update_fields=["is_active"])
    assert figures(admin_client)["active patients"] == 2


def test_clinicians_counts_only_those_switched_on(admin_client, cast):
    assert figures(admin_client)["clinicians"] == 2
    cast.other_clinician.is_active = False  # the account switched off, membership not
    cast.other_clinician.save(update_fields=["is_active"])
    assert figures(admin_client)["clinicians"] == 1


def test_the_figures_in_spanish(admin_client, cast, patients_in_every_status):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    with translation.override("es"):
        found = figures(admin_client)
    assert found["pacientes activos"] == 2
