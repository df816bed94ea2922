"""The practice admin's enrollment list filters by the statuses its badges say
(programs.enrollment_status, the caseload's filter too): "Invited" lists only patients
who have not accepted yet, "Onboarding" those who have, "On hold: safety review" those
waiting for a clinician's safety review; a bookmarked ?status=invited keeps meaning
"not accepted yet". Its "cannot be done while…" message says the badge's status."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painapp.accounts.models import Role
from programs.enrollment_status import STATUS_CHOICES
from programs.models import Enrollment, EnrollmentStatus, Screening
from tests.factories import make_enrollment, make_member

S = EnrollmentStatus


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def enrolled(cast, version, name: str, status: str, *, accepted=True, screening=None):
    user = make_member(
        cast.practice,
        Role.PATIENT,
        f"{name.split()[0].lower()}@riverside.test",
        name=name,
        active=accepted,
    )
    enrollment = make_enrollment(
        user, cast.clinician, cast.practice, version=version, onboarded=status != S.INVITED
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status=status, screening=screening or enrollment.screening
    )
    return enrollment


@pytest.fixture
def everyone(cast, program_version):
    """One patient per status as staff read it, and one withdrawn while on hold (the
    screening stays "hold" on record: tracking.clinic.services)."""
    v = program_version
    return {
        "Ivy Waiting": enrolled(cast, v, "Ivy Waiting", S.INVITED, accepted=False),
        "Ona Boarding": enrolled(cast, v, "Ona Boarding", S.INVITED),
        "Hal Held": enrolled(cast, v, "Hal Held", S.INVITED, screening=Screening.HOLD),
        "Ada Active": enrolled(cast, v, "Ada Active", S.ACTIVE),
        "Pia Paused": enrolled(cast, v, "Pia Paused", S.PAUSED),
        "Cy Completed": enrolled(cast, v, "Cy Completed", S.COMPLETED),
        "Wes Withdrawn": enrolled(cast, v, "Wes Withdrawn", S.WITHDRAWN),
        "Wyn Withdrawn": enrolled(
            cast, v, "Wyn Withdrawn", S.WITHDRAWN, accepted=False, screening=Screening.HOLD
        ),
    }


ROW = re.compile(
    r'<th scope="row"><a href="[^"]+">([^<]+)</a>.*?<span class="badge[^"]*">([^<]*)</span>',
    re.S,
)


def listed(response) -> dict[str, str]:
    """The list's rows: patient name -> the status badge's text."""
    assert response.status_code == 200
    return dict(ROW.findall(response.content.decode()))


@pytest.mark.parametrize(
    ("value", "label", "names"),
    [
        ("invited", "Invited", {"Ivy Waiting"}),
        ("onboarding", "Onboarding", {"Ona Boarding"}),
        ("hold", "On hold: safety review", {"Hal Held"}),
        ("active", "Active", {"Ada Active"}),
        ("paused", "Paused", {"Pia Paused"}),
        ("completed", "Completed", {"Cy Completed"}),
        ("withdrawn", "Withdrawn", {"Wes Withdrawn", "Wyn Withdrawn"}),
    ],
)
def test_each_status_lists_the_patients_whose_badge_says_it(
    admin_client, everyone, value, label, names
):
    rows = listed(admin_client.get(reverse("admin_enrollments"), {"status": value}))
    assert set(rows) == names
    assert set(rows.values()) == {label}


def test_any_status_lists_everyone(admin_client, everyone):
    rows = listed(admin_client.get(reverse("admin_enrollments"), {"status": ""}))
    assert set(rows) == set(everyone)


def test_the_filter_offers_the_badges_statuses_in_english_and_spanish(admin_client, cast, everyone):
    def options(response) -> list[tuple[str, str]]:
        select = re.search(
            r'<select name="status".*?</select>', response.content.decode(), re.S
        ).group(0)
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)

    offered = options(admin_client.get(reverse("admin_enrollments")))
    assert offered == [
        ("", "Any status"),
        ("invited", "Invited"),
        ("onboarding", "Onboarding"),
        ("hold", "On hold: safety review"),
        ("active", "Active"),
        ("paused", "Paused"),
        ("completed", "Completed"),
        ("withdrawn", "Withdrawn"),
    ]
    # The caseload's filter offers the same list (one definition).
    assert [(v, str(label)) for v, label in STATUS_CHOICES] == offered
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    spanish = dict(options(admin_client.get(reverse("admin_enrollments"))))
    assert spanish["onboarding"] == "En primeros pasos"
    assert spanish["hold"] == "En espera: revisión de seguridad"
    assert spanish["invited"] == "Invitado"


def test_an_unknown_status_is_refused_and_lists_everyone(admin_client, everyone):
    response = admin_client.get(reverse("admin_enrollments"), {"status": "pending"})
    assert "Choose a status from the list." in response.content.decode()
    assert set(listed(response)) == set(everyone)


@pytest.mark.parametrize("value", ["invited", "onboarding", "hold", "active", ""])
def test_a_filtered_list_makes_the_same_queries_as_patients_grow(
    admin_client, cast, program_version, value
):
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(reverse("admin_enrollments"), {"status": value})
            assert response.status_code == 200
        return len(ctx.captured_queries)

    def add(prefix: str, n: int) -> None:
        for i in range(n):
            for status, accepted, screening in (
                (S.INVITED, False, None),
                (S.INVITED, True, None),
                (S.INVITED, True, Screening.HOLD),
                (S.ACTIVE, True, None),
            ):
                enrolled(
                    cast,
                    program_version,
                    f"{prefix}{i}{status}{accepted}{screening} X",
                    status,
                    accepted=accepted,
                    screening=screening,
                )

    admin_client.get(reverse("admin_enrollments"))
    add("a", 1)
    few = measure()
    add("b", 8)
    assert measure() == few


def test_the_cannot_be_done_message_says_the_badges_status(admin_client, cast, everyone):
    for name, said in [
        ("Ona Boarding", "onboarding"),
        ("Hal Held", "on hold: safety review"),
        ("Ivy Waiting", "invited"),
    ]:
        url = reverse("admin_enrollment_pause", args=[everyone[name].pk])
        shown = admin_client.get(url).content.decode()
        posted = admin_client.post(url)
        assert posted.status_code == 400
        for page in (shown, posted.content.decode()):
            assert f"This cannot be done while the program is {said}." in page, name
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    url = reverse("admin_enrollment_pause", args=[everyone["Ona Boarding"].pk])
    assert "en estado «en primeros pasos»" in admin_client.get(url).content.decode()
