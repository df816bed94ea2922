"""A person's own language: patients and staff alike (their account page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.forms import LanguageForm
from painapp.types import AuthedRequest

# What else a change of language does not change, in plain sentences for the page
# (programs: a patient's lessons stay in the language their program started in).
language_notes: ExtensionPoint[Callable[[HttpRequest], list[str]]] = ExtensionPoint(
    "language page notes"
)


@login_required
@require_http_methods(["GET", "POST"])
def language(request: AuthedRequest) -> HttpResponse:
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        # The message is shown on the next page, in the language just chosen.
        translation.activate(request.user.language)
        messages.success(request, _("Your language is saved."))
        return redirect("account_language")
    notes = [note for provider in language_notes for note in provider(request)]
    return render(request, "accounts/language.html", {"form": form, "notes": notes})
