"""Check-ins as a FHIR R4 Bundle of QuestionnaireResponse resources.

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
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from programs.models import Enrollment
from tracking.instruments import registry
from tracking.models import CheckIn, Response

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


def checkins_bundle(enrollment: Enrollment, *, now: datetime | None = None) -> dict:
    """Every completed check-in of the enrollment as a `collection` Bundle. One query."""
    now = now or timezone.now()
    subject_id = patient_reference_id(enrollment.patient_id)
    responses = (
        Response.objects.filter(
            checkin__enrollment=enrollment, checkin__status=CheckIn.Status.COMPLETED
        )
        .select_related("checkin", "instrument")
        .order_by("checkin__completed_at", "checkin_id", "instrument_key")
    )
    entries = []
    for response in responses:
        resource = questionnaire_response(response, subject_id)
        entries.append(
            {
                "fullUrl": "urn:uuid:"
                + str(uuid.uuid5(_ENTRY_NAMESPACE, f"{settings.SITE_URL}/response/{response.pk}")),
                "resource": resource,
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": entries,
    }
