"""One patient's program, tailored by their care team (issue 19, point 2).

A section of the patient's record (`patient_program`, audited as
`patient.program_viewed`) with four forms: change a lesson or activity (open now,
skip, move), add a custom exercise, suggest a fear-ladder step, switch program. Each
is a plain POST that redirects back with a message; with htmx it swaps the page's
`#tailoring` part in place instead (a form with a mistake comes back with what was
typed and the message next to the field, in both cases). Every change is audited by
its service (programs.tailoring.services). Anyone outside the caseload gets a 404
(tracking.access.enrollment_for_staff), as does an id of another patient's row.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from programs.models import Enrollment
from programs.patient_identity import reads_app_in_note
from programs.tailoring import services
from programs.tailoring.models import ActivityAdjustment, CustomExercise
from tracking.access import audit_read, enrollment_for_staff
from tracking.clinic.tailoring import TailoringPage, program_switch, tailoring_page
from tracking.clinic.tailoring_forms import (
    AdjustForm,
    CustomExerciseForm,
    SuggestionForm,
    SwitchForm,
)
from tracking.clinic.views.patient import _context

TEMPLATE = "tracking/clinic/patient/program.html"


def _render(
    request: MemberRequest,
    enrollment: Enrollment,
    page: TailoringPage | None = None,
    *,
    status: int = 200,
    saved: str = "",
    **bound,
) -> HttpResponse:
    page = page or tailoring_page(enrollment)
    forms = {
        "adjust_form": bound["adjust_form"] if "adjust_form" in bound else AdjustForm(page=page),
        "exercise_form": (
            bound["exercise_form"] if "exercise_form" in bound else CustomExerciseForm(page=page)
        ),
        "suggestion_form": (
            bound["suggestion_form"] if "suggestion_form" in bound else SuggestionForm()
        ),
        "switch_form": bound["switch_form"] if "switch_form" in bound else SwitchForm(page=page),
    }
    # Each change's reason is shown to the patient: say beside it when they read the app
    # in another language than this page's.
    if reads_in := reads_app_in_note(enrollment.patient.language):
        for form in forms.values():
            if reason := form.fields.get("reason"):
                reason.help_text = f"{reason.help_text} {reads_in}"
    context = _context(request, enrollment, "patient_program", page=page, saved=saved, **forms)
    if request.htmx:
        return render(request, f"{TEMPLATE}#tailoring", context, status=status)
    return render(request, TEMPLATE, context, status=status)


def _done(request: MemberRequest, enrollment: Enrollment, message: str) -> HttpResponse:
    if request.htmx:
        return _render(request, enrollment, saved=message)
    messages.success(request, message)
    return redirect(f"{reverse('patient_program', args=[enrollment.pk])}#tailoring")


def _invalid(request: MemberRequest, enrollment: Enrollment, page, **bound) -> HttpResponse:
    # The page, or with htmx its program part, comes back: a read of the patient's
    # program, recorded like a GET either way.
    audit_read(request, "patient.program_viewed", enrollment)
    return _render(request, enrollment, page, status=400, **bound)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_GET
@staff_required
def patient_program(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.program_viewed")
    return _render(request, enrollment)


@require_POST
@staff_required
def patient_program_adjust(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    page = tailoring_page(enrollment)
    form = AdjustForm(request.POST, page=page)
    if form.is_valid():
        activity = page.activity(form.cleaned_data["activity"])
        assert activity is not None  # a valid choice is one of the page's
        try:
            services.activity_adjust(
                enrollment=enrollment,
                activity=activity,
                action=form.cleaned_data["action"],
                to_week=form.cleaned_data["to_week"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(
                request,
                enrollment,
                _("Saved. The patient sees “%(title)s” changed, with your reason.")
                % {"title": activity.title},
            )
    return _invalid(request, enrollment, page, adjust_form=form)


@require_POST
@staff_required
def patient_program_exercise(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    page = tailoring_page(enrollment)
    form = CustomExerciseForm(request.POST, page=page)
    if form.is_valid():
        try:
            services.custom_exercise_add(
                enrollment=enrollment, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(
                request,
                enrollment,
                _("Exercise added to week %(week)s.") % {"week": form.cleaned_data["week"]},
            )
    return _invalid(request, enrollment, page, exercise_form=form)


@require_POST
@staff_required
def patient_program_suggest(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = SuggestionForm(request.POST)
    if form.is_valid():
        try:
            services.exposure_suggest(
                enrollment=enrollment, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(
                request,
                enrollment,
                _("Suggested. The patient sees it on their fear ladder and decides."),
            )
    return _invalid(request, enrollment, None, suggestion_form=form)


@require_POST
@staff_required
def patient_program_switch(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    page = tailoring_page(enrollment)
    form = SwitchForm(request.POST, page=page)
    if form.is_valid():
        to_version = next(v for v in page.targets if v.pk == form.cleaned_data["to_version"])
        try:
            switch = program_switch(
                enrollment=enrollment,
                to_version=to_version,
                reason=form.cleaned_data["reason"],
                start=form.cleaned_data["start"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _done(
                request,
                enrollment,
                _("Switched to “%(title)s”. The patient is in week %(week)s of %(count)s.")
                % {
                    "title": to_version.title,
                    "week": switch.week_after,
                    "count": enrollment.week_count,
                },
            )
    return _invalid(request, enrollment, page, switch_form=form)


M = TypeVar("M", bound=models.Model)


def _denied(request: MemberRequest, object_type: str, object_pk: int):
    audit(
        request,
        "access.denied",
        practice=request.membership.practice,
        object_type=object_type,
        object_id=str(object_pk),
    )
    return Http404()


def _of_enrollment(request: MemberRequest, model: type[M], enrollment: Enrollment, pk: int) -> M:
    """The row `pk` of `model` if it belongs to this patient's enrollment, else a 404 (and
    the refused access audited), like every id in a staff URL."""
    row = (
        model._default_manager.filter(enrollment=enrollment, pk=pk)
        .select_related("enrollment__practice", "enrollment__patient")
        .first()
    )
    if row is None:
        raise _denied(request, model._meta.label_lower, pk)
    return row


@require_POST
@staff_required
def patient_program_undo(request: MemberRequest, pk: int, change_pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    adjustment = _of_enrollment(request, ActivityAdjustment, enrollment, change_pk)
    services.activity_adjustment_undo(adjustment=adjustment, by=request.user, request=request)
    return _done(request, enrollment, _("Change taken back."))


@require_POST
@staff_required
def patient_program_withdraw(request: MemberRequest, pk: int, exercise_pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    exercise = _of_enrollment(request, CustomExercise, enrollment, exercise_pk)
    services.custom_exercise_withdraw(exercise=exercise, by=request.user, request=request)
    return _done(request, enrollment, _("Exercise taken back. The patient no longer sees it."))
