"""PRT session notes in the exports (issue 19, point 3): each session is an Encounter
with its answers in the FHIR bundle, a row of facts on the printable summary, and a row
in the patient's own download that goes when they delete their account. The clinician's
free-text session and risk notes stay out of all three."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.bundle import Bundle

from tests.test_account_deletion import delete
from tests.test_data_export import document, download, login
from tests.test_i18n import english_in
from tests.test_i18n_clinic import names
from tracking.exports.fhir import patient_reference_id
from tracking.session_notes.models import SessionNote
from tracking.session_notes.services import SessionRecord, session_note_create

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
WORKING_NOTE = "Working note: guarded about bending"
RISK_NOTE = "Risk note: passive thoughts last month"


def add_session(enrollment, author, **overrides) -> SessionNote:
    values = {
        "session_date": timezone.localdate() - timedelta(days=3),
        "minutes": 50,
        "mode": "in_person",
        "components": ["education", "somatic_tracking", "exposure"],
        "somatic_response": "safer",
        "exposure_set": "Bending to load the dishwasher",
        "exposure_outcome": "better",
        "risk_identified": True,
        "risk_actions": ["safety_plan"],
        "risk_note": RISK_NOTE,
        "homework": "Somatic tracking once a day",
        "notes": WORKING_NOTE,
    }
    values.update(overrides)
    return session_note_create(enrollment=enrollment, author=author, record=SessionRecord(**values))


def add_sessions(enrollment, author, n: int) -> None:
    for i in range(n):
        add_session(
            enrollment,
            author,
            session_date=timezone.localdate() - timedelta(days=7 * (n - i)),
            mode=["in_person", "video", "phone"][i % 3],
        )


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def url(name: str, enrollment) -> str:
    return reverse(name, args=[enrollment.pk])


def fhir_bundle(client, enrollment) -> tuple[Bundle, dict, str]:
    response = client.get(url("patient_fhir", enrollment))
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)
    return Bundle.parse_obj(data), data, text  # parse_obj raises on anything R4 forbids


def of_type(data: dict, resource_type: str) -> list[tuple[str, dict]]:
    return [
        (e["fullUrl"], e["resource"])
        for e in data["entry"]
        if e["resource"]["resourceType"] == resource_type
    ]


# ------------------------------------------------------------------ FHIR
def test_each_session_is_a_finished_encounter_of_the_right_class_and_day(
    clin, cast, enrollment, other_enrollment
):
    in_person = add_session(enrollment, cast.clinician, session_date=date(2026, 11, 2), minutes=55)
    video = add_session(enrollment, cast.clinician, session_date=date(2026, 11, 9), mode="video")
    phone = add_session(enrollment, cast.clinician, session_date=date(2026, 11, 16), mode="phone")
    add_session(other_enrollment, cast.clinician, homework="Someone else's homework")

    bundle, data, _ = fhir_bundle(clin, enrollment)
    assert bundle.type == "collection"
    encounters = of_type(data, "Encounter")
    assert [e["identifier"][0]["value"] for _, e in encounters] == [
        str(in_person.pk),
        str(video.pk),
        str(phone.pk),
    ]
    subject = {"reference": f"Patient/{patient_reference_id(cast.patient.pk)}"}
    for (_, encounter), note in zip(encounters, (in_person, video, phone), strict=True):
        assert encounter["status"] == "finished"
        assert encounter["type"] == [{"text": "Pain Reprocessing Therapy session"}]
        assert encounter["subject"] == subject
        day = note.session_date.isoformat()
        assert encounter["period"] == {"start": day, "end": day}
        assert encounter["length"]["value"] == note.minutes
        assert encounter["length"]["code"] == "min"
        assert "participant" not in encounter  # the bundle names no one
    classes = [(e["class"]["system"], e["class"]["code"]) for _, e in encounters]
    assert classes == [(ACT_CODE, "AMB"), (ACT_CODE, "VR"), (ACT_CODE, "VR")]
    assert encounters[0][1]["length"]["value"] == 55


def test_each_encounter_has_its_structured_answers_and_nothing_else(
    clin, cast, enrollment, other_enrollment
):
    add_session(enrollment, cast.clinician)
    add_session(other_enrollment, cast.clinician, homework="Someone else's homework")

    _, data, text = fhir_bundle(clin, enrollment)
    [(encounter_url, _)] = of_type(data, "Encounter")
    [(_, answers)] = [(u, r) for u, r in of_type(data, "QuestionnaireResponse") if "encounter" in r]
    assert answers["encounter"] == {"reference": encounter_url}
    assert answers["questionnaire"].endswith("/fhir/Questionnaire/prt-session-note|1")
    assert answers["status"] == "completed"
    assert answers["subject"]["reference"] == f"Patient/{patient_reference_id(cast.patient.pk)}"
    given = {
        item["linkId"]: [next(iter(a.values())) for a in item.get("answer", [])]
        for item in answers["item"]
    }
    assert given == {
        "mode": ["In person"],
        "components": [
            "Education: pain as a protective alarm",
            "Somatic tracking",
            "Graded exposure",
        ],
        "somatic_response": ["Felt safer or calmer"],
        "exposure_set": ["Bending to load the dishwasher"],
        "exposure_outcome": ["Went better than predicted"],
        "risk_identified": [True],
        "risk_actions": ["Reviewed or made a safety plan"],
        "homework": ["Somatic tracking once a day"],
    }
    # The clinician's working notes and the other patient's session stay out.
    for absent in (WORKING_NOTE, RISK_NOTE, "Someone else's homework", "Dr Kim"):
        assert absent not in text


def test_a_session_with_little_recorded_lists_the_rest_unanswered(clin, cast, enrollment):
    add_session(
        enrollment,
        cast.clinician,
        components=["education"],
        somatic_response="",
        exposure_set="",
        exposure_outcome="",
        risk_identified=False,
        risk_actions=[],
        risk_note="",
        homework="",
    )
    _, data, _ = fhir_bundle(clin, enrollment)
    [(_, answers)] = of_type(data, "QuestionnaireResponse")
    unanswered = [i["linkId"] for i in answers["item"] if "answer" not in i]
    assert unanswered == [
        "somatic_response",
        "exposure_set",
        "exposure_outcome",
        "risk_actions",
        "homework",
    ]
    risk = next(i for i in answers["item"] if i["linkId"] == "risk_identified")
    assert risk["answer"] == [{"valueBoolean": False}]


def test_the_validation_catches_a_broken_encounter(clin, cast, enrollment):
    add_session(enrollment, cast.clinician)
    _, data, _ = fhir_bundle(clin, enrollment)
    index = next(
        i for i, e in enumerate(data["entry"]) if e["resource"]["resourceType"] == "Encounter"
    )
    broken = json.loads(json.dumps(data))
    broken["entry"][index]["resource"].pop("class")
    with pytest.raises(ValueError, match="class"):
        Bundle.parse_obj(broken)
    broken = json.loads(json.dumps(data))
    broken["entry"][index]["resource"]["length"]["value"] = "fifty"
    with pytest.raises(ValueError, match="value"):
        Bundle.parse_obj(broken)


# ------------------------------------------------------------------ summary
def test_the_summary_lists_each_sessions_facts_but_not_the_notes(
    clin, cast, enrollment, other_enrollment
):
    add_session(enrollment, cast.clinician, session_date=date(2026, 11, 2), minutes=55)
    add_session(
        enrollment,
        cast.clinician,
        session_date=date(2026, 11, 9),
        mode="video",
        components=["positive_affect"],
        somatic_response="",
        exposure_set="",
        exposure_outcome="",
        homework="",
    )
    add_session(other_enrollment, cast.clinician, homework="Someone else's homework")

    page = clin.get(url("patient_summary", enrollment)).content.decode()
    section = page[page.index('id="sum-sessions-h"') : page.index("summary__foot")]
    assert ">PRT sessions</h2>" in section
    rows = section.split("<tr>")[2:]
    assert len(rows) == 2
    assert "2 Nov 2026" in rows[0] and "55" in rows[0] and "In person" in rows[0]
    assert "Education: pain as a protective alarm; Somatic tracking; Graded exposure" in rows[0]
    assert "Somatic tracking once a day" in rows[0]
    assert "9 Nov 2026" in rows[1] and "Telehealth: video" in rows[1]
    assert "Positive feelings and sensations" in rows[1] and "–" in rows[1]
    for absent in (WORKING_NOTE, RISK_NOTE, "Someone else's homework"):
        assert absent not in page


def test_the_summary_says_when_there_are_no_sessions(clin, enrollment):
    page = clin.get(url("patient_summary", enrollment)).content.decode()
    assert "No PRT sessions recorded yet." in page


def test_the_summarys_sessions_are_in_spanish(client, cast, enrollment):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    add_session(enrollment, cast.clinician, exposure_set="Agacharse", homework="Practicar")
    page = client.get(url("patient_summary", enrollment)).content.decode()
    section = page[page.index('id="sum-sessions-h"') : page.index("summary__foot")]
    for label in ("Sesiones de PRT", "Fecha", "Minutos", "Modalidad"):
        assert label in section
    assert "Temas tratados" in section and "Tarea" in section and "En persona" in section
    assert "Seguimiento somático" in section
    assert english_in(section, allowed=names(cast, enrollment.program_version.title)) == []


# ------------------------------------------------------------------ cost
# session, user, membership, the enrollment and its audit event (tracking.access), the
# check-ins' answers, the session notes
FHIR_QUERIES = 7


@pytest.mark.parametrize("n", [1, 5])
def test_the_fhir_export_costs_the_same_as_sessions_grow(
    clin, cast, enrollment, n, django_assert_num_queries
):
    add_sessions(enrollment, cast.clinician, n)
    clin.get(url("patient_fhir", enrollment))  # the first request's session and login checks
    with django_assert_num_queries(FHIR_QUERIES):
        data = json.loads(clin.get(url("patient_fhir", enrollment)).content)
    assert len(of_type(data, "Encounter")) == n


# as the FHIR export's first five, then the overview, charts and practice: one more for
# the session notes
SUMMARY_QUERIES = 14


@pytest.mark.parametrize("n", [1, 5])
def test_the_summary_costs_the_same_as_sessions_grow(
    clin, cast, enrollment, n, django_assert_num_queries
):
    add_sessions(enrollment, cast.clinician, n)
    clin.get(url("patient_summary", enrollment))  # the menu badges, cached
    with django_assert_num_queries(SUMMARY_QUERIES):
        page = clin.get(url("patient_summary", enrollment)).content.decode()
    assert page.count("Somatic tracking once a day") == n


# ------------------------------------------------------------------ the patient's own data
def test_the_patients_download_holds_each_sessions_facts(client, cast, enrollment):
    login(client, cast.patient)
    note = add_session(enrollment, cast.clinician, mode="phone")
    archive = download(client)
    [row] = document(archive)["tables"]["tracking.sessionnote"]
    assert row["id"] == note.pk
    assert (row["mode"], row["minutes"], row["homework"]) == (
        "phone",
        50,
        "Somatic tracking once a day",
    )
    assert row["components"] == ["education", "somatic_tracking", "exposure"]
    assert (row["exposure_outcome"], row["risk_identified"]) == ("better", True)
    assert "notes" not in row and "risk_note" not in row and "author_id" not in row
    everything = "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
    assert WORKING_NOTE not in everything and RISK_NOTE not in everything


def test_deleting_the_account_deletes_their_sessions_only(
    client, cast, enrollment, other_enrollment
):
    add_sessions(enrollment, cast.clinician, 2)
    theirs = add_session(other_enrollment, cast.clinician)
    login(client, cast.patient)
    delete(client)
    assert list(SessionNote.objects.values_list("pk", flat=True)) == [theirs.pk]
