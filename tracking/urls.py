from django.urls import path

from tracking.views import caseload

urlpatterns = [
    path("caseload/", caseload.caseload, name="caseload"),
]
