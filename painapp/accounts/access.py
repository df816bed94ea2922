"""Role checks for views. Anyone without the right role gets a 404, like an outsider."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect

from painapp.accounts.audit import audit
from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from painapp.types import MemberRequest

_P = ParamSpec("_P")
_M = TypeVar("_M", bound=Model)


class RoleGate(Protocol):
    """What `role_required(...)` returns: it takes a view written for a `MemberRequest`
    and gives the view Django calls with a plain request."""

    def __call__(
        self, view: Callable[Concatenate[MemberRequest, _P], HttpResponseBase], /
    ) -> Callable[Concatenate[HttpRequest, _P], HttpResponseBase]: ...


def role_required(*roles: str) -> RoleGate:
    def decorator(
        view: Callable[Concatenate[MemberRequest, _P], HttpResponseBase],
    ) -> Callable[Concatenate[HttpRequest, _P], HttpResponseBase]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponseBase:
            membership = membership_for(request)
            if membership is None:
                return redirect("home")
            if membership.role not in roles:
                # A refusal like any other: recorded, and the same 404 as a missing page.
                audit(
                    request,
                    "access.denied",
                    practice=membership.practice,
                    object_type="page",
                    object_id=getattr(request.resolver_match, "url_name", None) or "",
                )
                raise Http404
            # From here on the request is a MemberRequest: set what that type promises.
            member_request = cast(MemberRequest, request)
            member_request.membership = membership
            member_request.practice = membership.practice
            return view(member_request, *args, **kwargs)

        return wrapped

    return decorator


patient_required = role_required(Role.PATIENT)
clinician_required = role_required(Role.CLINICIAN)
admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.CLINICIAN, Role.ADMIN)


def practice_object_or_404(
    request: MemberRequest, queryset: QuerySet[_M] | type[_M], pk: int, **lookup: Any
) -> _M:
    """One row of the staff member's own practice, or 404 — and the miss recorded as
    `access.denied`, like a refused patient lookup (tracking.access)."""
    # The default manager, as Django's own get_object_or_404 does for a model class.
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    found = qs.filter(pk=pk, **lookup).first()
    if found is None:
        audit(
            request,
            "access.denied",
            practice=request.practice,
            object_type=qs.model._meta.label_lower,
            object_id=str(pk),
        )
        raise Http404
    return found
