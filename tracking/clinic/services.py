"""Writes a clinician (or practice admin) makes from a patient's detail page.

Every function takes an enrollment the caller has already fetched through
tracking.access (so access is decided once, in one place), does one thing, and
records it in the audit trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from painapp.accounts.audit import audit
from painapp.accounts.models import User
from programs import services as program_services
from programs.models import Attribution, AttributionCategory, Enrollment
from tracking.alerts.services import ResolutionOutcome, alert_resolve
from tracking.lifecycle import enrollment_started, lock_enrollment
from tracking.models import Alert, AlertResolution, ClinicianNote
from tracking.reminders.schedules import preferences_for


def clinician_note_create(
    *, enrollment: Enrollment, author: User, body: str, request: HttpRequest | None = None
) -> ClinicianNote:
    """Add a private note to the patient's record (never shown to the patient)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the note before saving it."})
    note = ClinicianNote.objects.create(enrollment=enrollment, author=author, body=body)
    audit(
        request,
        "note.created",
        practice=enrollment.practice,
        subject=enrollment.patient,
        obj=note,
        actor=author,
    )
    return note


def attribution_code(
    *,
    enrollment: Enrollment,
    attribution: Attribution,
    codes: dict[int, str],
    by: User,
    request: HttpRequest | None = None,
) -> int:
    """Record the clinician's own category for some of one attribution's causes.

    `codes` maps cause id → category, or "" to agree with the patient. Only
    `clinician_category` changes: the patient's own category and their mind-brain score
    stay as they gave them. Returns how many causes changed.
    """
    if attribution.enrollment_id != enrollment.pk:
        raise ValidationError("These causes belong to another patient.")
    valid = set(AttributionCategory.values)
    changed = 0
    with transaction.atomic():
        for cause in attribution.causes.select_for_update():
            if cause.pk not in codes:
                continue
            code = codes[cause.pk]
            if code and code not in valid:
                raise ValidationError("Choose a category from the list.")
            # Agreeing with the patient is stored as "no separate coding".
            code = "" if code == cause.category else code
            if code != cause.clinician_category:
                cause.clinician_category = code
                cause.save(update_fields=["clinician_category"])
                changed += 1
        if changed:
            audit(
                request,
                "attribution.coded",
                practice=enrollment.practice,
                subject=enrollment.patient,
                obj=attribution,
                actor=by,
            )
    return changed


def reminders_set_paused(
    *, enrollment: Enrollment, paused: bool, by: User, request: HttpRequest | None = None
) -> bool:
    """Pause or resume every reminder for the patient. The sweep checks the flag
    before each send, so nothing already queued goes out while paused. Returns False
    if nothing changed."""
    with transaction.atomic():
        prefs = preferences_for(enrollment)
        if prefs.paused == paused:
            return False
        prefs.paused = paused
        prefs.save(update_fields=["paused", "updated_at"])
        audit(
            request,
            "reminders.paused" if paused else "reminders.resumed",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=prefs,
            actor=by,
        )
    return True


def week_unlock(
    *, enrollment: Enrollment, week: int, by: User, request: HttpRequest | None = None
) -> None:
    """Open weeks up to `week` now, before the calendar would."""
    with transaction.atomic():
        program_services.enrollment_unlock_week(enrollment=enrollment, week=week)
        audit(
            request,
            "enrollment.week_unlocked",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=enrollment,
            actor=by,
        )


def safety_hold_clear(
    *, enrollment: Enrollment, by: User, request: HttpRequest | None = None
) -> None:
    """The clinician has reviewed the red flags: lift the hold so the patient may
    start, and resolve the red-flag alert that asked for the review.

    One transaction on the locked enrollment (see tracking.lifecycle): the hold lifted,
    its audit event, the alert resolved, and the program's check-ins and reminders
    scheduled, all or nothing. A second clear (two tabs) finds no hold and changes
    nothing (ValidationError)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        program_services.screening_clear(enrollment=enrollment, cleared_by=by)
        audit(
            request,
            "screening.cleared",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=enrollment,
            actor=by,
        )
        for alert in (
            Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.RED_FLAG)
            .exclude(status=Alert.Status.RESOLVED)
            .select_related("enrollment__patient", "practice")
        ):
            # Reviewing the screening closes the alert; it records no contact with the
            # patient (issue 15: the hold clearance's own reason is its record).
            alert_resolve(
                alert=alert,
                by=by,
                request=request,
                outcome=ResolutionOutcome(
                    contacted=False,
                    risk_after="",
                    plan=[AlertResolution.Plan.CONTINUE],
                    note="Red flags reviewed and the safety hold cleared.",
                ),
            )
        # The program starts now: check-ins and reminders like any other start.
        enrollment_started(enrollment=enrollment)
