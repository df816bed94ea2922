"""An enrollment's life, one service per user action: each one transaction, audit included.

`programs` owns the enrollment's own fields and rules (programs.services,
programs.enrollments) and may not import `tracking`; `tracking` owns what follows from
them (check-ins, reminder schedules, alerts). So the actions that cross the two live
here, the one place that may import both:

- the patient's red-flag screening (`screening_submit`);
- a practice admin's pause, resume, complete, withdraw and transfer.

(The clinician's half of screening, lifting a safety hold, is
tracking.clinic.services.safety_hold_clear, with the other writes from the patient's
page; it uses `enrollment_started` below in the same way.)

Each service locks the enrollment's row first and checks the rules against what is
stored then, so a double submit (two tabs, a retried POST) waits for the first and
finds it done. Then programs' change, tracking's follow-up and the audit event commit
together or not at all: there is never a resumed program whose check-ins did not move,
nor a change without its audit event. A view parses the request, calls one of these,
and renders; a ValidationError carries a sentence for the user.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest

from painapp.accounts.audit import audit
from painapp.accounts.models import Practice, User
from programs import enrollments as program_enrollments
from programs import services as program_services
from programs.models import Enrollment
from tracking import rules
from tracking.alerts.handover import alerts_hand_over
from tracking.alerts.services import alert_raise
from tracking.checkins.schedule import checkins_reschedule, checkins_schedule
from tracking.models import Alert, PracticeSettings
from tracking.reminders.schedules import schedules_sync


# ---------------------------------------------------------------- follow-up
# What tracking does when an enrollment starts or resumes. Called inside the services'
# transactions, never from a view on its own.
def enrollment_started(*, enrollment: Enrollment) -> None:
    """Follow-up for an enrollment that has just become active (onboarding finished,
    or a clinician cleared a safety hold): its check-ins and reminder schedules."""
    checkins_schedule(enrollment)
    schedules_sync(enrollment=enrollment)


def enrollment_resumed(*, enrollment: Enrollment) -> None:
    """After a pause: later check-ins move with the calendar, reminders recompute."""
    checkins_reschedule(enrollment)
    schedules_sync(enrollment=enrollment)


def lock_enrollment(enrollment: Enrollment) -> None:
    """Lock the enrollment's row until the transaction ends and reload it (with the
    rows the services read), so the rules see what is stored now. Call inside
    `transaction.atomic()`."""
    enrollment.refresh_from_db(
        from_queryset=Enrollment.objects.select_for_update(of=("self",)).select_related(
            "patient", "practice", "clinician", "program_version"
        )
    )


def _audit(request: HttpRequest | None, action: str, enrollment: Enrollment, by: User) -> None:
    audit(
        request,
        action,
        practice=enrollment.practice,
        subject=enrollment.patient,
        obj=enrollment,
        actor=by,
    )


# ---------------------------------------------------------------- the patient
def screening_submit(
    *,
    enrollment: Enrollment,
    red_flags: list[str],
    request: HttpRequest | None = None,
    date_of_birth: date | None = None,
    onset_year: int | None = None,
) -> bool:
    """The patient's red-flag screening, the last step of onboarding. Returns whether
    the program is now on hold.

    `date_of_birth` (when the practice did not give it) and `onset_year` (the year the
    back pain first started) are stored, and together give the onset-age red flag
    (tracking.rules.back_pain_onset_flag), added to the ticked ones. Any red flag holds
    the program and raises a red-flag alert, which tells the clinician at once: URGENT
    if a flag sends the patient to the emergency department today, HIGH otherwise
    (tracking.rules.red_flags_alert_severity); none
    starts the program, with its check-ins and reminders. The screening, the alert or
    the start, and the `screening.recorded` audit event commit together. A screening
    already recorded (a second tab) is left as it is. The age range is checked before
    this (date_of_birth_record).
    """
    with transaction.atomic():
        lock_enrollment(enrollment)
        if not enrollment.needs_onboarding or enrollment.on_safety_hold:
            return enrollment.on_safety_hold
        flags = list(red_flags)
        if enrollment.date_of_birth is None and date_of_birth is not None:
            enrollment.date_of_birth = date_of_birth
        if onset_year is not None:
            enrollment.back_pain_onset_year = onset_year
            if enrollment.date_of_birth is not None:
                onset_flag = rules.back_pain_onset_flag(
                    date_of_birth=enrollment.date_of_birth, onset_year=onset_year
                )
                if onset_flag and onset_flag not in flags:
                    flags.append(onset_flag)
        program_services.screening_record(enrollment=enrollment, red_flags=flags)
        if severity := rules.red_flags_alert_severity(flags):
            alert_raise(
                enrollment=enrollment,
                kind=Alert.Kind.RED_FLAG,
                severity=severity,
                source="screening",
                details={"red_flags": flags},
            )
        else:
            enrollment_started(enrollment=enrollment)
        _audit(request, "screening.recorded", enrollment, enrollment.patient)
    return bool(flags)


def date_of_birth_record(
    *, enrollment: Enrollment, date_of_birth: date, request: HttpRequest | None = None
) -> bool:
    """Store the date of birth the patient gave at onboarding (when the practice had
    not) and return whether their age today is in the practice's range
    (PracticeSettings.age_min/age_max). Outside it the patient cannot go on: the
    refusal is audited (`screening.age_outside_range`) and the clinician sees why on
    the patient's page. A date already stored is kept (the practice's word stands)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        if enrollment.date_of_birth is None:
            enrollment.date_of_birth = date_of_birth
            enrollment.save(update_fields=["date_of_birth", "updated_at"])
        settings = PracticeSettings.for_practice(enrollment.practice_id)
        age = rules.age_on(enrollment.date_of_birth, enrollment.local_date())
        limits = settings.within_limits()
        inside = rules.age_in_range(age, age_min=limits["age_min"], age_max=limits["age_max"])
        if not inside:
            _audit(request, "screening.age_outside_range", enrollment, enrollment.patient)
    return inside


# ---------------------------------------------------------------- practice admins
def enrollment_pause(
    *, enrollment: Enrollment, by: User, request: HttpRequest | None = None
) -> None:
    """Stop the program's calendar until it is resumed: no new weeks open, check-ins
    wait, reminders stop (the sweep skips a paused enrollment)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        program_services.enrollment_pause(enrollment=enrollment)
        _audit(request, "enrollment.paused", enrollment, by)


def enrollment_resume(
    *, enrollment: Enrollment, by: User, request: HttpRequest | None = None
) -> None:
    """Start the calendar again: the days spent paused push every later week back, so
    the check-ins that waited move by as many days and reminders pick up from today."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        program_services.enrollment_resume(enrollment=enrollment)
        enrollment_resumed(enrollment=enrollment)
        _audit(request, "enrollment.resumed", enrollment, by)


def enrollment_complete(
    *, enrollment: Enrollment, by: User, request: HttpRequest | None = None
) -> None:
    """Mark the program finished. Reminders stop; follow-up check-ins still run."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        program_enrollments.enrollment_complete(enrollment=enrollment)
        _audit(request, "enrollment.completed", enrollment, by)


def enrollment_withdraw(
    *, enrollment: Enrollment, by: User, request: HttpRequest | None = None
) -> None:
    """Take the patient off the program: reminders and check-ins stop, nothing is
    deleted, and an invitation not yet accepted stops working."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        program_enrollments.enrollment_withdraw(enrollment=enrollment)
        _audit(request, "enrollment.withdrawn", enrollment, by)


def enrollment_transfer(
    *, enrollment: Enrollment, to_clinician: User, by: User, request: HttpRequest | None = None
) -> None:
    """Hand the patient to another clinician of the practice (with a waiting
    invitation, which names the clinician)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        came_from = enrollment.clinician_id
        program_enrollments.enrollment_transfer(enrollment=enrollment, to_clinician=to_clinician)
        _audit(request, "enrollment.transferred", enrollment, by)
        alerts_hand_over(
            moves=[(enrollment, came_from)], to_clinician=to_clinician, by=by, request=request
        )


def caseload_reassign(
    *,
    practice: Practice,
    from_clinician: User,
    to_clinician: User,
    by: User,
    request: HttpRequest | None = None,
) -> list[Enrollment]:
    """Move a clinician's caseload (programs.enrollments.caseload_reassign), their
    patients' alerts not yet resolved handed over with it, in one transaction."""
    with transaction.atomic():
        moved = program_enrollments.caseload_reassign(
            practice=practice, from_clinician=from_clinician, to_clinician=to_clinician
        )
        alerts_hand_over(
            moves=[(e, from_clinician.pk) for e in moved],
            to_clinician=to_clinician,
            by=by,
            request=request,
        )
    return moved


def clinician_deactivate(
    *,
    practice: Practice,
    clinician: User,
    reassign_to: User | None,
    by: User,
    request: HttpRequest | None = None,
) -> list[Enrollment]:
    """Switch a clinician off (programs.enrollments.clinician_deactivate), their
    patients' alerts not yet resolved handed over to `reassign_to`, in one transaction."""
    with transaction.atomic():
        moved = program_enrollments.clinician_deactivate(
            practice=practice, clinician=clinician, reassign_to=reassign_to
        )
        if moved and reassign_to is not None:
            alerts_hand_over(
                moves=[(e, clinician.pk) for e in moved],
                to_clinician=reassign_to,
                by=by,
                request=request,
            )
    return moved
