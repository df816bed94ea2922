"""First login: welcome, what this is and is not, consent, preferences.

The last step, red-flag screening, belongs to tracking (it raises alerts): see
tracking/views/screening.py.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from programs import services
from programs.access import enrollment_required
from programs.forms import ConsentForm, PreferencesForm
from programs.types import PatientRequest

onboarding_step = enrollment_required(allow_onboarding=True)


def _already_done(request: PatientRequest) -> HttpResponse | None:
    enrollment = request.enrollment
    if enrollment.on_safety_hold:
        return redirect("safety_hold")
    if not enrollment.needs_onboarding:
        return redirect("today")
    return None


@onboarding_step
def welcome(request: PatientRequest) -> HttpResponse:
    return _already_done(request) or render(
        request, "programs/onboarding/welcome.html", {"step": 1}
    )


@onboarding_step
def about(request: PatientRequest) -> HttpResponse:
    return _already_done(request) or render(request, "programs/onboarding/about.html", {"step": 2})


@onboarding_step
@require_http_methods(["GET", "POST"])
def consent(request: PatientRequest) -> HttpResponse:
    if done := _already_done(request):
        return done
    enrollment = request.enrollment
    initial = {"understand": True, "consent": True} if enrollment.consented_at else None
    form = ConsentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.onboarding_consent(enrollment=enrollment)
        return redirect("onboarding_settings")
    return render(request, "programs/onboarding/consent.html", {"form": form, "step": 3})


@onboarding_step
@require_http_methods(["GET", "POST"])
def preferences(request: PatientRequest) -> HttpResponse:
    if done := _already_done(request):
        return done
    enrollment = request.enrollment
    if enrollment.consented_at is None:
        return redirect("onboarding_consent")
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={
            "timezone": enrollment.patient.timezone,
            "practice_time": enrollment.preferred_practice_time,
            "checkin_weekday": enrollment.checkin_weekday,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.onboarding_preferences(
            enrollment=enrollment,
            timezone_name=form.cleaned_data["timezone"],
            practice_time=form.cleaned_data["practice_time"],
            checkin_weekday=form.cleaned_data["checkin_weekday"],
        )
        return redirect("onboarding_contact")
    return render(request, "programs/onboarding/settings.html", {"form": form, "step": 4})
