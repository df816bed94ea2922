"""Every practice admin screen: an admin of another practice gets a 404 for our
objects (and changes nothing); our clinicians and patients get a 404 for every screen;
someone logged out is sent to the login page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Membership
from programs.models import Enrollment
from tracking.models import BulkImport

LISTS = [
    "admin_clinicians",
    "admin_enrollments",
    "admin_import",
    "admin_outcomes",
    "admin_outcomes_csv",
    "admin_audit",
    "admin_audit_csv",
]
# (url name, which object of ours it takes)
OBJECT_VIEWS = [
    ("admin_clinician_deactivate", "clinician"),
    ("admin_clinician_reassign", "clinician"),
    ("admin_enrollment", "enrollment"),
    ("admin_enrollment_transfer", "enrollment"),
    ("admin_enrollment_pause", "enrollment"),
    ("admin_enrollment_resume", "enrollment"),
    ("admin_enrollment_complete", "enrollment"),
    ("admin_enrollment_withdraw", "enrollment"),
    ("admin_import_review", "import"),
    ("admin_import_confirm", "import"),
    ("admin_import_problems", "import"),
]


@pytest.fixture
def ours(cast, enrollment):
    record = BulkImport.objects.create(
        practice=cast.practice,
        created_by=cast.admin,
        file_hash="x" * 64,
        expires_at=timezone.now() + timedelta(hours=1),
        rows=[
            {
                "line": 2,
                "full_name": "A",
                "email": "a@example.org",
                "clinician_email": cast.clinician.email,
                "start_date": "2026-04-01",
                "timezone": "UTC",
                "program": "",
                "problems": [],
            }
        ],
    )
    return {
        "clinician": Membership.objects.get(user=cast.clinician, practice=cast.practice).pk,
        "enrollment": enrollment.pk,
        "import": record.pk,
    }


def snapshot():
    return (
        list(Enrollment.objects.values_list("pk", "status", "clinician_id")),
        list(Membership.objects.values_list("pk", "is_active")),
        list(BulkImport.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize(("name", "kind"), OBJECT_VIEWS)
def test_an_admin_of_another_practice_gets_404_for_our_objects(client, cast, ours, name, kind):
    client.force_login(cast.outsider_admin)
    before = snapshot()
    url = reverse(name, args=[ours[kind]])
    assert client.get(url).status_code in (404, 405)
    data = {"to_clinician": cast.outsider_clinician.pk, "reassign_to": cast.outsider_clinician.pk}
    assert client.post(url, data).status_code in (404, 405)
    assert snapshot() == before
    if kind == "enrollment":
        assert AuditEvent.objects.filter(action="access.denied", actor=cast.outsider_admin).exists()
    assert (
        not AuditEvent.objects.filter(actor=cast.outsider_admin)
        .exclude(action__in=["access.denied", "login"])
        .exists()
    )


@pytest.mark.parametrize("role", ["clinician", "patient"])
def test_clinicians_and_patients_get_404_for_every_admin_screen(client, cast, ours, role):
    client.force_login(getattr(cast, role))
    for name in LISTS:
        assert client.get(reverse(name)).status_code == 404, name
    for name, kind in OBJECT_VIEWS:
        url = reverse(name, args=[ours[kind]])
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url).status_code == 404, name


def test_logged_out_visitors_are_sent_to_log_in(client, ours):
    for name in LISTS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name
    for name, kind in OBJECT_VIEWS:
        response = client.post(reverse(name, args=[ours[kind]]))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name


def test_lists_show_an_outsider_admin_only_their_own_practice(client, cast, ours, other_enrollment):
    client.force_login(cast.outsider_admin)
    for name in ("admin_clinicians", "admin_enrollments", "admin_audit"):
        page = client.get(reverse(name)).content.decode()
        assert "riverside.test" not in page, name
