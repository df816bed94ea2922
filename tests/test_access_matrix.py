"""The access matrix: every URL pattern the resolver knows, for seven kinds of visitor,
against the table below. A new URL without an entry here fails the test.

Visitors: anonymous; the patient whose data it is; another patient of the same
practice; the patient's own clinician; another clinician of the same practice; the
practice's admin; an admin of another practice. Object ids always belong to the
patient (or to their practice), so a 404 for an outsider is also an IDOR check.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership
from programs.models import Exposure, FearItem
from programs.tailoring.services import activity_adjust, custom_exercise_add, exposure_suggest
from tests.checkin_data import schedule_from_start
from tests.factories import make_enrollment
from tracking.models import Alert, BulkImport, DiaryEntry, SavedCaseloadFilter
from tracking.reminders.delivery import unsubscribe_token

VISITORS = [
    "anonymous",
    "patient",
    "other_patient",
    "clinician",
    "other_clinician",
    "admin",
    "outsider_admin",
]
OK, LOGIN, NOT_FOUND = "ok", "login", "404"

# Who may open what. "ok" = the page (200) or an in-app redirect. POST-only actions
# are POSTed (empty), so an outsider's attempt must 404 like a GET would.
PUBLIC = dict.fromkeys(VISITORS, OK)
ANY_LOGGED_IN = {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN}
PATIENT_SELF = {
    "anonymous": LOGIN,
    "patient": OK,
    "other_patient": OK,
    "clinician": NOT_FOUND,
    "other_clinician": NOT_FOUND,
    "admin": NOT_FOUND,
    "outsider_admin": NOT_FOUND,
}
PATIENT_OBJECT = {**PATIENT_SELF, "other_patient": NOT_FOUND}
CARE_TEAM = {
    "anonymous": LOGIN,
    "patient": NOT_FOUND,
    "other_patient": NOT_FOUND,
    "clinician": OK,
    "other_clinician": NOT_FOUND,
    "admin": OK,
    "outsider_admin": NOT_FOUND,
}
CLINICIAN_HOME = {
    **dict.fromkeys(VISITORS, NOT_FOUND),
    "anonymous": LOGIN,
    "clinician": OK,
    "other_clinician": OK,
}
ADMIN_HOME = {
    **dict.fromkeys(VISITORS, NOT_FOUND),
    "anonymous": LOGIN,
    "admin": OK,
    "outsider_admin": OK,
}
ADMIN_OBJECT = {**ADMIN_HOME, "outsider_admin": NOT_FOUND}
# Every member of staff of any practice (each sees their own scope).
STAFF_HOME = {**CLINICIAN_HOME, "admin": OK, "outsider_admin": OK}

EXPECTED = {
    "home": ANY_LOGGED_IN,
    "choose_practice": ANY_LOGGED_IN,
    "healthz": PUBLIC,
    "get_help": PUBLIC,
    "account_time_zone": ANY_LOGGED_IN,
    "account_language": ANY_LOGGED_IN,
    "account_message_emails": ANY_LOGGED_IN,
    "healthz_live": PUBLIC,
    "healthz_ready": PUBLIC,
    "bench_baseline": dict.fromkeys(VISITORS, NOT_FOUND),  # only where the bench enables it
    "metrics": dict.fromkeys(VISITORS, NOT_FOUND),  # only with METRICS_TOKEN and the token
    "invitation_accept": PUBLIC,
    "unsubscribe": PUBLIC,
    "account_deleted": PUBLIC,
    "practice_overview": ADMIN_HOME,
    "invitation_list": ADMIN_HOME,
    "invitation_create": ADMIN_HOME,
    "patient_invite": ADMIN_HOME,
    "invitation_resend": ADMIN_OBJECT,
    "invitation_revoke": ADMIN_OBJECT,
    "my_data": PATIENT_SELF,
    "my_data_export": PATIENT_SELF,
    "account_delete": PATIENT_SELF,
    "onboarding": PATIENT_SELF,
    "onboarding_about": PATIENT_SELF,
    "onboarding_consent": PATIENT_SELF,
    "onboarding_settings": PATIENT_SELF,
    "onboarding_safety": PATIENT_SELF,
    "onboarding_contact": PATIENT_SELF,
    "safety_details": PATIENT_SELF,
    "safety_plan": PATIENT_SELF,
    "safety_hold": PATIENT_SELF,
    "today": PATIENT_SELF,
    # (For a patient whose program runs, a redirect to Today.)
    "program_ended": PATIENT_SELF,
    "program_overview": PATIENT_SELF,
    "program_week": PATIENT_SELF,
    "activity": PATIENT_SELF,
    # After week 8 (issue 19). The matrix's patients are in week 2, so no booster is
    # open to anyone yet: 404 for all (tests/test_boosters.py opens them in time).
    "boosters": PATIENT_SELF,
    "booster": {**PATIENT_SELF, "patient": NOT_FOUND, "other_patient": NOT_FOUND},
    "activity_complete": PATIENT_SELF,
    "practice": PATIENT_SELF,
    "practice_save": PATIENT_SELF,
    "exposure": PATIENT_SELF,
    "fear_create": PATIENT_SELF,
    "exposure_plan": PATIENT_SELF,
    "my_log": PATIENT_SELF,
    "fear_edit": PATIENT_OBJECT,
    # Tailoring (issue 19.2): the patient's custom exercise and ladder suggestions.
    "custom_exercise": PATIENT_OBJECT,
    "suggestion_accept": PATIENT_OBJECT,
    "suggestion_decline": PATIENT_OBJECT,
    "fear_move": PATIENT_OBJECT,
    "exposure_detail": PATIENT_OBJECT,
    "exposure_done": PATIENT_OBJECT,
    "reminder_settings": PATIENT_SELF,
    "notifications": PATIENT_SELF,
    "checkin_current": PATIENT_SELF,
    "checkin_list": PATIENT_SELF,
    "progress": PATIENT_SELF,
    "diary_list": PATIENT_SELF,
    "diary_new": PATIENT_SELF,
    "diary_edit": PATIENT_OBJECT,
    "diary_delete": PATIENT_OBJECT,
    "checkin_detail": PATIENT_OBJECT,
    "caseload": CLINICIAN_HOME,
    # Saved caseload filters: each clinician's own (an empty name is the form's 400).
    "caseload_filter_save": CLINICIAN_HOME,
    "caseload_filter_delete": {**CLINICIAN_HOME, "other_clinician": NOT_FOUND},
    # Each staff member's own queue (their patients' causes; an admin's, the practice's).
    "coding_queue": {**CLINICIAN_HOME, "admin": OK, "outsider_admin": OK},
    "alert_inbox": STAFF_HOME,
    # Secure messaging: the patient's own thread, each staff member's inbox (their scope).
    "messages": PATIENT_SELF,
    "message_inbox": STAFF_HOME,
    **{
        name: CARE_TEAM
        for name in (
            "patient_detail",
            "patient_checkins",
            "patient_practice",
            "patient_exposures",
            "patient_causes",
            "patient_reflections",
            "patient_diary",
            "patient_sessions",
            "patient_screening",
            "patient_safety_plan",
            "patient_note_add",
            "session_note_add",
            "patient_messages",
            "patient_alert_acknowledge",
            "patient_alert_resolve",
            "patient_unlock",
            "patient_reminders",
            "patient_clear_hold",
            "patient_medical_assessment",
            "patient_program",
            "patient_program_adjust",
            "patient_program_exercise",
            "patient_program_suggest",
            "patient_program_switch",
            "patient_program_undo",
            "patient_program_withdraw",
            "patient_summary",
            "patient_csv",
            "patient_fhir",
            "alert_detail",
            "alert_acknowledge",
            "alert_resolve",
        )
    },
    "admin_clinicians": ADMIN_HOME,
    "admin_enrollments": ADMIN_HOME,
    "admin_import": ADMIN_HOME,
    "admin_outcomes": ADMIN_HOME,
    "admin_outcomes_csv": ADMIN_HOME,
    "admin_audit": ADMIN_HOME,
    "admin_audit_csv": ADMIN_HOME,
    "admin_instruments": ADMIN_HOME,
    "admin_instrument_import": ADMIN_HOME,
    "admin_failed_deliveries": ADMIN_HOME,
    "admin_safety_settings": ADMIN_HOME,
    "admin_audio": ADMIN_HOME,
    # A practice's recordings: every member of that practice may hear them.
    "audio_file": {**dict.fromkeys(VISITORS, OK), "anonymous": LOGIN, "outsider_admin": NOT_FOUND},
    **{
        name: ADMIN_OBJECT
        for name in (
            "admin_clinician_deactivate",
            "admin_clinician_reassign",
            "admin_enrollment",
            "admin_enrollment_transfer",
            "admin_enrollment_pause",
            "admin_enrollment_resume",
            "admin_enrollment_complete",
            "admin_enrollment_withdraw",
            "admin_import_review",
            "admin_import_confirm",
            "admin_import_problems",
            "admin_audio_delete",
        )
    },
}
# allauth's own account pages and the Django admin are outside this table: allauth is
# tested for what we rely on (login, reset, reauthentication) and the Django admin
# requires is_staff and two-step login. Django's set_language (i18n/setlang/, for
# everyone, CSRF-checked) is tested in test_i18n_polish.py.
SKIPPED_PREFIXES = ("accounts/", "django-admin/", "i18n/")


def all_url_names() -> dict[str, str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield p.name, prefix + str(p.pattern)

    return {
        name: route
        for name, route in walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    }


def test_every_url_has_an_entry_in_the_matrix():
    names = all_url_names()
    assert None not in names, "every URL pattern needs a name"
    missing = sorted(set(names) - set(EXPECTED))
    assert not missing, f"add these URLs to EXPECTED in {__file__}: {missing}"
    assert not set(EXPECTED) - set(names), "EXPECTED lists URLs that no longer exist"


@pytest.fixture
def world(cast, program_version):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=2
    )
    make_enrollment(
        cast.other_patient, cast.other_clinician, cast.practice, version=program_version
    )
    make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    checkin = schedule_from_start(enrollment)["baseline"]
    fear = FearItem.objects.create(
        enrollment=enrollment, label="Bend", harm_rating=40, first_rating=40
    )
    exposure = Exposure.objects.create(
        enrollment=enrollment, fear_item=fear, activity="Bend", predicted_pain=5, predicted_harm=40
    )
    alert = Alert.objects.create(
        enrollment=enrollment,
        practice=cast.practice,
        kind="fear_high",
        severity="routine",
        source="test",
    )
    invitee = Membership.objects.create(
        user=cast.outsider_patient, practice=cast.practice, role="patient", is_active=False
    )
    invitation = Invitation.objects.create(
        membership=invitee, invited_by=cast.admin, expires_at=timezone.now() + timedelta(days=3)
    )
    bulk = BulkImport.objects.create(
        practice=cast.practice,
        created_by=cast.admin,
        file_hash="0" * 64,
        rows=[],
        expires_at=timezone.now() + timedelta(hours=1),
    )
    from painapp.accounts.services import invitation_token
    from tests.audio_files import make_recording

    # Two recordings: the admin's delete must not take away the one the file view serves.
    # Their words name the practice, so the IDOR sweep's markers catch any leak of them.
    heard = make_recording(cast.practice, "step:settle", transcript="Riverside settle words.")
    deleted = make_recording(cast.practice, "session:5", transcript="Riverside session words.")

    slug = enrollment.program_version.weeks.get(number=1).activities.first().slug
    saved_filter = SavedCaseloadFilter.objects.create(
        user=cast.clinician, practice=cast.practice, name="Urgent first", has_alerts=True
    )
    clinician_membership = Membership.objects.get(user=cast.clinician, practice=cast.practice)
    diary = DiaryEntry.objects.create(
        enrollment=enrollment, occurred_at=timezone.now(), pain=5, fear=4
    )
    e, a = enrollment.pk, alert.pk
    first = enrollment.program_version.weeks.get(number=1).activities.first()
    change = activity_adjust(
        enrollment=enrollment, activity=first, action="skip", reason="R", by=cast.clinician
    )
    exercise = custom_exercise_add(
        enrollment=enrollment, week=1, title="T", instructions="I", reason="R", by=cast.clinician
    )
    suggestion = exposure_suggest(enrollment=enrollment, label="L", reason="R", by=cast.clinician)
    return {
        "custom_exercise": {"pk": exercise.pk},
        "suggestion_accept": {"pk": suggestion.pk},
        "suggestion_decline": {"pk": suggestion.pk},
        "patient_program_undo": {"pk": e, "change_pk": change.pk},
        "patient_program_withdraw": {"pk": e, "exercise_pk": exercise.pk},
        "invitation_accept": {"token": invitation_token(invitation)},
        "unsubscribe": {"token": unsubscribe_token(e)},
        "invitation_resend": {"pk": invitation.pk},
        "invitation_revoke": {"pk": invitation.pk},
        "program_week": {"number": 1},
        "activity": {"slug": slug},
        "activity_complete": {"slug": slug},
        "booster": {"slug": "flare-refresher"},
        "fear_edit": {"pk": fear.pk},
        "fear_move": {"pk": fear.pk},
        "exposure_detail": {"pk": exposure.pk},
        "exposure_done": {"pk": exposure.pk},
        "checkin_detail": {"pk": checkin.pk},
        "diary_edit": {"pk": diary.pk},
        "diary_delete": {"pk": diary.pk},
        "patient_alert_acknowledge": {"pk": e, "alert_pk": a},
        "patient_alert_resolve": {"pk": e, "alert_pk": a},
        "alert_detail": {"pk": a},
        "alert_acknowledge": {"pk": a},
        "alert_resolve": {"pk": a},
        "caseload_filter_delete": {"pk": saved_filter.pk},
        "admin_clinician_deactivate": {"pk": clinician_membership.pk},
        "admin_clinician_reassign": {"pk": clinician_membership.pk},
        **{
            name: {"pk": bulk.pk}
            for name in ("admin_import_review", "admin_import_confirm", "admin_import_problems")
        },
        "audio_file": {"pk": heard.pk},
        "admin_audio_delete": {"pk": deleted.pk},
        "_enrollment": e,
    }


def kwargs_for(name: str, route: str, world: dict) -> dict:
    if name in world:
        return world[name]
    if "<int:pk>" in route:
        return {"pk": world["_enrollment"]}
    return {}


def outcome(response) -> str:
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 302 and "/accounts/login/" in response.url:
        return LOGIN
    if response.status_code in (200, 302, 400, 409, 410, 422):  # 400/422: the form said no
        return OK
    return f"status {response.status_code}"


@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_gets_exactly_what_the_matrix_says(client, cast, world, visitor):
    users = {
        "patient": cast.patient,
        "other_patient": cast.other_patient,
        "clinician": cast.clinician,
        "other_clinician": cast.other_clinician,
        "admin": cast.admin,
        "outsider_admin": cast.outsider_admin,
    }
    if visitor != "anonymous":
        client.force_login(users[visitor])
    wrong = []
    for name, route in sorted(all_url_names().items()):
        url = reverse(name, kwargs=kwargs_for(name, route, world))
        response = client.get(url)
        if response.status_code == 405:  # a POST-only action: try it for real
            response = client.post(url, {})
        got = outcome(response)
        if got != EXPECTED[name][visitor]:
            wrong.append(f"{name}: expected {EXPECTED[name][visitor]}, got {got}")
    assert not wrong, "\n".join(wrong)
