"""Mass assignment: extra fields (practice, clinician, role, is_staff, …) posted to every
form are ignored.

Every URL the resolver knows has an entry: a form (with a valid submission for someone
allowed to use it) or a page that takes no form. Each form is submitted twice from the
same starting point: once as the page would post it, once with every extra field
added — the usual suspects and every column of the table the form writes that the form
does not show, with values pointing at the other practice and other people. Both runs
must write exactly the same rows (content compared; only clock times may differ by a
little and random salts and ids by anything). Between runs the database is rolled back
to a savepoint, so each form starts from the same state.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership, Role, User
from painapp.accounts.services import InvitationRequest, invitation_create, invitation_token
from programs import services as program_services
from programs.audio.models import Recording
from programs.models import (
    Activity,
    ActivityKind,
    Attribution,
    AttributionCause,
    Enrollment,
    EnrollmentStatus,
    Exposure,
    FearItem,
    MedicalAssessment,
    PracticeSession,
    Screening,
)
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    ProgramSwitch,
)
from tests import audio_files
from tests.checkin_data import post_for
from tests.edit_versions import with_version
from tests.factories import PASSWORD, form_login
from tests.test_access_matrix import EXPECTED, OK, all_url_names, kwargs_for
from tests.test_access_matrix import world as world  # noqa: F401  (fixture)
from tests.test_idor_sweep import judge_rows, page_templates, victim_keys, victim_scope
from tracking.instruments.registry import sync_shipped
from tracking.messaging.models import Message, MessageThread
from tracking.models import (
    Alert,
    AlertResolution,
    BulkImport,
    CheckIn,
    ClinicianNote,
    DiaryEntry,
    EscalationStep,
    HoldDecision,
    ReminderPreferences,
    SafetyPlan,
    SavedCaseloadFilter,
    SessionNote,
)
from tracking.practice_admin.bulk_import import bulk_import_prepare
from tracking.reminders.delivery import unsubscribe_token
from tracking.reminders.schedules import preferences_for

# Pages that take no form: a POST to them is refused or reads only (checked below).
NO_FORM = {
    "home", "healthz", "healthz_live", "healthz_ready", "get_help", "bench_baseline",
    "metrics",
    "account_deleted", "practice_overview",
    "invitation_list", "my_data", "onboarding", "onboarding_about", "safety_hold", "today",
    "program_overview", "program_week", "practice", "exposure", "exposure_detail",
    "my_log", "notifications", "checkin_current", "checkin_list", "progress", "caseload",
    "patient_detail", "patient_checkins", "patient_practice", "patient_exposures",
    "patient_reflections", "patient_diary", "patient_sessions", "patient_screening",
    "boosters", "booster",
    "patient_summary", "patient_csv", "patient_fhir", "alert_detail", "alert_inbox",
    "admin_clinicians",
    "admin_enrollments", "admin_enrollment", "admin_import_review", "admin_import_problems",
    "admin_outcomes", "admin_outcomes_csv", "admin_audit", "admin_audit_csv",
    "admin_instruments", "admin_failed_deliveries", "patient_safety_plan", "diary_list",
    "audio_file", "patient_program", "message_inbox", "program_ended",
}  # fmt: skip

# Beyond the resolver's list (allauth's pages, outside the access matrix).
ALLAUTH_FORMS = ["account_change_password"]

SUSPECTS = ["practice", "practice_id", "clinician", "clinician_id", "patient", "patient_id",
            "role", "is_staff", "is_superuser", "enrollment", "enrollment_id", "status",
            "user", "user_id", "owner", "id", "pk", "created_at", "session_epoch"]  # fmt: skip


def _diary_post() -> dict:
    return {"day": f"{timezone.localdate() - timedelta(days=1):%Y-%m-%d}", "at": "12:00",
            "pain": "6", "fear": "5", "activity": "sitting", "self_talk": "It is safe"}  # fmt: skip


@dataclass
class Form:
    """A valid submission: who posts it (patient, clinician, admin, anonymous), what, and
    which table it writes (its unexposed columns are posted as extras too)."""

    who: str
    data: Callable[[Ctx], dict]
    writes: list[type[models.Model]]
    prepare: Callable[[Ctx], None] | None = None
    page: str = ""  # the page that shows the form, if not the form's own URL
    kwargs: Callable[[Ctx], dict] | None = None
    multipart: bool = False


@dataclass
class Ctx:
    cast: object
    world: dict
    e: Enrollment
    objects: dict = field(default_factory=dict)


def _hold(c: Ctx) -> None:
    c.e.screening = Screening.HOLD
    c.e.save()


def _not_onboarded(*, consented: bool) -> Callable[[Ctx], None]:
    def prepare(c: Ctx) -> None:
        c.e.onboarded_at = None
        c.e.consented_at = timezone.now() if consented else None
        c.e.screening = ""
        c.e.save()

    return prepare


def _paused(c: Ctx) -> None:
    program_services.enrollment_pause(enrollment=c.e)


def _invited(c: Ctx) -> None:
    invitation = invitation_create(
        practice=c.cast.practice, invited_by=c.cast.admin, send=False,
        request=InvitationRequest(email="newcomer@riverside.test", full_name="New Comer",
                                  role=Role.CLINICIAN, timezone="UTC"))  # fmt: skip
    c.objects["token"] = invitation_token(invitation)


def _import_ready(c: Ctx) -> None:
    csv = (f"full_name,email,clinician_email,start_date,timezone\n"
           f"Imp Orted,imported@example.test,{c.cast.clinician.email},"
           f"{timezone.localdate():%Y-%m-%d},Europe/London\n")  # fmt: skip
    c.objects["import"] = bulk_import_prepare(
        practice=c.cast.practice, by=c.cast.admin, filename="p.csv", data=csv.encode()
    )


def _csv_file(c: Ctx) -> SimpleUploadedFile:
    csv = (f"full_name,email,clinician_email,start_date,timezone\n"
           f"Up Loaded,uploaded@example.test,{c.cast.clinician.email},"
           f"{timezone.localdate():%Y-%m-%d},Europe/London\n")  # fmt: skip
    return SimpleUploadedFile("p.csv", csv.encode(), "text/csv")


def _audio_upload(c: Ctx) -> dict:
    """A valid upload. Both runs store it under the same name (its digest): the file the
    plain run left (its transaction was rolled back, the file was not) goes first, so
    the attacked run's name is the same and only what the extras did differs."""
    from django.core.files.storage import default_storage

    kept = set(Recording.objects.values_list("file", flat=True))
    folder = f"audio/{c.cast.practice.pk}"
    if default_storage.exists(folder):
        for name in default_storage.listdir(folder)[1]:
            if f"{folder}/{name}" not in kept:
                default_storage.delete(f"{folder}/{name}")
    return {
        "slot": "step:settle", "language": "en", "transcript": "Settle in, slowly.",
        "file": SimpleUploadedFile("settle.wav", audio_files.wav(), "audio/wav"),
    }  # fmt: skip


INSTRUMENT = {
    "key": "sleep_scale", "title": "Sleep questions",
    "item_defaults": {"min": 0, "max": 4, "labels": {"0": "Never", "4": "Always"}},
    "items": [{"key": f"s{n}", "text": f"Sleep question {n}"} for n in range(1, 5)],
    "scoring": {"method": "sum"},
}  # fmt: skip


def _week_activity(c: Ctx, number: int) -> int:
    return Activity.objects.filter(week__version=c.e.program_version, week__number=number)[0].pk


def _trial(c: Ctx) -> None:
    from tests.tailoring_data import make_trial_version

    c.objects["trial"] = make_trial_version()


def _membership(c: Ctx, user) -> Membership:
    return Membership.objects.get(user=user, practice=c.cast.practice)


FORMS: dict[str, Form] = {
    # ---- anyone with a link
    "invitation_accept": Form("anonymous", lambda c: {
        "password1": "a-new-long-password-9", "password2": "a-new-long-password-9",
        "timezone": "Europe/Paris"}, [User, Membership, Invitation], prepare=_invited,
        kwargs=lambda c: {"token": c.objects["token"]}),
    "unsubscribe": Form("anonymous", lambda c: {}, [ReminderPreferences],
                        kwargs=lambda c: {"token": unsubscribe_token(c.e.pk)}),
    # ---- the patient
    "choose_practice": Form("patient", lambda c: {
        "membership": _membership(c, c.cast.patient).pk}, [Membership]),
    "account_time_zone": Form("patient", lambda c: {"timezone": "Europe/Paris"}, [User]),
    "account_language": Form("patient", lambda c: {"language": "es"}, [User]),
    "account_message_emails": Form("patient", lambda c: {"next": "/reminders/"}, [User]),
    "onboarding_consent": Form("patient", lambda c: {"understand": "on", "consent": "on"},
                               [Enrollment], prepare=_not_onboarded(consented=False)),
    "onboarding_settings": Form("patient", lambda c: {
        "timezone": "Europe/Paris", "practice_time": "08:30", "checkin_weekday": "2"},
        [Enrollment, User], prepare=_not_onboarded(consented=True)),
    "onboarding_contact": Form("patient", lambda c: {"country": "GB"}, [Enrollment],
                               prepare=_not_onboarded(consented=True)),
    "safety_details": Form("patient", lambda c: {"country": "IE"}, [Enrollment]),
    "safety_plan": Form("patient", lambda c: {"coping": "A walk"}, [SafetyPlan]),
    "admin_safety_settings": Form("admin", lambda c: {  # a person not yet on the chain
        "section": "step_add", "target": "staff", "user": c.cast.other_clinician.pk},
        [EscalationStep]),
    "onboarding_safety": Form("patient", lambda c: {
        "none_apply": "on", "date_of_birth": "1980-05-05", "onset_year": "2015"}, [Enrollment],
                              prepare=_not_onboarded(consented=True)),
    "activity": Form("patient", lambda c: {
        **{f"cause_{n}": f"cause {n}" for n in (1, 2, 3)},
        "category_1": "stress", "category_2": "injury", "category_3": "posture"},
        [Attribution], kwargs=lambda c: {"slug": c.objects["attribution_slug"]}),
    "activity_complete": Form("patient", lambda c: {}, [Activity],
                              kwargs=lambda c: {"slug": c.objects["attribution_slug"]}),
    "practice_save": Form("patient", lambda c: {
        "client_token": c.objects["client_token"], "duration_seconds": "60", "pain_before": "6",
        "threat_before": "5", "pain_after": "4", "threat_after": "3", "note": "calmer"},
        [PracticeSession], page="practice"),
    "fear_create": Form("patient", lambda c: {"label": "Bending over", "harm_rating": "50"},
                        [FearItem]),
    "fear_edit": Form("patient", lambda c: {"label": "Bend further", "harm_rating": "35"},
                      [FearItem]),
    "fear_move": Form("patient", lambda c: {"direction": "up"}, [FearItem],
                      kwargs=lambda c: {"pk": c.objects["second_fear"].pk}),
    "exposure_plan": Form("patient", lambda c: {
        "fear_item": c.world["fear_edit"]["pk"], "activity": "Bend", "predicted_pain": "5",
        "predicted_harm": "40", "expectation": "it will hurt"}, [Exposure]),
    "exposure_done": Form("patient", lambda c: {
        "actual_pain": "3", "actual_harm": "0", "fear_after": "25", "note": "fine"},
        [Exposure]),
    "diary_new": Form("patient", lambda c: _diary_post(), [DiaryEntry]),
    "diary_edit": Form("patient", lambda c: _diary_post(), [DiaryEntry]),
    "diary_delete": Form("patient", lambda c: {}, [DiaryEntry]),
    "reminder_settings": Form("patient", lambda c: {
        "practice_enabled": "on", "practice_time": "09:00", "practice_days": ["0", "2"],
        "checkin_enabled": "on", "email_enabled": "on", "in_app_enabled": "on"},
        [ReminderPreferences]),
    "checkin_detail": Form("patient", lambda c: post_for(c.objects["checkin"].instrument_keys),
                           [CheckIn]),
    "my_data_export": Form("patient", lambda c: {}, [User]),
    "account_delete": Form("patient", lambda c: {"confirm": "on"}, [User]),
    "account_change_password": Form("patient", lambda c: {
        "oldpassword": PASSWORD, "password1": "another-long-pass-2",
        "password2": "another-long-pass-2"}, [User]),
    # ---- the patient's clinician
    "patient_causes": Form("clinician", lambda c: {
        "attribution": c.objects["attribution"].pk,
        **{f"a{c.objects['attribution'].pk}-cause_{cause.pk}": "injury"
           for cause in c.objects["attribution"].causes.all()}}, [Attribution]),
    "coding_queue": Form("clinician", lambda c: {
        f"cause_{cause.pk}": "injury" for cause in c.objects["attribution"].causes.all()},
        [AttributionCause, Attribution]),
    "caseload_filter_save": Form("clinician", lambda c: {
        "name": "Mornings", "has_alerts": "on", "not_improving": "", "missed": "", "status": "",
        "sort": "alerts", "dir": "desc"},
        [SavedCaseloadFilter], page="caseload"),
    "caseload_filter_delete": Form("clinician", lambda c: {}, [SavedCaseloadFilter]),
    "patient_note_add": Form("clinician", lambda c: {"body": "Called; doing well."},
                             [ClinicianNote]),
    "session_note_add": Form("clinician", lambda c: {
        "session_date": f"{timezone.localdate() - timedelta(days=1):%Y-%m-%d}", "minutes": "50",
        "mode": "video", "components": ["education"], "risk_identified": "no",
        "homework": "Practise daily"}, [SessionNote]),
    "patient_messages": Form("clinician", lambda c: {"body": "How was the walk?"},
                             [Message, MessageThread]),
    "messages": Form("patient", lambda c: {"body": "It went fine."}, [Message, MessageThread]),
    "patient_alert_acknowledge": Form("clinician", lambda c: {}, [Alert]),
    "patient_alert_resolve": Form("clinician", lambda c: {}, [Alert]),
    "alert_acknowledge": Form("clinician", lambda c: {}, [Alert]),
    "alert_resolve": Form("clinician", lambda c: {
        "contacted": "yes", "contacted_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}",
        "method": "phone",
        "risk_after": "low", "plan": ["continue"], "note": "Spoke; all well."},
        [Alert, AlertResolution]),
    "patient_unlock": Form("clinician", lambda c: {"week": "3"}, [Enrollment]),
    "patient_reminders": Form("clinician", lambda c: {"action": "pause"},
                              [ReminderPreferences]),
    "patient_clear_hold": Form("clinician", lambda c: {
        "decision": "clear", "reason": "Checked with the GP"}, [Enrollment, HoldDecision],
        prepare=_hold),
    "patient_medical_assessment": Form("clinician", lambda c: {
        "assessor_name": "Dr Ana Silva", "assessor_role": "gp", "assessed_on": "2026-01-05",
        "confirm": "on"}, [MedicalAssessment]),
    # ---- tailoring (issue 19.2): the patient's side, then the clinician's
    "custom_exercise": Form("patient", lambda c: {"note": "Went fine"}, [CustomExercise]),
    "suggestion_accept": Form("patient", lambda c: {"harm_rating": "30"},
                              [ExposureSuggestion, FearItem], page="exposure"),
    "suggestion_decline": Form("patient", lambda c: {}, [ExposureSuggestion], page="exposure"),
    "patient_program_adjust": Form("clinician", lambda c: {
        "activity": _week_activity(c, 2), "action": "move", "to_week": "4", "reason": "R"},
        [ActivityAdjustment]),
    "patient_program_exercise": Form("clinician", lambda c: {
        "title": "Walk", "instructions": "Walk.", "week": "1", "minutes": "5", "reason": "R"},
        [CustomExercise]),
    "patient_program_suggest": Form("clinician", lambda c: {"label": "Run", "reason": "R"},
                                    [ExposureSuggestion]),
    "patient_program_switch": Form("clinician", lambda c: {
        "to_version": c.objects["trial"].pk, "reason": "R"}, [Enrollment, ProgramSwitch],
        prepare=_trial),
    "patient_program_undo": Form("clinician", lambda c: {}, [ActivityAdjustment]),
    "patient_program_withdraw": Form("clinician", lambda c: {}, [CustomExercise]),
    # ---- the practice admin
    "invitation_create": Form("admin", lambda c: {
        "full_name": "Nia Newhire", "email": "nia@riverside.test", "role": "clinician",
        "timezone": "Europe/London"}, [User, Membership, Invitation]),
    "patient_invite": Form("admin", lambda c: {
        "full_name": "Ivy Invited", "email": "ivy@riverside.test",
        "clinician": c.cast.clinician.pk, "program_version": c.e.program_version_id,
        "start_date": f"{timezone.localdate():%Y-%m-%d}", "timezone": "Europe/London"},
        [User, Membership, Invitation, Enrollment]),
    "invitation_resend": Form("admin", lambda c: {}, [Invitation]),
    "invitation_revoke": Form("admin", lambda c: {}, [Invitation]),
    "admin_clinician_deactivate": Form("admin", lambda c: {
        "reassign_to": c.cast.clinician.pk}, [Membership, Enrollment],
        kwargs=lambda c: {"pk": _membership(c, c.cast.other_clinician).pk}),
    "admin_clinician_reassign": Form("admin", lambda c: {"to_clinician": c.cast.clinician.pk},
                                     [Enrollment], kwargs=lambda c: {
                                         "pk": _membership(c, c.cast.other_clinician).pk}),
    "admin_enrollment_transfer": Form("admin", lambda c: {
        "to_clinician": c.cast.other_clinician.pk}, [Enrollment]),
    "admin_enrollment_pause": Form("admin", lambda c: {}, [Enrollment]),
    "admin_enrollment_resume": Form("admin", lambda c: {}, [Enrollment], prepare=_paused),
    "admin_enrollment_complete": Form("admin", lambda c: {}, [Enrollment]),
    "admin_enrollment_withdraw": Form("admin", lambda c: {}, [Enrollment]),
    "admin_import": Form("admin", lambda c: {"file": _csv_file(c)}, [BulkImport],
                         multipart=True),
    "admin_audio": Form("admin", _audio_upload, [Recording], multipart=True),
    "admin_audio_delete": Form("admin", lambda c: {}, [Recording], page="admin_audio"),
    "admin_import_confirm": Form("admin", lambda c: {}, [BulkImport, Enrollment],
                                 prepare=_import_ready,
                                 kwargs=lambda c: {"pk": c.objects["import"].pk}),
    "admin_instrument_import": Form("admin", lambda c: {
        "text": json.dumps(INSTRUMENT), "licence": "on"}, [apps.get_model("tracking",
                                                                          "Instrument")]),
}  # fmt: skip


def test_it_has_an_entry_for_every_url():
    names = set(all_url_names())
    missing = sorted(names - set(FORMS) - NO_FORM)
    assert not missing, f"add these URLs to FORMS (with a valid submission) or NO_FORM: {missing}"
    assert not (set(FORMS) & NO_FORM)
    assert not (set(FORMS) | NO_FORM) - names - set(ALLAUTH_FORMS), "entries for no URL"


# ---------------------------------------------------------------- hostile extras
def hostile(c: Ctx, form_fields: set[str], writes: list[type[models.Model]]) -> dict:
    """Extra fields pointing at the other practice and at other people."""
    cast = c.cast
    outsider_e = Enrollment.objects.get(patient=cast.outsider_patient, practice=cast.other_practice)
    points_at = {
        "accounts.Practice": cast.other_practice.pk,
        "accounts.User": cast.outsider_clinician.pk,
        "accounts.Membership": Membership.objects.get(user=cast.outsider_admin).pk,
        "programs.Enrollment": outsider_e.pk,
        "programs.FearItem": c.objects["outsider_fear"].pk,
        "programs.ProgramVersion": outsider_e.program_version_id,
    }
    extra: dict[str, str] = {
        "practice": cast.other_practice.pk, "practice_id": cast.other_practice.pk,
        "clinician": cast.outsider_clinician.pk, "clinician_id": cast.outsider_clinician.pk,
        "patient": cast.outsider_patient.pk, "patient_id": cast.outsider_patient.pk,
        "role": Role.ADMIN, "is_staff": "on", "is_superuser": "on",
        "enrollment": outsider_e.pk, "enrollment_id": outsider_e.pk,
        "status": EnrollmentStatus.WITHDRAWN, "user": cast.outsider_admin.pk,
        "user_id": cast.outsider_admin.pk, "owner": cast.outsider_admin.pk,
        "id": outsider_e.pk, "pk": outsider_e.pk, "created_at": "2001-01-01T00:00:00Z",
        "session_epoch": "99",
    }  # fmt: skip
    for model in writes:
        for f in model._meta.concrete_fields:
            for name in {f.name, f.attname}:
                if name in form_fields or name in extra:
                    continue
                if f.is_relation:
                    target = f.related_model._meta.label
                    extra[name] = points_at.get(target, outsider_e.pk)
                elif isinstance(f, models.BooleanField):
                    extra[name] = "on"
                elif isinstance(f, models.DateTimeField):
                    extra[name] = "2001-01-01T00:00:00Z"
                elif isinstance(f, models.DateField):
                    extra[name] = "2001-01-01"
                elif isinstance(f, models.IntegerField | models.FloatField):
                    extra[name] = "97"
                elif isinstance(f, models.JSONField):
                    extra[name] = '{"hijacked": true}'
                else:
                    extra[name] = "hijacked"
    return {k: str(v) for k, v in extra.items()}


def shown_fields(client: Client, page_url: str, url: str) -> set[str]:
    """The fields the page's form for `url` shows (a form's fields are not extras, even
    the ones a valid submission leaves out)."""
    page = client.get(page_url)
    if page.status_code != 200:
        return set()
    return {name for t in page_templates(page, page_url) if t.method == "POST"
            and t.path == url for name in t.fields}  # fmt: skip


# ---------------------------------------------------------------- comparing two runs
# The curriculum is left out: no page writes it, and its text is long to read each time.
CURRICULUM = {"programs.Program", "programs.ProgramVersion", "programs.Week", "programs.Activity"}
MODELS = [m for app in ("accounts", "programs", "tracking", "account", "mfa")
          for m in apps.get_app_config(app).get_models()
          if m._meta.label not in CURRICULUM]  # fmt: skip
# Random by design (salted hashes, request ids, signed payloads): compared by presence.
RANDOM = {"password", "request_id", "secret", "client_token", "data", "file_hash", "nonce"}
# JSON that lists ids of rows the run created: compared with the numbers blanked out.
NEW_IDS_IN_JSON = {"result", "kwargs"}


LABELS = {m._meta.label_lower: m._meta.label for m in MODELS}


def rows() -> dict[str, dict[int, dict]]:
    return {m._meta.label: {r["pk"]: r for r in m.objects.values("pk", *[
        f.attname for f in m._meta.concrete_fields])} for m in MODELS}  # fmt: skip


def _norm(value, created: dict[str, dict[int, int]], target: str | None):
    if isinstance(value, datetime):
        return ("time", round(value.timestamp() / 600))  # the same ten minutes
    if isinstance(value, date):
        return value
    if target and value in created.get(target, {}):
        return ("new", created[target][value])
    return value


def changes(before: dict, after: dict) -> dict[str, list]:
    """What a run wrote, with new rows' ids replaced by their order of creation."""
    created = {label: {pk: n for n, pk in enumerate(sorted(set(after[label]) - set(rows_)))}
               for label, rows_ in before.items()}  # fmt: skip
    out = {}
    for model in MODELS:
        label = model._meta.label
        targets = {f.attname: f.related_model._meta.label
                   for f in model._meta.concrete_fields if f.is_relation}  # fmt: skip
        targets[model._meta.pk.attname] = label
        written = []
        for pk in sorted(set(before[label]) | set(after[label])):
            old, new = before[label].get(pk), after[label].get(pk)
            if old == new:
                continue
            key = ("new", created[label][pk]) if old is None else pk
            if new is None:
                written.append((key, "deleted"))
                continue
            content = {
                k: ("set" if v else v) if k in RANDOM
                else re.sub(r"\d+", "#", json.dumps(v, sort_keys=True)) if k in NEW_IDS_IN_JSON
                else _norm(v, created, targets.get(k))
                for k, v in new.items() if k != "pk" and (old is None or old.get(k) != v)
            }  # fmt: skip
            if label == "accounts.AuditEvent" and new["object_id"].isdigit():
                # The object an event names may be one of this run's new rows.
                named = LABELS.get(new["object_type"])
                content["object_id"] = _norm(int(new["object_id"]), created, named)
            written.append((key, sorted(content.items(), key=lambda kv: kv[0])))
        if written:
            out[label] = written
    return out


def difference(plain: dict, attacked: dict) -> str:
    out = [f"{k}: {plain[k]} -> {attacked[k]}" for k in ("status", "location")
           if plain[k] != attacked[k]]  # fmt: skip
    for label in sorted(set(plain["written"]) | set(attacked["written"])):
        a, b = plain["written"].get(label, []), attacked["written"].get(label, [])
        if a != b:
            out.append(f"{label}: {[r for r in a if r not in b]} -> {[r for r in b if r not in a]}")
    return "; ".join(out)


# ---------------------------------------------------------------- the test
@pytest.fixture
def ctx(cast, world):  # noqa: F811
    sync_shipped()
    e = Enrollment.objects.get(patient=cast.patient, practice=cast.practice)
    version = e.program_version
    attribution_activity = Activity.objects.get(
        week__version=version, week__number=1, kind=ActivityKind.ATTRIBUTION
    )
    attribution = program_services.attribution_record(
        enrollment=e,
        activity=attribution_activity,
        causes=[("work stress", "stress"), ("old injury", "injury"), ("slouching", "posture")],
    )
    second = FearItem.objects.create(
        enrollment=e, label="Lift", harm_rating=70, first_rating=70, position=1
    )
    outsider_e = Enrollment.objects.get(patient=cast.outsider_patient)
    outsider_fear = FearItem.objects.create(
        enrollment=outsider_e, label="Run", harm_rating=80, first_rating=80
    )
    preferences_for(e)
    return Ctx(cast=cast, world=world, e=e, objects={
        "attribution": attribution,
        "attribution_slug": attribution_activity.slug, "second_fear": second,
        "outsider_fear": outsider_fear, "client_token": str(uuid.uuid4()),
        "checkin": CheckIn.objects.get(pk=world["checkin_detail"]["pk"]),
    })  # fmt: skip


class Rollback(Exception):
    pass


def submit(client: Client, url: str, form: Form, data: dict):
    if form.multipart:
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
    return client.post(url, data)


def run(client: Client, url: str, form: Form, data: dict, before: dict) -> dict:
    """Post in a savepoint, note what was written, and roll it all back."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    outcome = {}
    try:
        with transaction.atomic():
            response = submit(client, url, form, data)
            after = rows()
            outcome = {"status": response.status_code,
                       "location": re.sub(r"\d+", "#", response.get("Location", "")),
                       "written": changes(before, after)}  # fmt: skip
            outcome_rows[0] = after
            raise Rollback
    except Rollback:
        pass
    client.cookies = cookies
    return outcome


outcome_rows: list[dict] = [{}]


def test_it_ignores_extra_fields_on_every_form(ctx):
    c = ctx
    cast = c.cast
    clients = {"anonymous": Client()}
    for who in ("patient", "clinician", "admin"):
        clients[who] = Client()
        assert form_login(clients[who], getattr(cast, who)).status_code == 302
    other_pks = victim_keys(victim_scope(cast.other_practice.pk, set(), set()))
    # The world invites the other practice's patient here too: ours as well as theirs.
    other_pks["accounts.User"] -= set(
        Membership.objects.filter(practice=cast.practice).values_list("user_id", flat=True)
    )
    problems = []
    routes = all_url_names()
    for name, form in sorted(FORMS.items(), key=lambda kv: kv[0] == "account_delete"):
        try:
            with transaction.atomic():
                if form.prepare:
                    form.prepare(c)
                kwargs = (
                    form.kwargs(c)
                    if form.kwargs
                    else (kwargs_for(name, routes[name], c.world) if name in routes else {})
                )
                url = reverse(name, kwargs=kwargs)
                page = reverse(form.page) if form.page else url
                # Sent as the page sends it: with the version of what it edits, if any.
                data = with_version(clients[form.who], url, form.data(c), page_url=page)
                shown = shown_fields(clients[form.who], page, url)
                extras = hostile(c, set(data) | shown, form.writes)
                before = rows()
                plain = run(clients[form.who], url, form, data, before)
                version = {k: v for k, v in data.items() if k == "edited_from"}
                attacked = run(
                    clients[form.who], url, form, {**extras, **form.data(c), **version}, before
                )
                after = outcome_rows[0]
                if plain["status"] not in (200, 302) or not (
                    plain["written"] or plain["status"] == 302
                ):
                    problems.append(f"{name}: the valid submission did not work: {plain}")
                elif attacked != plain:
                    problems.append(
                        f"{name}: extra fields changed the outcome: {difference(plain, attacked)}"
                    )
                rogue = [u["email"] for u in after["accounts.User"].values()
                         if u["is_staff"] or u["is_superuser"]]  # fmt: skip
                if rogue:
                    problems.append(f"{name}: staff or superuser now: {rogue}")
                # Nothing of the other practice changed, and nothing now points at it.
                problems += [f"{name}: {p}" for p in judge_rows(
                    before, after, other_pks, other_pks,
                    exempt=("programs.ProgramVersion", "programs.Activity",
                            "tracking.Instrument"))]  # fmt: skip
                raise Rollback
        except Rollback:
            pass
    assert not problems, "\n".join(problems)


def test_it_writes_nothing_through_pages_without_a_form(ctx):
    """A POST with the extras to each page without a form, by someone who may open it:
    refused or read, never a write (beyond the audit trail and the check-ins and
    notices a page may schedule or mark read)."""
    c = ctx
    cast = c.cast
    clients = {}
    for who in ("patient", "clinician", "admin"):
        clients[who] = Client()
        clients[who].force_login(getattr(cast, who))
    routes = all_url_names()
    problems = []
    for name in sorted(NO_FORM):
        # The bench's pages are a 404 for everyone here (settings.BENCH_VIEWS is off):
        # the patient posts to them like anyone else.
        who = next(
            (v for v in ("patient", "clinician", "admin") if EXPECTED[name][v] == OK), "patient"
        )
        url = reverse(name, kwargs=kwargs_for(name, routes[name], c.world))
        outcome = run(clients[who], url, Form(who, dict, []), hostile(c, set(), []), rows())
        written = {k: v for k, v in outcome["written"].items()
                   if k not in ("accounts.AuditEvent", "tracking.CheckIn",
                                "tracking.Notification")}  # fmt: skip
        if outcome["status"] >= 500 or written:
            problems.append(f"{who} {name}: {outcome}")
    assert not problems, "\n".join(problems)


def test_it_never_leaves_anyone_staff_after_posting_is_staff(ctx):
    """The sharpest case on its own: is_staff, is_superuser and role sent to the forms
    that create or change people."""
    c = ctx
    client = Client()
    form_login(client, c.cast.admin)
    client.post(reverse("invitation_create"), {
        "full_name": "Sly", "email": "sly@riverside.test", "role": "clinician",
        "timezone": "UTC", "is_staff": "on", "is_superuser": "on",
        "practice": c.cast.other_practice.pk})  # fmt: skip
    sly = User.objects.get(email="sly@riverside.test")
    membership = sly.memberships.get()
    assert (sly.is_staff, sly.is_superuser) == (False, False)
    assert (membership.practice, membership.role) == (c.cast.practice, Role.CLINICIAN)
    invitation = Invitation.objects.get(membership=membership)
    assert invitation.invited_by == c.cast.admin
    assert timezone.now() - timedelta(minutes=5) < invitation.created_at
