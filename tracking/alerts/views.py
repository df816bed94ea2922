"""One alert, for the patient's clinician or the practice admin: see it, acknowledge
it (which stops escalation), resolve it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit
from painapp.accounts.models import Role
from painapp.types import MemberRequest
from tracking.access import alert_for_staff
from tracking.alerts import services
from tracking.models import Alert
from tracking.screening.forms import RED_FLAGS


def _back(request: MemberRequest, alert: Alert) -> HttpResponse:
    # Clinicians go back to their caseload; admins have none, so back to the alert.
    if request.membership.role == Role.CLINICIAN:
        return redirect("caseload")
    return redirect("alert_detail", pk=alert.pk)


@staff_required
def alert_detail(request: MemberRequest, pk: int) -> HttpResponse:
    alert = alert_for_staff(request, pk)
    audit(
        request,
        "alert.viewed",
        practice=alert.practice,
        subject=alert.enrollment.patient,
        obj=alert,
    )
    flags = dict(RED_FLAGS)
    return render(
        request,
        "tracking/clinic/alert.html",
        {
            "alert": alert,
            "patient": alert.enrollment.patient,
            "red_flags": [flags.get(f, f) for f in alert.details.get("red_flags", [])],
        },
    )


@require_POST
@staff_required
def alert_acknowledge(request: MemberRequest, pk: int) -> HttpResponse:
    alert = alert_for_staff(request, pk)
    if services.alert_acknowledge(alert=alert, by=request.user, request=request):
        messages.success(request, "Alert acknowledged. Nobody else will be asked to follow it up.")
    else:
        messages.info(request, "This alert was already acknowledged.")
    return _back(request, alert)


@require_POST
@staff_required
def alert_resolve(request: MemberRequest, pk: int) -> HttpResponse:
    alert = alert_for_staff(request, pk)
    if services.alert_resolve(alert=alert, by=request.user, request=request):
        messages.success(request, "Alert resolved.")
    else:
        messages.info(request, "This alert was already resolved.")
    return _back(request, alert)
