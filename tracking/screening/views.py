"""Red-flag screening, the last onboarding step. The patient's age must be in the
practice's range; any red flag holds the program and raises an alert for the
clinician; the patient continues once it is cleared."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from programs.access import enrollment_required
from programs.types import PatientRequest
from tracking import rules
from tracking.lifecycle import date_of_birth_record, screening_submit
from tracking.safety.resources import emergency_number
from tracking.screening.forms import (
    ScreeningForm,
    red_flag_rows,
    screening_facts,
)


def _outside_age_range(request: PatientRequest, *, just_told: bool = False) -> HttpResponse:
    """The page that stops a patient outside the practice's age range. `just_told`: the
    patient has just typed their date of birth (thanked for it); otherwise it was on
    record already, most often entered by the practice, so they are asked to check it."""
    return render(
        request,
        "tracking/patient/age_outside_range.html",
        {
            "practice": request.enrollment.practice,
            "step": 5,
            "just_told": just_told,
            "date_of_birth": request.enrollment.date_of_birth,
        },
    )


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
    today = enrollment.local_date()
    facts = screening_facts(enrollment, today)
    if facts.outside_age_range:
        return _outside_age_range(request)
    form = ScreeningForm(
        request.POST if request.method == "POST" else None,
        known_date_of_birth=enrollment.date_of_birth,
        today=today,
        age_range=(facts.age_min, facts.age_max),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not date_of_birth_record(
            enrollment=enrollment, date_of_birth=data["born"], request=request
        ):
            return _outside_age_range(request, just_told=data.get("date_of_birth") is not None)
        held = screening_submit(
            enrollment=enrollment,
            red_flags=data["all_flags"],
            date_of_birth=data["born"],
            onset_year=data["onset_year"],
            request=request,
        )
        return redirect("safety_hold" if held else "today")
    return render(request, "tracking/patient/screening.html", {"form": form, "step": 6})


@enrollment_required(allow_onboarding=True)
def hold(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    if not enrollment.on_safety_hold:
        return redirect("today" if not enrollment.needs_onboarding else "onboarding")
    return render(
        request,
        "tracking/patient/safety_hold.html",
        {
            "flags": red_flag_rows(enrollment.red_flags),
            "urgent": rules.red_flags_urgent(enrollment.red_flags),
            # The country the patient chose at onboarding: its number, to tap and call.
            "emergency_number": emergency_number(enrollment.country),
        },
    )
