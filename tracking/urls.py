from django.urls import path

from tracking.views import alerts, caseload, checkin, progress, reminder_settings, screening

urlpatterns = [
    path("welcome/safety/", screening.screening, name="onboarding_safety"),
    path("welcome/safety/hold/", screening.hold, name="safety_hold"),
    path("caseload/", caseload.caseload, name="caseload"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", alerts.alert_resolve, name="alert_resolve"),
    # Reminders: the patient's settings, the in-app list, and one-click unsubscribe.
    path("reminders/", reminder_settings.settings_page, name="reminder_settings"),
    path("notifications/", reminder_settings.notifications, name="notifications"),
    path("reminders/unsubscribe/<str:token>/", reminder_settings.unsubscribe,
         name="unsubscribe"),
    # Check-ins and the patient's progress page.
    path("checkin/", checkin.checkin_current, name="checkin_current"),
    path("checkin/all/", checkin.checkin_list, name="checkin_list"),
    path("checkin/<int:pk>/", checkin.checkin_detail, name="checkin_detail"),
    path("progress/", progress.progress, name="progress"),
]
