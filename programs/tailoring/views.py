"""The patient's side of tailoring: a custom exercise from their clinician, and the
steps their clinician suggests for the fear ladder. Plain forms; the exercise's form
is swapped in place by htmx."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from painapp import edit_version
from programs import selectors
from programs.access import enrollment_required, own
from programs.exposure.views import render_ladder
from programs.safety import Writer, new_entry, scan_posted
from programs.tailoring import services
from programs.tailoring.forms import CustomExerciseDoneForm, SuggestionAcceptForm
from programs.tailoring.models import CustomExercise, ExposureSuggestion, SuggestionStatus
from programs.types import PatientRequest

EXERCISE = "programs/tailoring/custom_exercise.html"


@enrollment_required
@require_http_methods(["GET", "POST"])
def custom_exercise(request: PatientRequest, pk: int) -> HttpResponse:
    pmap = selectors.program_map(request.enrollment)
    found = pmap.custom_exercise(pk)
    if found is None or not found[0].is_open:
        return _not_open(request, f"custom_exercise:{found[1].pk}" if found else None)
    state, exercise = found
    form = CustomExerciseDoneForm(
        request.POST if request.method == "POST" else None,
        initial={"note": exercise.patient_note},
        row=exercise,
        writer=Writer(request.enrollment, f"custom_exercise:{exercise.pk}"),
    )
    template = f"{EXERCISE}#done-form" if request.htmx else EXERCISE
    status = 200
    conflict: CustomExercise | None = None
    if request.method == "POST":
        if form.is_valid():
            try:
                first = services.custom_exercise_complete(
                    exercise=exercise,
                    note=form.cleaned_data["note"],
                    edited_from=form.edited_version(),
                )
            except edit_version.EditConflict as changed:
                # The note was saved from another tab or device after this page was
                # opened: nothing saved; what they typed stays, with the saved note
                # under it, and is scanned as not saved (painapp.edit_version).
                conflict = cast(CustomExercise, changed.row)
                form.scan_unsaved()
                form.rebase(conflict)
                status = 409
            else:
                if not request.htmx:
                    messages.success(request, _("Marked as done.") if first else _("Saved."))
                    return redirect("custom_exercise", pk=exercise.pk)
                form = CustomExerciseDoneForm(initial={"note": exercise.patient_note}, row=exercise)
        else:
            status = 400
    saved_now = edit_version.saved_now(
        form, {"note": conflict.patient_note} if conflict is not None else None
    )
    return render(
        request,
        template,
        {
            "pmap": pmap,
            "state": state,
            "exercise": conflict or exercise,
            "form": form,
            "conflict": conflict is not None,
            "saved_now": saved_now,
        },
        status=status,
    )


def _not_open(request: PatientRequest, source: str | None) -> HttpResponse:
    """An exercise that is not there, or not open (its clinician took it off the program
    while the patient wrote their note): 404. A note posted to it is scanned all the
    same (programs.safety.scan_posted); when it holds a crisis phrase the patient is
    taken to their program, whose page opens with the crisis panel (saying the words
    were not saved), rather than a dead end. Whether a post is scanned never depends
    on the exercise: another patient's number is a 404 like any other."""
    if request.method == "POST" and scan_posted(
        request.enrollment,
        request.POST,
        source=source or new_entry("custom_exercise"),
    ):
        url = reverse("program_overview")
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
    raise Http404


def _pending(request: PatientRequest, pk: int) -> ExposureSuggestion:
    return own(request, ExposureSuggestion, pk=pk)


@enrollment_required
@require_POST
def suggestion_accept(request: PatientRequest, pk: int) -> HttpResponse:
    suggestion = _pending(request, pk)
    if suggestion.status == SuggestionStatus.DECLINED:
        messages.info(request, _("You already left this one off your ladder."))
        return redirect("exposure")
    form = SuggestionAcceptForm(request.POST)
    if not form.is_valid():
        # The ladder again, with this suggestion's form and what was typed.
        return render_ladder(
            request, suggestion_form=form, suggestion_form_pk=suggestion.pk, status=400
        )
    fear_item = services.exposure_suggestion_accept(
        suggestion=suggestion, harm_rating=form.cleaned_data["harm_rating"], request=request
    )
    messages.success(request, _("“%(label)s” is on your ladder.") % {"label": fear_item.label})
    return redirect(f"{reverse('exposure')}#rung-{fear_item.pk}")


@enrollment_required
@require_POST
def suggestion_decline(request: PatientRequest, pk: int) -> HttpResponse:
    suggestion = _pending(request, pk)
    if services.exposure_suggestion_decline(suggestion=suggestion, request=request):
        messages.info(request, _("Left off your ladder. That is fine: it is your ladder."))
    return redirect("exposure")
