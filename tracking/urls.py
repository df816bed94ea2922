from django.urls import path

from tracking.views import caseload, screening

urlpatterns = [
    path("welcome/safety/", screening.screening, name="onboarding_safety"),
    path("welcome/safety/hold/", screening.hold, name="safety_hold"),
    path("caseload/", caseload.caseload, name="caseload"),
]
