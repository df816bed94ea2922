"""A patient's data download reads in their language all the way through: not only the
column names but the values of the spreadsheet files (a status, a kind of alert, a
questionnaire band in words; yes/no as Sí/No). Ids, numbers and dates stay as they are,
and my-data.json keeps the codes another program needs; columns.csv says what each
code means. The practice's own staff CSVs keep their codes (tests of those exports)."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from painapp.accounts.data_rights import person_tables
from tests.data_rights_data import make_rich_data
from tests.test_account_deletion import login
from tests.test_data_export import csv_rows, document, download
from tracking.alerts.services import alert_raise
from tracking.models import CheckIn, Response

WORDS = {
    "en": {
        "yes": "Yes",
        "no": "No",
        "kind": "Thoughts of self-harm reported",
        "severity": "Urgent",
        "open": "Open",
        "enrollment": "Active",
        "checkin": "Done",
        "activity": "Sitting",
        "band": "Mild",
        "plan": "Continue the program",
        "readme": (
            "my-data.json uses fixed English names and short codes",
            "columns.csv lists every column of every spreadsheet file",
            "Dates are written year-month-day",
        ),
    },
    "es": {
        "yes": "Sí",
        "no": "No",
        "kind": "Pensamientos de hacerse daño",
        "severity": "Urgente",
        "open": "Abierta",
        "enrollment": "Activo",
        "checkin": "Hecho",
        "activity": "Sentado",
        "band": "Leve",
        "plan": "Continuar el programa",
        "readme": (
            "my-data.json usa nombres fijos en inglés y códigos cortos",
            "columns.csv muestra cada columna de cada archivo de hoja de cálculo",
            "Las fechas se escriben año-mes-día",
        ),
    },
}


@pytest.fixture
def mine(client, cast, enrollment):
    login(client, cast.patient)
    rich = make_rich_data(enrollment, marker="MINE-7f3a", staff=cast.admin)
    alert_raise(enrollment=enrollment, kind="self_harm", severity="urgent", source="checkin:9")
    Response.objects.filter(pk=rich.rows["response"].pk).update(scores={"total": 6, "band": "Mild"})
    CheckIn.objects.filter(pk=rich.rows["checkin"].pk).update(
        figures={"totals": {"phq9": 6}, "bands": {"phq9": "Mild"}}
    )
    return rich


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_spreadsheets_values_are_in_the_patients_language(client, cast, mine, language):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    words = WORDS[language]
    archive = download(client)

    [alert] = [a for a in csv_rows(archive, "tracking.alert") if a["kind"] == words["kind"]]
    assert (alert["severity"], alert["status"]) == (words["severity"], words["open"])
    [enrollment] = csv_rows(archive, "programs.enrollment")
    assert enrollment["status"] == words["enrollment"]
    [resolution] = csv_rows(archive, "tracking.alertresolution")
    assert (resolution["contacted"], resolution["plan"]) == (words["yes"], words["plan"])
    [message, reply] = csv_rows(archive, "tracking.message")
    assert (message["from_patient"], reply["from_patient"]) == (words["yes"], words["no"])
    [diary] = csv_rows(archive, "tracking.diaryentry")
    assert diary["activity"] == words["activity"]
    checkin = next(c for c in csv_rows(archive, "tracking.checkin") if c["completed_at"])
    assert checkin["status"] == words["checkin"]
    assert f'"phq9": "{words["band"]}"' in checkin["figures"]
    [response] = csv_rows(archive, "tracking.response")
    assert f'"band": "{words["band"]}"' in response["scores"]

    everything_csv = "\n".join(
        archive.read(n).decode("utf-8-sig") for n in archive.namelist() if n.startswith("csv/")
    )
    for code in (",yes,", ",no,", ",open,", ",self_harm,", ",urgent,", ",sitting,", ",active,"):
        assert code not in everything_csv, code

    # What a machine needs is as it was: ids, numbers, dates and times (ISO).
    tables = document(archive)["tables"]
    json_checkin = next(c for c in tables["tracking.checkin"] if c["completed_at"])
    assert (checkin["id"], checkin["due_date"], checkin["completed_at"]) == (
        str(json_checkin["id"]),
        json_checkin["due_date"],
        json_checkin["completed_at"],
    )
    assert checkin["week"] == str(json_checkin["week"] or "")
    # my-data.json keeps the codes, for another program.
    json_alert = next(a for a in tables["tracking.alert"] if a["kind"] == "self_harm")
    assert (json_alert["severity"], json_alert["status"]) == ("urgent", "open")
    assert tables["tracking.alertresolution"][0]["contacted"] is True
    assert tables["tracking.response"][0]["scores"]["band"] == "Mild"

    # columns.csv says what each code in my-data.json means, in their language.
    guide = list(csv.reader(io.StringIO(archive.read("columns.csv").decode("utf-8-sig"))))
    [status] = [r for r in guide[1:] if r[0] == "csv/tracking.alert.csv" and r[2] == "status"]
    assert f"open = {words['open']}" in status[3]
    # and the README says so.
    readme = archive.read("README.txt").decode()
    for sentence in words["readme"]:
        assert sentence in readme


def test_every_code_a_spreadsheet_shows_has_spanish_words():
    """A value with choices is shown in words: each word needs its Spanish (a new choice
    without one fails here). Some words are the same in both languages."""
    # The same in both languages; a language by its own name (English, Español).
    same = {"No", "Plan", "Video", "WebAuthn", "English", "Español"}
    missing = set()
    for table in person_tables():
        for field in table.model._meta.concrete_fields:
            if not field.choices or field.attname not in table.columns:
                continue
            for code, label in field.flatchoices:
                with translation.override("en"):
                    english = str(label)
                with translation.override("es"):
                    spanish = str(label)
                if spanish == english and english not in same:
                    missing.add(f"{table.label}.{field.attname}: {code} = {english}")
    assert not missing, sorted(missing)


READ = {
    "en": {
        "instrument": "Your mood",
        "language": "English",
        "weekday": "Monday",
        "login": "Logged in",
        "viewed": "Viewed a patient's overview",
    },
    "es": {
        "instrument": "Su estado de ánimo",
        "language": "inglés",
        "weekday": "lunes",
        "login": "Entró en su cuenta",
        "viewed": "Vio el resumen de un paciente",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_spreadsheets_name_what_a_code_stood_for(client, cast, mine, enrollment, language):
    """A questionnaire by the name the patient reads, the language it was asked in, the
    check-in weekday by name, the sensations they picked as they saw them, and what
    was done in the audit trail in plain words; my-data.json keeps the codes."""
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    enrollment.checkin_weekday = 0
    enrollment.save(update_fields=["checkin_weekday"])
    read = READ[language]

    archive = download(client)

    [response] = csv_rows(archive, "tracking.response")
    assert (response["instrument_key"], response["language"]) == (
        read["instrument"],
        read["language"],
    )
    [row] = csv_rows(archive, "programs.enrollment")
    assert row["checkin_weekday"] == read["weekday"]
    [session] = csv_rows(archive, "programs.practicesession")
    # The program's words, as they picked them (English here, whatever their language).
    assert session["sensations"] == "tightness, warmth"
    actions = {event["action"] for event in csv_rows(archive, "accounts.auditevent")}
    assert {read["login"], read["viewed"]} <= actions
    assert not {"login", "patient.viewed", "data.exported"} & actions

    tables = document(archive)["tables"]
    assert (
        tables["tracking.response"][0]["instrument_key"],
        tables["tracking.response"][0]["language"],
    ) == ("phq9", "en")
    assert tables["programs.enrollment"][0]["checkin_weekday"] == 0
    assert tables["programs.practicesession"][0]["sensations"] == ["tightness", "warmth"]
    assert {"login", "patient.viewed"} <= {e["action"] for e in tables["accounts.auditevent"]}
