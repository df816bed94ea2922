"""Session rules and the audit of logins."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from painapp.accounts.middleware import membership_for

SESSION_LOGIN_AT = "painapp_login_at"
SESSION_SEEN_AT = "painapp_seen_at"


class SessionPolicyMiddleware:
    """Staff sessions end after 30 idle minutes and 12 hours in all; patients stay
    logged in for 14 days (SESSION_COOKIE_AGE) but re-enter their password for
    sensitive actions (allauth's reauthentication)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)
                messages.info(
                    request,
                    _(
                        "For your safety you were logged out after a period "
                        "without activity. Please log in again."
                    ),
                )
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

    def _expired(self, request) -> bool:
        now = int(time.time())
        session = request.session
        login_at = session.setdefault(SESSION_LOGIN_AT, now)
        seen_at = session.get(SESSION_SEEN_AT, now)
        # Only write the session when a minute has passed, not on every request.
        if now - seen_at >= 60 or SESSION_SEEN_AT not in session:
            session[SESSION_SEEN_AT] = now
        membership = membership_for(request)
        is_staff = (membership is not None and membership.is_staff_role) or request.user.is_staff
        if not is_staff:
            return False
        return (
            now - seen_at > settings.STAFF_IDLE_TIMEOUT_SECONDS
            or now - login_at > settings.STAFF_ABSOLUTE_TIMEOUT_SECONDS
        )


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    from painapp.accounts.audit import audit

    if request is not None:
        request.session[SESSION_LOGIN_AT] = int(time.time())
        request.session[SESSION_SEEN_AT] = int(time.time())
    audit(request, "login", actor=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    from painapp.accounts.audit import audit

    # Never store the attempted email or password: only that it happened, and from where.
    audit(request, "login.failed", actor=None)
