"""Request ids (for error pages, logs and audit) and the active membership."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
import zoneinfo

from django.utils import timezone, translation

# The request id of work done outside a request (a Celery task, a command): what the
# logs and a system row of the audit trail hold.
NO_REQUEST_ID = "-"
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=NO_REQUEST_ID
)
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Give every request an id, shown on error pages and stored on audit events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class UserLanguageMiddleware:
    """A logged-in person sees every page in their own language (User.language), not
    their browser's; LocaleMiddleware, before this one, chose for everyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class UserTimezoneMiddleware:
    """A logged-in person sees every time in their own zone (User.timezone): Django's
    current time zone is theirs for the whole request, so `{{ at|date }}` and forms'
    typed times mean their local time. Everyone else gets TIME_ZONE (UTC). A page that
    means another zone says so ({% timezone patient.timezone %}, `|timezone:`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            try:
                timezone.activate(user.tzinfo)
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                timezone.deactivate()  # a zone no longer known: the default
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


SESSION_MEMBERSHIP_KEY = "membership_id"
_UNSET = object()


def membership_for(request):
    """The user's active membership (practice + role), or None. One query, cached.

    A person may belong to more than one practice; the one they chose is kept in the
    session, otherwise the oldest active one is used.
    """
    cached = getattr(request, "_membership", _UNSET)
    if cached is not _UNSET:
        return cached
    from painapp.accounts.models import Membership

    membership = None
    if request.user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=request.user, is_active=True)
            .select_related("practice")
            .order_by("created_at")
        )
        chosen = request.session.get(SESSION_MEMBERSHIP_KEY)
        membership = next((m for m in memberships if m.pk == chosen), None) or (
            memberships[0] if memberships else None
        )
        request._membership_count = len(memberships)
    request._membership = membership
    return membership
