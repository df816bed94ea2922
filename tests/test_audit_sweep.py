"""Every staff view of patient data is audited: the access matrix's pages and files,
opened by the patient's clinician and by the practice's admin. Whenever what comes back
names a patient (their name, full name or email) or holds their answers (the diary
words below), that request must have written an AuditEvent with the patient as its
subject, as the caseload does (`audit_reads`: one event per patient shown).

A new page that shows patients without auditing fails this test, as the admin's
enrollment list did.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests import test_access_matrix
from tests.test_access_matrix import EXPECTED, OK, all_url_names, kwargs_for

world = test_access_matrix.world
ROLES = ("clinician", "admin")
# The patient's own words, in their diary: an answer only they could have typed.
ANSWER = "Walked to the river wondering"

# Pages that may show a patient without a read event of their own, and why.
EXCEPTIONS = {
    # The audit trail lists the events themselves (who read whose data). Recording a read
    # per subject there would add to the trail each time it is read, without end; the
    # export of it is recorded (audit.exported).
    "admin_audit",
    "admin_audit_csv",
}


@pytest.fixture
def answers(cast, world):
    """The access matrix's world, with the patient's words in their diary, a reminder
    that could not reach them and an import file whose row names them."""
    from django.utils import timezone

    from tracking.models import BulkImport, Delivery, DiaryEntry, ReminderSchedule

    DiaryEntry.objects.filter(enrollment_id=world["_enrollment"]).update(self_talk=ANSWER)
    schedule, _ = ReminderSchedule.objects.get_or_create(
        enrollment_id=world["_enrollment"], kind=ReminderSchedule.Kind.PRACTICE
    )
    Delivery.objects.create(
        schedule=schedule,
        slot="day-1",
        channel="email",
        due_at=timezone.now(),
        status=Delivery.Status.FAILED,
        error="bounced",
    )
    row = {
        "line": 2,
        "full_name": cast.patient.full_name,
        "email": cast.patient.email,
        "clinician_email": cast.clinician.email,
        "start_date": "",
        "timezone": "UTC",
        "program": "",
        "problems": ["Already enrolled."],
    }
    BulkImport.objects.filter(pk=world["admin_import_review"]["pk"]).update(rows=[row])
    return world


def _shows(body: str, patient, *, by_name: bool = True) -> bool:
    marks = {patient.email, patient.display_name, patient.full_name} if by_name else {patient.email}
    return any(m and m in body for m in marks)


@pytest.mark.parametrize("role", ROLES)
def test_every_staff_page_that_shows_a_patient_audits_that_patient(client, cast, answers, role):
    world = answers
    client.force_login(getattr(cast, role))
    # The practice's patients: the two enrolled and the one invited (the invitation list
    # names the invitee). The invitee's name ("Pat") is part of the first patient's
    # ("Pat One"): they are known by their email alone.
    patients = (cast.patient, cast.other_patient, cast.outsider_patient)
    missing, shown = [], 0
    for name, route in sorted(all_url_names().items()):
        if EXPECTED[name][role] != OK:
            continue
        url = reverse(name, kwargs=kwargs_for(name, route, world))
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url, follow=True)
        if response.status_code == 405:  # a POST-only action: not a view
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        audited = set(AuditEvent.objects.filter(pk__gt=before).values_list("subject_id", flat=True))
        for patient in patients:
            by_name = patient != cast.outsider_patient
            seen = _shows(text, patient, by_name=by_name) or (
                patient == cast.patient and ANSWER in text
            )
            if not seen:
                continue
            shown += 1
            if patient.pk not in audited and name not in EXCEPTIONS:
                missing.append(f"{name} ({url}) shows {patient.email} with no read event")
    assert shown > 5, "the sweep saw (almost) no patient data: is the world built?"
    assert not missing, "\n".join(missing)


def test_the_exceptions_are_pages_of_the_matrix():
    assert set(all_url_names()) >= EXCEPTIONS


@pytest.mark.parametrize(
    "name",
    ["admin_enrollments", "invitation_list", "admin_failed_deliveries", "admin_import_review"],
)
def test_a_list_records_all_its_patients_with_one_insert(client, cast, answers, name):
    """Three patients on the page (the two enrolled and the invitee, or the import's
    row), one INSERT into the trail: the read events are written at once, not a row at
    a time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracking.models import Delivery

    if name == "admin_failed_deliveries":  # a second patient's reminder failed too
        other = Delivery.objects.get()
        other.pk = None
        other.schedule = type(other.schedule).objects.create(
            enrollment=cast.other_patient.enrollments.get(), kind="practice"
        )
        other.save()
    kwargs = answers.get(name, {})
    client.force_login(cast.admin)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
    inserts = [
        q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "accounts_auditevent"')
    ]
    assert len(inserts) == 1
    subjects = set(AuditEvent.objects.order_by("pk")[before:].values_list("subject_id", flat=True))
    expected = {
        "admin_enrollments": {cast.patient.pk, cast.other_patient.pk},
        "invitation_list": {cast.outsider_patient.pk},
        "admin_failed_deliveries": {cast.patient.pk, cast.other_patient.pk},
        "admin_import_review": {cast.patient.pk},
    }[name]
    assert subjects == expected
