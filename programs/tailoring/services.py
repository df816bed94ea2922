"""Writes for tailoring: a clinician changes one patient's path, the patient responds.

Every clinician change is one transaction with its AuditEvent. The audit event's
`changes` hold ids, actions and week numbers, before and after; never the reason,
title or instructions (free text stays out of the audit log). Each change also sets
`Enrollment.tailored_at`, which tells the patient's pages to read the changes at all.

The clinician's views live with the other staff screens (tracking.clinic.tailoring),
which also move the check-ins after a program switch: `programs` may not import
`tracking`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from painapp import edit_version
from painapp.accounts.audit import audit
from painapp.accounts.models import User
from programs.exposure.services import fear_item_create
from programs.models import (
    Activity,
    ActivityCompletion,
    ActivityKind,
    Enrollment,
    FearItem,
)
from programs.safety import patient_wrote
from programs.tailoring.models import (
    REASON_MAX,
    ActivityAdjustment,
    AdjustmentAction,
    CustomExercise,
    ExposureSuggestion,
    SuggestionStatus,
)

OPEN_STATUSES = ("invited", "active", "paused")


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Write a short reason for the patient.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason to 200 characters or fewer.")})
    return reason


def _week_count(enrollment: Enrollment) -> int:
    return enrollment.program_version.weeks.count()


def _check_week(enrollment: Enrollment, week: int, field: str = "week") -> None:
    count = _week_count(enrollment)
    if not 1 <= week <= count:
        raise ValidationError(
            {field: _("Choose a week between 1 and %(count)s.") % {"count": count}}
        )


def _tailored(enrollment: Enrollment) -> None:
    enrollment.tailored_at = timezone.now()
    enrollment.save(update_fields=["tailored_at", "updated_at"])


def _audit(
    request: HttpRequest | None,
    action: str,
    enrollment: Enrollment,
    by: User | None,
    obj,
    changes: dict,
) -> None:
    audit(
        request,
        action,
        practice=enrollment.practice,
        subject=enrollment.patient,
        obj=obj,
        actor=by,
        changes=changes,
    )


# ---------------------------------------------------------------- activities
def activity_adjust(
    *,
    enrollment: Enrollment,
    activity: Activity,
    action: str,
    reason: str,
    by: User,
    to_week: int | None = None,
    request: HttpRequest | None = None,
) -> ActivityAdjustment:
    """Open a lesson or activity now (`assign`), skip it (it stops counting towards
    the patient's progress and leaves "Next for you"), or move it to week `to_week`
    (it shows, opens and counts in that week). Replaces any earlier change of the
    same activity. ValidationError for an activity of another program version, a
    week out of range, a move to the week it is already in, a skip of an activity
    the patient has already done, or a missing reason."""
    reason = _clean_reason(reason)
    if action not in AdjustmentAction.values:
        raise ValidationError({"action": _("Choose what to change.")})
    if activity.week.version_id != enrollment.program_version_id:
        raise ValidationError({"activity": _("Choose a lesson or activity of this program.")})
    if activity.kind == ActivityKind.CHECKIN:
        # The check-in's schedule is tracking's: moving its page would move nothing.
        raise ValidationError({"activity": _("Choose a lesson or activity of this program.")})
    if (
        action == AdjustmentAction.SKIP
        and ActivityCompletion.objects.filter(enrollment=enrollment, activity=activity).exists()
    ):
        # "Done" and "skipped, it does not count against you" would both show: the
        # patient's work counts. Opening it now or moving it says only where and when
        # it can be read, which stays true of a done activity (e.g. to read it again
        # after a restart at week 1), so those are allowed.
        raise ValidationError(
            {
                "activity": _(
                    "The patient has already done “%(title)s”, so it cannot be skipped: "
                    "it stays done and counts towards their progress."
                )
                % {"title": activity.title}
            }
        )
    if action == AdjustmentAction.MOVE:
        if to_week is None:
            raise ValidationError({"to_week": _("Choose the week to move it to.")})
        _check_week(enrollment, to_week, "to_week")
        if to_week == activity.week.number:
            raise ValidationError({"to_week": _("It is already in that week.")})
    else:
        to_week = None
    with transaction.atomic():
        existing = (
            ActivityAdjustment.objects.select_for_update()
            .filter(enrollment=enrollment, activity=activity)
            .first()
        )
        before = (existing.action, existing.to_week) if existing else (None, None)
        adjustment, _created = ActivityAdjustment.objects.update_or_create(
            enrollment=enrollment,
            activity=activity,
            defaults={
                "action": action,
                "to_week": to_week,
                "reason": reason,
                "created_by": by,
                "created_at": timezone.now(),
            },
        )
        _tailored(enrollment)
        _audit(
            request,
            "tailoring.activity_adjusted",
            enrollment,
            by,
            adjustment,
            {
                "activity": [activity.pk, activity.pk],
                "action": [before[0], action],
                "to_week": [before[1], to_week],
            },
        )
    return adjustment


def activity_adjustment_undo(
    *, adjustment: ActivityAdjustment, by: User, request: HttpRequest | None = None
) -> None:
    """Take a change back: the activity is where the program put it again."""
    enrollment = adjustment.enrollment
    with transaction.atomic():
        changes = {
            "activity": [adjustment.activity_id, adjustment.activity_id],
            "action": [adjustment.action, None],
            "to_week": [adjustment.to_week, None],
        }
        _audit(request, "tailoring.adjustment_undone", enrollment, by, adjustment, changes)
        adjustment.delete()
        _tailored(enrollment)


# ---------------------------------------------------------------- custom exercises
def custom_exercise_add(
    *,
    enrollment: Enrollment,
    week: int,
    title: str,
    instructions: str,
    reason: str,
    by: User,
    minutes: int = 10,
    request: HttpRequest | None = None,
) -> CustomExercise:
    """A clinician writes an exercise for this patient, shown in week `week`."""
    reason = _clean_reason(reason)
    title, instructions = title.strip(), instructions.strip()
    if not title:
        raise ValidationError({"title": _("Give the exercise a short title.")})
    if not instructions:
        raise ValidationError({"instructions": _("Write what the patient should do.")})
    if not 1 <= minutes <= 120:
        raise ValidationError({"minutes": _("Choose between 1 and 120 minutes.")})
    _check_week(enrollment, week)
    with transaction.atomic():
        exercise = CustomExercise.objects.create(
            enrollment=enrollment,
            week=week,
            title=title,
            instructions=instructions,
            reason=reason,
            minutes=minutes,
            created_by=by,
        )
        _tailored(enrollment)
        _audit(
            request,
            "tailoring.exercise_added",
            enrollment,
            by,
            exercise,
            {"week": [None, week], "minutes": [None, minutes]},
        )
    return exercise


def custom_exercise_withdraw(
    *, exercise: CustomExercise, by: User, request: HttpRequest | None = None
) -> bool:
    """Hide a custom exercise from the patient (kept for the record). True if it was
    showing."""
    with transaction.atomic():
        updated = CustomExercise.objects.filter(pk=exercise.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        if updated:
            _tailored(exercise.enrollment)
            _audit(
                request,
                "tailoring.exercise_withdrawn",
                exercise.enrollment,
                by,
                exercise,
                {"withdrawn": [False, True]},
            )
    return bool(updated)


# What the patient edits of a custom exercise (the rest is their clinician's), and so
# what the note form's version reads (painapp.edit_version).
NOTE_VERSION = ("patient_note",)


def custom_exercise_complete(
    *, exercise: CustomExercise, note: str = "", edited_from: str | None = None
) -> bool:
    """The patient marks their custom exercise done, with an optional note (scanned
    for safety words, as everything a patient writes). Saving again updates the note.
    True the first time it is marked done.

    `edited_from`: the version of the note the form was filled in from
    (painapp.edit_version, by the note alone: NOTE_VERSION). If the note was saved
    since (another tab, another device), nothing is saved and EditConflict holds the
    exercise as it is now; the caller scans what was typed as not saved
    (programs.safety.PatientTextForm)."""
    with transaction.atomic():
        now = CustomExercise.objects.select_for_update().filter(pk=exercise.pk).first()
        if now is not None and not edit_version.is_current(now, edited_from, NOTE_VERSION):
            raise edit_version.EditConflict(now)
        first = (now or exercise).completed_at is None
        exercise.completed_at = (now or exercise).completed_at or timezone.now()
        exercise.patient_note = note.strip()
        exercise.save(update_fields=["completed_at", "patient_note"])
        patient_wrote(
            exercise.enrollment,
            source=f"custom_exercise:{exercise.pk}",
            texts=[exercise.patient_note],
        )
    return first


# ---------------------------------------------------------------- exposure suggestions
def exposure_suggest(
    *,
    enrollment: Enrollment,
    label: str,
    reason: str,
    by: User,
    request: HttpRequest | None = None,
) -> ExposureSuggestion:
    """Suggest a step for the patient's fear ladder. It waits on their ladder page
    until they add it (rating it themselves) or say no."""
    reason = _clean_reason(reason)
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": _("Write the activity in a few words.")})
    with transaction.atomic():
        suggestion = ExposureSuggestion.objects.create(
            enrollment=enrollment, label=label, reason=reason, created_by=by
        )
        _tailored(enrollment)
        _audit(
            request,
            "tailoring.exposure_suggested",
            enrollment,
            by,
            suggestion,
            {"status": [None, SuggestionStatus.PENDING]},
        )
    return suggestion


def exposure_suggestion_accept(
    *, suggestion: ExposureSuggestion, harm_rating: int, request: HttpRequest | None = None
) -> FearItem:
    """The patient puts the suggested step on their ladder with their own rating,
    audited as `tailoring.suggestion_accepted` (its status only: no label, no rating).
    A second accept (double submit) returns the rung the first one made, and records
    nothing more."""
    with transaction.atomic():
        suggestion = (
            ExposureSuggestion.objects.select_for_update(of=("self",))
            .select_related("enrollment__patient", "enrollment__practice")
            .get(pk=suggestion.pk)
        )
        if suggestion.status == SuggestionStatus.ACCEPTED and suggestion.fear_item_id:
            return FearItem.objects.get(pk=suggestion.fear_item_id)
        if suggestion.status != SuggestionStatus.PENDING:
            raise ValidationError(_("This suggestion was already answered."))
        enrollment = suggestion.enrollment
        fear_item = fear_item_create(
            enrollment=enrollment, label=suggestion.label, harm_rating=harm_rating
        )
        suggestion.status = SuggestionStatus.ACCEPTED
        suggestion.fear_item = fear_item
        suggestion.responded_at = timezone.now()
        suggestion.save(update_fields=["status", "fear_item", "responded_at"])
        _audit(
            request,
            "tailoring.suggestion_accepted",
            enrollment,
            enrollment.patient,
            suggestion,
            # The status only (the rung it became is on the suggestion, fear_item).
            {"status": [SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED]},
        )
    return fear_item


def exposure_suggestion_decline(
    *, suggestion: ExposureSuggestion, request: HttpRequest | None = None
) -> bool:
    """The patient leaves the suggestion off their ladder, audited as
    `tailoring.suggestion_declined`. True if it was waiting (else nothing changes and
    nothing is recorded)."""
    with transaction.atomic():
        declined = ExposureSuggestion.objects.filter(
            pk=suggestion.pk, status=SuggestionStatus.PENDING
        ).update(status=SuggestionStatus.DECLINED, responded_at=timezone.now())
        if declined:
            enrollment = Enrollment.objects.select_related("patient", "practice").get(
                pk=suggestion.enrollment_id
            )
            _audit(
                request,
                "tailoring.suggestion_declined",
                enrollment,
                enrollment.patient,
                suggestion,
                {"status": [SuggestionStatus.PENDING, SuggestionStatus.DECLINED]},
            )
    return bool(declined)


# ---------------------------------------------------------------- program switch
RECENT = timedelta(days=14)
