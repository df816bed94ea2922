"""Session rules and the audit of logins."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
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


class SignedOutMiddleware:
    """A page that sends someone to log in because they are signed out (login_required,
    the app's role gates, the staff timeout above: a redirect to LOGIN_URL).

    On an htmx request (a message sent, a step marked done, …) the login page must never
    be swapped into the page: the answer is a 401 notice instead (htmx_notice below)
    and the form keeps what was typed. On a plain request from a page they had open while
    signed in (a form sent, or a session cookie that no longer signs them in), the login
    page says why they are there: `signed_out=1` is added to its address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        had_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        response = self.get_response(request)
        location = urlsplit(response.get("Location", ""))
        if (
            response.status_code not in (301, 302, 303)
            or location.path != resolve_url(settings.LOGIN_URL)
            or request.user.is_authenticated
        ):
            return response
        if request.headers.get("HX-Request"):
            return htmx_notice(request, "signed_out", status=401)
        if "next" in parse_qs(location.query) and (had_session or request.method == "POST"):
            response["Location"] = location._replace(
                query=f"{location.query}&{SIGNED_OUT_PARAM}=1"
            ).geturl()
        return response


SIGNED_OUT_PARAM = "signed_out"


def htmx_notice(request: HttpRequest, kind: str, *, status: int) -> HttpResponse:
    """The answer to an htmx request that was not carried out because the person is
    signed out ("signed_out") or the page's form had gone out of date ("stale"): a short
    notice (role=alert) that static/js/app.js shows above the form, whose text stays as
    it was. HX-Reswap: none, so htmx never puts this in place of the form."""
    page = urlsplit(request.headers.get("HX-Current-URL", "")).path
    # Only a path on this site (Django's own check: "//evil", "/\\evil", other schemes).
    if not page.startswith("/") or not url_has_allowed_host_and_scheme(
        page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        page = "/"
    login_url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
    html = render_to_string("partials/htmx_notice.html", {"kind": kind, "login_url": login_url})
    return HttpResponse(html, status=status, headers={"HX-Reswap": "none"})
