"""Two-step login (TOTP with recovery codes, from allauth's MFA module) is required
for clinicians and practice admins before they see any patient data.

allauth asks for the code at every login once an authenticator exists; it has no
setting to *require* one for some roles, so this middleware sends staff without an
authenticator to set one up, and lets them reach nothing else until they have.
Patients may opt in from their Account page.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from painapp.accounts.middleware import membership_for

# Pages a staff member without MFA may still open: login/logout, MFA setup itself
# (all under /accounts/), static files and the health check.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz/")


SESSION_FLAG = "painapp_mfa_enrolled"


def needs_mfa(request, membership) -> bool:
    user = request.user
    is_staff = user.is_staff or (membership is not None and membership.is_staff_role)
    if not is_staff or request.session.get(SESSION_FLAG):
        return False
    if has_totp(user):
        # Remembered for the session, so staff pages pay no extra query per request.
        request.session[SESSION_FLAG] = True
        return False
    return True


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "PAINAPP_REQUIRE_STAFF_MFA", True)
            and request.user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and needs_mfa(request, membership_for(request))
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)


def _forget_enrollment(sender, request=None, **kwargs):
    if request is not None:
        request.session.pop(SESSION_FLAG, None)


def connect_signals() -> None:
    from allauth.mfa.signals import authenticator_removed

    authenticator_removed.connect(_forget_enrollment, dispatch_uid="painapp_mfa_removed")
