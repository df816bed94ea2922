"""An enrollment's status as staff read it, one rule (programs.enrollment_status): an
"invited" enrollment is "Invited" until the patient accepts, "Onboarding" once they
have, and "On hold: safety review" when their screening found red flags. The caseload
(tests/test_caseload.py), the clinician's patient header and printed summary, and the
practice admin's enrollment list, detail and confirmation pages all say the same."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from painapp.accounts.models import Membership, Role
from programs.enrollment_status import (
    AcceptedNotLoaded,
    enrollment_label,
    status_label,
    with_accepted,
)
from programs.models import Enrollment, EnrollmentStatus, Screening
from tests.factories import make_enrollment, make_member, make_practice

S, SC = EnrollmentStatus, Screening
OTHER_NAMES = {
    S.ACTIVE: "Active",
    S.PAUSED: "Paused",
    S.COMPLETED: "Completed",
    S.WITHDRAWN: "Withdrawn",
}


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize(
    ("screening", "accepted", "label"),
    [
        (SC.PENDING, False, "Invited"),
        (SC.PENDING, True, "Onboarding"),
        (SC.CLEAR, False, "Invited"),
        (SC.CLEAR, True, "Onboarding"),
        (SC.CLEARED, False, "Invited"),
        (SC.CLEARED, True, "Onboarding"),
        # A hold comes first, accepted or not.
        (SC.HOLD, False, "On hold: safety review"),
        (SC.HOLD, True, "On hold: safety review"),
    ],
)
def test_an_invited_enrollment_reads_by_acceptance_and_screening(screening, accepted, label):
    assert status_label(S.INVITED, screening, accepted) == label


@pytest.mark.parametrize(("status", "label"), OTHER_NAMES.items())
@pytest.mark.parametrize("screening", list(SC))
@pytest.mark.parametrize("accepted", [False, True])
def test_every_other_status_says_its_own_name(status, label, screening, accepted):
    assert status_label(status, screening, accepted) == label


@pytest.mark.parametrize(
    ("screening", "accepted", "label"),
    [
        (SC.PENDING, False, "Invitado"),
        (SC.CLEAR, True, "En primeros pasos"),
        (SC.HOLD, True, "En espera: revisión de seguridad"),
    ],
)
def test_the_labels_are_in_spanish(screening, accepted, label):
    with translation.override("es"):
        assert status_label(S.INVITED, screening, accepted) == label


# ------------------------------------------------------------------ acceptance
@pytest.fixture
def accepted_here(cast, program_version):
    """Ona accepted her invitation to Riverside (her membership there is on)."""
    ona = make_member(cast.practice, Role.PATIENT, "ona@riverside.test", name="Ona Boarding")
    return invited(make_enrollment(ona, cast.clinician, cast.practice, onboarded=False))


@pytest.fixture
def not_accepted(cast, program_version):
    """Ivo has not accepted yet (his membership of Riverside is off)."""
    ivo = make_member(
        cast.practice, Role.PATIENT, "ivo@riverside.test", name="Ivo Waiting", active=False
    )
    return invited(make_enrollment(ivo, cast.clinician, cast.practice, onboarded=False))


def invited(enrollment: Enrollment) -> Enrollment:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=S.INVITED)
    enrollment.refresh_from_db()
    return enrollment


def loaded(enrollment: Enrollment) -> Enrollment:
    return with_accepted(Enrollment.objects.filter(pk=enrollment.pk)).get()


def test_accepting_is_an_active_membership_of_the_enrollments_own_practice(
    cast, accepted_here, not_accepted
):
    assert loaded(accepted_here).accepted is True
    assert loaded(not_accepted).accepted is False
    # On elsewhere's books does not count as accepting Riverside's invitation.
    Membership.objects.create(
        user=not_accepted.patient, practice=make_practice("Third"), role=Role.PATIENT
    )
    assert loaded(not_accepted).accepted is False
    Membership.objects.filter(user=accepted_here.patient).update(is_active=False)
    assert loaded(accepted_here).accepted is False


def test_it_reads_acceptance_in_the_query_that_loads_the_enrollments(
    accepted_here, not_accepted, django_assert_num_queries
):
    with django_assert_num_queries(1):
        labels = {
            e.patient.full_name: enrollment_label(e)
            for e in with_accepted(Enrollment.objects.select_related("patient"))
        }
    assert labels == {"Ivo Waiting": "Invited", "Ona Boarding": "Onboarding"}


def test_an_enrollment_loaded_without_acceptance_is_refused_not_guessed(accepted_here):
    with pytest.raises(AcceptedNotLoaded):
        enrollment_label(Enrollment.objects.get(pk=accepted_here.pk))


# ------------------------------------------------------------------ the pages
@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def header_facts(response) -> str:
    """The clinician's patient header's facts line, as one line of text."""
    match = re.search(r'<p id="patient-head-facts"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert match, "no patient header"
    return " ".join(match.group(1).split())


def badges(response) -> list[str]:
    return re.findall(r'<span class="badge[^"]*">([^<]*)</span>', response.content.decode())


def admin_row(response, name: str) -> str:
    """The admin enrollment list's row of the patient named `name`."""
    rows = re.findall(r"<tr>.*?</tr>", response.content.decode(), re.S)
    return next(row for row in rows if name in row)


@pytest.mark.parametrize("section", ["patient_detail", "patient_checkins", "patient_program"])
def test_the_clinicians_patient_header_says_onboarding_once_accepted(
    clin, accepted_here, not_accepted, section
):
    assert "· Onboarding ·" in header_facts(clin.get(reverse(section, args=[accepted_here.pk])))
    assert "· Invited ·" in header_facts(clin.get(reverse(section, args=[not_accepted.pk])))


def test_the_patient_header_says_a_safety_review_is_due(clin, on_hold):
    assert "· On hold: safety review ·" in header_facts(
        clin.get(reverse("patient_detail", args=[on_hold.pk]))
    )


def test_the_patient_header_in_spanish(clin, cast, accepted_here):
    speak(cast.clinician, "es")
    facts = header_facts(clin.get(reverse("patient_detail", args=[accepted_here.pk])))
    assert "· En primeros pasos ·" in facts


def test_the_printed_summary_says_onboarding(clin, accepted_here, on_hold):
    page = " ".join(
        clin.get(reverse("patient_summary", args=[accepted_here.pk])).content.decode().split()
    )
    assert "· Onboarding<br>" in page
    held = " ".join(
        clin.get(reverse("patient_summary", args=[on_hold.pk])).content.decode().split()
    )
    # The label says the hold; "(safety hold)" would say it twice.
    assert "· On hold: safety review<br>" in held and "(safety hold)" not in held


def test_the_admin_list_says_onboarding_invited_and_the_rest(
    admin_client, accepted_here, not_accepted, enrollment
):
    response = admin_client.get(reverse("admin_enrollments"))
    assert ">Onboarding</span>" in admin_row(response, "Ona Boarding")
    assert ">Invited</span>" in admin_row(response, "Ivo Waiting")
    assert ">Active</span>" in admin_row(response, "Pat One")


def test_the_admin_list_in_spanish(admin_client, cast, accepted_here, not_accepted):
    speak(cast.admin, "es")
    response = admin_client.get(reverse("admin_enrollments"))
    assert ">En primeros pasos</span>" in admin_row(response, "Ona Boarding")
    assert ">Invitado</span>" in admin_row(response, "Ivo Waiting")


def test_the_admin_detail_and_confirmation_say_onboarding(
    admin_client, accepted_here, not_accepted
):
    detail = admin_client.get(reverse("admin_enrollment", args=[accepted_here.pk]))
    assert "Onboarding" in badges(detail) and "Invited" not in badges(detail)
    waiting = admin_client.get(reverse("admin_enrollment", args=[not_accepted.pk]))
    assert "Invited" in badges(waiting)
    confirm = admin_client.get(reverse("admin_enrollment_withdraw", args=[accepted_here.pk]))
    assert "<dd>Onboarding</dd>" in confirm.content.decode()
