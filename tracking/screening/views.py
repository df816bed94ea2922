"""Red-flag screening, the last onboarding step. Any red flag holds the program
and raises an alert for the clinician; the patient continues once it is cleared."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from programs.access import enrollment_required
from programs.types import PatientRequest
from tracking.lifecycle import screening_submit
from tracking.screening.forms import RED_FLAGS, ScreeningForm


@enrollment_required(allow_onboarding=True)
@require_http_methods(["GET", "POST"])
def screening(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    if enrollment.on_safety_hold:
        return redirect("safety_hold")
    if not enrollment.needs_onboarding:
        return redirect("today")
    if enrollment.consented_at is None:
        return redirect("onboarding_consent")
    form = ScreeningForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        held = screening_submit(
            enrollment=enrollment, red_flags=form.cleaned_data["red_flags"], request=request
        )
        return redirect("safety_hold" if held else "today")
    return render(request, "tracking/patient/screening.html", {"form": form, "step": 6})


@enrollment_required(allow_onboarding=True)
def hold(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    if not enrollment.on_safety_hold:
        return redirect("today" if not enrollment.needs_onboarding else "onboarding")
    labels = dict(RED_FLAGS)
    return render(
        request,
        "tracking/patient/safety_hold.html",
        {"flags": [labels.get(f, f) for f in enrollment.red_flags]},
    )
