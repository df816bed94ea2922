"""A person's own "email me when I get a new message": patients and staff alike.

The switch is shown on the patient's Reminders page and on everyone's account page;
both post here and come back to the page they were on. This page shows it alone too
(and its errors, should anything but a tick or an empty box be posted)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.forms import MessageEmailsForm
from painapp.accounts.services import user_message_emails_set
from painapp.types import AuthedRequest

# The pages that show the switch, where saving it goes back to (nowhere else).
RETURN_TO = ("reminder_settings", "account_change_password", "account_message_emails")


def _return_to(request: AuthedRequest) -> str:
    wanted = request.POST.get("next", "")
    return next(
        (url for url in (reverse(name) for name in RETURN_TO) if url == wanted),
        reverse("account_message_emails"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def message_emails(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        form = MessageEmailsForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["message_emails"]
            user_message_emails_set(user=request.user, on=on)
            if on:
                saved = _("Saved. We will email you when you get a new message.")
            else:
                saved = _(
                    "Saved. We will not email you about new messages. "
                    "You will still see them in the app."
                )
            messages.success(request, saved)
            return redirect(_return_to(request))
        return render(request, "accounts/message_emails.html", {"form": form}, status=400)
    form = MessageEmailsForm(initial={"message_emails": request.user.message_emails})
    return render(request, "accounts/message_emails.html", {"form": form})
