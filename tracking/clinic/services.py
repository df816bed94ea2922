"""Writes a clinician (or practice admin) makes from a patient's detail page.

Every function takes an enrollment the caller has already fetched through
tracking.access (so access is decided once, in one place), does one thing, and
records it in the audit trail.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from painapp.accounts.audit import audit
from painapp.accounts.models import User
from painapp.submit_once import create_once
from programs import enrollments as program_enrollments
from programs import services as program_services
from programs.models import (
    MEDICAL_ASSESSMENT_STATEMENT,
    AssessorRole,
    Attribution,
    AttributionCategory,
    Enrollment,
    MedicalAssessment,
)
from tracking.alerts.services import ResolutionOutcome, alert_acknowledge, alert_resolve
from tracking.clinic.coding import attribution_scores_refresh
from tracking.lifecycle import enrollment_started, lock_enrollment
from tracking.models import Alert, AlertResolution, ClinicianNote, HoldDecision
from tracking.reminders.schedules import preferences_for


def clinician_note_create(
    *,
    enrollment: Enrollment,
    author: User,
    body: str,
    request: HttpRequest | None = None,
    client_token: uuid.UUID | None = None,
) -> ClinicianNote:
    """Add a private note to the patient's record (never shown to the patient). The
    same `client_token` (painapp.submit_once) sent again returns that note, unaudited."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write the note before saving it.")})
    note, created = create_once(
        ClinicianNote, client_token=client_token, enrollment=enrollment, author=author, body=body
    )
    if not created:
        return note
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
    """Record the clinician's own category for some of one attribution's causes, from
    the patient's page (not blind: the coding queue, tracking.clinic.coding, is).

    `codes` maps cause id → category, or "" for "not coded" (which takes a code back).
    A category equal to the patient's own is a code too: the clinician agrees. Only
    `clinician_category` (with who and when) changes: the patient's own category and
    their mind-brain score stay as they gave them. Once all three causes are coded the
    attribution's clinician-coded mind-brain score is stored. Returns how many causes
    changed.
    """
    if attribution.enrollment_id != enrollment.pk:
        raise ValidationError(gettext("These causes belong to another patient."))
    valid = set(AttributionCategory.values)
    changed = 0
    now = timezone.now()
    with transaction.atomic():
        for cause in attribution.causes.select_for_update():
            if cause.pk not in codes:
                continue
            code = codes[cause.pk]
            if code and code not in valid:
                raise ValidationError(gettext("Choose a category from the list."))
            if code != cause.clinician_category:
                cause.clinician_category = code
                cause.coded_by = by if code else None
                cause.coded_at = now if code else None
                cause.save(update_fields=["clinician_category", "coded_by", "coded_at"])
                changed += 1
        if changed:
            attribution_scores_refresh({attribution.pk})
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


def _hold_decision_record(
    *,
    enrollment: Enrollment,
    by: User,
    decision: str,
    reason: str,
    refer_to: str = "",
    after_referral: str = "",
    request: HttpRequest | None,
) -> HoldDecision:
    """Store the decision and audit it. The audit action names the decision (its
    category), never the reason, which is the clinician's free text."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": gettext("Write the reason for your decision.")})
    if not enrollment.on_safety_hold:
        raise ValidationError(gettext("There is no safety hold on this patient's program."))
    row = HoldDecision.objects.create(
        enrollment=enrollment,
        decision=decision,
        refer_to=refer_to,
        after_referral=after_referral,
        reason=reason,
        decided_by=by,
    )
    audit(
        request,
        f"screening.hold_{decision}",
        practice=enrollment.practice,
        subject=enrollment.patient,
        obj=row,
        actor=by,
    )
    return row


def _red_flag_alerts_resolve(
    *,
    enrollment: Enrollment,
    by: User,
    request: HttpRequest | None,
    plan: str,
    decided: str,
    reason: str,
) -> None:
    """Close the red-flag alerts that asked for the hold decision. Reviewing the
    screening records no contact with the patient (issue 15: the hold decision and its
    reason are the record; the alert page says so rather than "not reached" for a
    cleared hold, AlertResolution.by_hold_decision). The note: what was decided
    (`decided`, in the language of the person who decided, as a note they typed would
    be), then their reason in their own words."""
    note = decided + "\n" + gettext("Reason: %(reason)s") % {"reason": reason.strip()}
    outcome = ResolutionOutcome(contacted=False, risk_after="", plan=[plan], note=note)
    for alert in _red_flag_alerts(enrollment):
        alert_resolve(alert=alert, by=by, request=request, outcome=outcome, by_hold_decision=True)


def _enrollment_audit(
    request: HttpRequest | None, action: str, *, enrollment: Enrollment, by: User
) -> None:
    audit(
        request,
        action,
        practice=enrollment.practice,
        subject=enrollment.patient,
        obj=enrollment,
        actor=by,
    )


def _red_flag_alerts(enrollment: Enrollment):
    return (
        Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.RED_FLAG)
        .exclude(status=Alert.Status.RESOLVED)
        .select_related("enrollment__patient", "practice")
    )


def safety_hold_clear(
    *, enrollment: Enrollment, by: User, reason: str, request: HttpRequest | None = None
) -> None:
    """The clinician has reviewed the red flags: lift the hold so the patient may
    start, and resolve the red-flag alert that asked for the review. `reason` (required)
    is kept with the decision for the record.

    One transaction on the locked enrollment (see tracking.lifecycle): the decision, the
    hold lifted, their audit events, the alert resolved, and the program's check-ins and
    reminders scheduled, all or nothing. A second clear (two tabs) finds no hold and
    changes nothing (ValidationError)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        _hold_decision_record(
            enrollment=enrollment,
            by=by,
            decision=HoldDecision.Decision.CLEAR,
            reason=reason,
            request=request,
        )
        program_services.screening_clear(enrollment=enrollment, cleared_by=by)
        _enrollment_audit(request, "screening.cleared", enrollment=enrollment, by=by)
        _red_flag_alerts_resolve(
            enrollment=enrollment,
            by=by,
            request=request,
            plan=AlertResolution.Plan.HOLD_CLEARED,
            decided=gettext("Red flags reviewed and the safety hold cleared."),
            reason=reason,
        )
        # The program starts now: check-ins and reminders like any other start.
        enrollment_started(enrollment=enrollment)


def safety_hold_refer(
    *,
    enrollment: Enrollment,
    by: User,
    refer_to: str,
    after_referral: str,
    reason: str,
    request: HttpRequest | None = None,
) -> None:
    """The clinician refers the patient for a medical assessment (GP, specialist or the
    emergency department), recorded with the reason. The program either stays on hold
    until the assessment is back (the red-flag alert is acknowledged: someone is on it)
    or the patient is withdrawn (the alert is resolved). One transaction, audited."""
    if refer_to not in HoldDecision.ReferTo.values:
        raise ValidationError({"refer_to": gettext("Choose who you are referring the patient to.")})
    if after_referral not in HoldDecision.AfterReferral.values:
        raise ValidationError(
            {"after_referral": gettext("Choose whether to keep the program on hold or withdraw.")}
        )
    with transaction.atomic():
        lock_enrollment(enrollment)
        _hold_decision_record(
            enrollment=enrollment,
            by=by,
            decision=HoldDecision.Decision.REFER,
            reason=reason,
            refer_to=refer_to,
            after_referral=after_referral,
            request=request,
        )
        if after_referral == HoldDecision.AfterReferral.WITHDRAW:
            _withdraw_on_hold(enrollment=enrollment, by=by, reason=reason, request=request)
        else:
            for alert in _red_flag_alerts(enrollment).filter(status=Alert.Status.OPEN):
                alert_acknowledge(alert=alert, by=by, request=request)


def safety_hold_withdraw(
    *, enrollment: Enrollment, by: User, reason: str, request: HttpRequest | None = None
) -> None:
    """The clinician withdraws the patient instead of clearing the hold (e.g. the
    program is not right for them). One transaction, audited; the alert is resolved."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        _hold_decision_record(
            enrollment=enrollment,
            by=by,
            decision=HoldDecision.Decision.WITHDRAW,
            reason=reason,
            request=request,
        )
        _withdraw_on_hold(enrollment=enrollment, by=by, reason=reason, request=request)


def _withdraw_on_hold(
    *, enrollment: Enrollment, by: User, reason: str, request: HttpRequest | None
) -> None:
    # The screening stays "hold": the record shows the program never started.
    program_enrollments.enrollment_withdraw(enrollment=enrollment)
    _enrollment_audit(request, "enrollment.withdrawn", enrollment=enrollment, by=by)
    _red_flag_alerts_resolve(
        enrollment=enrollment,
        by=by,
        request=request,
        plan=AlertResolution.Plan.WITHDRAW,
        decided=gettext("Red flags reviewed and the patient withdrawn."),
        reason=reason,
    )


def medical_assessment_record(
    *,
    enrollment: Enrollment,
    by: User,
    assessor_name: str,
    assessor_role: str,
    assessed_on: date,
    request: HttpRequest | None = None,
) -> MedicalAssessment:
    """Record that the patient's back pain was medically assessed, by whom, in what
    role and when, with the statement "primary chronic back pain, red flags excluded".
    From then on the patient's content may say their back has been checked. Audited."""
    assessor_name = assessor_name.strip()
    if not assessor_name:
        raise ValidationError(
            {"assessor_name": gettext("Enter the name of who did the assessment.")}
        )
    if assessor_role not in AssessorRole.values:
        raise ValidationError({"assessor_role": gettext("Choose their role from the list.")})
    if assessed_on > enrollment.local_date():
        raise ValidationError(
            {"assessed_on": gettext("The assessment date cannot be in the future.")}
        )
    with transaction.atomic():
        row = MedicalAssessment.objects.create(
            enrollment=enrollment,
            assessor_name=assessor_name,
            assessor_role=assessor_role,
            assessed_on=assessed_on,
            statement=MEDICAL_ASSESSMENT_STATEMENT,
            recorded_by=by,
        )
        audit(
            request,
            "medical_assessment.recorded",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=row,
            actor=by,
        )
    return row
