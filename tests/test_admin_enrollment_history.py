"""The enrollment's history on the admin's detail page lists changes only (a pause, a
resume), not the reads every caseload and patient page records against it; the audit
trail keeps both. Its cost does not grow with the reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painapp.accounts.audit import audit_reads
from painapp.accounts.models import AuditEvent
from tracking import lifecycle
from tracking.practice_admin.views.audit import ACTION_LABELS, is_read, reads_q

CHANGES = (
    "enrollment.paused",
    "enrollment.resumed",
    "enrollment.completed",
    "enrollment.withdrawn",
    "enrollment.transferred",
    "enrollment.week_unlocked",
    "tailoring.program_switched",
    "screening.cleared",
    "reminders.paused",
    "medical_assessment.recorded",
)
READ_ACTIONS = (
    "caseload.viewed",
    "patient.viewed",
    "enrollment.viewed",
    "enrollment.change_form_viewed",
    "patient.csv_exported",
    "report.patient_exported",
    "access.denied",
)


@pytest.mark.parametrize("code", CHANGES)
def test_a_change_is_not_a_read(code):
    assert not is_read(code)


@pytest.mark.parametrize("code", READ_ACTIONS)
def test_a_read_is_a_read(code):
    assert is_read(code)


# The last word after "." or "_", exactly: a later "*.reviewed" or "*.previewed" change
# must stay in the history.
IS_READ = [
    ("report.viewed", True),
    ("patient.diary_viewed", True),
    ("patient.csv_exported", True),
    ("report.exported", True),
    ("access.denied", True),
    ("plan.reviewed", False),
    ("lesson.previewed", False),
    ("plan.overviewed", False),
    ("note.reexported", False),
    ("report.exportedx", False),
    ("access.denied_twice", False),
    ("viewed", False),
]


@pytest.mark.parametrize(("code", "read"), IS_READ)
def test_a_read_is_the_exact_last_word(code, read):
    assert is_read(code) is read


@pytest.mark.django_db
def test_the_history_filter_agrees_with_is_read():
    AuditEvent.objects.bulk_create(AuditEvent(action=code) for code, _read in IS_READ)
    filtered = set(AuditEvent.objects.filter(reads_q()).values_list("action", flat=True))
    assert filtered == {code for code, read in IS_READ if read}


def test_every_action_named_viewed_or_downloaded_is_a_read():
    for code, label in ACTION_LABELS.items():
        if str(label).startswith(("Viewed", "Downloaded", "Exported")):
            assert is_read(code), code


def reads_of(request, enrollment, actions, times: int) -> None:
    for action in actions:
        for _ in range(times):
            audit_reads(
                request,
                action,
                practice_id=enrollment.practice_id,
                reads=[(enrollment.patient_id, "programs.enrollment", str(enrollment.pk))],
            )


def history(page: str) -> str:
    return page[page.index('id="history-heading"') :]


def test_the_history_shows_the_pause_and_resume_among_dozens_of_reads(
    client, rf, cast, enrollment, django_assert_max_num_queries
):
    request = rf.get("/")
    request.user = cast.clinician
    reads_of(request, enrollment, ("caseload.viewed", "patient.viewed"), 30)
    lifecycle.enrollment_pause(enrollment=enrollment, by=cast.admin)
    reads_of(request, enrollment, ("caseload.viewed", "patient.diary_viewed"), 30)
    enrollment.refresh_from_db()
    lifecycle.enrollment_resume(enrollment=enrollment, by=cast.admin)
    client.force_login(cast.admin)
    page = history(client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode())
    assert "Paused a program" in page and "Resumed a program" in page
    for read in (
        "Viewed their caseload",
        "Viewed a patient&#x27;s overview",
        "Viewed an enrollment",
    ):
        assert read not in page
    # The link opens the audit trail narrowed to this patient.
    assert f'href="{reverse("admin_audit")}?enrollment={enrollment.pk}"' in page
    # The audit trail still has every read.
    assert AuditEvent.objects.filter(action="caseload.viewed").count() == 60


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_history_says_where_the_reads_are(client, cast, enrollment, language):
    cast.admin.language = language
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    page = client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode()
    said = {
        "en": "Only changes are listed here. Who viewed this patient's data is in the audit trail.",
        "es": "Aquí solo aparecen los cambios.",
    }[language]
    assert said in page


def test_the_history_costs_the_same_however_many_reads_and_changes(client, rf, cast, enrollment):
    request = rf.get("/")
    request.user = cast.clinician
    client.force_login(cast.admin)
    url = reverse("admin_enrollment", args=[enrollment.pk])
    client.get(url)  # sessions, caches

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = cost()
    reads_of(request, enrollment, ("caseload.viewed",), 40)
    for _ in range(3):
        enrollment.refresh_from_db()
        lifecycle.enrollment_pause(enrollment=enrollment, by=cast.admin)
        enrollment.refresh_from_db()
        lifecycle.enrollment_resume(enrollment=enrollment, by=cast.admin)
    assert cost() == few
