"""Role checks for views. Anyone without the right role gets a 404, like an outsider."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import redirect

from painapp.accounts.audit import audit
from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            membership = membership_for(request)
            if membership is None:
                return redirect("home")
            if membership.role not in roles:
                # A refusal like any other: recorded, and the same 404 as a missing page.
                audit(request, "access.denied", practice=membership.practice,
                      object_type="page",
                      object_id=getattr(request.resolver_match, "url_name", None) or "")
                raise Http404
            request.membership = membership
            request.practice = membership.practice
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


patient_required = role_required(Role.PATIENT)
clinician_required = role_required(Role.CLINICIAN)
admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.CLINICIAN, Role.ADMIN)


def practice_object_or_404(request, queryset: QuerySet | type[Model], pk: int, **lookup):
    """One row of the staff member's own practice, or 404 — and the miss recorded as
    `access.denied`, like a refused patient lookup (tracking.access)."""
    qs = queryset.objects.all() if isinstance(queryset, type) else queryset
    found = qs.filter(pk=pk, **lookup).first()
    if found is None:
        audit(request, "access.denied", practice=request.practice,
              object_type=qs.model._meta.label_lower, object_id=str(pk))
        raise Http404
    return found
