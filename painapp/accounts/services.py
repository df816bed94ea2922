"""Writes with side effects for accounts: invitations and their acceptance."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.emails import send_email
from painapp.accounts.models import Invitation, Membership, Practice, Role, User
from painapp.accounts.timezones import timezone_changed

logger = logging.getLogger(__name__)

_TOKEN_SALT = "painapp.invitation"


def invitation_token(invitation: Invitation) -> str:
    """A signed (id, nonce) pair. It names no person, so it is safe in a URL."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=_TOKEN_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


class InvitationUnusable(Exception):
    """Why a link cannot be used: 'invalid', 'expired', 'used' or 'revoked'."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def invitation_from_token(token: str) -> Invitation:
    max_age = settings.INVITATION_MAX_AGE_DAYS * 86400
    try:
        pk, nonce = signing.loads(token, salt=_TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationUnusable("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitationUnusable("invalid") from None
    invitation = (
        Invitation.objects.select_related("membership__user", "membership__practice")
        .filter(pk=pk)
        .first()
    )
    if invitation is None or not secrets.compare_digest(str(nonce), invitation.nonce):
        # A resent invitation rotates the nonce: older links stop working.
        raise InvitationUnusable("invalid")
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable("used", invitation)
    if status == Invitation.Status.REVOKED:
        raise InvitationUnusable("revoked", invitation)
    if status == Invitation.Status.EXPIRED:
        raise InvitationUnusable("expired", invitation)
    return invitation


@dataclass(frozen=True)
class InvitationRequest:
    email: str
    full_name: str
    role: str
    timezone: str = "UTC"
    clinician: User | None = None


def invitation_create(
    *, practice: Practice, invited_by: User, request: InvitationRequest, send: bool = True
) -> Invitation:
    """Invite someone to `practice` in a role. Creates the (inactive) account if needed.

    The membership stays inactive until the link is accepted, so an invited person
    sees nothing of the practice before then.
    """
    email = request.email.strip().lower()
    if request.role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if request.role == Role.PATIENT:
        if request.clinician is None:
            raise ValidationError({"clinician": "Choose the clinician who will look after them."})
        if not Membership.objects.filter(
            user=request.clinician, practice=practice, role=Role.CLINICIAN, is_active=True
        ).exists():
            raise ValidationError({"clinician": "That clinician is not active in this practice."})

    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, full_name=request.full_name.strip(), timezone=request.timezone
            )
        membership = Membership.objects.filter(user=user, practice=practice).first()
        if membership is not None and membership.is_active:
            raise ValidationError({"email": "This person is already a member of your practice."})
        if membership is not None and membership.invitations.pending().exists():
            raise ValidationError(
                {"email": "This person already has an invitation waiting. You can resend it "
                          "from the invitations list."}
            )
        if membership is None:
            membership = Membership.objects.create(
                user=user, practice=practice, role=request.role, is_active=False
            )
        elif membership.role != request.role:
            membership.role = request.role
            membership.save(update_fields=["role"])
        invitation = Invitation.objects.create(
            membership=membership,
            clinician=request.clinician if request.role == Role.PATIENT else None,
            invited_by=invited_by,
            expires_at=Invitation.default_expiry(),
        )
    if send:
        invitation_send(invitation)
    return invitation


def invitation_send(invitation: Invitation) -> bool:
    """Email the link. Returns False (and logs, without the address) if sending failed."""
    membership = invitation.membership
    try:
        send_email(
            "emails/invitation",
            to=membership.user.email,
            context={
                "invitation": invitation,
                "practice": membership.practice,
                "role": membership.get_role_display(),
                "is_patient": membership.role == Role.PATIENT,
                "name": membership.user.full_name,
                "url": invitation_url(invitation),
                "expires_at": invitation.expires_at,
            },
        )
    except OSError as error:
        # EmailNotSent says what failed without the address; no traceback needed.
        logger.warning("Invitation %s could not be sent: %s", invitation.pk, error)
        return False
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now(), send_count=invitation.send_count + 1
    )
    invitation.send_count += 1
    return True


def invitation_resend(invitation: Invitation) -> bool:
    """A fresh link and a fresh expiry; the old link stops working."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation was already used or revoked.")
    invitation.nonce = secrets.token_hex()
    invitation.expires_at = Invitation.default_expiry()
    invitation.save(update_fields=["nonce", "expires_at"])
    return invitation_send(invitation)


def invitation_revoke(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_accept(
    *, invitation: Invitation, password: str | None, timezone_name: str | None
) -> User:
    """Set the password, switch the membership on, and spend the link — exactly once.

    `password=None` is for someone who already has an account (at another practice)
    and is logged in as the invited user: their password stays as it is.
    """
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .select_related("membership__user")
            .get(pk=invitation.pk)
        )
        if locked.status != Invitation.Status.PENDING:
            raise InvitationUnusable(
                "used" if locked.accepted_at else "revoked" if locked.revoked_at else "expired",
                locked,
            )
        user = locked.membership.user
        if password is not None:
            validate_password(password, user)
            user.set_password(password)
        moved = bool(timezone_name) and timezone_name != user.timezone
        if timezone_name:
            user.timezone = timezone_name
        user.is_active = True
        user.save(update_fields=["password", "timezone", "is_active"])
        if moved:
            timezone_changed(user=user)  # their reminders, in this transaction
        Membership.objects.filter(pk=locked.membership_id).update(is_active=True)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user
