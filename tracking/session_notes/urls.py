"""PRT session notes on a patient's record (included from tracking/urls.py)."""

from django.urls import path

from tracking.session_notes import views

urlpatterns = [
    path("patients/<int:pk>/sessions/new/", views.session_note_add, name="session_note_add"),
]
