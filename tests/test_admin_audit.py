"""The practice's audit trail: only its own events, filterable, paged, exportable."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painapp.accounts.models import AuditEvent


def event(
    action: str,
    *,
    practice,
    actor=None,
    subject=None,
    at=None,
    object_id="1",
    ip="10.0.0.1",
    request_id="",
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        practice=practice,
        actor=actor,
        subject=subject,
        ip=ip,
        object_type="programs.enrollment",
        object_id=object_id,
        at=at or datetime(2026, 3, 10, 12, tzinfo=UTC),
        request_id=request_id,
    )


@pytest.fixture
def trail(cast):
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    event(
        "enrollment.viewed",
        practice=cast.practice,
        actor=cast.clinician,
        subject=cast.patient,
        at=day,
    )
    event(
        "enrollment.paused",
        practice=cast.practice,
        actor=cast.admin,
        subject=cast.patient,
        at=day + timedelta(days=1),
    )
    event(
        "alert.acknowledged",
        practice=cast.practice,
        actor=cast.other_clinician,
        subject=cast.other_patient,
        at=day + timedelta(days=5),
        ip="192.168.1.9",
    )
    event(
        "enrollment.viewed",
        practice=cast.other_practice,
        actor=cast.outsider_clinician,
        subject=cast.outsider_patient,
        at=day,
    )


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def rows_of(page: str) -> int:
    return page.count("<tr>") - 1  # minus the header row


def test_it_shows_who_did_what_to_whose_data_when_and_from_where(admin_client, cast, trail):
    page = admin_client.get(reverse("admin_audit")).content.decode()
    assert "3 events" in page
    assert "Viewed an enrollment" in page and "Paused a program" in page
    assert "Dr Kim" in page and "Pat One" in page and "192.168.1.9" in page
    assert "clin@elsewhere.test" not in page and "pat@elsewhere.test" not in page
    # Times in the practice's own zone (London is UTC+0 in March until the 29th).
    assert "10 Mar 2026, 12:00:00" in page


def test_it_filters_by_action_person_and_dates(admin_client, cast, trail):
    url = reverse("admin_audit")
    page = admin_client.get(url, {"action": "enrollment.viewed"}).content.decode()
    assert "1 event<" in page and "Dr Kim" in page
    page = admin_client.get(url, {"actor": cast.other_clinician.pk}).content.decode()
    assert "1 event<" in page and "Acknowledged an alert" in page
    page = admin_client.get(
        url, {"date_from": "2026-03-11", "date_to": "2026-03-11"}
    ).content.decode()
    assert "1 event<" in page and "Paused a program" in page
    page = admin_client.get(url, {"actor": cast.outsider_clinician.pk}).content.decode()
    assert "Choose a person from the list" in page
    page = admin_client.get(url, {"date_from": "yesterday"}).content.decode()
    assert "Enter a date like 2026-01-31" in page


def test_the_last_day_of_the_calendar_is_a_date_like_any_other(admin_client, trail):
    # 9999-12-31 has no next day to count up to: the page and the CSV, not a 500.
    every_day = {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    page = admin_client.get(reverse("admin_audit"), every_day)
    assert page.status_code == 200 and "3 events" in page.text
    export = admin_client.get(reverse("admin_audit_csv"), every_day)
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode())))[1:]
    # The trail's 3 events; the page's own view of them (audited too) when asked for.
    assert [r for r in rows if r[2].startswith("audit.")] == []
    export = admin_client.get(
        reverse("admin_audit_csv"), {**every_day, "include_trail_views": "on"}
    )
    rows = list(csv.reader(io.StringIO(export.content.decode())))[1:]
    assert len([r for r in rows if not r[2].startswith("audit.")]) == 3
    assert {r[2] for r in rows if r[2].startswith("audit.")} == {
        "audit.viewed",
        "audit.patient_viewed",
        "audit.exported",
    }


def test_it_pages_and_keeps_the_filters(admin_client, cast):
    for n in range(120):
        event("enrollment.viewed", practice=cast.practice, actor=cast.clinician, object_id=str(n))
    page = admin_client.get(
        reverse("admin_audit"), {"action": "enrollment.viewed"}
    ).content.decode()
    assert "Page 1 of 3" in page and "action=enrollment.viewed&amp;page=2" in page
    last = admin_client.get(reverse("admin_audit"), {"action": "enrollment.viewed", "page": 3})
    assert rows_of(last.content.decode()) == 20


def test_the_page_makes_the_same_queries_however_long_the_trail(admin_client, cast, trail):
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            admin_client.get(reverse("admin_audit"))
        return len(ctx.captured_queries)

    admin_client.get(reverse("admin_audit"))
    few = measure()
    for n in range(60):
        event(
            "alert.viewed",
            practice=cast.practice,
            actor=cast.other_clinician,
            subject=cast.patient,
            object_id=str(n),
        )
    assert measure() == few


def test_it_exports_the_filtered_trail_safely_and_records_the_export(admin_client, cast, trail):
    event('=cmd|"/c calc"!A1', practice=cast.practice, actor=cast.admin)
    response = admin_client.get(reverse("admin_audit_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["when (Europe/London)", "who", "action"]
    assert len(rows) == 1 + 4
    assert [r[2] for r in rows if "calc" in r[2]] == ['\'=cmd|"/c calc"!A1']
    assert any(
        r[1] == "clin@riverside.test" and r[4] == "pat@riverside.test" and r[7] == "10.0.0.1"
        for r in rows
    )
    assert not any("elsewhere" in cell for r in rows for cell in r)

    filtered = admin_client.get(reverse("admin_audit_csv"), {"action": "enrollment.paused"})
    assert len(list(csv.reader(io.StringIO(filtered.content.decode())))) == 2
    assert (
        AuditEvent.objects.filter(
            action="audit.exported", actor=cast.admin, practice=cast.practice
        ).count()
        == 2
    )


def test_it_is_for_admins_only(client, cast, trail):
    for user in (cast.clinician, cast.patient):
        client.force_login(user)
        assert client.get(reverse("admin_audit")).status_code == 404
        assert client.get(reverse("admin_audit_csv")).status_code == 404
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("admin_audit")).content.decode()
    assert "1 event<" in page and "pat@riverside.test" not in page and "Dr Kim" not in page


def test_a_spanish_admin_reads_each_action_in_spanish(client, cast):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    for action in ("patient.diary_viewed", "messages.sent", "screening.hold_refer"):
        event(action, practice=cast.practice, actor=cast.clinician, subject=cast.patient)
    page = client.get(reverse("admin_audit")).content.decode()
    for action, label in (
        ("patient.diary_viewed", "Vio el diario de un paciente"),
        ("messages.sent", "Envió un mensaje"),
        (
            "screening.hold_refer",
            "Decisión sobre la pausa de seguridad: derivar a una evaluación médica",
        ),
    ):
        assert f"<td>{label}<br>" in page  # the event's row
        assert f'<option value="{action}">{label}</option>' in page  # the filter
        assert f">{action}<" not in page  # never the bare code
    # The filter lists the actions in the order of their Spanish names.
    select = page[page.index('name="action"') :]
    names = re.findall(
        r'<option value="[^"]+">([^<]+)</option>', select[: select.index("</select>")]
    )
    assert len(names) > 50 and names == sorted(names, key=str.casefold)
    export = client.get(reverse("admin_audit_csv")).content.decode()
    assert "Vio el diario de un paciente" in export and "Envió un mensaje" in export


def test_a_system_row_has_an_empty_request_id_and_real_ids_stay_guarded(admin_client, cast):
    """A row written outside any request (an alert raised by a task) has no request id:
    its cell is empty, not "-" (which the formula guard showed as "'-"). An id from a
    request is written as it is, and one a client sent that starts like a formula is
    still guarded."""
    from painapp.accounts.audit import audit

    audit(None, "alert.raised", practice=cast.practice, subject=cast.patient)
    event(
        "enrollment.viewed",
        practice=cast.practice,
        actor=cast.clinician,
        request_id="9f1c2a7be3d44e0f",
    )
    # A client's X-Request-ID may start with a dash (painapp.observability keeps it).
    event("enrollment.paused", practice=cast.practice, actor=cast.admin, request_id="-cmd-0001")
    rows = list(csv.reader(io.StringIO(admin_client.get(reverse("admin_audit_csv")).text)))
    column = rows[0].index("request id")
    by_action = {r[2]: r[column] for r in rows[1:]}
    assert AuditEvent.objects.get(action="alert.raised").request_id == "-"
    assert by_action["alert.raised"] == ""
    assert by_action["enrollment.viewed"] == "9f1c2a7be3d44e0f"
    assert by_action["enrollment.paused"] == "'-cmd-0001"


# ------------------------------------------------------------------ one patient's trail
def test_the_enrollment_pages_link_opens_that_patients_trail_only(
    admin_client, cast, trail, enrollment, other_enrollment
):
    """The enrollment page says who viewed this patient's data is in the trail: its
    link narrows the trail to them, by the enrollment's id (never a name), and the
    CSV of that view holds their events only."""
    detail = admin_client.get(reverse("admin_enrollment", args=[enrollment.pk])).content.decode()
    link = f"{reverse('admin_audit')}?enrollment={enrollment.pk}"
    assert f'href="{link}"' in detail
    page = admin_client.get(link).content.decode()
    assert "Only events about Pat One's data." in page
    assert f'<input type="hidden" name="enrollment" value="{enrollment.pk}">' in page
    table = page[page.index('<table class="audit">') :]
    assert "Acknowledged an alert" not in table  # cast.other_patient's
    assert "Viewed an enrollment" in table and "Paused a program" in table
    # The admin's own read of the enrollment page is about this patient too.
    assert page.count('<td class="nowrap">Pat One</td>') == rows_of(page)
    # The download of this view: this patient's events only.
    assert f'href="{reverse("admin_audit_csv")}?enrollment={enrollment.pk}"' in page
    export = admin_client.get(reverse("admin_audit_csv"), {"enrollment": enrollment.pk})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
    assert rows and {r[4] for r in rows} == {"pat@riverside.test"}
    other = admin_client.get(reverse("admin_audit"), {"enrollment": other_enrollment.pk})
    table = other.content.decode().split('<table class="audit">', 1)[1]
    assert "Paused a program" not in table and "Acknowledged an alert" in table


def test_another_practices_patient_gives_nothing(admin_client, cast, trail, program_version):
    from tests.factories import make_enrollment

    theirs = make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    for url in (reverse("admin_audit"), reverse("admin_audit_csv")):
        for value in (theirs.pk, "x", "1" * 30):
            assert admin_client.get(url, {"enrollment": value}).status_code == 404


def test_a_from_date_after_the_to_date_is_said_plainly_not_shown_as_no_events(admin_client, trail):
    # From after every event, To before it: once said as "0 events, none match".
    dates = {"date_from": "2027-03-12", "date_to": "2026-03-10"}
    response = admin_client.get(reverse("admin_audit"), dates)
    page = response.content.decode()
    assert "The end date is before the start date." in page
    assert "No events match these filters." not in page and "0 events" not in page
    assert "the To date is before the From date" in page
    assert 'value="2027-03-12"' in page and 'value="2026-03-10"' in page  # kept as typed


def test_three_refreshes_leave_the_real_events_on_page_one(admin_client, cast):
    for n in range(50):
        event(
            "enrollment.viewed",
            practice=cast.practice,
            actor=cast.clinician,
            subject=cast.patient,
            object_id=str(n),
        )
    for _refresh in range(3):
        response = admin_client.get(reverse("admin_audit"))
    # Each view is still recorded: the trail seen, and whose events were on it.
    assert AuditEvent.objects.filter(action="audit.viewed").count() == 3
    assert AuditEvent.objects.filter(action="audit.patient_viewed").count() == 3
    # But page 1 holds the 50 events the admin came for, not their own reads.
    assert [e.action for e, _l in response.context["rows"]] == ["enrollment.viewed"] * 50
    assert "50 events" in response.text and "Page 1 of" not in response.text
    assert "Include views of this audit trail" in response.text


def test_the_trails_own_views_show_when_asked_and_are_no_persons_read(admin_client, cast, trail):
    url = reverse("admin_audit")
    admin_client.get(url)  # one view: 1 audit.viewed, 2 person-reads (2 patients shown)
    reads = AuditEvent.objects.filter(action="audit.patient_viewed")
    assert reads.count() == 2
    page = admin_client.get(url, {"include_trail_views": "on"})
    labels = [label for _e, label in page.context["rows"]]
    assert "Viewed the audit trail" in labels
    assert "Viewed a patient's events in the audit trail" in labels
    assert page.context["form"]["include_trail_views"].value() is True
    # That page showed the 2 person-reads: no read of a read is recorded, only the
    # 2 real events' people again.
    assert reads.count() == 4
    admin_client.get(url, {"action": "audit.patient_viewed"})
    assert reads.count() == 4
