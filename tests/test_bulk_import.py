"""Bulk import of enrollments: the dry run explains every problem and creates nothing;
confirming creates the valid rows once, in one transaction; a re-upload creates no
duplicates; a 5,000-row file works (timed)."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from painapp.accounts import services as account_services
from painapp.accounts.models import AuditEvent, Invitation, Membership, Role, User
from programs.models import Enrollment, EnrollmentStatus
from tests.factories import make_enrollment, make_member
from tracking.models import BulkImport, OutboxTask
from tracking.practice_admin import bulk_import
from tracking.tasks import send_import_invitations

HEADER = "full_name,email,clinician_email,start_date,timezone,program\n"


def csv_file(*rows: str, header: str = HEADER, name: str = "patients.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, (header + "\n".join(rows) + "\n").encode(), content_type="text/csv"
    )


def counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Membership.objects.count(),
        Invitation.objects.count(),
        Enrollment.objects.count(),
    )


def upload(client, file) -> BulkImport:
    response = client.post(reverse("admin_import"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def problems_by_line(record: BulkImport) -> dict[int, list[str]]:
    return {r["line"]: r["problems"] for r in record.rows}


@pytest.fixture
def admin_client(client, cast, program_version):
    client.force_login(cast.admin)
    return client


def good(
    n: int,
    clinician: str = "clin@riverside.test",
    start: str | None = None,
    tz: str = "Europe/London",
    program: str = "",
) -> str:
    start = start or timezone.localdate().isoformat()
    return f"Patient {n},new{n}@example.org,{clinician},{start},{tz},{program}"


# ---------------------------------------------------------------- the dry run
def test_it_reports_every_kind_of_bad_row_in_plain_words(admin_client, cast, enrollment):
    make_member(cast.practice, Role.CLINICIAN, "gone@riverside.test", active=False)
    account_services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=account_services.InvitationRequest(
            email="waiting@example.org",
            full_name="Wait Ing",
            role=Role.PATIENT,
            clinician=cast.clinician,
        ),
    )
    today = timezone.localdate()
    record = upload(
        admin_client,
        csv_file(
            good(1),  # line 2: fine
            f"Bad Email,not-an-email,clin@riverside.test,{today},UTC,",  # 3
            f"No Clin,a@example.org,nobody@riverside.test,{today},UTC,",  # 4
            f"Gone Clin,b@example.org,gone@riverside.test,{today},UTC,",  # 5
            f"Twice,new1@example.org,clin@riverside.test,{today},UTC,",  # 6
            f"Enrolled,PAT@riverside.test,clin@riverside.test,{today},UTC,",  # 7
            f"Waiting,waiting@example.org,clin@riverside.test,{today},UTC,",  # 8
            f"Staff,clin2@riverside.test,clin@riverside.test,{today},UTC,",  # 9
            "Feb,c@example.org,clin@riverside.test,2026-02-30,UTC,",  # 10
            "Us Date,d@example.org,clin@riverside.test,04/01/2026,UTC,",  # 11
            "Old,e@example.org,clin@riverside.test,2019-01-01,UTC,",  # 12
            f"Zone,f@example.org,clin@riverside.test,{today},Europe/Londn,",  # 13
            f"Prog,g@example.org,clin@riverside.test,{today},UTC,no-such-program",  # 14
            f",h@example.org,clin@riverside.test,{today},UTC,",  # 15
            ",,,,,",  # blank: skipped
            "Short Row,i@example.org",  # 17
        ),
    )
    p = problems_by_line(record)
    assert p[2] == []
    assert p[3] == ["“not-an-email” is not a valid email address."]
    assert p[4] == [
        "Unknown clinician: nobody active in your practice has the email “nobody@riverside.test”."
    ]
    assert p[5][0].startswith("Unknown clinician")
    assert p[6] == [
        "Duplicate: this email is also on line 2 of the file. Each patient can be on it once."
    ]
    assert p[7] == ["Duplicate: this patient is already enrolled in your practice."]
    assert p[8][0].startswith("Duplicate: this patient already has an invitation waiting.")
    assert p[9] == ["This email belongs to a member of your staff, not a patient."]
    assert p[10] == [
        "“2026-02-30” is not a date we can read. Write dates as YYYY-MM-DD, like 2026-04-01."
    ]
    assert p[11][0].startswith("“04/01/2026” is not a date we can read.")
    assert p[12] == ["The start date 2019-01-01 is more than a year ago. Check the year."]
    assert p[13] == [
        "Unknown time zone “Europe/Londn”. Use a name like Europe/London or America/New_York."
    ]
    assert p[14] == ["Unknown program “no-such-program”. Leave it empty for the default program."]
    assert p[15] == ["The name is missing."]
    assert 16 not in p
    assert p[17] == [
        "The clinician's email is missing.",
        "The start date is missing.",
        "The time zone is missing.",
    ]

    page = admin_client.get(reverse("admin_import_review", args=[record.pk])).content.decode()
    assert "1</span> row ready to import" in page
    assert "14</span> rows with a problem" in page
    assert "Unknown time zone “Europe/Londn”" in page
    assert "Create 1 enrollment" in page


def test_the_dry_run_creates_nothing(admin_client, cast, mailoutbox):
    before = counts()
    record = upload(admin_client, csv_file(good(1), good(2)))
    assert counts() == before
    assert not mailoutbox and not OutboxTask.objects.exists()
    assert record.status == BulkImport.Status.PENDING and len(record.rows) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"name,email\nA,a@example.org\n",
            "Missing: full_name, clinician_email, start_date, timezone",
        ),
        ("full_name,email\n".encode("utf-16"), "Save it from your spreadsheet as “CSV UTF-8”"),
        (HEADER.encode(), "That file has column names but no patients."),
    ],
)
def test_it_explains_a_file_it_cannot_use(admin_client, content, message):
    response = admin_client.post(
        reverse("admin_import"), {"file": SimpleUploadedFile("x.csv", content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BulkImport.objects.exists()


# ---------------------------------------------------------------- confirming
def test_it_creates_the_valid_rows_once_and_reports_the_rest(
    admin_client, cast, mailoutbox, program_version
):
    before, today = counts(), timezone.localdate()
    record = upload(
        admin_client,
        csv_file(
            good(1),
            good(2, tz="america/new_york"),
            f"Bad,bad-email,clin@riverside.test,{today},UTC,",
        ),
    )
    response = admin_client.post(reverse("admin_import_confirm", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == BulkImport.Status.DONE
    assert record.result["created"] == 2
    assert record.result["skipped"] == [
        {"line": 4, "email": "bad-email", "problems": ["“bad-email” is not a valid email address."]}
    ]
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 2, before[3] + 2)

    enrollments = Enrollment.objects.filter(
        patient__email__in=["new1@example.org", "new2@example.org"]
    )
    for e in enrollments.select_related("patient"):
        assert e.status == EnrollmentStatus.INVITED and e.clinician == cast.clinician
        assert e.program_version == program_version and e.practice == cast.practice
    assert User.objects.get(email="new2@example.org").timezone == "America/New_York"
    assert AuditEvent.objects.filter(action="enrollment.invited", actor=cast.admin).count() == 2
    assert AuditEvent.objects.filter(action="bulk_import.confirmed").count() == 1

    page = admin_client.get(response.url).content.decode()
    assert "2 patients enrolled" in page and "Import finished" in page

    # A second click, or a second tab, creates nothing more.
    admin_client.post(reverse("admin_import_confirm", args=[record.pk]))
    assert counts() == (before[0] + 2, before[1] + 2, before[2] + 2, before[3] + 2)

    # The invitation emails go out from the outbox task, once each.
    assert not mailoutbox
    task = OutboxTask.objects.get(task="tracking.tasks_admin.send_import_invitations")
    assert send_import_invitations(**task.kwargs, outbox_id=task.pk) == 0
    assert send_import_invitations(**task.kwargs, outbox_id=task.pk) == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["new1@example.org", "new2@example.org"]
    task.refresh_from_db()
    assert task.done_at is not None


def test_an_imported_patient_accepts_their_invitation_like_any_other(admin_client, cast):
    record = upload(admin_client, csv_file(good(1)))
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    invitation = Invitation.objects.get(membership__user__email="new1@example.org")
    found = account_services.invitation_from_token(account_services.invitation_token(invitation))
    user = account_services.invitation_accept(
        invitation=found, password="a-long-new-pass-9", timezone_name="Europe/Paris"
    )
    assert Membership.objects.get(user=user, practice=cast.practice).is_active
    assert Enrollment.objects.get(patient=user).clinician == cast.clinician


def test_re_uploading_the_same_file_creates_no_duplicates(admin_client, cast):
    file_rows = [good(1), good(2)]
    first = upload(admin_client, csv_file(*file_rows))
    admin_client.post(reverse("admin_import_confirm", args=[first.pk]))
    after_first = counts()

    again = upload(admin_client, csv_file(*file_rows))
    assert all(
        r["problems"] == ["Duplicate: this patient is already enrolled in your practice."]
        for r in again.rows
    )
    page = admin_client.get(reverse("admin_import_review", args=[again.pk])).content.decode()
    assert "You already imported this same file" in page
    admin_client.post(reverse("admin_import_confirm", args=[again.pk]))
    assert counts() == after_first
    assert Enrollment.objects.filter(patient__email="new1@example.org").count() == 1


def test_rows_that_became_duplicates_after_the_dry_run_are_skipped(admin_client, cast):
    record = upload(admin_client, csv_file(good(1), good(2)))
    # Meanwhile a colleague invites patient 2 by hand.
    account_services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=account_services.InvitationRequest(
            email="new2@example.org", full_name="Two", role=Role.PATIENT, clinician=cast.clinician
        ),
    )
    done = bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    assert done.result["created"] == 1
    assert [s["line"] for s in done.result["skipped"]] == [3]


def test_a_former_patient_can_be_imported_again(admin_client, cast, program_version):
    former = make_member(cast.practice, Role.PATIENT, "back@example.org", active=False)
    old = make_enrollment(former, cast.clinician, cast.practice, version=program_version)
    old.status = EnrollmentStatus.WITHDRAWN
    old.save()
    record = upload(
        admin_client,
        csv_file(f"Back Again,back@example.org,clin@riverside.test,{timezone.localdate()},UTC,"),
    )
    assert record.rows[0]["problems"] == []
    done = bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    assert done.result["created"] == 1
    assert Membership.objects.filter(user=former).count() == 1  # the same one, reused
    assert Enrollment.objects.filter(patient=former).count() == 2


def test_an_expired_check_creates_nothing(admin_client, cast):
    record = upload(admin_client, csv_file(good(1)))
    BulkImport.objects.filter(pk=record.pk).update(expires_at=timezone.now() - timedelta(1))
    before = counts()
    response = admin_client.post(reverse("admin_import_confirm", args=[record.pk]), follow=True)
    assert "more than two hours old" in response.content.decode()
    assert counts() == before


def test_it_never_trusts_rows_posted_back(admin_client, cast):
    record = upload(admin_client, csv_file(good(1)))
    admin_client.post(
        reverse("admin_import_confirm", args=[record.pk]),
        {"email": "evil@example.org", "rows": '[{"email": "evil@example.org"}]'},
    )
    assert not User.objects.filter(email="evil@example.org").exists()
    assert User.objects.filter(email="new1@example.org").exists()


def test_the_problems_download_is_safe_for_spreadsheets(admin_client):
    record = upload(
        admin_client, csv_file('=HYPERLINK("http://x"),bad,clin@riverside.test,2026-04-01,UTC,')
    )
    response = admin_client.get(reverse("admin_import_problems", args=[record.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["line", "full_name", "email"]
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_the_problems_download_has_each_value_under_its_own_header(admin_client):
    today = timezone.localdate().isoformat()
    record = upload(
        admin_client,
        csv_file(
            f"Ana Lee,bad-email,clin@riverside.test,{today},Europe/London,,es",
            header=HEADER.replace("program", "program,language"),
        ),
    )
    response = admin_client.get(reverse("admin_import_problems", args=[record.pk]))
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == ["line", *bulk_import.COLUMNS, "problems"]
    assert [len(row) for row in rows] == [len(header)]
    row = dict(zip(header, rows[0], strict=True))
    assert row == {
        "line": "2",
        "full_name": "Ana Lee",
        "email": "bad-email",
        "clinician_email": "clin@riverside.test",
        "start_date": today,
        "timezone": "Europe/London",
        "program": "",
        "language": "es",
        "problems": "“bad-email” is not a valid email address.",
    }


def test_imports_belong_to_their_practice(client, cast, program_version):
    client.force_login(cast.admin)
    record = upload(client, csv_file(good(1)))
    client.force_login(cast.outsider_admin)
    before = counts()
    for name, method in (
        ("admin_import_review", "get"),
        ("admin_import_confirm", "post"),
        ("admin_import_problems", "get"),
    ):
        assert getattr(client, method)(reverse(name, args=[record.pk])).status_code == 404
    assert counts() == before
    for user in (cast.clinician, cast.patient):
        client.force_login(user)
        assert client.get(reverse("admin_import")).status_code == 404


# ---------------------------------------------------------------- 5,000 rows
def test_a_5000_row_file_works(admin_client, cast, capsys):
    for n in range(3):
        make_member(cast.practice, Role.CLINICIAN, f"team{n}@riverside.test")
    start = timezone.localdate()
    rows = [
        f"Patient {n},bulk{n}@example.org,team{n % 3}@riverside.test,"
        f"{start + timedelta(days=n % 14)},{('Europe/London', 'America/Chicago')[n % 2]},"
        for n in range(5000)
    ]
    before = counts()

    t0 = time.perf_counter()
    record = upload(admin_client, csv_file(*rows))
    t1 = time.perf_counter()
    assert sum(1 for r in record.rows if not r["problems"]) == 5000
    page = admin_client.get(reverse("admin_import_review", args=[record.pk]))
    t2 = time.perf_counter()
    assert "5000</span> rows ready to import" in page.content.decode()
    response = admin_client.post(reverse("admin_import_confirm", args=[record.pk]))
    t3 = time.perf_counter()
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.result["created"] == 5000
    assert counts() == tuple(b + 5000 for b in before)
    assert (
        OutboxTask.objects.filter(task="tracking.tasks_admin.send_import_invitations").count() == 50
    )
    again = upload(admin_client, csv_file(*rows))
    t4 = time.perf_counter()
    assert all(r["problems"] for r in again.rows)
    with capsys.disabled():
        print(
            f"\n5,000-row import: dry run {t1 - t0:.2f}s, review page {t2 - t1:.2f}s, "
            f"confirm {t3 - t2:.2f}s, re-upload dry run {t4 - t3:.2f}s"
        )
    assert t3 - t0 < 60


def test_an_email_too_long_to_store_is_a_row_problem_not_an_error(admin_client, cast):
    # validate_email allows 320 characters; the account's column holds 254.
    long_email = "p" * 250 + "@example.org"
    record = upload(admin_client, csv_file(good(1).replace("new1@example.org", long_email)))
    assert problems_by_line(record)[2] == [
        "This email address is too long (254 characters at most)."
    ]
