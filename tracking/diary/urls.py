"""The patient's diary (included from tracking/urls.py)."""

from django.urls import path

from tracking.diary import views

urlpatterns = [
    path("diary/", views.diary_list, name="diary_list"),
    path("diary/new/", views.diary_new, name="diary_new"),
    path("diary/<int:pk>/", views.diary_edit, name="diary_edit"),
    path("diary/<int:pk>/delete/", views.diary_delete, name="diary_delete"),
]
