"""A patient downloads everything painapp keeps about them: complete, theirs only, safe
to open in a spreadsheet, behind their password."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Invitation, User
from programs.models import Activity
from programs.practice.services import practice_session_record
from programs.services import activity_complete
from tests.data_rights_data import make_rich_data
from tests.factories import PASSWORD
from tracking.models import BulkImport, CheckIn, Instrument, Message, MessageThread, Response

# Tables that point at a person but are not about the patient, and why (each one is a
# decision: a new table that points at a patient fails these tests until it is either
# exported or named here).
STAFF_ONLY = {
    "admin.logentry": "Django admin actions, done by staff",
    "tracking.digestlog": "a clinician's daily digest: counts only",
    "tracking.bulkimport": "an admin's upload; the patient's own lines are exported apart",
    "tracking.practicesettings": "the practice's safety contact: a member of staff",
    "tracking.escalationstep": "a named member of staff on the practice's escalation chain",
    "programs.recording": "a practice's recorded audio, uploaded by its admin",
    "tracking.savedcaseloadfilter": "a clinician's saved caseload filters: no patient data",
}
# About the patient, but not in the self-service download (docs/data-retention.md).
WITHHELD = {
    "tracking.cliniciannote": "the clinician's working notes: on request from the practice",
    "account.emailconfirmation": "one-time security codes",
}


# ---------------------------------------------------------------- independent census
def _links(model) -> list[str]:
    """Every foreign key of `model` to a User, or to an Enrollment's patient."""
    user_label = settings.AUTH_USER_MODEL.lower()
    out = []
    for f in model._meta.get_fields():
        if (f.many_to_one or f.one_to_one) and f.concrete:
            target = f.related_model._meta.label_lower
            if target == user_label:
                out.append(f.name)
            elif target == "programs.enrollment":
                out.append(f"{f.name}__patient")
    return out


def census_lookups(model) -> list[str]:
    """Paths to a person, directly or through one intermediate table."""
    paths = _links(model)
    for f in model._meta.get_fields():
        if (f.many_to_one or f.one_to_one) and f.concrete:
            paths += [f"{f.name}__{p}" for p in _links(f.related_model)]
    return paths


def tables_about_people() -> dict[str, list[str]]:
    """Every installed table that points at a person, from the app registry."""
    return {m._meta.label_lower: census_lookups(m) for m in apps.get_models() if census_lookups(m)}


def rows_about(label: str, user: User) -> int:
    from django.db.models import Q

    query = Q()
    for path in tables_about_people()[label]:
        query |= Q(**{path: user})
    return apps.get_model(label).objects.filter(query).distinct().count()


# ---------------------------------------------------------------- helpers
def login(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def download(client) -> zipfile.ZipFile:
    response = client.post(reverse("my_data_export"))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="painapp-my-data-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def document(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("my-data.json"))


def csv_rows(archive: zipfile.ZipFile, label: str) -> list[dict]:
    """One table's rows, keyed by the stable column keys (the headers are for people,
    in the patient's language; columns.csv pairs them)."""
    guide = csv.reader(io.StringIO(archive.read("columns.csv").decode("utf-8-sig")))
    next(guide)
    keys = {header: key for file, header, key, *_ in guide if file == f"csv/{label}.csv"}
    text = archive.read(f"csv/{label}.csv").decode("utf-8-sig")
    return [{keys[h]: v for h, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


@pytest.fixture
def rich(client, cast, enrollment, other_enrollment):
    """Both patients of the practice have a record of every kind; `client` is logged in
    as the first (before the data: a two-step login device is part of it)."""
    login(client, cast.patient)
    mine = make_rich_data(enrollment, marker="MINE-7f3a", staff=cast.admin)
    theirs = make_rich_data(other_enrollment, marker="THEIRS-91bc", staff=cast.admin)
    return mine, theirs


# ---------------------------------------------------------------- completeness
def test_it_exports_every_table_that_points_at_a_patient(client, cast, rich):
    archive = download(client)
    exported = {
        name[len("csv/") : -len(".csv")] for name in archive.namelist() if name.startswith("csv/")
    }
    about_people = set(tables_about_people())
    forgotten = about_people - exported - set(STAFF_ONLY) - set(WITHHELD) - {"accounts.user"}
    assert not forgotten, f"tables about a patient missing from the export: {forgotten}"
    assert "accounts.user" in exported
    # and every table in it has the patient's rows, exactly as many as there are
    for label in exported - {"accounts.user", "accounts.auditevent", "tracking.bulkimport"}:
        assert len(csv_rows(archive, label)) == rows_about(label, cast.patient) > 0, label


def test_it_says_what_it_leaves_out_and_how_to_get_it(client, cast, rich):
    archive = download(client)
    left_out = {w["table"]: w for w in document(archive)["not_included"]}
    assert set(left_out) == set(WITHHELD)
    assert left_out["tracking.cliniciannote"]["rows"] == 1
    assert "ask your practice" in left_out["tracking.cliniciannote"]["why"]
    assert "clinician's note" not in everything(archive)
    assert "ask your practice" in archive.read("README.txt").decode()


# ---------------------------------------------------------------- the right values
def test_it_holds_each_kind_of_record_with_its_values(client, cast, rich):
    mine, _ = rich
    tables = document(download(client))["tables"]
    person = tables["accounts.user"][0]
    assert (person["email"], person["full_name"]) == ("pat@riverside.test", "Pat One")

    [enrollment] = tables["programs.enrollment"]
    assert enrollment["id"] == mine.enrollment.pk
    assert enrollment["clinician"] == "Dr Kim"
    assert enrollment["practice"] == "Riverside"

    [response] = tables["tracking.response"]
    assert response["instrument_key"] == "phq9"
    assert response["instrument_version"] == mine.rows["response"].instrument_version
    assert response["answers"]["phq1"] == 2 and response["scores"] == {"total": 11}
    [checkin] = [c for c in tables["tracking.checkin"] if c["status"] == "completed"]
    assert checkin["id"] == response["checkin_id"]

    [session] = tables["programs.practicesession"]
    assert (session["pain_before"], session["pain_after"], session["note"]) == (
        7,
        4,
        "MINE-7f3a felt calmer",
    )
    assert sorted(session["sensations"]) == ["tightness", "warmth"]
    [fear] = tables["programs.fearitem"]
    assert fear["label"] == "MINE-7f3a bending down"
    [exposure] = tables["programs.exposure"]
    assert (exposure["predicted_pain"], exposure["actual_pain"]) == (8, 3)
    assert exposure["fear_item_id"] == fear["id"]
    causes = sorted(c["text"] for c in tables["programs.attributioncause"])
    assert causes == ["-an old injury", "@worry", "MINE-7f3a stress at work"]
    [attribution] = tables["programs.attribution"]
    assert attribution["mind_brain_score"] == 2
    [reflection] = tables["programs.reflection"]
    assert reflection["text"].endswith("MINE-7f3a my reflection")
    assert reflection["activity_title"]
    assert len(tables["programs.activitycompletion"]) >= 2

    [prefs] = tables["tracking.reminderpreferences"]
    assert prefs["phone"] == "+447700900123"
    assert {s["kind"] for s in tables["tracking.reminderschedule"]} == {"practice", "checkin"}
    [delivery] = tables["tracking.delivery"]
    assert (delivery["channel"], delivery["status"]) == ("in_app", "sent")
    [notification] = tables["tracking.notification"]
    assert notification["title"] == "MINE-7f3a time for practice"

    # alerts: what kind, where it stands, when; not the clinical details
    [alert] = [a for a in tables["tracking.alert"] if a["kind"] == "fear_high"]
    assert (alert["kind"], alert["status"]) == ("fear_high", "open")
    assert "details" not in alert and "acknowledged_by_id" not in alert
    # how a resolved alert was closed, without the clinician's working note
    [resolution] = tables["tracking.alertresolution"]
    assert (resolution["contacted"], resolution["method"], resolution["plan"]) == (
        True,
        "phone",
        ["continue"],
    )
    assert "note" not in resolution and "created_by_id" not in resolution

    # their conversation with their care team, who wrote each message in words
    messages = tables["tracking.message"]
    assert [(m["body"], m["written_by"]) for m in messages] == [
        ("MINE-7f3a my message", "you"),
        ("MINE-7f3a reply", "Dr Kim"),
    ]
    assert "author_id" not in messages[0]
    assert sorted(r["reader"] for r in tables["tracking.threadread"]) == ["you", "your care team"]
    assert "user_id" not in tables["tracking.threadread"][0]

    [membership] = tables["accounts.membership"]
    assert (membership["role"], membership["practice"]) == ("patient", "Riverside")
    [invitation] = tables["accounts.invitation"]
    assert "nonce" not in invitation
    assert tables["account.emailaddress"][0]["email"] == "pat@riverside.test"
    assert tables["mfa.authenticator"][0]["type"] == "totp"


def test_it_shows_who_looked_at_their_data_without_staff_addresses(client, cast, rich):
    events = document(download(client))["tables"]["accounts.auditevent"]
    read = next(e for e in events if e["action"] == "patient.viewed")
    assert read["by"] == "practice staff" and read["ip"] == ""
    own_login = next(e for e in events if e["action"] == "login" and e["ip"])
    assert own_login["by"] == "you" and own_login["ip"] == "127.0.0.1"


def test_it_never_holds_another_patients_rows(client, cast, rich):
    mine, theirs = rich
    archive = download(client)
    text = everything(archive)
    assert "MINE-7f3a" in text
    assert "THEIRS-91bc" not in text
    assert cast.other_patient.email not in text
    assert "SECRETMINE" not in text  # the two-step login secret
    tables = document(archive)["tables"]
    for label, rows in tables.items():
        for row in rows:
            if "enrollment_id" in row:
                assert row["enrollment_id"] == mine.enrollment.pk, label
    assert not any(e.get("subject_id") for e in tables["accounts.auditevent"])


def test_it_leaves_out_secrets(client, cast, rich):
    mine, _ = rich
    text = everything(download(client))
    assert mine.rows["invitation"].nonce not in text
    assert User.objects.get(pk=cast.patient.pk).password not in text
    assert "password" not in document(download(client))["person"]


def test_each_app_says_what_it_keeps_once(client, cast, rich):
    # programs and tracking register what they keep from their AppConfig.ready; a second
    # registration (ready() run again) must not export anything twice.
    from painapp.accounts import data_rights
    from programs.data_rights import PERSONAL_DATA as PROGRAMS
    from tracking.data_rights import PERSONAL_DATA as TRACKING

    def rows_per_table() -> dict[str, int]:
        tables = document(download(client))["tables"]
        # Each download adds its own audit event: the other tables stay as they were.
        return {
            label: len(rows) for label, rows in tables.items() if label != "accounts.auditevent"
        }

    assert list(data_rights.personal_data) == [PROGRAMS, TRACKING]
    before = rows_per_table()
    data_rights.personal_data.register(TRACKING)
    assert list(data_rights.personal_data) == [PROGRAMS, TRACKING]
    assert rows_per_table() == before


def test_it_includes_their_own_line_of_an_admins_upload_only(client, cast, enrollment):
    BulkImport.objects.create(
        practice=cast.practice,
        created_by=cast.admin,
        file_hash="x" * 64,
        expires_at=timezone.now() + timedelta(hours=1),
        rows=[
            {"line": 2, "email": "PAT@riverside.test", "full_name": "Pat One", "problems": []},
            {
                "line": 3,
                "email": "pat2@riverside.test",
                "full_name": "Someone Else",
                "problems": [],
            },
        ],
    )
    login(client, cast.patient)
    archive = download(client)
    [line] = document(archive)["tables"]["tracking.bulkimport"]
    assert line["line"] == 2
    assert "Someone Else" not in everything(archive)


# ---------------------------------------------------------------- spreadsheets
def test_its_spreadsheet_cells_never_run_as_formulas(client, cast, rich):
    archive = download(client)
    [reflection] = csv_rows(archive, "programs.reflection")
    assert reflection["text"].startswith("'=HYPERLINK")
    causes = {c["text"] for c in csv_rows(archive, "programs.attributioncause")}
    assert {"'-an old injury", "'@worry"} <= causes
    for name in archive.namelist():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))):
                for cell in row:
                    assert not cell.lstrip(" ").startswith(("=", "+", "@", "\t", "\r")), (
                        name,
                        cell,
                    )
                    if cell.startswith("-"):
                        float(cell)  # only a negative number may start with a minus


def test_its_queries_do_not_grow_with_the_history(client, cast, rich):
    """A patient months in (many answered questionnaires, check-ins, messages, lessons,
    practice sessions) gets their download with as many queries as on their first day."""
    enrollment = rich[0].enrollment
    with CaptureQueriesContext(connection) as before:
        download(client)
    instruments = list(Instrument.objects.filter(practice=None, is_current=True)[:3])
    assert len(instruments) == 3
    for checkin in CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at")[:4]:
        for instrument in instruments:
            Response.objects.create(
                checkin=checkin,
                instrument=instrument,
                instrument_key=instrument.key,
                instrument_version=instrument.version,
                answers={},
                scores={"total": 3},
            )
    thread = MessageThread.objects.get(enrollment=enrollment)
    for n in range(3):
        Message.objects.create(thread=thread, author=cast.patient, from_patient=True, body="hi")
        Message.objects.create(
            thread=thread, author=cast.clinician, from_patient=False, body=f"reply {n}"
        )
    for activity in Activity.objects.filter(week__version=enrollment.program_version)[:4]:
        activity_complete(enrollment=enrollment, activity=activity)
    for _ in range(6):
        practice_session_record(
            enrollment=enrollment,
            client_token=uuid.uuid4(),
            pain_before=5,
            threat_before=5,
            pain_after=4,
            threat_after=4,
        )
    with CaptureQueriesContext(connection) as after:
        archive = download(client)
    assert len(document(archive)["tables"]["tracking.response"]) == 13
    assert len(after) == len(before)


# ---------------------------------------------------------------- who and when
def test_it_is_audited_as_the_patients_own_action(client, cast, enrollment):
    login(client, cast.patient)
    download(client)
    event = AuditEvent.objects.get(action="data.exported")
    assert (event.actor_id, event.subject_id, event.practice_id) == (
        cast.patient.pk,
        cast.patient.pk,
        cast.practice.pk,
    )
    assert cast.patient.email not in str(event.__dict__)


def test_it_works_right_after_logging_in(client, cast, enrollment):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.patient)
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        download(client)


def test_it_asks_for_the_password_again_after_five_minutes(client, cast, enrollment):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, cast.patient)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = client.post(reverse("my_data_export"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
        assert not AuditEvent.objects.filter(action="data.exported").exists()
        page = client.get(response.url)
        assert "Enter your password again" in page.content.decode()

        wrong = client.post(response.url, {"password": "not-my-password"})
        assert wrong.status_code == 200 and wrong["Content-Type"].startswith("text/html")
        assert not AuditEvent.objects.filter(action="data.exported").exists()

        # the right password leaves the password page for "Your data", which says the
        # download has started and fetches it (no JavaScript: a meta refresh)
        resumed = client.post(response.url, {"password": PASSWORD})
        assert resumed.status_code == 302 and resumed.url == reverse("my_data")
        page = client.get(resumed.url).content.decode()
        assert "Your download has started" in page
        assert 'type="password"' not in page
        fetch = f'http-equiv="refresh" content="1; url={reverse("my_data_export")}"'
        assert fetch in page
        assert f'href="{reverse("my_data_export")}" download>Download again' in page
        file = client.get(reverse("my_data_export"))
        assert file.status_code == 200 and file["Content-Type"] == "application/zip"
        assert AuditEvent.objects.filter(action="data.exported").count() == 1
        # the notice is shown once; "Download again" still works
        assert "Your download has started" not in client.get(reverse("my_data")).content.decode()
        assert client.get(reverse("my_data_export"))["Content-Type"] == "application/zip"
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        download(client)  # confirmed two minutes ago: no second prompt


def test_a_spanish_patient_gets_the_readme_and_column_names_in_spanish(client, cast, rich):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    archive = download(client)
    readme = archive.read("README.txt").decode()
    assert readme.startswith("Sus datos de painapp")
    assert "Your data" not in readme and "pida una copia a su consultorio" in readme
    assert "comuníquese con su consultorio" in readme and "su consulta " not in readme
    assert "columns.csv" in readme
    with archive.open("csv/programs.enrollment.csv") as f:
        header = next(csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig")))
    assert "Fecha de inicio" in header and "start_date" not in header
    # every column of every table has a Spanish name (a new field fails here)
    guide = csv.DictReader(io.StringIO(archive.read("columns.csv").decode("utf-8-sig")))
    assert guide.fieldnames == [
        "Archivo",
        "Nombre de la columna",
        "Clave",
        "Qué significan los códigos",
    ]
    untranslated = {
        r["Clave"]
        for r in guide
        if r["Nombre de la columna"].lower() == r["Clave"].replace("_", " ")
    }
    assert untranslated <= {"id", "error", "plan"}, untranslated  # the same word in Spanish
    # the JSON keeps its stable English keys, and the rows read the same through the guide
    tables = document(archive)["tables"]
    assert "start_date" in tables["programs.enrollment"][0]
    assert (
        csv_rows(archive, "programs.enrollment")[0]["start_date"]
        == (tables["programs.enrollment"][0]["start_date"])
    )
    assert tables["tracking.threadread"] and {
        r["reader"] for r in tables["tracking.threadread"]
    } == {"usted", "su equipo de atención"}


def test_the_practice_days_read_as_day_names_in_their_language(client, cast, rich, enrollment):
    from tracking.models import ReminderPreferences

    ReminderPreferences.objects.filter(enrollment=enrollment).update(practice_days=[4, 0, 2])
    archive = download(client)
    [prefs] = csv_rows(archive, "tracking.reminderpreferences")
    assert prefs["practice_days"] == "Monday, Wednesday, Friday"
    assert document(archive)["tables"]["tracking.reminderpreferences"][0]["practice_days"] == [
        4,
        0,
        2,
    ]  # the JSON keeps the codes
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    [prefs] = csv_rows(download(client), "tracking.reminderpreferences")
    assert prefs["practice_days"] == "lunes, miércoles, viernes"
    # none ticked: reminded every day (as the reminder settings page says)
    ReminderPreferences.objects.filter(enrollment=enrollment).update(practice_days=[])
    [prefs] = csv_rows(download(client), "tracking.reminderpreferences")
    assert prefs["practice_days"] == "Todos los días"


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/Los_Angeles", "2026-12-07"),  # 7 pm on the 7th there
        ("Asia/Tokyo", "2026-12-08"),
        ("UTC", "2026-12-08"),
    ],
)
def test_the_file_is_named_by_the_date_where_they_live(client, cast, enrollment, zone, day):
    cast.patient.timezone = zone
    cast.patient.save(update_fields=["timezone"])
    with time_machine.travel(datetime(2026, 12, 8, 3, 0, tzinfo=UTC), tick=False):
        login(client, cast.patient)
        response = client.post(reverse("my_data_export"))
    assert response["Content-Disposition"] == f'attachment; filename="painapp-my-data-{day}.zip"'


def test_a_session_without_a_typed_password_must_confirm_it(client, cast, enrollment):
    client.force_login(cast.patient)
    response = client.post(reverse("my_data_export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_a_download_is_a_post(client, cast, enrollment):
    # (a GET only fetches the file just after the password was asked for again)
    login(client, cast.patient)
    assert client.get(reverse("my_data_export")).status_code == 405
    assert not AuditEvent.objects.filter(action="data.exported").exists()


@pytest.mark.parametrize("who", ["clinician", "admin", "outsider_clinician"])
def test_staff_get_a_404(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    for name in ("my_data", "my_data_export", "account_delete"):
        assert client.get(reverse(name)).status_code == 404, name
        assert client.post(reverse(name)).status_code == 404, name
    assert not AuditEvent.objects.filter(action="data.exported").exists()


def test_someone_logged_out_is_sent_to_log_in(client):
    response = client.post(reverse("my_data_export"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_account_page_links_to_it_for_patients_only(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(reverse("account_change_password")).content.decode()
    assert reverse("my_data") in page and reverse("account_delete") in page
    mine = client.get(reverse("my_data"))
    assert mine.status_code == 200
    assert "Download my data" in mine.content.decode()
    client.force_login(cast.clinician)
    page = client.get(reverse("account_change_password")).content.decode()
    assert reverse("my_data") not in page


def test_a_patient_with_several_practices_gets_all_of_them(
    client, cast, enrollment, program_version
):
    from painapp.accounts.models import Membership, Role
    from tests.factories import make_enrollment

    Membership.objects.create(
        user=cast.patient, practice=cast.other_practice, role=Role.PATIENT, is_active=True
    )
    second = make_enrollment(
        cast.patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    login(client, cast.patient)
    tables = document(download(client))["tables"]
    assert {e["id"] for e in tables["programs.enrollment"]} == {enrollment.pk, second.pk}
    assert len(tables["accounts.membership"]) == 2
    assert Invitation.objects.count() == 0  # nothing else was needed
