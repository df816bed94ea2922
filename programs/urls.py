from django.urls import path

from programs.views import today

urlpatterns = [
    path("today/", today.today, name="today"),
]
