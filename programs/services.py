"""Writes for programs: loading curriculum versions, enrollments, the patient's logs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from painapp import edit_version
from painapp.accounts.models import Invitation, Membership, Practice, Role, User
from painapp.accounts.services import InvitationRequest, invitation_create, invitation_send
from painapp.accounts.timezones import user_timezone_set
from programs import weeks
from programs.boosters.models import Booster
from programs.content import ContentError, ProgramData
from programs.gates import enrollment_ready_or_raise
from programs.models import (
    MIND_BRAIN,
    Activity,
    ActivityCompletion,
    Attribution,
    AttributionCause,
    Enrollment,
    EnrollmentStatus,
    PracticeSession,
    Program,
    ProgramVersion,
    Reflection,
    Screening,
    Week,
)
from programs.practice.minimum import min_practice_seconds
from programs.safety import patient_wrote
from programs.selectors import bump_boosters_of


@transaction.atomic
def program_version_load(data: ProgramData) -> tuple[ProgramVersion, bool]:
    """Store `data` as a new version unless identical content is already stored.

    Returns (version, created). Running it twice changes nothing; a changed file
    makes version N+1, and enrollments stay on the version they started with. Each
    language is versioned on its own: a change to the Spanish files makes a new
    Spanish version and leaves the English alone.
    """
    if data.language not in dict(settings.LANGUAGES):
        raise ContentError(f"{data.slug}: {data.language!r} is not one of settings.LANGUAGES")
    program, _ = Program.objects.select_for_update().get_or_create(
        slug=data.slug, defaults={"title": data.title}
    )
    versions = program.versions.filter(language=data.language)
    existing = versions.filter(content_hash=data.content_hash).first()
    if existing is not None:
        return existing, False
    # The program's own name (admin lists, staff pages) follows the English edition.
    if data.language == settings.LANGUAGE_CODE and program.title != data.title:
        program.title = data.title
        program.save(update_fields=["title"])
    last = versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ProgramVersion.objects.create(
        program=program,
        number=last + 1,
        language=data.language,
        title=data.title,
        summary=data.summary,
        overview_md=data.overview_md,
        tracking_guide=data.tracking_guide,
        checkin_config=data.checkin_config,
        content_hash=data.content_hash,
    )
    for week_data in data.weeks:
        week = Week.objects.create(
            version=version,
            number=week_data.number,
            title=week_data.title,
            theme=week_data.theme,
            intro_md=week_data.intro_md,
            sessions=[
                {
                    "number": s.number,
                    "title": s.title,
                    "intro_md": s.intro_md,
                    "activities": s.activities,
                }
                for s in week_data.sessions
            ],
        )
        Activity.objects.bulk_create(
            Activity(
                week=week,
                order=a.order,
                kind=a.kind,
                slug=a.slug,
                title=a.title,
                minutes=a.minutes,
                daily=a.daily,
                prompt=a.prompt,
                body_md=a.body_md,
                data=a.data,
            )
            for a in week_data.activities
        )
    Booster.objects.bulk_create(
        Booster(
            version=version,
            month=b.month,
            slug=b.slug,
            title=b.title,
            summary=b.summary,
            minutes=b.minutes,
            body_md=b.body_md,
        )
        for b in data.boosters
    )
    if data.boosters:
        # (bulk_create sends no signal: the cached outlines learn of them here)
        bump_boosters_of(version.pk)
    return version, True


# ---------------------------------------------------------------- enrollments


def version_for_patient(chosen: ProgramVersion, patient: User) -> ProgramVersion:
    """The program the admin chose, in the patient's own language.

    The current version in `patient.language` if the program has one; otherwise the
    version chosen (English, which every program has).
    """
    if chosen.language == patient.language:
        return chosen
    return (
        chosen.program.versions.filter(language=patient.language).order_by("-number").first()
        or chosen
    )


def enrollment_invite(
    *,
    practice: Practice,
    invited_by: User,
    email: str,
    full_name: str,
    clinician: User,
    program_version: ProgramVersion,
    start_date: date,
    timezone_name: str,
    send: bool = True,
    date_of_birth: date | None = None,
    language: str = "en",
) -> tuple[Enrollment, Invitation]:
    """Invite a patient and put them on a program with a clinician, in one step.

    The enrollment starts as 'invited' and becomes 'active' when the patient finishes
    onboarding (consent and safety screening). Refused (ValidationError) while the
    practice is not ready to enroll (programs.gates).
    """
    enrollment_ready_or_raise(practice)
    with transaction.atomic():
        invitation = invitation_create(
            practice=practice,
            invited_by=invited_by,
            send=False,
            request=InvitationRequest(
                email=email,
                full_name=full_name,
                role=Role.PATIENT,
                timezone=timezone_name,
                clinician=clinician,
                language=language,
            ),
        )
        patient = invitation.membership.user
        program_version = version_for_patient(program_version, patient)
        if Enrollment.objects.filter(
            patient=patient, practice=practice, status__in=["invited", "active", "paused"]
        ).exists():
            raise ValidationError(
                {"email": gettext("This patient already has an open enrollment here.")}
            )
        enrollment = Enrollment.objects.create(
            patient=patient,
            practice=practice,
            program_version=program_version,
            clinician=clinician,
            start_date=start_date,
            status=EnrollmentStatus.INVITED,
            checkin_weekday=start_date.weekday(),
            date_of_birth=date_of_birth,
        )
    if send:
        invitation_send(invitation)
    return enrollment, invitation


def enrollment_create(
    *,
    patient: User,
    practice: Practice,
    clinician: User,
    program_version: ProgramVersion,
    start_date: date,
    status: str = EnrollmentStatus.ACTIVE,
) -> Enrollment:
    """Enroll an existing patient member directly (demo data, transfers, tests).

    Like an invitation, the patient gets the program in their own language.
    """
    program_version = version_for_patient(program_version, patient)
    if not Membership.objects.filter(
        user=clinician, practice=practice, role=Role.CLINICIAN, is_active=True
    ).exists():
        raise ValidationError(gettext("The clinician must be active in the same practice."))
    return Enrollment.objects.create(
        patient=patient,
        practice=practice,
        clinician=clinician,
        program_version=program_version,
        start_date=start_date,
        status=status,
        checkin_weekday=start_date.weekday(),
    )


def enrollment_pause(*, enrollment: Enrollment) -> None:
    """Stop the calendar: no new weeks open, and reminders stop, until resumed.

    Only the enrollment's own fields: the user action is tracking.lifecycle's
    enrollment_pause (with the audit event, in one transaction), as for resume."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError(gettext("Only an active enrollment can be paused."))
    enrollment.status = EnrollmentStatus.PAUSED
    enrollment.paused_on = enrollment.local_date()
    enrollment.save(update_fields=["status", "paused_on", "updated_at"])


def enrollment_resume(*, enrollment: Enrollment) -> None:
    """Restart the calendar; the days spent paused push every later week back.

    Only the enrollment's own fields: tracking.lifecycle.enrollment_resume also moves
    the check-ins and reminders that waited, and audits it, in one transaction."""
    if enrollment.status != EnrollmentStatus.PAUSED:
        raise ValidationError(gettext("Only a paused enrollment can be resumed."))
    enrollment.paused_days = weeks.days_paused(
        today=enrollment.local_date(),
        paused_days=enrollment.paused_days,
        paused_on=enrollment.paused_on,
    )
    enrollment.paused_on = None
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.save(update_fields=["status", "paused_on", "paused_days", "updated_at"])


def enrollment_unlock_week(*, enrollment: Enrollment, week: int) -> None:
    """A clinician opens weeks up to `week` before the calendar does."""
    if not 1 <= week <= enrollment.week_count:
        raise ValidationError(
            gettext("Choose a week between 1 and %(n)s.") % {"n": enrollment.week_count}
        )
    if week > enrollment.unlocked_through_week:
        enrollment.unlocked_through_week = week
        enrollment.save(update_fields=["unlocked_through_week", "updated_at"])


def enrollment_set_status(*, enrollment: Enrollment, status: str) -> None:
    enrollment.status = status
    enrollment.save(update_fields=["status", "updated_at"])


def activity_complete(*, enrollment: Enrollment, activity: Activity) -> bool:
    """Record that an activity is done. Returns True the first time only."""
    _, created = ActivityCompletion.objects.get_or_create(
        enrollment=enrollment, activity=activity, defaults={"completed_at": timezone.now()}
    )
    return created


def reflection_save(
    *,
    enrollment: Enrollment,
    activity: Activity,
    text: str = "",
    checked: list[str] | None = None,
    answers: dict[str, str] | None = None,
    shared: bool = False,
    edited_from: str | None = None,
) -> Reflection:
    """Save (or update) the patient's answer to an activity, and mark it done.

    On a private-by-default activity (Activity.data["private"]) the entry stays
    private unless the patient chose to share it, each time they save it; anywhere
    else what they write is shared with their care team, as consent says.

    `edited_from`: the version of the answer the form was filled in from
    (painapp.edit_version). If it was saved since (another tab, another device),
    nothing is saved and EditConflict holds the answer as it is now; what was typed is
    still scanned, as for the safety plan."""
    private = bool((activity.data or {}).get("private")) and not shared
    with transaction.atomic():
        now = (
            Reflection.objects.select_for_update()
            .filter(enrollment=enrollment, activity=activity)
            .first()
        )
        # No answer now: nothing can be lost, whatever the form was filled in from.
        stale = now is not None and not edit_version.is_current(now, edited_from)
        if not stale:
            reflection, _ = Reflection.objects.update_or_create(
                enrollment=enrollment,
                activity=activity,
                defaults={
                    "text": text,
                    "checked": checked or [],
                    "answers": answers or {},
                    "private": private,
                },
            )
            activity_complete(enrollment=enrollment, activity=activity)
            # Scanned like any patient text, private ones too (their text is never
            # shown to staff; the alert says only that a reflection needs a call).
            patient_wrote(enrollment, source=f"reflection:{reflection.pk}", texts=[text])
    if now is not None and stale:
        patient_wrote(enrollment, source=f"reflection:{now.pk}", texts=[text], unsaved=True)
        raise edit_version.EditConflict(now)
    return reflection


def enrollment_figures_refresh(*, enrollment_ids: Iterable[int] | None = None) -> int:
    """Recompute the enrollment's own derived figures from the rows: practice sessions
    logged (those of at least the practice's minimum length: programs.practice
    .counting), and the first and latest mind-brain scores with the number of "three
    causes" recorded (what the outcomes report reads). For data loaded in bulk (the
    demo, the benchmark), restored from a backup, or after a practice changes its
    minimum session length; all enrollments when no ids are given.
    Returns the enrollments updated. One UPDATE per practice."""
    attributions = Attribution.objects.filter(enrollment=OuterRef("pk"))
    counted = attributions.order_by().values("enrollment").annotate(n=Count("pk")).values("n")
    enrollments = Enrollment.objects.all()
    if enrollment_ids is not None:
        enrollments = enrollments.filter(pk__in=list(enrollment_ids))
    updated = 0
    practice_ids = sorted(set(enrollments.order_by().values_list("practice_id", flat=True)))
    for practice_id in practice_ids:
        sessions = (
            PracticeSession.objects.filter(
                enrollment=OuterRef("pk"),
                duration_seconds__gte=min_practice_seconds(practice_id),
            )
            .order_by()
            .values("enrollment")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        updated += enrollments.filter(practice_id=practice_id).update(
            practice_sessions_logged=Coalesce(
                Subquery(sessions[:1], output_field=IntegerField()), Value(0)
            ),
            attributions_recorded=Coalesce(
                Subquery(counted[:1], output_field=IntegerField()), Value(0)
            ),
            mind_brain_first=Subquery(
                attributions.order_by("recorded_at", "pk").values("mind_brain_score")[:1]
            ),
            mind_brain_last=Subquery(
                attributions.order_by("-recorded_at", "-pk").values("mind_brain_score")[:1]
            ),
        )
    return updated


def attribution_record(
    *, enrollment: Enrollment, activity: Activity | None, causes: list[tuple[str, str]]
) -> Attribution:
    """Store three causes and their categories; the mind-brain score counts the
    causes placed in the stress, emotions or brain categories (0–3)."""
    if len(causes) != 3:
        raise ValidationError(gettext("Three causes are needed."))
    score = sum(1 for _text, category in causes if category in MIND_BRAIN)
    with transaction.atomic():
        attribution, created = Attribution.objects.get_or_create(
            enrollment=enrollment,
            activity=activity,
            defaults={"mind_brain_score": score, "recorded_at": timezone.now()},
        )
        if not created:
            # New causes: any clinician coding was of the old ones, so it goes with them.
            attribution.mind_brain_score = score
            attribution.clinician_mind_brain_score = None
            attribution.recorded_at = timezone.now()
            attribution.save(
                update_fields=["mind_brain_score", "clinician_mind_brain_score", "recorded_at"]
            )
            attribution.causes.all().delete()
        AttributionCause.objects.bulk_create(
            AttributionCause(
                attribution=attribution, position=n, text=text.strip(), category=category
            )
            for n, (text, category) in enumerate(causes, start=1)
        )
        # First and latest mind-brain scores, for the outcomes report.
        enrollment_figures_refresh(enrollment_ids=[enrollment.pk])
        if activity is not None:
            activity_complete(enrollment=enrollment, activity=activity)
        patient_wrote(
            enrollment, source=f"attribution:{attribution.pk}", texts=[t for t, _ in causes]
        )
    return attribution


def onboarding_consent(*, enrollment: Enrollment) -> None:
    if enrollment.consented_at is None:
        enrollment.consented_at = timezone.now()
        enrollment.save(update_fields=["consented_at", "updated_at"])


def onboarding_preferences(
    *, enrollment: Enrollment, timezone_name: str, practice_time, checkin_weekday: int
) -> None:
    with transaction.atomic():
        # Recomputes the reminders of any other program the patient is on, in this
        # transaction (accounts.timezones).
        user_timezone_set(user=enrollment.patient, timezone_name=timezone_name)
        enrollment.preferred_practice_time = practice_time
        enrollment.checkin_weekday = checkin_weekday
        enrollment.settings_saved_at = enrollment.settings_saved_at or timezone.now()
        enrollment.save(
            update_fields=[
                "preferred_practice_time",
                "checkin_weekday",
                "settings_saved_at",
                "updated_at",
            ]
        )


def screening_record(*, enrollment: Enrollment, red_flags: list[str]) -> None:
    """Store the red-flag screening. Any red flag puts the program on hold until the
    clinician clears it; none finishes onboarding and starts the program.

    Only the enrollment's own fields: the patient's action is
    tracking.lifecycle.screening_submit (the red-flag alert, or the check-ins and
    reminders of a program that starts, and the audit event, in one transaction)."""
    with transaction.atomic():
        enrollment.red_flags = red_flags
        if red_flags:
            enrollment.screening = Screening.HOLD
        else:
            enrollment.screening = Screening.CLEAR
            _finish_onboarding(enrollment)
        enrollment.save()


def screening_clear(*, enrollment: Enrollment, cleared_by: User) -> None:
    """The clinician has checked the red flags: the patient may start. (The clinician's
    action is tracking.clinic.services.safety_hold_clear.)"""
    if enrollment.screening != Screening.HOLD:
        raise ValidationError(gettext("There is no safety hold to clear."))
    with transaction.atomic():
        enrollment.screening = Screening.CLEARED
        enrollment.screening_cleared_by = cleared_by
        enrollment.screening_cleared_at = timezone.now()
        _finish_onboarding(enrollment)
        enrollment.save()


def _finish_onboarding(enrollment: Enrollment) -> None:
    enrollment.onboarded_at = enrollment.onboarded_at or timezone.now()
    if enrollment.status == EnrollmentStatus.INVITED:
        enrollment.status = EnrollmentStatus.ACTIVE
