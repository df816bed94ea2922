from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from painapp.accounts.forms import ChoosePracticeForm
from painapp.accounts.middleware import SESSION_MEMBERSHIP_KEY, membership_for
from painapp.accounts.models import Role
from painapp.types import AuthedRequest

ROLE_HOMES = {
    Role.PATIENT: "today",
    Role.CLINICIAN: "caseload",
    Role.ADMIN: "practice_overview",
}


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their role's home; explain if they have no practice."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    membership = membership_for(request)
    if membership is None:
        return render(request, "accounts/no_membership.html", status=403)
    return redirect(ROLE_HOMES[membership.role])


@login_required
@require_http_methods(["GET", "POST"])
def choose_practice(request: AuthedRequest) -> HttpResponse:
    form = ChoosePracticeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_MEMBERSHIP_KEY] = form.cleaned_data["membership"].pk
        return redirect("home")
    return render(request, "accounts/choose_practice.html", {"form": form})
