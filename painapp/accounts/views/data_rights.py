"""A patient's own data: see what is kept, download it, delete the account.

Downloading and deleting ask for the password again unless it was entered in the last
few minutes (allauth's reauthentication, ACCOUNT_REAUTHENTICATION_TIMEOUT). Staff and
anyone who is not a patient get a 404 here, as everywhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from painapp.accounts import data_export, data_rights
from painapp.accounts.access import patient_required
from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.models import User
from painapp.types import MemberRequest


def _password_entered_recently(request: HttpRequest) -> bool:
    """True if this session's password was typed (at login or to confirm) within the
    re-authentication timeout. allauth itself only counts a separate confirmation, which
    would ask someone who logged in a minute ago for their password again."""
    # allauth keeps these records in the session; its own reauthentication reads them.
    records = get_authentication_records(request, request.user)
    return any(
        r.get("method") == "password"
        and time.time() - r.get("at", 0) < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
        for r in records
    )


# The crisis numbers for the patient's country, as "Get help now" and the crisis panel
# show them (tracking.safety.resources): the deletion hold's help. Without a provider,
# the page says to call the local emergency number.
crisis_help: ExtensionPoint[Callable[[User, int], str]] = ExtensionPoint(
    "crisis numbers on the deletion hold"
)


# Sends the person to allauth's "enter your password" page, then back here (a POST is
# kept and replayed after the password is confirmed).
password_again = reauthentication_required(enabled=lambda r: not _password_entered_recently(r))

# After the password page, a download cannot just be the answer: the browser would stay
# on the password page, the password still typed in, with no sign that anything
# happened. So the download is then started from the "Your data" page instead: it says
# the download has started and fetches the file itself (a meta refresh, no JavaScript),
# with a link to download it again. The session remembers, for as long as the password
# counts as recent, that this person may fetch the file with a GET.
ASKED_FOR_PASSWORD = "my_data_asked_for_password"  # noqa: S105 (a session key)
DOWNLOAD_READY = "my_data_download_ready"  # time the file may be fetched from
DOWNLOAD_NOTICE = "my_data_download_notice"  # show "started" once


def _remember_when_password_asked(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and not _password_entered_recently(request):
            request.session[ASKED_FOR_PASSWORD] = True
        return view(request, *args, **kwargs)

    return wrapped


def _download_ready(request: HttpRequest) -> bool:
    at = request.session.get(DOWNLOAD_READY)
    return at is not None and time.time() - at < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def self_service_only(view):
    """Patients only: a clinician or admin who is also a patient asks their admin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not data_rights.data_rights_available(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this deletes my account and everything in it, for good."),
        error_messages={
            "required": _("Tick the box to confirm, or go back if you want to keep your account.")
        },
    )


@patient_required
@self_service_only
@require_GET
@never_cache
def my_data(request: MemberRequest) -> HttpResponse:
    started = bool(request.session.pop(DOWNLOAD_NOTICE, False)) and _download_ready(request)
    return render(request, "accounts/data_rights/my_data.html", {"download_started": started})


@patient_required
@self_service_only
@require_http_methods(["GET", "POST"])
@_remember_when_password_asked
@password_again
@never_cache
def my_data_export(request: MemberRequest) -> HttpResponse:
    """POST: the download button. GET: only the file fetched from the "Your data" page
    just after the password was asked for (see DOWNLOAD_READY); otherwise 405."""
    if request.method == "GET" and not _download_ready(request):
        return HttpResponseNotAllowed(["POST"])
    if request.method == "POST" and request.session.pop(ASKED_FOR_PASSWORD, False):
        request.session[DOWNLOAD_READY] = time.time()
        request.session[DOWNLOAD_NOTICE] = True
        return redirect("my_data")
    export = data_export.data_export_build(user=request.user, request=request)
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@patient_required
@self_service_only
@require_http_methods(["GET", "POST"])
@password_again
@never_cache
def account_delete(request: MemberRequest) -> HttpResponse:
    if data_rights.deletion_on_hold(request.user):
        return _on_hold(request)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data_rights.account_delete(user=request.user)
        except data_rights.DeletionOnHold:  # a safety alert raised since the check above
            return _on_hold(request)
        logout(request)
        return redirect("account_deleted")
    return render(request, "accounts/data_rights/delete_confirm.html", {"form": form})


def _on_hold(request: MemberRequest) -> HttpResponse:
    """Not yet: the care team is still following up a safety alert (409 to a POST)."""
    return render(
        request,
        "accounts/data_rights/delete_on_hold.html",
        {"crisis_html": next((p(request.user, request.practice.pk) for p in crisis_help), "")},
        status=409 if request.method == "POST" else 200,
    )


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data_rights/deleted.html")
