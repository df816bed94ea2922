"""Accepting an invitation (anyone with the link) and managing them (practice admins)."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from painapp.accounts import services, throttle
from painapp.accounts.access import admin_required, practice_object_or_404
from painapp.accounts.audit import audit, audit_reads
from painapp.accounts.forms import AcceptInvitationForm, InvitationForm
from painapp.accounts.middleware import SESSION_MEMBERSHIP_KEY
from painapp.accounts.models import Invitation, Role
from painapp.accounts.views.language import language_follow
from painapp.types import MemberRequest

_UNUSABLE_STATUS = {"invalid": 404, "expired": 410, "used": 410, "revoked": 410}


@never_cache  # it names the practice and the invited address: not for a shared disk cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    if not throttle.allow(request, "invitation", limit=20, period=300):
        return render(request, "accounts/throttled.html", status=429)
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationUnusable as unusable:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": unusable.reason},
            status=_UNUSABLE_STATUS[unusable.reason],
        )

    invited = invitation.membership.user
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in dict(settings.LANGUAGES)
    if invited.language and not chosen and invited.language != request.LANGUAGE_CODE:
        # Invited in their own language: the link opens in it, whatever the browser says
        # (unless they chose another on the page, partials/language_choice.html).
        translation.activate(invited.language)
        request.LANGUAGE_CODE = invited.language
    account = services.invitation_account(invitation)
    if account is not None and not account.is_active:
        # Switched off for the whole site: an invitation never switches it back on.
        return render(
            request, "accounts/invitation_unusable.html", {"reason": "disabled"}, status=403
        )
    if account is not None and request.user != account:
        # Someone who already has an account joins with their own password.
        return render(
            request,
            "accounts/invitation_login_first.html",
            {"invitation": invitation, "next": request.get_full_path()},
        )

    # Someone with an account already has a password and a time zone: nothing to ask.
    form: AcceptInvitationForm | None = None
    if account is None:
        form = AcceptInvitationForm(
            request.POST if request.method == "POST" else None,
            user=invited,
            initial={"timezone": invited.timezone},
        )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"] if form else None,
                timezone_name=form.cleaned_data["timezone"] if form else None,
                account=account,
            )
        except services.InvitationUnusable as unusable:
            if unusable.reason == "account":  # the address got an account just now
                return render(
                    request,
                    "accounts/invitation_login_first.html",
                    {"invitation": invitation, "next": request.get_full_path()},
                )
            return render(
                request,
                "accounts/invitation_unusable.html",
                {"reason": unusable.reason},
                status=403 if unusable.reason == "disabled" else 410,
            )
        invitation.refresh_from_db(fields=["membership"])  # joining may keep the account's own
        audit(
            request,
            "invitation.accepted",
            practice=invitation.practice,
            subject=user,
            obj=invitation,
            actor=user,
        )
        if account is None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # They chose and typed their password twice just now: that counts as
            # entering it again, so setting up two-step login (staff go there next)
            # does not ask for it a third time (allauth counts only such records).
            record_authentication(
                request, user, method="password", email=user.email, reauthenticated=True
            )
        request.session[SESSION_MEMBERSHIP_KEY] = invitation.membership_id
        with transaction.atomic():
            if account is None and user.language != request.LANGUAGE_CODE:
                # The new account keeps the language its owner read and accepted in.
                user.language = request.LANGUAGE_CODE
                user.save(update_fields=["language"])
            # What follows a language set on the language page follows this one too
            # (programs: the program chosen in the invitation's language moves to its
            # edition in the account's, audited and listed for the clinician). An
            # account that joins keeps its own language, and its program follows it.
            translation.activate(user.language)
            said = language_follow(request, user, invitation.membership)
        # Not "Welcome": the patient's next page (onboarding) says it already.
        messages.success(
            request,
            _("Your account is ready. You have joined %(practice)s.")
            % {"practice": invitation.practice.name},
        )
        for sentence in said:
            messages.info(request, sentence)
        return redirect("home")
    return render(
        request, "accounts/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _invitation_for_admin(request: MemberRequest, pk: int) -> Invitation:
    """An invitation of the admin's own practice, or 404."""
    return practice_object_or_404(
        request,
        Invitation.objects.select_related("membership__user", "membership__practice"),
        pk,
        membership__practice=request.practice,
    )


@admin_required
def invitation_list(request: MemberRequest) -> HttpResponse:
    invitations = (
        Invitation.objects.filter(membership__practice=request.practice)
        .select_related("membership__user", "clinician", "invited_by")
        .order_by("-created_at")[:200]
    )
    # Each patient invited is a read of their name and email: one event each, at once.
    audit_reads(
        request,
        "invitation.list_viewed",
        practice_id=request.practice.pk,
        reads=[
            (i.membership.user_id, "accounts.invitation", str(i.pk))
            for i in invitations
            if i.membership.role == Role.PATIENT
        ],
    )
    return render(request, "accounts/invitation_list.html", {"invitations": invitations})


@admin_required
@require_http_methods(["GET", "POST"])
def invitation_create(request: MemberRequest) -> HttpResponse:
    form = InvitationForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
        initial={"role": "clinician"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                practice=request.practice,
                invited_by=request.user,
                request=services.InvitationRequest(
                    email=data["email"],
                    full_name=data["full_name"],
                    role=data["role"],
                    timezone=data["timezone"],
                    language=data.get("language") or "en",
                ),
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit(
                request,
                "invitation.created",
                practice=request.practice,
                subject=invitation.membership.user,
                obj=invitation,
            )
            if invitation.send_count:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": data["email"]}
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The invitation was saved, but the email could not "
                        "be sent. Try “Resend” in a few minutes."
                    ),
                )
            return redirect("invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


@admin_required
@require_POST
def invitation_resend(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = _invitation_for_admin(request, pk)
    try:
        sent = services.invitation_resend(invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        audit(
            request,
            "invitation.resent",
            practice=request.practice,
            subject=invitation.membership.user,
            obj=invitation,
        )
        if sent:
            messages.success(request, _("A new link was sent. The old link no longer works."))
        else:
            messages.warning(request, _("The email could not be sent. Please try again later."))
    return redirect("invitation_list")


@admin_required
@require_POST
def invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = _invitation_for_admin(request, pk)
    try:
        services.invitation_revoke(invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        audit(
            request,
            "invitation.revoked",
            practice=request.practice,
            subject=invitation.membership.user,
            obj=invitation,
        )
        messages.success(request, _("The invitation was revoked. Its link no longer works."))
    return redirect("invitation_list")
