"""One record of every kind a patient can have, for the data export and deletion tests.

Each patient's free text carries a `marker`, so a test can search a whole export for
another patient's words.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.models import Invitation, Membership, User
from programs import services as program_services
from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Activity, ActivityKind, Enrollment, MedicalAssessment
from programs.practice.services import practice_session_record
from programs.tailoring import services as tailoring_services
from programs.tailoring.models import ProgramSwitch
from tracking.alerts.services import ResolutionOutcome, alert_raise, alert_resolve
from tracking.checkins.schedule import checkins_schedule
from tracking.checkins.summaries import summaries_refresh
from tracking.diary.services import Episode, diary_entry_save
from tracking.instruments.registry import sync_shipped
from tracking.models import (
    AlertContactAttempt,
    CheckIn,
    ClinicianNote,
    Delivery,
    HoldDecision,
    Instrument,
    Message,
    MessageThread,
    Notification,
    ReminderSchedule,
    Response,
    ThreadRead,
)
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.safety.services import safety_plan_save
from tracking.session_notes.services import SessionRecord, session_note_create


@dataclass
class Rich:
    enrollment: Enrollment
    marker: str
    rows: dict[str, object] = field(default_factory=dict)


def make_rich_data(enrollment: Enrollment, *, marker: str, staff: User) -> Rich:
    """A record in every table that can hold something about `enrollment.patient`."""
    patient = enrollment.patient
    rich = Rich(enrollment=enrollment, marker=marker)
    r = rich.rows
    version = enrollment.program_version
    activities = list(Activity.objects.filter(week__version=version).order_by("pk"))
    lesson = next(a for a in activities if a.kind == ActivityKind.LESSON)
    reflection_activity = next(a for a in activities if a.kind == ActivityKind.REFLECTION)
    attribution_activity = next(a for a in activities if a.kind == ActivityKind.ATTRIBUTION)

    membership = Membership.objects.get(user=patient, practice=enrollment.practice)
    r["invitation"] = Invitation.objects.create(
        membership=membership,
        clinician=enrollment.clinician,
        invited_by=staff,
        expires_at=timezone.now() + timedelta(days=7),
        accepted_at=timezone.now(),
    )
    r["audit_read"] = audit(
        None,
        "patient.viewed",
        actor=staff,
        subject=patient,
        practice=enrollment.practice,
        object_type="programs.enrollment",
        object_id=str(enrollment.pk),
    )
    r["audit_login"] = audit(None, "login", actor=patient)

    program_services.activity_complete(enrollment=enrollment, activity=lesson)
    r["reflection"] = program_services.reflection_save(
        enrollment=enrollment,
        activity=reflection_activity,
        text=f'=HYPERLINK("http://evil.example") {marker} my reflection',
    )
    r["attribution"] = program_services.attribution_record(
        enrollment=enrollment,
        activity=attribution_activity,
        causes=[
            (f"{marker} stress at work", "stress"),
            ("-an old injury", "injury"),
            ("@worry", "psychological"),
        ],
    )
    r["practice_session"], _ = practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=7,
        threat_before=6,
        pain_after=4,
        threat_after=3,
        sensations=["warmth", "tightness"],
        note=f"{marker} felt calmer",
        duration_seconds=420,
    )
    r["fear_item"] = fear_item_create(
        enrollment=enrollment, label=f"{marker} bending down", harm_rating=80
    )
    r["exposure"] = exposure_create(
        enrollment=enrollment,
        fear_item=r["fear_item"],
        activity=f"{marker} pick up socks",
        predicted_pain=8,
        predicted_harm=70,
        expectation=f"{marker} it will hurt a lot",
    )
    exposure_complete(
        exposure=r["exposure"],
        actual_pain=3,
        actual_harm=10,
        fear_after=40,
        note=f"{marker} it was fine",
    )

    checkins_schedule(enrollment)
    checkin = CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at").first()
    checkin.status = CheckIn.Status.COMPLETED
    checkin.completed_at = timezone.now()
    checkin.draft = {"note": f"{marker} draft"}
    checkin.save()
    r["checkin"] = checkin
    sync_shipped()
    instrument = Instrument.objects.filter(practice=None, key="phq9").order_by("-version").first()
    r["response"] = Response.objects.create(
        checkin=checkin,
        instrument=instrument,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        answers={"phq1": 2, "phq2": 1, "note": f"{marker} answer"},
        scores={"total": 11},
    )
    summaries_refresh(enrollment_ids=[enrollment.pk])

    prefs = preferences_for(enrollment)
    prefs.phone = "+447700900123"
    prefs.save()
    schedules_sync(enrollment=enrollment)
    schedule = ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")
    r["reminder_preferences"] = prefs
    r["reminder_schedule"] = schedule
    r["delivery"] = Delivery.objects.create(
        schedule=schedule,
        slot="practice:2026-01-05",
        channel="in_app",
        due_at=timezone.now() - timedelta(days=1),
        status=Delivery.Status.SENT,
    )
    r["notification"] = Notification.objects.create(
        user=patient,
        title=f"{marker} time for practice",
        url="/somatic-tracking/",
        delivery=r["delivery"],
        audience=Notification.Audience.PATIENT,
        practice=enrollment.practice,
    )
    r["alert"] = alert_raise(
        enrollment=enrollment,
        kind="fear_high",
        severity="routine",
        source=f"checkin:{checkin.pk}",
        details={"fear": 9},
    )
    # A second alert, resolved with its documented contact (issue 15).
    r["resolved_alert"] = alert_raise(
        enrollment=enrollment,
        kind="missed_checkins",
        severity="routine",
        source=f"missed:{checkin.pk}",
    )
    alert_resolve(
        alert=r["resolved_alert"],
        by=staff,
        outcome=ResolutionOutcome(
            contacted=True,
            contacted_at=timezone.now(),
            method="phone",
            risk_after="none",
            plan=["continue"],
            note=f"{marker} resolution note",
        ),
    )
    # A try to reach them before that did not get through (a row: the service's
    # acknowledgement is not what this data is about).
    r["contact_attempt"] = AlertContactAttempt.objects.create(
        alert=r["resolved_alert"],
        attempted_at=timezone.now(),
        method="phone",
        note=f"{marker} attempt note",
        created_by=staff,
    )
    r["clinician_note"] = ClinicianNote.objects.create(
        enrollment=enrollment, author=enrollment.clinician, body=f"{marker} clinician's note"
    )
    # A conversation with the care team, read by both sides (rows, not the service: the
    # service's notifications would add to the notification table checked elsewhere).
    thread = MessageThread.objects.create(
        enrollment=enrollment, practice=enrollment.practice, last_message_at=timezone.now()
    )
    r["message"] = Message.objects.create(
        thread=thread, author=patient, from_patient=True, body=f"{marker} my message"
    )
    r["message_reply"] = Message.objects.create(
        thread=thread, author=enrollment.clinician, from_patient=False, body=f"{marker} reply"
    )
    r["thread_read"] = ThreadRead.objects.create(thread=thread, user=patient)
    ThreadRead.objects.create(thread=thread, user=enrollment.clinician)
    r["medical_assessment"] = MedicalAssessment.objects.create(
        enrollment=enrollment,
        assessor_name=f"{marker} Dr Assessor",
        assessor_role="gp",
        assessed_on=timezone.localdate() - timedelta(days=30),
        recorded_by=enrollment.clinician,
    )
    r["hold_decision"] = HoldDecision.objects.create(
        enrollment=enrollment,
        decision="clear",
        reason=f"{marker} reason for clearing",
        decided_by=enrollment.clinician,
    )

    r["session_note"] = session_note_create(
        enrollment=enrollment,
        author=enrollment.clinician,
        record=SessionRecord(
            session_date=timezone.localdate() - timedelta(days=2),
            minutes=50,
            mode="video",
            components=["education", "somatic_tracking"],
            risk_identified=False,
            homework=f"{marker} practise somatic tracking daily",
            notes=f"{marker} session working note",
        ),
    )
    r["diary_entry"] = diary_entry_save(
        enrollment=enrollment,
        episode=Episode(
            occurred_at=timezone.now() - timedelta(hours=3),
            pain=6,
            fear=5,
            activity="sitting",
            self_talk=f"{marker} my back is fragile",
        ),
    ).entry
    # Every account has its login address's row (painapp.accounts.email_addresses).
    r["email_address"] = EmailAddress.objects.get(user=patient, email=patient.email.lower())
    r["authenticator"] = Authenticator.objects.create(
        user=patient, type=Authenticator.Type.TOTP, data={"secret": f"SECRET{marker}"}
    )
    r["safety_plan"] = safety_plan_save(
        enrollment=enrollment,
        data={"warning_signs": f"{marker} can't sleep", "people_to_call": f"{marker} Sam 0100"},
    )
    # Tailoring (issue 19.2): a clinician's change of each kind, and the patient's note.
    r["activity_adjustment"] = tailoring_services.activity_adjust(
        enrollment=enrollment,
        # Another lesson: `lesson` is done, and a done activity cannot be skipped.
        activity=next(a for a in activities if a.kind == ActivityKind.LESSON and a != lesson),
        action="skip",
        reason=f"{marker} skip reason",
        by=enrollment.clinician,
    )
    r["custom_exercise"] = tailoring_services.custom_exercise_add(
        enrollment=enrollment,
        week=1,
        title=f"{marker} walk",
        instructions=f"{marker} walk slowly",
        reason=f"{marker} exercise reason",
        by=enrollment.clinician,
    )
    tailoring_services.custom_exercise_complete(
        exercise=r["custom_exercise"], note=f"{marker} it went well"
    )
    r["exposure_suggestion"] = tailoring_services.exposure_suggest(
        enrollment=enrollment,
        label=f"{marker} carry a bag",
        reason=f"{marker} suggestion reason",
        by=enrollment.clinician,
    )
    r["program_switch"] = ProgramSwitch.objects.create(
        enrollment=enrollment,
        from_version=version,
        to_version=version,
        week_before=2,
        week_after=2,
        reason=f"{marker} switch reason",
        created_by=enrollment.clinician,
    )
    return rich
