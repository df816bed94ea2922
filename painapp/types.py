"""Request types for views, so mypy knows the attributes our middleware and decorators set.

Django types `request.user` as "a user or AnonymousUser" and knows nothing of attributes
added at run time. Each class here states what is true of a request once it has passed
a given gate; annotate a view's `request` with the narrowest one its decorators
guarantee (the pattern of django-htmx's example project and django-stubs' docs).
These classes are never instantiated: Django's own request object carries the
attributes, and these only describe it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from painapp.accounts.models import Membership, Practice, User


class HtmxHttpRequest(HttpRequest):
    """Any request, after the middleware every request passes through."""

    # django_htmx.middleware.HtmxMiddleware
    htmx: HtmxDetails
    # painapp.accounts.middleware.RequestIdMiddleware
    request_id: str


class AuthedRequest(HtmxHttpRequest):
    """A request from a signed-in person (behind `login_required`)."""

    user: User


class MemberRequest(AuthedRequest):
    """A request that passed `painapp.accounts.access.role_required` (and so
    `patient_required`, `clinician_required`, `admin_required`, `staff_required`):
    the person's active membership, whose role the view allows, and its practice."""

    membership: Membership
    practice: Practice
