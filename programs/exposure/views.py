"""Graded exposure: the patient's fear ladder and their exposure log.

Every page works as plain HTML forms. Move up / Move down are enhanced with htmx:
an htmx request gets only the ladder list back (the `ladder` partial) plus a short
status line for screen readers.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from painapp import edit_version
from programs.access import enrollment_required, own
from programs.exposure.forms import (
    ExposureDoneForm,
    ExposurePlanForm,
    FearItemEditForm,
    NewFearItemForm,
)
from programs.exposure.selectors import exposure_outcome, fear_item_tries, ladder_page
from programs.exposure.services import (
    DOWN,
    UP,
    exposure_complete,
    exposure_create,
    fear_item_create,
    fear_item_delete,
    fear_item_move,
    fear_item_update,
)
from programs.models import Exposure, FearItem
from programs.safety import Writer, new_entry
from programs.tailoring.selectors import pending_suggestions
from programs.types import PatientRequest

LADDER = "programs/exposure/ladder.html"


def _ladder_url(fear_item: FearItem | None = None) -> str:
    url = reverse("exposure")
    return f"{url}#rung-{fear_item.pk}" if fear_item else url


def _render_ladder(
    request: PatientRequest, add_form: NewFearItemForm, *, status: int = 200, **extra
) -> HttpResponse:
    context = {
        "page": ladder_page(request.enrollment),
        "add_form": add_form,
        # Steps the clinician suggested (programs.tailoring): no query if none ever.
        "suggestions": pending_suggestions(request.enrollment),
        **extra,
    }
    return render(request, LADDER, context, status=status)


def render_ladder(request: PatientRequest, **extra) -> HttpResponse:
    """The ladder page with an empty "add a step" form (for programs.tailoring)."""
    return _render_ladder(request, NewFearItemForm(), **extra)


@enrollment_required
def ladder(request: PatientRequest) -> HttpResponse:
    return _render_ladder(request, NewFearItemForm())


@enrollment_required
def fear_create(request: PatientRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect(reverse("exposure") + "#add")
    form = NewFearItemForm(request.POST, writer=Writer(request.enrollment, new_entry("fear_item")))
    if not form.is_valid():
        return _render_ladder(request, form)
    fear_item = fear_item_create(enrollment=request.enrollment, **form.cleaned_data)
    messages.success(request, _("“%(label)s” is on your ladder.") % {"label": fear_item.label})
    return redirect(_ladder_url(fear_item))


@enrollment_required
def fear_edit(request: PatientRequest, pk: int) -> HttpResponse:
    fear_item = own(request, FearItem, pk=pk)
    if request.method == "POST" and "remove" in request.POST:
        fear_item_delete(fear_item=fear_item)
        messages.success(
            request,
            _("“%(label)s” is off your ladder. Exposures you logged for it are kept.")
            % {"label": fear_item.label},
        )
        return redirect(_ladder_url())
    form = FearItemEditForm(
        request.POST if request.method == "POST" else None,
        initial={"label": fear_item.label, "harm_rating": fear_item.harm_rating},
        row=fear_item,
        writer=Writer(request.enrollment, f"fear_item:{fear_item.pk}"),
    )
    conflict: FearItem | None = None
    if request.method == "POST" and form.is_valid():
        try:
            fear_item_update(
                fear_item=fear_item,
                label=form.cleaned_data["label"],
                harm_rating=form.cleaned_data["harm_rating"],
                edited_from=form.edited_version(),
            )
        except edit_version.EditConflict as changed:
            # Saved from a page opened before the rung's last change (another tab, an
            # exposure logged): nothing saved; what they typed stays, with what is
            # saved now beside it, and is scanned as not saved (programs.safety).
            form.scan_unsaved()
            if changed.row is None:
                return _deleted_meanwhile(request, form)
            conflict = cast(FearItem, changed.row)
            form.rebase(conflict)
        else:
            messages.success(request, _("Saved “%(label)s”.") % {"label": fear_item.label})
            return redirect(_ladder_url(fear_item))
    saved_now = edit_version.saved_now(
        form,
        {"label": conflict.label, "harm_rating": conflict.harm_rating} if conflict else None,
    )
    return render(
        request,
        "programs/exposure/fear_edit.html",
        {
            "fear_item": conflict or fear_item,
            "form": form,
            "tries": fear_item_tries(fear_item),
            "conflict": conflict is not None,
            "parts": [(field, saved_now[field.name]) for field in form.visible_fields()],
        },
        status=409 if conflict is not None else 200,
    )


def _deleted_meanwhile(request: PatientRequest, form: FearItemEditForm) -> HttpResponse:
    """A rung edited after another tab took it off the ladder: nothing saved; the
    ladder, with what they typed in its "add a step" form, to add it again if they
    want."""
    messages.warning(
        request,
        _(
            "This step was taken off your ladder in another tab, so your changes were not "
            "saved. What you typed is in the “Add an activity” form below, if you want "
            "to add it again."
        ),
    )
    typed = {name: form.cleaned_data[name] for name in ("label", "harm_rating")}
    return _render_ladder(request, NewFearItemForm(initial=typed), status=409)


@enrollment_required
@require_POST
def fear_move(request: PatientRequest, pk: int) -> HttpResponse:
    fear_item = own(request, FearItem, pk=pk)
    direction = request.POST.get("direction")
    moved = direction in (UP, DOWN) and fear_item_move(fear_item=fear_item, direction=direction)
    if moved:
        moved_text = (
            _("Moved “%(label)s” up. It is now step %(step)s.")
            if direction == UP
            else _("Moved “%(label)s” down. It is now step %(step)s.")
        )
        status = moved_text % {"label": fear_item.label, "step": fear_item.position + 1}
    else:
        status = _("“%(label)s” did not move: it is already at that end.") % {
            "label": fear_item.label
        }
    if request.htmx:
        return render(
            request,
            f"{LADDER}#ladder-update",
            {
                "page": ladder_page(request.enrollment),
                "moved": fear_item,
                "moved_direction": direction,
                "ladder_status": status,
            },
        )
    messages.info(request, status)
    return redirect(_ladder_url(fear_item))


@enrollment_required
def exposure_plan(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    if request.method == "POST":
        form = ExposurePlanForm(
            request.POST, enrollment=enrollment, writer=Writer(enrollment, new_entry("exposure"))
        )
        if form.is_valid():
            exposure = exposure_create(enrollment=enrollment, **form.cleaned_data)
            return redirect("exposure_detail", pk=exposure.pk)
        chosen = None
    else:
        chosen = None
        fear_id = request.GET.get("fear", "")
        if fear_id.isdigit():
            chosen = own(request, FearItem, pk=int(fear_id))
        initial = {"fear_item": chosen, "predicted_harm": chosen.harm_rating} if chosen else {}
        form = ExposurePlanForm(initial=initial, enrollment=enrollment)
    return render(request, "programs/exposure/plan.html", {"form": form, "chosen": chosen})


def _render_detail(
    request: PatientRequest, exposure: Exposure, form: ExposureDoneForm | None = None
) -> HttpResponse:
    if not exposure.is_done and form is None:
        form = ExposureDoneForm()
    return render(
        request,
        "programs/exposure/detail.html",
        {
            "exposure": exposure,
            "form": form,
            "outcome": exposure_outcome(exposure, fear_item=exposure.fear_item),
        },
    )


def _own_exposure(request: PatientRequest, pk: int) -> Exposure:
    return own(request, Exposure.objects.select_related("fear_item"), pk=pk)


@enrollment_required
def exposure_detail(request: PatientRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _own_exposure(request, pk))


@enrollment_required
@require_POST
def exposure_done(request: PatientRequest, pk: int) -> HttpResponse:
    exposure = _own_exposure(request, pk)
    already = _("You already logged how this went, so nothing was changed.")
    form = ExposureDoneForm(
        request.POST, writer=Writer(exposure.enrollment, f"exposure-after:{exposure.pk}")
    )
    if exposure.is_done:
        # Logged already (a second tab): nothing changes, but what they typed is scanned
        # (programs.safety), and the page they land on shows the crisis panel.
        form.scan_unsaved()
        messages.info(request, already)
        return redirect("exposure_detail", pk=exposure.pk)
    if not form.is_valid():
        return _render_detail(request, exposure, form)
    if exposure_complete(exposure=exposure, **form.cleaned_data):
        messages.success(request, _("Logged. Well done for facing it."))
    else:
        form.scan_unsaved()  # logged a moment ago in another tab: this note was not saved
        messages.info(request, already)
    return redirect("exposure_detail", pk=exposure.pk)
