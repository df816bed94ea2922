"""A person's own time zone: patients and staff alike (their account page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.forms import TimeZoneForm
from painapp.accounts.timezones import user_timezone_set
from painapp.types import AuthedRequest


@login_required
@require_http_methods(["GET", "POST"])
def time_zone(request: AuthedRequest) -> HttpResponse:
    form = TimeZoneForm(
        request.POST if request.method == "POST" else None,
        initial={"timezone": request.user.timezone},
    )
    if request.method == "POST" and form.is_valid():
        # Reminders are recomputed in the same transaction (see accounts.timezones).
        if user_timezone_set(user=request.user, timezone_name=form.cleaned_data["timezone"]):
            messages.success(
                request, _("Your time zone is saved. Reminders follow it from now on.")
            )
        else:
            messages.success(request, _("Your time zone is unchanged."))
        return redirect("account_time_zone")
    return render(request, "accounts/time_zone.html", {"form": form})
