"""Recording a PRT therapy session: one note, one audit event, one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from painapp.accounts.audit import audit
from painapp.accounts.models import User
from painapp.submit_once import create_once
from programs.models import Enrollment
from tracking import rules
from tracking.session_notes.models import (
    Component,
    ExposureOutcome,
    RiskAction,
    SessionMode,
    SessionNote,
    SomaticResponse,
)


@dataclass(frozen=True)
class SessionRecord:
    """What the clinician records about one session (the form's cleaned data)."""

    session_date: date
    minutes: int
    mode: str
    components: Collection[str]
    risk_identified: bool
    risk_actions: Collection[str] = field(default_factory=list)
    risk_note: str = ""
    somatic_response: str = ""
    exposure_set: str = ""
    exposure_outcome: str = ""
    homework: str = ""
    notes: str = ""


def _in_order(values: Collection[str], choices: type[models.TextChoices]) -> list[str]:
    chosen = set(values)
    unknown = chosen - set(choices.values)
    if unknown:
        raise ValidationError(
            gettext("Choose from the list: %(values)s is not one of the choices.")
            % {"values": ", ".join(sorted(unknown))}
        )
    return [v for v in choices.values if v in chosen]


def session_note_create(
    *,
    enrollment: Enrollment,
    author: User,
    record: SessionRecord,
    request: HttpRequest | None = None,
    client_token: uuid.UUID | None = None,
) -> SessionNote:
    """Record one PRT session with the patient. The rules a form also checks are
    checked again here (a service may be called from elsewhere): length within
    tracking.rules' bounds, a complete risk review, the somatic-tracking response
    only with somatic tracking and the exposure only with graded exposure covered.
    Audited as `session_note.created` (no free text in the event). The same
    `client_token` (the form's, painapp.submit_once) sent again returns the note it
    made, unaudited: a note is kept as written, so a second copy could not be removed."""
    errors: dict[str, str] = {}
    if not rules.SESSION_MINUTES_MIN <= record.minutes <= rules.SESSION_MINUTES_MAX:
        errors["minutes"] = gettext("Session length out of range.")
    if record.mode not in SessionMode.values:
        errors["mode"] = gettext("Choose how the session took place from the list.")
    components = _in_order(record.components, Component)
    actions = _in_order(record.risk_actions, RiskAction)
    if rules.session_risk_review_problem(record.risk_identified, actions):
        errors["risk_actions"] = gettext("The risk review is not complete.")
    somatic_response = record.somatic_response
    if somatic_response and (
        somatic_response not in SomaticResponse.values
        or Component.SOMATIC_TRACKING not in components
    ):
        errors["somatic_response"] = gettext("A response needs somatic tracking covered.")
    exposure_outcome = record.exposure_outcome
    if (record.exposure_set.strip() or exposure_outcome) and (
        Component.EXPOSURE not in components
        or (exposure_outcome and exposure_outcome not in ExposureOutcome.values)
    ):
        errors["exposure_set"] = gettext("An exposure needs graded exposure covered.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        note, created = create_once(
            SessionNote,
            client_token=client_token,
            enrollment=enrollment,
            author=author,
            session_date=record.session_date,
            minutes=record.minutes,
            mode=record.mode,
            components=components,
            somatic_response=somatic_response,
            exposure_set=record.exposure_set.strip(),
            exposure_outcome=exposure_outcome,
            risk_identified=record.risk_identified,
            risk_actions=actions,
            risk_note=record.risk_note.strip(),
            homework=record.homework.strip(),
            notes=record.notes.strip(),
        )
        if not created:
            return note
        audit(
            request,
            "session_note.created",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=note,
            actor=author,
            changes={"risk_identified": record.risk_identified, "actions": actions},
        )
    return note
