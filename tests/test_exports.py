"""Per-patient exports: a printable one-page summary, a CSV of every measurement (safe
to open in a spreadsheet) and a FHIR R4 Bundle of QuestionnaireResponses, validated
against the R4 models of `fhir.resources`. Same access rule as the patient's page, and
every export audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources import __fhir_version__
from fhir.resources.bundle import Bundle

from painapp.accounts.models import AuditEvent
from painapp.csvsafe import csv_response, safe_cell
from programs.models import AttributionCause, Exposure
from tests.clinical_data import Scores, add_alert, add_checkin, build_history
from tracking.exports.fhir import patient_reference_id
from tracking.models import CheckIn, ClinicianNote, Response

EXPORTS = ["patient_summary", "patient_csv", "patient_fhir"]
# R4 QuestionnaireResponse.status value set.
QR_STATUSES = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}


@pytest.fixture
def history(enrollment):
    build_history(enrollment, weeks=4, pain_start=7, pain_end=4, missed_weeks=(2,))
    # A follow-up that also asked the three causes (free text plus a category).
    add_checkin(
        enrollment,
        slot="followup-1m",
        kind=CheckIn.Kind.FOLLOWUP,
        week=None,
        opens_at=timezone.now() - timedelta(hours=20),
        keys=["pain_avg", "causes"],
        scores=Scores(2, 3, 2),
    )
    return enrollment


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def url(name, enrollment):
    return reverse(name, args=[enrollment.pk])


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# ------------------------------------------------------------------ safe cells
@pytest.mark.parametrize(
    "text,expected",
    [
        ('=HYPERLINK("http://evil.test","click")', '\'=HYPERLINK("http://evil.test","click")'),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("Bending to tie shoes", "Bending to tie shoes"),
        ("me@example.test", "me@example.test"),
        ("", ""),
    ],
)
def test_it_neutralises_text_a_spreadsheet_would_run(text, expected):
    assert safe_cell(text) == expected


@pytest.mark.parametrize(
    "value,expected", [(-3, "-3"), (4, "4"), (2.5, "2.5"), (None, ""), (True, "yes")]
)
def test_it_leaves_numbers_as_numbers(value, expected):
    assert safe_cell(value) == expected


def test_it_makes_every_cell_of_a_csv_response_safe():
    response = csv_response("a b/../c.csv", ["=head"], [["=x", -1, "ok"]])
    assert response["Content-Disposition"] == 'attachment; filename="a-b-..-c.csv"'
    assert response["Cache-Control"] == "no-store"
    assert read_csv(response) == [["'=head"], ["'=x", "-1", "ok"]]


# ------------------------------------------------------------------ CSV
def test_it_exports_every_measurement_as_csv(clin, cast, history):
    response = clin.get(url("patient_csv", history))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="patient-{history.pk}-measurements-')
    assert "Pat" not in disposition
    rows = read_csv(response)
    assert rows[0] == [
        "recorded_at",
        "program_week",
        "source",
        "context",
        "measure",
        "item",
        "value",
        "band",
        "instrument_version",
        "language",
    ]
    body = rows[1:]
    by = lambda *cols: [r for r in body if all(r[i] == v for i, v in cols)]  # noqa: E731
    # Check-in answers and totals, with the instrument version that asked them.
    baseline_pain = by((3, "baseline"), (4, "pain_avg"), (5, "total"))
    assert baseline_pain and baseline_pain[0][6] == "7" and baseline_pain[0][8] == "1"
    # nine items, the unscored difficulty question (item 10) and the total
    assert len(by((3, "baseline"), (4, "phq9"))) == 11
    assert by((3, "week-2"), (4, "status"))[0][6] == "Missed"
    assert by((3, "followup-1m"), (5, "cause1.text"))[0][6] == "Stress at work"
    # Practice, exposures (predicted vs actual and the violation) and the causes.
    assert len(by((2, "somatic tracking"), (4, "pain_before"))) == 20
    assert by((2, "exposure"), (4, "pain_violation"))[0][6] == "3"
    assert by((2, "causes"), (4, "mind_brain_score"), (5, "patient"))
    assert [r[0] for r in body] == sorted(r[0] for r in body)  # oldest first


def test_it_neutralises_formulas_typed_by_the_patient(clin, history):
    cause = AttributionCause.objects.filter(attribution__enrollment=history).first()
    cause.text = '=HYPERLINK("http://evil.test","Click me")'
    cause.clinician_category = ""
    cause.save()
    Exposure.objects.filter(enrollment=history).update(activity="+cmd|' /C calc'!A0")
    response = Response.objects.filter(checkin__enrollment=history, instrument_key="causes").get()
    response.answers["cause2"]["text"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    response.save()
    rows = read_csv(clin.get(url("patient_csv", history)))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.test","Click me")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    # Numbers stay numbers: a worse-than-predicted exposure has a negative violation.
    Exposure.objects.filter(enrollment=history).update(actual_pain=9)
    rows = read_csv(clin.get(url("patient_csv", history)))
    assert "-2" in [r[6] for r in rows if r[4] == "pain_violation"]


# ------------------------------------------------------------------ FHIR
def test_it_exports_check_ins_as_a_valid_fhir_r4_bundle(clin, cast, history):
    response = clin.get(url("patient_fhir", history))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    data = json.loads(response.content)
    assert __fhir_version__ == "4.0.1"
    bundle = Bundle.parse_obj(data)  # raises on anything R4 does not allow
    assert bundle.type == "collection"
    completed = Response.objects.filter(checkin__enrollment=history, checkin__status="completed")
    assert len(bundle.entry) == completed.count()
    subject = f"Patient/{patient_reference_id(cast.patient.pk)}"
    by_id = {r.pk: r for r in completed.select_related("checkin", "instrument")}
    for entry in bundle.entry:
        qr = entry.resource
        assert qr.resource_type == "QuestionnaireResponse"
        assert qr.status == "completed" and qr.status in QR_STATUSES
        assert entry.fullUrl.startswith("urn:uuid:")
        source = by_id[int(qr.identifier.value)]
        assert qr.questionnaire.endswith(
            f"/fhir/Questionnaire/{source.instrument_key}|{source.instrument_version}"
        )
        assert qr.authored == source.checkin.completed_at
        assert qr.subject.reference == subject
        assert [i.linkId for i in qr.item] == [i["key"] for i in source.instrument.items]
        for item in qr.item:
            value = source.answers.get(item.linkId)
            if isinstance(value, int):
                assert [a.valueInteger for a in item.answer] == [value]
            elif isinstance(value, dict):
                parts = {sub.linkId: sub.answer[0].valueString for sub in item.item}
                assert parts == {
                    f"{item.linkId}.text": value["text"],
                    f"{item.linkId}.category": value["category"],
                }


def test_it_names_nobody_in_the_fhir_bundle(clin, cast, history):
    text = clin.get(url("patient_fhir", history)).content.decode()
    for secret in (
        cast.patient.full_name,
        cast.patient.email,
        "Pat One",
        f'Patient/{cast.patient.pk}"',
    ):
        assert secret not in text
    # The opaque id is the same in every export.
    again = clin.get(url("patient_fhir", history)).content.decode()
    assert (
        json.loads(text)["entry"][0]["resource"]["subject"]
        == json.loads(again)["entry"][0]["resource"]["subject"]
    )


def test_it_rejects_what_r4_does_not_allow(clin, history):
    """The validation the test relies on does catch a broken export."""
    data = json.loads(clin.get(url("patient_fhir", history)).content)
    broken = json.loads(json.dumps(data))
    broken["entry"][0]["resource"]["item"][0].pop("linkId")
    with pytest.raises(ValueError, match="linkId"):
        Bundle.parse_obj(broken)
    broken = json.loads(json.dumps(data))
    broken["entry"][0]["resource"]["item"][0]["answer"] = [{"valueInteger": "seven"}]
    with pytest.raises(ValueError, match="valueInteger"):
        Bundle.parse_obj(broken)


def test_it_exports_an_empty_bundle_before_any_check_in(clin, enrollment):
    bundle = Bundle.parse_obj(json.loads(clin.get(url("patient_fhir", enrollment)).content))
    assert not bundle.entry


# ------------------------------------------------------------------ summary
def test_it_prints_a_one_page_summary(clin, cast, history):
    add_alert(history)
    ClinicianNote.objects.create(enrollment=history, author=cast.clinician, body="Never on paper")
    response = clin.get(url("patient_summary", history))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "<h1>Pat One: progress summary</h1>" in page
    assert 'href="/static/css/print.css" media="print"' in page
    assert 'class="page--wide summary-page"' in page
    assert page.count('<svg class="chart') == 2
    assert "Average pain" in page and "Mind-brain score" in page and "PHQ-9" in page
    assert "Pain up from baseline" in page  # the open alert
    assert "Never on paper" not in page  # private notes stay off the page
    # nothing hidden that would not print (the menu's "More" is not printed at all)
    assert "<details" not in page[page.index("<main") :]
    rows = {r.label: r for r in response.context["rows"]}
    assert (rows["Average pain"].first, rows["Average pain"].latest) == (7, 2)
    assert rows["Average pain"].change_text == "down 5 pts"


# ------------------------------------------------------------------ access and audit
@pytest.mark.parametrize(
    "name,action",
    [
        ("patient_summary", "patient.summary_exported"),
        ("patient_csv", "patient.csv_exported"),
        ("patient_fhir", "patient.fhir_exported"),
    ],
)
def test_it_audits_every_export(clin, cast, history, name, action):
    clin.get(url(name, history), REMOTE_ADDR="192.0.2.8")
    event = AuditEvent.objects.get(action=action)
    assert (event.actor, event.practice, event.subject, event.object_id, event.ip) == (
        cast.clinician,
        cast.practice,
        cast.patient,
        str(history.pk),
        "192.0.2.8",
    )


@pytest.mark.parametrize("name", EXPORTS)
def test_it_lets_the_practice_admin_export(client, cast, history, name):
    client.force_login(cast.admin)
    assert client.get(url(name, history)).status_code == 200


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("who", ["other_clinician", "outsider_admin", "outsider_clinician"])
def test_it_exports_nothing_to_other_staff(client, cast, history, name, who):
    client.force_login(getattr(cast, who))
    before = AuditEvent.objects.count()
    response = client.get(url(name, history))
    assert response.status_code == 404
    assert "Pat One" not in response.content.decode()
    assert [e.action for e in AuditEvent.objects.order_by("pk")[before:]] == ["access.denied"]
