"""One patient's safety details and personal safety plan, for their care team.

Read only (the plan is the patient's own), and every view is an audited read
(`patient.safety_plan_viewed`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from painapp.accounts.access import staff_required
from painapp.types import MemberRequest
from tracking.access import enrollment_for_staff
from tracking.clinic.views.patient import _context
from tracking.models import SafetyPlan
from tracking.safety.forms import SafetyPlanForm
from tracking.safety.resources import COUNTRY_NAMES


@require_GET
@staff_required
def patient_safety_plan(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.safety_plan_viewed")
    plan = SafetyPlan.objects.filter(enrollment=enrollment).first()
    labels = {name: field.label for name, field in SafetyPlanForm.base_fields.items()}
    parts = (
        [(labels[name], getattr(plan, name)) for name in SafetyPlan.TEXT_FIELDS]
        if plan is not None and not plan.is_empty
        else []
    )
    return render(
        request,
        "tracking/clinic/patient/safety_plan.html",
        _context(
            request,
            enrollment,
            "patient_safety_plan",
            plan=plan,
            parts=parts,
            country_name=COUNTRY_NAMES.get(enrollment.country, ""),
        ),
    )
