"""tracking's URLs, grouped by who uses them: the patient, the clinic, the practice admin."""

from django.urls import include, path

from tracking.alerts import views as alerts
from tracking.checkins import views as checkin
from tracking.clinic.views import caseload, coding, patient, tailoring
from tracking.clinic.views import safety_plan as clinic_safety_plan
from tracking.diary import urls as diary_urls
from tracking.exports import views as exports
from tracking.practice_admin.views import audit as admin_audit
from tracking.practice_admin.views import clinicians as admin_clinicians
from tracking.practice_admin.views import deliveries as admin_deliveries
from tracking.practice_admin.views import enrollments as admin_enrollments
from tracking.practice_admin.views import imports as admin_import
from tracking.practice_admin.views import instruments as admin_instruments
from tracking.practice_admin.views import reports as admin_reports
from tracking.practice_admin.views import safety as admin_safety
from tracking.reminders import views as reminder_settings
from tracking.safety import patient as safety_patient
from tracking.safety import views as safety
from tracking.screening import views as screening
from tracking.session_notes import urls as session_note_urls

urlpatterns = [
    # Anyone, logged in or not: where to turn in a crisis.
    path("help/", safety.get_help, name="get_help"),
    # Secure messaging between a patient and their care team (tracking/messaging/urls.py).
    path("", include("tracking.messaging.urls")),
    # The patient's own: their country and numbers, and their personal safety plan.
    path("help/details/", safety_patient.safety_details, name="safety_details"),
    path("help/plan/", safety_patient.safety_plan, name="safety_plan"),
    path("welcome/contact/", safety_patient.onboarding_contact, name="onboarding_contact"),
    path("welcome/safety/", screening.screening, name="onboarding_safety"),
    path("welcome/safety/hold/", screening.hold, name="safety_hold"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("caseload/filters/", caseload.caseload_filter_save, name="caseload_filter_save"),
    path(
        "caseload/filters/<int:pk>/delete/",
        caseload.caseload_filter_delete,
        name="caseload_filter_delete",
    ),
    path("coding/", coding.coding_queue, name="coding_queue"),
    # One patient, for their clinician or the practice admin: sections, actions, exports.
    *[
        path(f"patients/<int:pk>/{route}", view, name=name)
        for route, view, name in (
            ("", patient.patient_detail, "patient_detail"),
            ("checkins/", patient.patient_checkins, "patient_checkins"),
            ("practice/", patient.patient_practice, "patient_practice"),
            ("exposures/", patient.patient_exposures, "patient_exposures"),
            ("causes/", patient.patient_causes, "patient_causes"),
            ("reflections/", patient.patient_reflections, "patient_reflections"),
            ("diary/", patient.patient_diary, "patient_diary"),
            ("sessions/", patient.patient_sessions, "patient_sessions"),
            ("screening/", patient.patient_screening, "patient_screening"),
            ("safety-plan/", clinic_safety_plan.patient_safety_plan, "patient_safety_plan"),
            ("notes/", patient.patient_note_add, "patient_note_add"),
            (
                "alerts/<int:alert_pk>/acknowledge/",
                patient.patient_alert_acknowledge,
                "patient_alert_acknowledge",
            ),
            (
                "alerts/<int:alert_pk>/resolve/",
                patient.patient_alert_resolve,
                "patient_alert_resolve",
            ),
            ("unlock/", patient.patient_unlock, "patient_unlock"),
            # Tailoring the program for this patient (tracking.clinic.views.tailoring).
            ("program/", tailoring.patient_program, "patient_program"),
            ("program/adjust/", tailoring.patient_program_adjust, "patient_program_adjust"),
            ("program/exercise/", tailoring.patient_program_exercise, "patient_program_exercise"),
            ("program/suggest/", tailoring.patient_program_suggest, "patient_program_suggest"),
            ("program/switch/", tailoring.patient_program_switch, "patient_program_switch"),
            (
                "program/changes/<int:change_pk>/undo/",
                tailoring.patient_program_undo,
                "patient_program_undo",
            ),
            (
                "program/exercises/<int:exercise_pk>/withdraw/",
                tailoring.patient_program_withdraw,
                "patient_program_withdraw",
            ),
            ("reminders/", patient.patient_reminders, "patient_reminders"),
            ("clear-hold/", patient.patient_clear_hold, "patient_clear_hold"),
            (
                "medical-assessment/",
                patient.patient_medical_assessment,
                "patient_medical_assessment",
            ),
            ("summary/", exports.patient_summary, "patient_summary"),
            ("measurements.csv", exports.patient_csv, "patient_csv"),
            ("checkins.fhir.json", exports.patient_fhir, "patient_fhir"),
        )
    ],
    path("alerts/", alerts.inbox, name="alert_inbox"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", alerts.alert_resolve, name="alert_resolve"),
    # Reminders: the patient's settings, the in-app list, and one-click unsubscribe.
    path("reminders/", reminder_settings.settings_page, name="reminder_settings"),
    path("notifications/", reminder_settings.notifications, name="notifications"),
    path("reminders/unsubscribe/<str:token>/", reminder_settings.unsubscribe, name="unsubscribe"),
    # Check-ins and the patient's progress page.
    path("checkin/", checkin.checkin_current, name="checkin_current"),
    path("checkin/all/", checkin.checkin_list, name="checkin_list"),
    path("checkin/<int:pk>/", checkin.checkin_detail, name="checkin_detail"),
    path("progress/", checkin.progress, name="progress"),
    *diary_urls.urlpatterns,  # the patient's pain and fear diary (issue 19)
    *session_note_urls.urlpatterns,  # PRT session notes on a patient's record (issue 19)
    # Practice admins: clinicians, enrollments, bulk import, outcomes report, audit trail.
    path("practice/clinicians/", admin_clinicians.clinician_list, name="admin_clinicians"),
    path(
        "practice/clinicians/<int:pk>/deactivate/",
        admin_clinicians.clinician_deactivate_view,
        name="admin_clinician_deactivate",
    ),
    path(
        "practice/clinicians/<int:pk>/reassign/",
        admin_clinicians.clinician_reassign,
        name="admin_clinician_reassign",
    ),
    path("practice/enrollments/", admin_enrollments.enrollment_list, name="admin_enrollments"),
    path(
        "practice/enrollments/<int:pk>/",
        admin_enrollments.enrollment_detail,
        name="admin_enrollment",
    ),
    path(
        "practice/enrollments/<int:pk>/transfer/",
        admin_enrollments.enrollment_transfer,
        name="admin_enrollment_transfer",
    ),
    *[
        path(
            f"practice/enrollments/<int:pk>/{action}/",
            admin_enrollments.enrollment_action,
            {"action": action},
            name=f"admin_enrollment_{action}",
        )
        for action in admin_enrollments.ACTIONS
    ],
    path("practice/import/", admin_import.import_upload, name="admin_import"),
    path("practice/import/<int:pk>/", admin_import.import_review, name="admin_import_review"),
    path(
        "practice/import/<int:pk>/confirm/",
        admin_import.import_confirm,
        name="admin_import_confirm",
    ),
    path(
        "practice/import/<int:pk>/problems.csv",
        admin_import.import_problems_csv,
        name="admin_import_problems",
    ),
    path("practice/reports/outcomes/", admin_reports.outcomes, name="admin_outcomes"),
    path("practice/reports/outcomes.csv", admin_reports.outcomes_csv, name="admin_outcomes_csv"),
    path("practice/audit/", admin_audit.audit_trail, name="admin_audit"),
    path("practice/audit.csv", admin_audit.audit_csv, name="admin_audit_csv"),
    path(
        "practice/reminders/failed/",
        admin_deliveries.failed_deliveries,
        name="admin_failed_deliveries",
    ),
    # Practice admins: questionnaires in use, and importing one of the practice's own.
    path("practice/instruments/", admin_instruments.instrument_list, name="admin_instruments"),
    path(
        "practice/instruments/import/",
        admin_instruments.instrument_import,
        name="admin_instrument_import",
    ),
    # Practice admins: the safety contact, escalation chain, crisis resources, thresholds.
    path("practice/safety/", admin_safety.safety_settings, name="admin_safety_settings"),
]
