"""The patient's own safety pages: their country and contact numbers (asked once at
onboarding, changeable later) and their personal safety plan."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.edit_version import EditConflict
from programs.access import enrollment_required
from programs.models import Enrollment
from programs.safety import Writer, new_entry
from programs.types import PatientRequest
from tracking.models import SafetyPlan
from tracking.safety import services
from tracking.safety.forms import SafetyDetailsForm, SafetyPlanForm
from tracking.safety.resources import COUNTRY_CHOICES, suggested_country

onboarding_step = enrollment_required(allow_onboarding=True)


def _details_initial(request: PatientRequest) -> dict:
    enrollment = request.enrollment
    # Not chosen yet: the country of their time zone (confirmed the step before), or
    # "another country" for a zone elsewhere; nothing (they choose) when the zone says
    # nothing (UTC). Never the practice's country unasked: a patient in New York must
    # not be offered a London practice's numbers.
    return {
        "country": enrollment.country or suggested_country(enrollment.patient.timezone),
        "contact_phone": enrollment.contact_phone,
        "emergency_contact_name": enrollment.emergency_contact_name,
        "emergency_contact_phone": enrollment.emergency_contact_phone,
    }


def _details_saved_now(enrollment: Enrollment | None, form: SafetyDetailsForm) -> dict:
    """After a refused stale save: beside each field, what is saved now where it is not
    what they typed (None: the same, or no conflict)."""
    saved_now: dict[str, str | None] = dict.fromkeys(Enrollment.SAFETY_DETAILS_FIELDS)
    if enrollment is None:
        return saved_now
    countries = dict(COUNTRY_CHOICES)
    for name in Enrollment.SAFETY_DETAILS_FIELDS:
        saved, typed = getattr(enrollment, name), form.cleaned_data.get(name, "")
        if " ".join(saved.split()) != " ".join(str(typed).split()):
            saved_now[name] = str(countries.get(saved, saved)) if name == "country" else saved
    return saved_now


def _details_page(
    request: PatientRequest,
    template: str,
    saved_url: str,
    saved_message: str = "",
    **context: object,
) -> HttpResponse:
    """The details form, on its onboarding step or its own page. A save from a page
    opened before the details were last saved (another tab, another device) is refused
    (painapp.edit_version): the form comes back with what they typed, what is saved now
    beside each field that differs, and the new version."""
    enrollment = request.enrollment
    form = SafetyDetailsForm(
        request.POST if request.method == "POST" else None,
        initial=_details_initial(request),
        row=enrollment,
    )
    conflict: Enrollment | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_safety_details_update(
                enrollment=enrollment,
                edited_from=form.edited_version(),
                **{name: form.cleaned_data[name] for name in Enrollment.SAFETY_DETAILS_FIELDS},
            )
        except EditConflict as changed:
            conflict = cast(Enrollment, changed.row)
            form.rebase(conflict)
        else:
            if saved_message:
                messages.success(request, saved_message)
            return redirect(saved_url)
    context.update(
        form=form, conflict=conflict is not None, saved_now=_details_saved_now(conflict, form)
    )
    return render(
        request,
        template,
        context,
        status=(409 if conflict is not None else 422) if form.is_bound else 200,
    )


@onboarding_step
@require_http_methods(["GET", "POST"])
def onboarding_contact(request: PatientRequest) -> HttpResponse:
    """Onboarding, step 5: where you are (for the crisis numbers) and, if you like,
    numbers your care team can call."""
    enrollment = request.enrollment
    if enrollment.on_safety_hold:
        return redirect("safety_hold")
    if not enrollment.needs_onboarding:
        return redirect("safety_details")
    if enrollment.consented_at is None:
        return redirect("onboarding_consent")
    return _details_page(
        request, "tracking/patient/onboarding_contact.html", "onboarding_safety", step=5
    )


@onboarding_step
@require_http_methods(["GET", "POST"])
def safety_details(request: PatientRequest) -> HttpResponse:
    """The same details, to change at any time (while onboarding: its own step, which
    comes after the settings: Enrollment.onboarding_step reads the country it saves)."""
    enrollment = request.enrollment
    if enrollment.needs_onboarding and not enrollment.on_safety_hold:
        return redirect("onboarding_contact")
    return _details_page(
        request,
        "tracking/patient/safety_details.html",
        "safety_details",
        saved_message=_("Saved. Thank you."),
    )


def _saved_now(plan: SafetyPlan, name: str, typed: str) -> str | None:
    saved = getattr(plan, name)
    return None if " ".join(saved.split()) == " ".join(typed.split()) else saved


@onboarding_step
@require_http_methods(["GET", "POST"])
def safety_plan(request: PatientRequest) -> HttpResponse:
    """The patient's personal safety plan: optional, theirs to write and change.

    Saved from a page opened before the plan's last save (a second tab, another
    device), nothing is saved: the form comes back with what they typed, what the plan
    says now beside each part that differs, and the new version, to save again once
    they have put the two together (painapp.edit_version)."""
    if request.enrollment.before_consent:
        return redirect("onboarding")
    plan = SafetyPlan.objects.filter(enrollment=request.enrollment).first()
    initial = {name: getattr(plan, name) for name in SafetyPlan.TEXT_FIELDS} if plan else {}
    form = SafetyPlanForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        row=plan,
        writer=Writer(
            request.enrollment, f"safety_plan:{plan.pk}" if plan else new_entry("safety_plan")
        ),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_plan_save(
                enrollment=request.enrollment,
                data=form.cleaned_data,
                edited_from=form.edited_version(),
            )
        except EditConflict as changed:
            conflict = cast(SafetyPlan, changed.row)
            form.rebase(conflict)
        else:
            messages.success(request, _("Your safety plan is saved."))
            return redirect("safety_plan")
    editing = form.is_bound or plan is None or plan.is_empty or request.GET.get("edit") == "1"
    # After a conflict, beside each part: what the plan says now, where it is not what
    # they typed (None: the same, or no conflict).
    parts = [
        (form[name], _saved_now(conflict, name, form.cleaned_data.get(name, "")))
        if conflict is not None
        else (form[name], None)
        for name in SafetyPlan.TEXT_FIELDS
    ]
    return render(
        request,
        "tracking/patient/safety_plan.html",
        {
            "form": form,
            "parts": parts,
            "plan": conflict or plan,
            "editing": editing,
            "conflict": conflict is not None,
        },
        status=(409 if conflict is not None else 422) if form.is_bound else 200,
    )
