"""Messaging URLs (included from tracking/urls.py)."""

from django.urls import path

from tracking.messaging import views

urlpatterns = [
    # The patient's own thread with their care team.
    path("messages/", views.patient_thread, name="messages"),
    # Staff: every thread they may see, unread first; one patient's thread.
    path("messages/inbox/", views.inbox, name="message_inbox"),
    path("patients/<int:pk>/messages/", views.staff_thread, name="patient_messages"),
]
