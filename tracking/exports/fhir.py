"""A patient's check-ins and PRT sessions as a FHIR R4 `collection` Bundle.

One QuestionnaireResponse per instrument answered in a completed check-in:
- `questionnaire`: the canonical URL of the exact instrument version answered,
  `<SITE_URL>/fhir/Questionnaire/<key>|<version>` (a practice's own instrument is
  `.../Questionnaire/practice-<id>-<key>|<version>`, so it never collides with ours);
- `status`: completed; `authored`: when the check-in was submitted;
- `subject`: a Patient reference by an opaque id — a keyed hash of the patient's
  internal id, stable across exports, that reveals neither the id nor the name;
- one `item` per question with `linkId` = the item key and the answer as
  `valueInteger`; a cause of pain (free text and a category) is an item with two
  nested items, `<key>.text` and `<key>.category`, each a `valueString`.
Unanswered items are listed without an answer. Scores are not answers and are left
out: a receiving system can score the answers with the instrument's own rules.

Each PRT session note (tracking.session_notes) is two resources:
- an `Encounter`: status finished; `class` AMB (in person) or VR (video or phone) from
  the HL7 v3 ActCode system; `type.text` "Pain Reprocessing Therapy session"; `period`
  the session's date (a date only: the note records no time of day, so none is made
  up) and `length` its minutes in UCUM; the same `subject` as the check-ins. No
  `participant`: the bundle names no one, staff included;
- a QuestionnaireResponse of the project's own form `.../Questionnaire/prt-session-note`
  with `encounter` pointing at it: the mode, components covered, somatic-tracking
  response, exposure set and outcome, the risk review (identified, what was done) and
  the homework. Choices are answered with their English labels as `valueString`, so no
  code system is invented. The clinician's free-text session and risk notes are their
  working notes and stay out, as in the CSV and every staff export.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from programs.models import Enrollment
from tracking.instruments import registry
from tracking.models import CheckIn, Response
from tracking.session_notes.models import SessionMode, SessionNote
from tracking.session_notes.selectors import session_notes_for_export

_PATIENT_SALT = "painapp.fhir.patient"
_ENTRY_NAMESPACE = uuid.UUID("6a0f2a5e-3c1d-4b7e-9a57-1f3f5d9c2b10")


def patient_reference_id(patient_pk: int) -> str:
    """An opaque FHIR id for a patient: the same in every export, but not their
    database id or anything that names them."""
    return salted_hmac(_PATIENT_SALT, str(patient_pk)).hexdigest()[:32]


def questionnaire_url(response: Response) -> str:
    base = f"{settings.SITE_URL}/fhir/Questionnaire/"
    key = response.instrument_key
    if response.instrument.practice_id:
        key = f"practice-{response.instrument.practice_id}-{key}"
    return f"{base}{key}|{response.instrument_version}"


def _item(item: dict, value: Any) -> dict:
    out: dict[str, Any] = {"linkId": item["key"]}
    if item.get("text"):
        out["text"] = item["text"]
    if isinstance(value, dict):  # a cause of pain
        out["item"] = [
            {
                "linkId": f"{item['key']}.text",
                "text": "Cause",
                **({"answer": [{"valueString": value["text"]}]} if value.get("text") else {}),
            },
            {
                "linkId": f"{item['key']}.category",
                "text": "Category",
                **(
                    {"answer": [{"valueString": value["category"]}]}
                    if value.get("category")
                    else {}
                ),
            },
        ]
    elif isinstance(value, bool):  # never stored today; keep the type honest if it is
        out["answer"] = [{"valueBoolean": value}]
    elif isinstance(value, int):
        out["answer"] = [{"valueInteger": value}]
    elif isinstance(value, str) and value:
        out["answer"] = [{"valueString": value}]
    return out


def questionnaire_response(response: Response, subject_id: str) -> dict:
    checkin = response.checkin
    authored = checkin.completed_at or response.created_at
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"response-{response.pk}",
        "identifier": {"system": f"{settings.SITE_URL}/fhir/response", "value": str(response.pk)},
        "questionnaire": questionnaire_url(response),
        "status": "completed",
        "subject": {"reference": f"Patient/{subject_id}"},
        "authored": authored.isoformat(),
        # The language the patient was asked in; the items' text is in that language.
        "language": response.language,
        "item": [
            _item(item, (response.answers or {}).get(item["key"]))
            for item in registry.items_in(response.instrument, response.language)
        ],
    }


def _full_url(kind: str, pk: int) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_ENTRY_NAMESPACE, f"{settings.SITE_URL}/{kind}/{pk}"))


_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_IN_PERSON = {"system": _ACT_CODE, "code": "AMB", "display": "ambulatory"}
_VIRTUAL = {"system": _ACT_CODE, "code": "VR", "display": "virtual"}
PRT_SESSION = "Pain Reprocessing Therapy session"
SESSION_NOTE_QUESTIONNAIRE = "prt-session-note|1"


def session_encounter(note: SessionNote, subject_id: str) -> dict:
    day = note.session_date.isoformat()
    return {
        "resourceType": "Encounter",
        "id": f"session-note-{note.pk}",
        "identifier": [{"system": f"{settings.SITE_URL}/fhir/session-note", "value": str(note.pk)}],
        "status": "finished",
        "class": _IN_PERSON if note.mode == SessionMode.IN_PERSON else _VIRTUAL,
        "type": [{"text": PRT_SESSION}],
        "subject": {"reference": f"Patient/{subject_id}"},
        "period": {"start": day, "end": day},
        "length": {
            "value": note.minutes,
            "unit": "min",
            "system": "http://unitsofmeasure.org",
            "code": "min",
        },
    }


def _answered(link_id: str, text: str, values: list) -> dict:
    """A session-note item: strings as valueString, a yes/no as valueBoolean; nothing
    recorded, no answer (as for a check-in)."""
    out: dict[str, Any] = {"linkId": link_id, "text": text}
    answers = [
        {"valueBoolean": v} if isinstance(v, bool) else {"valueString": v}
        for v in values
        if v != ""
    ]
    if answers:
        out["answer"] = answers
    return out


def session_answers(note: SessionNote, subject_id: str, encounter_url: str) -> dict:
    # English labels whoever downloads: a receiving system sees the same text each time.
    with translation.override("en"):
        items = [
            _answered("mode", "Mode", [str(note.get_mode_display())]),
            _answered("components", "PRT components covered", note.component_labels()),
            _answered(
                "somatic_response",
                "Somatic tracking response",
                [str(note.get_somatic_response_display())],
            ),
            _answered("exposure_set", "Exposure set", [note.exposure_set]),
            _answered(
                "exposure_outcome", "Exposure outcome", [str(note.get_exposure_outcome_display())]
            ),
            _answered("risk_identified", "Risk identified", [note.risk_identified]),
            _answered("risk_actions", "What was done about the risk", note.risk_action_labels()),
            _answered("homework", "Homework", [note.homework]),
        ]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"session-note-{note.pk}-answers",
        "questionnaire": f"{settings.SITE_URL}/fhir/Questionnaire/{SESSION_NOTE_QUESTIONNAIRE}",
        "status": "completed",
        "subject": {"reference": f"Patient/{subject_id}"},
        "encounter": {"reference": encounter_url},
        "authored": note.created_at.isoformat(),
        "item": items,
    }


def patient_bundle(enrollment: Enrollment, *, now: datetime | None = None) -> dict:
    """Every completed check-in and every PRT session note of the enrollment as a
    `collection` Bundle, oldest first within each. Two queries."""
    now = now or timezone.now()
    subject_id = patient_reference_id(enrollment.patient_id)
    responses = (
        Response.objects.filter(
            checkin__enrollment=enrollment, checkin__status=CheckIn.Status.COMPLETED
        )
        .select_related("checkin", "instrument")
        .order_by("checkin__completed_at", "checkin_id", "instrument_key")
    )
    entries = [
        {
            "fullUrl": _full_url("response", response.pk),
            "resource": questionnaire_response(response, subject_id),
        }
        for response in responses
    ]
    for note in session_notes_for_export(enrollment):
        encounter_url = _full_url("session-note", note.pk)
        entries.append({"fullUrl": encounter_url, "resource": session_encounter(note, subject_id)})
        entries.append(
            {
                "fullUrl": _full_url("session-note-answers", note.pk),
                "resource": session_answers(note, subject_id, encounter_url),
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
