"""Practice admins: the questionnaires in use, and importing one of their own.

A practice-added questionnaire is stored for that practice only. Importing changed
content with the same key makes a new version; old responses keep their own version.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from tracking.instruments import registry
from tracking.instruments.forms import InstrumentImportForm
from tracking.instruments.registry import instrument_save, sync_shipped
from tracking.models import Instrument


@admin_required
def instrument_list(request: MemberRequest) -> HttpResponse:
    if not Instrument.objects.filter(practice__isnull=True).exists():
        sync_shipped()
    rows = list(
        Instrument.objects.filter(is_current=True, practice__isnull=True)
        | Instrument.objects.filter(is_current=True, practice=request.practice)
    )
    return render(
        request,
        "tracking/practice_admin/instruments.html",
        {
            "own": sorted((_row(r) for r in rows if r.practice_id), key=lambda r: r.key),
            "shipped": sorted((_row(r) for r in rows if not r.practice_id), key=lambda r: r.key),
        },
    )


@dataclass
class InstrumentRow:
    key: str
    version: int
    items: list
    shown_title: str
    shown_licence: str
    asked_in: str  # the languages a patient can be asked it in


def _row(instrument: Instrument) -> InstrumentRow:
    """One questionnaire in the reader's language where it has one, with the languages a
    patient can be asked it in (registry.has_version_in: a check-in leaves it out in
    the others)."""
    reader = get_language()
    return InstrumentRow(
        key=instrument.key,
        version=instrument.version,
        items=instrument.items,
        shown_title=registry.title_in(instrument, reader),
        shown_licence=registry.licence_note_in(instrument, reader),
        asked_in=", ".join(
            str(registry.LANGUAGE_NAMES.get(code, name))
            for code, name in settings.LANGUAGES
            if registry.has_version_in(instrument, code)
        ),
    )


@admin_required
@require_http_methods(["GET", "POST"])
def instrument_import(request: MemberRequest) -> HttpResponse:
    form = InstrumentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        instrument, changed = instrument_save(
            definition=form.cleaned_data["definition"], practice=request.practice
        )
        if changed:
            audit(request, "instrument.imported", practice=request.practice, obj=instrument)
            messages.success(
                request,
                _("Saved “%(title)s” as version %(version)s.")
                % {"title": instrument.title, "version": instrument.version}
                + (
                    " " + _("Earlier answers stay scored by their own version.")
                    if instrument.version > 1
                    else ""
                ),
            )
        else:
            messages.info(
                request,
                _(
                    "No change: “%(title)s” is already stored with "
                    "this content (version %(version)s)."
                )
                % {"title": instrument.title, "version": instrument.version},
            )
        return redirect("admin_instruments")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "tracking/practice_admin/instrument_import.html", {"form": form}, status=status
    )
