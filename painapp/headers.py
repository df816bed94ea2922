"""Response headers that Django has no setting for: no caching of a logged-in person's
pages, and a Permissions-Policy that switches off the browser features we never use."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "autoplay": ["self"]}` → `camera=(), autoplay=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PrivacyHeadersMiddleware:
    """Every response to a logged-in person carries `Cache-Control: no-store`.

    Their pages hold health data (caseload, a patient's check-ins, My log): on a shared
    computer, Back after logging out, or the browser's disk cache, must not show them
    again, and no proxy may keep a copy. A directive a view set itself stays (the
    exports already send exactly `no-store`); `no-store` is added to it. Anonymous
    pages (login, the public error pages) are left to the defaults.

    Every response also carries the Permissions-Policy from settings.PERMISSIONS_POLICY.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # request.user exists once AuthenticationMiddleware ran (not for static files);
        # after a login in this request it is the person who just logged in.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response
