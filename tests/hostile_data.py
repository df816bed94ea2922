"""A practice whose every free-text field holds hostile text, written through the same
services and forms people use (for tests/test_hostile_text.py).

The corpus mixes markup (script tags, event handlers, `javascript:` links), template
syntax, spreadsheet formulas (`= + - @`, tab and CR prefixes), a right-to-left override
and very long text. Each stored value starts with a formula and carries markup after
it, so one value tests both the HTML escaping and the CSV neutralising.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership, Role, User
from painapp.accounts.services import InvitationRequest, invitation_accept, invitation_create
from programs import services as program_services
from programs.audio.models import Recording
from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Activity, ActivityKind, Enrollment, Screening
from programs.practice.services import practice_session_record, sensation_words
from programs.tailoring import services as tailoring_services
from tests import audio_files
from tests.factories import PASSWORD, make_member, make_practice, make_safety_ready
from tests.tailoring_data import make_trial_version
from tracking.checkins.services import checkin_record, checkin_save_draft
from tracking.clinic.caseload import CaseloadQuery
from tracking.clinic.saved_filters import saved_filter_create
from tracking.clinic.services import (
    attribution_code,
    clinician_note_create,
    medical_assessment_record,
    safety_hold_clear,
)
from tracking.clinic.tailoring import program_switch
from tracking.diary.services import Episode, diary_entry_save
from tracking.messaging.services import message_send
from tracking.models import BulkImport, CheckIn, CrisisResource, PracticeSettings, SafetyPlan
from tracking.practice_admin.bulk_import import bulk_import_confirm, bulk_import_prepare
from tracking.reminders.delivery import unsubscribe_token
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.safety.services import (
    enrollment_safety_details_update,
    practice_safety_settings_update,
    safety_plan_save,
)
from tracking.session_notes.services import SessionRecord, session_note_create

# Markup that must never reach a page as markup.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}{% now 'Y' %}",
    "</textarea><script>alert(1)</script>",
]
# What a spreadsheet would run.
FORMULAS = [
    '=HYPERLINK("http://evil.test","x")',
    "+SUM(1)",
    "-1+2",
    "@cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]
RTL = "\u202egnp.exe"
# Substrings by which a stored value is recognised as coming from this corpus.
SIGNATURES = ("alert(1)", "HYPERLINK(", "SUM(1)", "-1+2", "@cmd", "=1+1", "{{7*7}}", RTL)
# Emails are free text an admin types; these pass Django's validator (quoted local part).
PATIENT_EMAIL = '"<script>alert(1)</script>"@patient.hostile.test'
CLINICIAN_EMAIL = '"><img/src=x/onerror=alert(1)>"@clinician.hostile.test'
INVITEE_EMAIL = '"=cmd|calc!A0"@invitee.hostile.test'
IMPORTED_EMAIL = '"@cmd<b>x</b>"@imported.hostile.test'

_counter = itertools.count()


def hostile(max_length: int = 200, *, formula: str | None = None) -> str:
    """A hostile value that fits `max_length`: a formula first, then markup, then RTL."""
    n = next(_counter)
    text = (
        f"{formula if formula is not None else FORMULAS[n % len(FORMULAS)]} "
        f"{MARKUP[n % len(MARKUP)]} {MARKUP[(n + 1) % len(MARKUP)]} {RTL}"
    )
    return text[:max_length]


def long_hostile(length: int) -> str:
    """Very long text: the whole corpus, repeated up to `length` characters."""
    corpus = " ".join(FORMULAS[:1] + MARKUP + FORMULAS[1:] + [RTL]) + " "
    return (corpus * (length // len(corpus) + 1))[:length].rstrip()


@dataclass
class HostileWorld:
    practice: object
    admin: User
    clinician: User
    patient: User
    enrollment: Enrollment
    outsider_admin: User
    urls: dict = field(default_factory=dict)  # kwargs per URL name, as the access matrix
    # More objects to render for some URL names (kwargs as in `urls`).
    more_urls: dict = field(default_factory=dict)
    pending_import: BulkImport | None = None


def _instrument_definition() -> dict:
    return {
        "key": "hostile-scale",
        "title": hostile(200),
        "patient_title": hostile(190),
        "instructions": long_hostile(600),
        "citation": hostile(300),
        "licence_note": hostile(300),
        "items": [
            {
                "key": "q1",
                "text": hostile(300),
                "min": 0,
                "max": 4,
                "labels": {"0": hostile(100), "4": hostile(100)},
            },
            {"key": "q2", "text": hostile(300), "min": 0, "max": 4},
        ],
        "scoring": {
            "method": "sum",
            "subscales": {hostile(60): ["q1", "q2"]},
            "bands": [
                {"min": 0, "max": 4, "label": hostile(80)},
                {"min": 5, "max": 8, "label": hostile(80)},
            ],
        },
    }


def build_hostile_world(admin_client, program_version) -> HostileWorld:
    """Everything people can type, typed by the worst possible typist.

    `admin_client` is a test client; it is logged in as the admin for the parts that
    go through a view (the instrument import) and logged out again at the end.
    """
    # The same values every time, whichever tests ran before in this process: the
    # checks below expect each field's markup from this sequence.
    global _counter
    _counter = itertools.count()
    practice = make_practice(hostile(200))
    PracticeSettings.objects.update_or_create(
        practice=practice,
        defaults={
            # Written by practice staff in the Django admin: Markdown through nh3.
            "crisis_resources_md": "Call [us](javascript:alert(1)) <script>alert(1)</script> "
            + hostile(200),
            "crisis_words": [hostile(60), "<script>alert(1)</script>"],
        },
    )
    admin = make_member(practice, Role.ADMIN, "admin@hostile.test", name=hostile(150))
    clinician = make_member(practice, Role.CLINICIAN, CLINICIAN_EMAIL, name=hostile(150))
    make_safety_ready(practice, admin)
    # Written by an admin on the safety settings screen: Markdown through nh3, per country.
    CrisisResource.objects.create(
        practice=practice,
        country="US",
        body_md="Call [us](javascript:alert(1)) <script>alert(1)</script> " + hostile(200),
    )
    other = make_practice("Elsewhere")
    outsider_admin = make_member(other, Role.ADMIN, "admin@elsewhere.hostile.test")

    # The patient: invited by the admin, accepts, onboards, and uses the program.
    today = timezone.localdate()
    enrollment, invitation = program_services.enrollment_invite(
        practice=practice,
        invited_by=admin,
        email=PATIENT_EMAIL,
        full_name=hostile(150),
        clinician=clinician,
        program_version=program_version,
        start_date=today - timedelta(days=10),
        timezone_name="Europe/London",
    )
    # Tailoring (issue 19.2): the clinician switches the invited patient to a copy of
    # the same program (every lesson has its twin) before they start, with a reason;
    # the rest of this world uses the copy.
    program_switch(
        enrollment=enrollment,
        to_version=make_trial_version("prt-hostile-copy", weeks=8),
        reason=long_hostile(200),
        by=clinician,
    )
    program_version = enrollment.program_version
    patient = invitation_accept(
        invitation=invitation, password=PASSWORD, timezone_name="Europe/London"
    )
    # allauth's own record of the address: the account got it when it was made
    # (painapp.accounts.email_addresses).
    assert EmailAddress.objects.filter(
        user=patient, email=patient.email.lower(), verified=True
    ).exists()
    program_services.onboarding_consent(enrollment=enrollment)
    program_services.onboarding_preferences(
        enrollment=enrollment,
        timezone_name="Europe/London",
        practice_time=timezone.datetime(2026, 1, 1, 8).time(),
        checkin_weekday=0,
    )
    enrollment_safety_details_update(
        enrollment=enrollment,
        country="GB",
        contact_phone="+44 7700 900123",
        emergency_contact_name=hostile(150),
        emergency_contact_phone="0100 200 300",
    )
    program_services.screening_record(enrollment=enrollment, red_flags=[])
    enrollment.refresh_from_db()
    safety_plan_save(
        enrollment=enrollment,
        data={name: hostile(300) for name in SafetyPlan.TEXT_FIELDS},
    )
    # An admin's change of crisis words, kept with before and after in the audit trail.
    practice_safety_settings_update(
        request=None, practice=practice, data={"crisis_words": [hostile(60), "=1+1"]}
    )

    activities = {
        a.kind: a
        for a in Activity.objects.filter(
            week__version=program_version, week__number__lte=2
        ).order_by("-pk")
    }
    program_services.reflection_save(
        enrollment=enrollment, activity=activities[ActivityKind.REFLECTION], text=long_hostile(4000)
    )
    evidence = activities[ActivityKind.EVIDENCE]
    program_services.reflection_save(
        enrollment=enrollment, activity=evidence, text=hostile(500, formula="\t=1+1")
    )
    # A structured reflection (the life-stress timeline): its boxes, kept to edit again.
    timeline = Activity.objects.get(week__version=program_version, slug="life-stress-timeline")
    program_services.reflection_save(
        enrollment=enrollment,
        activity=timeline,
        text=hostile(400),
        answers={"onset": hostile(200), "before": hostile(200)},
    )
    attribution = program_services.attribution_record(
        enrollment=enrollment,
        activity=activities[ActivityKind.ATTRIBUTION],
        causes=[
            (hostile(300), "stress"),
            (hostile(300), "injury"),
            (hostile(300), "psychological"),
        ],
    )
    # The clinician codes the causes (the category is a choice, the text stays).
    causes = list(attribution.causes.order_by("position"))
    attribution_code(
        enrollment=enrollment, attribution=attribution, codes={causes[0].pk: "brain"}, by=clinician
    )
    words = sensation_words(enrollment)
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=7,
        threat_before=6,
        pain_after=4,
        threat_after=3,
        sensations=words[:2],
        note=long_hostile(2000),
        duration_seconds=300,
    )
    fear = fear_item_create(
        enrollment=enrollment, label=hostile(200, formula="\r=1+1"), harm_rating=60
    )
    fear_item_create(enrollment=enrollment, label=hostile(200), harm_rating=30)
    done = exposure_create(
        enrollment=enrollment,
        fear_item=fear,
        activity=hostile(200),
        predicted_pain=7,
        predicted_harm=60,
        expectation=long_hostile(1000),
    )
    exposure_complete(
        exposure=done, actual_pain=3, actual_harm=20, fear_after=30, note=long_hostile(2000)
    )
    exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity=hostile(200),
        predicted_pain=5,
        predicted_harm=40,
        expectation=hostile(1000),
    )
    clinician_note_create(enrollment=enrollment, author=clinician, body=long_hostile(3000))
    # Issue 19: a PRT session note and a diary episode, every free-text field hostile.
    session_note_create(
        enrollment=enrollment,
        author=clinician,
        record=SessionRecord(
            session_date=today - timedelta(days=1),
            minutes=50,
            mode="video",
            components=["somatic_tracking", "exposure"],
            somatic_response="safer",
            exposure_set=hostile(300),
            exposure_outcome="better",
            risk_identified=True,
            risk_actions=["safety_plan"],
            risk_note=long_hostile(2000),
            homework=long_hostile(2000),
            notes=long_hostile(3000),
        ),
    )
    diary_entry_save(
        enrollment=enrollment,
        episode=Episode(
            occurred_at=timezone.now() - timedelta(hours=2),
            pain=6,
            fear=7,
            activity="walking",
            activity_note=hostile(200),
            self_talk=long_hostile(2000),
        ),
    )
    # Messages both ways (the notifications and emails they make hold none of it).
    message_send(enrollment=enrollment, author=enrollment.patient, body=long_hostile(2000))
    message_send(enrollment=enrollment, author=clinician, body=long_hostile(1500))

    # Follow-up check-ins ask the three causes in free text: one recorded (with a
    # self-harm answer, so there is an urgent alert, a notification and an email), one
    # left as a draft.
    now = timezone.now()
    keys = ["pain_avg", "phq9", "causes"]
    recorded = CheckIn.objects.create(
        enrollment=enrollment,
        slot="followup-1m",
        kind=CheckIn.Kind.FOLLOWUP,
        due_date=today,
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(days=2),
        instrument_keys=keys,
    )
    cause_answers = {f"cause{n}": {"text": hostile(300), "category": "stress"} for n in (1, 2, 3)}
    checkin_record(
        checkin=recorded,
        answers_by_instrument={
            "pain_avg": {"pain_avg": 6},
            "phq9": {**{f"phq{n}": 1 for n in range(1, 9)}, "phq9": 2},
            "causes": cause_answers,
        },
    )
    drafted = CheckIn.objects.create(
        enrollment=enrollment,
        slot="followup-3m",
        kind=CheckIn.Kind.FOLLOWUP,
        due_date=today,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=2),
        instrument_keys=["causes"],
    )
    checkin_save_draft(checkin=drafted, answers_by_instrument={"causes": cause_answers})

    prefs = preferences_for(enrollment)
    prefs.phone = "+1 (234) 567-8900"  # the form allows digits, spaces, ( ) - and a leading +
    prefs.save()
    schedules_sync(enrollment=enrollment)

    # Admin work: a pending invitation, a questionnaire import, two bulk imports.
    pending = invitation_create(
        practice=practice,
        invited_by=admin,
        send=True,
        request=InvitationRequest(email=INVITEE_EMAIL, full_name=hostile(150), role=Role.CLINICIAN),
    )
    admin_client.force_login(admin)
    response = admin_client.post(
        reverse("admin_instrument_import"),
        {"text": json.dumps(_instrument_definition()), "licence": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # Recorded audio: a step's and a guided session's transcript, typed by the admin.
    for slot in ("step:settle", "session:5"):
        response = admin_client.post(
            reverse("admin_audio"),
            {
                "slot": slot,
                "language": "en",
                "transcript": hostile(300),
                "file": SimpleUploadedFile("a.wav", audio_files.wav(), "audio/wav"),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    admin_client.logout()
    header = "full_name,email,clinician_email,start_date,timezone,program\n"
    good = _csv_line(
        [hostile(150), IMPORTED_EMAIL, CLINICIAN_EMAIL, today.isoformat(), "Europe/London", ""]
    )
    bad = _csv_line(
        [
            hostile(150),
            "<script>alert(1)</script>",
            "=cmd@x.test",
            "=HYPERLINK(1)",
            '"><img src=x onerror=alert(1)>',
            hostile(60),
        ]
    )
    confirmed = bulk_import_prepare(
        practice=practice,
        by=admin,
        filename="<img src=x onerror=alert(1)>.csv",
        data=(header + good + bad).encode(),
    )
    bulk_import_confirm(bulk_import=confirmed, by=admin)
    pending_import = bulk_import_prepare(
        practice=practice,
        by=admin,
        filename="=HYPERLINK(1) <script>alert(1)</script>.csv",
        data=(header + bad + good).encode(),
    )

    clinician_membership = Membership.objects.get(user=clinician, practice=practice)
    # The self-harm alert: the practice's crisis words are markup, which every hostile
    # entry holds (issue 15); the first scanned entry raised it and, as nobody has
    # acknowledged it, every later hit (the recorded check-in's too) was added to it.
    alert = enrollment.alerts.get(kind="self_harm")
    assert len(alert.details["again"]) >= 1
    # A second alert, resolved with a hostile contact note (issue 15).
    from tracking.alerts.services import ResolutionOutcome, alert_raise, alert_resolve

    resolved = alert_raise(
        enrollment=enrollment, kind="fear_high", severity="routine", source="hostile"
    )
    assert resolved is not None
    alert_resolve(
        alert=resolved,
        by=clinician,
        outcome=ResolutionOutcome(
            contacted=True,
            contacted_at=now,
            method="phone",
            risk_after="low",
            plan=["continue"],
            # Not hostile(): its shared counter decides which markup every other field
            # gets, and the page checks expect main's sequence.
            note=f"=HYPERLINK(1) {MARKUP[0]} {MARKUP[1]}",
        ),
    )
    # A try to reach the patient about the self-harm alert that did not get through,
    # with a hostile note (same fixed markup, for the same reason).
    from tracking.alerts.services import ContactAttempt, alert_contact_attempt

    assert alert_contact_attempt(
        alert=alert,
        by=clinician,
        attempt=ContactAttempt(
            attempted_at=now, method="phone", note=f"=HYPERLINK(2) {MARKUP[0]} {MARKUP[1]}"
        ),
    )
    exposure = done
    from painapp.accounts.services import invitation_token

    e = enrollment.pk
    urls = {
        "invitation_accept": {"token": invitation_token(pending)},
        "unsubscribe": {"token": unsubscribe_token(e)},
        "invitation_resend": {"pk": pending.pk},
        "invitation_revoke": {"pk": pending.pk},
        "program_week": {"number": 2},
        "activity": {"slug": evidence.slug},
        "activity_complete": {"slug": evidence.slug},
        "fear_edit": {"pk": fear.pk},
        "fear_move": {"pk": fear.pk},
        "exposure_detail": {"pk": exposure.pk},
        "exposure_done": {"pk": exposure.pk},
        "checkin_detail": {"pk": recorded.pk},
        "patient_alert_acknowledge": {"pk": e, "alert_pk": alert.pk},
        "patient_alert_resolve": {"pk": e, "alert_pk": alert.pk},
        "alert_detail": {"pk": alert.pk},
        "alert_acknowledge": {"pk": alert.pk},
        "alert_resolve": {"pk": alert.pk},
        "admin_clinician_deactivate": {"pk": clinician_membership.pk},
        "admin_clinician_reassign": {"pk": clinician_membership.pk},
        **{
            name: {"pk": pending_import.pk}
            for name in ("admin_import_review", "admin_import_confirm", "admin_import_problems")
        },
        **{
            name: {"pk": Recording.objects.get(practice=practice, slot="step:settle").pk}
            for name in ("audio_file", "admin_audio_delete")
        },
        "_enrollment": e,
    }
    assert Invitation.objects.filter(pk=pending.pk, accepted_at__isnull=True).exists()
    # A red-flag hold the clinician clears with a reason, and a medical assessment.
    Enrollment.objects.filter(pk=enrollment.pk).update(screening=Screening.HOLD)
    enrollment.refresh_from_db()
    safety_hold_clear(enrollment=enrollment, by=clinician, reason=long_hostile(1500))
    enrollment.refresh_from_db()
    medical_assessment_record(
        enrollment=enrollment,
        by=clinician,
        # long_hostile, not hostile(): the latter's counter picks the corpus for every
        # later value, and pages' checks rely on the sequence as it was.
        assessor_name=long_hostile(150),
        assessor_role="gp",
        assessed_on=timezone.localdate() - timedelta(days=5),
    )
    # Tailoring (issue 19.2): what a clinician writes for the patient, and the patient's
    # note on a custom exercise (the program switch is above).
    change = tailoring_services.activity_adjust(
        enrollment=enrollment,
        # Not done (the evidence is, above): a done activity cannot be skipped.
        activity=activities[ActivityKind.LESSON],
        action="skip",
        reason=long_hostile(200),
        by=clinician,
    )
    exercise = tailoring_services.custom_exercise_add(
        enrollment=enrollment,
        week=1,
        title=long_hostile(120),
        instructions=long_hostile(3000),
        reason=long_hostile(200),
        by=clinician,
    )
    tailoring_services.custom_exercise_complete(exercise=exercise, note=long_hostile(2000))
    suggestion = tailoring_services.exposure_suggest(
        enrollment=enrollment, label=long_hostile(200), reason=long_hostile(200), by=clinician
    )
    urls["custom_exercise"] = {"pk": exercise.pk}
    urls["suggestion_accept"] = urls["suggestion_decline"] = {"pk": suggestion.pk}
    urls["patient_program_undo"] = {"pk": e, "change_pk": change.pk}
    urls["patient_program_withdraw"] = {"pk": e, "exercise_pk": exercise.pk}
    # A clinician's saved caseload filter (issue 19): long_hostile, as above.
    saved_filter_create(
        user=clinician,
        practice_id=enrollment.practice_id,
        name=long_hostile(60),
        query=CaseloadQuery(has_alerts=True),
    )
    return HostileWorld(
        practice=practice,
        admin=admin,
        clinician=clinician,
        patient=patient,
        enrollment=enrollment,
        outsider_admin=outsider_admin,
        urls=urls,
        more_urls={
            "activity": [{"slug": a.slug} for a in activities.values()],
            "checkin_detail": [{"pk": drafted.pk}],
        },
        pending_import=pending_import,
    )


def _csv_line(cells: list[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()
