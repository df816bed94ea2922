"""A test-only URLconf: the app's own pages and error handlers, plus views that fail in
each way an error page exists for (tests/test_error_pages.py)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.urls import path

from painapp.urls import handler400, handler403, handler404, handler500, urlpatterns


def refuses(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a request we will not serve")


def crashes(request):
    raise RuntimeError("secret internals: SELECT * FROM accounts_user")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


urlpatterns = [
    path("test-errors/403/", refuses),
    path("test-errors/400/", suspicious),
    path("test-errors/500/", crashes),
    path("test-errors/503/", database_gone),
    *urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
