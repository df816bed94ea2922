"""The patient's pain and fear diary: the list, a new episode, edit and delete.

Only the patient's own episodes, through their enrollment (programs.access.own: 404
for anyone else's). A crisis phrase in what they wrote takes them straight to "Get
help now" (and the care team gets the urgent alert: tracking.diary.services)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from painapp import edit_version
from programs.access import enrollment_required, own
from programs.models import Reflection
from programs.safety import Writer, new_entry
from programs.types import PatientRequest
from tracking.diary import selectors, services
from tracking.diary.forms import DiaryEntryForm
from tracking.diary.models import DiaryEntry


@require_GET
@enrollment_required
def diary_list(request: PatientRequest) -> HttpResponse:
    # A page number, however long (past the end: the last page); anything else, page 1.
    typed = request.GET.get("page", "").strip()
    page = 1
    if typed.isascii() and typed.isdigit():
        page = int(typed) if len(typed) <= 7 else selectors.MAX_PAGE
    entries, more, page = selectors.diary_page(request.enrollment, page)
    return render(
        request,
        "tracking/patient/diary/list.html",
        {
            "entries": [(e, selectors.clue_text(e)) for e in entries],
            "page": page,
            "more": more,
            "tz": request.user.timezone,
        },
    )


def _form(request: PatientRequest, source: str, entry: DiaryEntry | None = None) -> DiaryEntryForm:
    # Sent back (a check or the service refused it), what they typed is still scanned.
    return DiaryEntryForm(
        request.POST if request.method == "POST" else None,
        initial=DiaryEntryForm.initial_for(entry, request.enrollment.patient.tzinfo)
        if entry
        else None,
        row=entry,
        writer=Writer(request.enrollment, source),
        tz=request.enrollment.patient.tzinfo,
        now=timezone.now(),
        clues=selectors.patient_clues(request.enrollment),
    )


# The service's names for what the form asks as other fields.
SERVICE_FIELDS = {"occurred_at": "at"}


def _save(
    request: PatientRequest, form: DiaryEntryForm, entry: DiaryEntry | None
) -> HttpResponse | None:
    """Save and go on; or None, with the service's refusal on the form. The service
    checks again what the form checked (a clue unticked in another tab meanwhile, a
    time that slipped out of range), and the patient keeps everything they typed.
    An edit from a page opened before the entry's last save raises EditConflict."""
    choice = form.clue_choice()
    clue = (
        Reflection.objects.filter(enrollment=request.enrollment, pk=choice[0]).first()
        if choice
        else None
    )
    try:
        saved = services.diary_entry_save(
            enrollment=request.enrollment,
            episode=form.episode(clue),
            entry=entry,
            client_token=form.cleaned_data["client_token"] if entry is None else None,
            edited_from=form.edited_version() if entry is not None else None,
        )
    except ValidationError as refused:
        by_field = (
            refused.message_dict if hasattr(refused, "error_dict") else {"": refused.messages}
        )
        for name, errors in by_field.items():
            field = SERVICE_FIELDS.get(name, name)
            form.add_error(field if field in form.fields else None, errors)
        return None
    if saved.crisis and saved.seen_before:
        # The same words as an alert the care team already dealt with: nobody was told
        # now (tracking.safety.scanner), so the patient is not told they were.
        messages.warning(
            request,
            _(
                "Your entry is saved. What you wrote sounds very hard. You do not have to "
                "face this alone: here is where to get help now. Your care team was already "
                "told about these same words, so we have not told them again. To talk with "
                "them about it, please get in touch with your clinic."
            ),
        )
        return redirect("get_help")
    if saved.crisis:
        # Also when sent again (a lost response retried): the patient sees help again.
        messages.warning(
            request,
            _(
                "Your entry is saved. What you wrote sounds very hard. You do not have to "
                "face this alone: here is where to get help now. Your care team has been told."
            ),
        )
        return redirect("get_help")
    if not saved.created:
        # Sent again (Back, then Save): the entry is there once.
        messages.info(request, _("This entry was already saved to your diary."))
        return redirect("diary_list")
    messages.success(request, _("Saved to your diary."))
    return redirect("diary_list")


@require_http_methods(["GET", "POST"])
@enrollment_required
def diary_new(request: PatientRequest) -> HttpResponse:
    form = _form(request, new_entry("diary"))
    if (
        request.method == "POST"
        and form.is_valid()
        and (done := _save(request, form, None)) is not None
    ):
        return done
    return render(
        request,
        "tracking/patient/diary/form.html",
        {"form": form, "entry": None, "saved_now": edit_version.saved_now(form, None)},
        status=422 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@enrollment_required
def diary_edit(request: PatientRequest, pk: int) -> HttpResponse:
    """Change an episode. Saved from a page opened before the entry's last save
    (another tab, another device), nothing is saved (painapp.edit_version): the form
    comes back with what they typed, what is saved now under each part that differs,
    and the new version, to save again once they have put the two together; what they
    typed is scanned as not saved (programs.safety)."""
    entry = own(request, DiaryEntry, pk=pk)
    form = _form(request, f"diary:{entry.pk}", entry)
    conflict: DiaryEntry | None = None
    if request.method == "POST" and form.is_valid():
        try:
            done = _save(request, form, entry)
        except edit_version.EditConflict as changed:
            done, conflict = None, cast(DiaryEntry, changed.row)
            form.scan_unsaved()
            form.rebase(conflict)
        if done is not None:
            return done
    saved_now = edit_version.saved_now(
        form,
        DiaryEntryForm.initial_for(conflict, request.enrollment.patient.tzinfo)
        if conflict
        else None,
    )
    return render(
        request,
        "tracking/patient/diary/form.html",
        {"form": form, "entry": entry, "conflict": conflict is not None, "saved_now": saved_now},
        status=(409 if conflict is not None else 422) if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@enrollment_required
def diary_delete(request: PatientRequest, pk: int) -> HttpResponse:
    entry = own(request, DiaryEntry, pk=pk)
    if request.method == "POST":
        services.diary_entry_delete(enrollment=request.enrollment, entry=entry)
        messages.success(request, _("The entry is deleted."))
        return redirect("diary_list")
    return render(request, "tracking/patient/diary/delete.html", {"entry": entry})
