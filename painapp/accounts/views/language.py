"""A person's own language: patients and staff alike (their account page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.forms import LanguageForm
from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Membership, User
from painapp.types import AuthedRequest

# What the page says about what the language does and does not change, in plain
# sentences (programs: which language a patient's lessons are in, and why).
language_notes: ExtensionPoint[Callable[[HttpRequest], list[str]]] = ExtensionPoint(
    "language page notes"
)
# What follows a person's language whenever it is set (language_follow: here, and when
# they accept an invitation), in the same transaction: each is called as
# follower(request=request, user=user, membership=membership), with the new language
# active, and returns what the next page tells them (programs: a patient's lessons move
# to their program's edition in that language).
language_followers: ExtensionPoint[Callable[..., list[str]]] = ExtensionPoint("language followers")
# The tag of what followers said after a save: the page's own notes say it again.
FOLLOWED = "language-followed"


def language_follow(request: HttpRequest, user: User, membership: Membership | None) -> list[str]:
    """Run every follower of `user`'s language (just set, and active), as a member of
    `membership`'s practice, in the caller's transaction; return what the next page
    tells them. The one way a language that was set reaches the program: the language
    page and the acceptance of an invitation (views.invitations) both call it."""
    return [
        sentence
        for follower in language_followers
        for sentence in follower(request=request, user=user, membership=membership)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def language(request: AuthedRequest) -> HttpResponse:
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.user.language},
    )
    if request.method == "POST" and form.is_valid():
        # The messages are shown on the next page, in the language just chosen.
        translation.activate(form.cleaned_data["language"])
        with transaction.atomic():
            request.user.language = form.cleaned_data["language"]
            request.user.save(update_fields=["language"])
            said = language_follow(request, request.user, membership_for(request))
        messages.success(request, _("Your language is saved."))
        for sentence in said:
            messages.info(request, sentence, extra_tags=FOLLOWED)
        return redirect("account_language")
    # Right after a save that moved something with the language, that is said once (the
    # messages above the page), not again by the page's notes.
    just_said = any(FOLLOWED in m.extra_tags for m in messages.get_messages(request))
    notes = [] if just_said else [note for provider in language_notes for note in provider(request)]
    return render(request, "accounts/language.html", {"form": form, "notes": notes})
