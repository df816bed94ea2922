"""Writes with side effects for accounts: invitations and their acceptance, ending a
person's sessions, and their own "email me when I get a new message"."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from painapp.accounts.emails import send_email
from painapp.accounts.models import AuditEvent, Invitation, Membership, Practice, Role, User

logger = logging.getLogger(__name__)

_TOKEN_SALT = "painapp.invitation"


def invitation_token(invitation: Invitation) -> str:
    """A signed (id, nonce) pair. It names no person, so it is safe in a URL."""
    return signing.dumps([invitation.pk, invitation.nonce], salt=_TOKEN_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


class InvitationUnusable(Exception):
    """Why a link cannot be used: 'invalid', 'expired', 'used' or 'revoked'; or, for
    this person, 'account' (they have an account: log in to it to accept) or
    'disabled' (their account is switched off, and accepting does not switch it on)."""

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
    # The invitee's language (settings.LANGUAGES): their invitation email, their pages,
    # and for a patient the program version (programs.services.version_for_patient).
    # Stored on the invitee row only: an account keeps the language its owner chose.
    language: str = "en"


def invitation_create(
    *, practice: Practice, invited_by: User, request: InvitationRequest, send: bool = True
) -> Invitation:
    """Invite someone to `practice` in a role.

    Whom the address belongs to outside this practice is never looked up. Unless the
    practice already knows the person (a member, a former member, someone it invited
    before), the invitation gets a fresh invitee row (`User.is_invitee`) holding only
    what the admin typed, whether or not the address has an account elsewhere. So the
    practice sees only what it typed until the person accepts, and nothing it can
    observe (page, message, email, the statements run) says whether the address is
    known elsewhere. The membership stays inactive until the link is accepted, so an
    invited person sees nothing of the practice before then.
    """
    email = request.email.strip().lower()
    if request.language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language from the list.")})
    if request.role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if request.role == Role.PATIENT:
        if request.clinician is None:
            raise ValidationError(
                {"clinician": _("Choose the clinician who will look after them.")}
            )
        if not Membership.objects.filter(
            user=request.clinician, practice=practice, role=Role.CLINICIAN, is_active=True
        ).exists():
            raise ValidationError(
                {"clinician": _("That clinician is not active in this practice.")}
            )

    with transaction.atomic():
        # One invitation at a time per practice, so two admins (or an invitation and a
        # bulk import) inviting one address at once cannot make two rows for it. NO KEY
        # UPDATE does not block the inserts that reference the practice.
        Practice.objects.select_for_update(no_key=True).filter(pk=practice.pk).exists()
        membership = (
            Membership.objects.filter(practice=practice, user__email=email)
            .select_related("user")
            .order_by("user__is_invitee")
            .first()
        )
        if membership is not None and membership.is_active:
            raise ValidationError({"email": _("This person is already a member of your practice.")})
        if membership is not None and membership.invitations.pending().exists():
            raise ValidationError(
                {
                    "email": _(
                        "This person already has an invitation waiting. You can resend it "
                        "from the invitations list."
                    )
                }
            )
        if membership is None:
            user = User.objects.create_user(
                email=email,
                full_name=request.full_name.strip(),
                timezone=request.timezone,
                language=request.language,
                is_invitee=True,
                is_active=False,
            )
            membership = Membership.objects.create(
                user=user, practice=practice, role=request.role, is_active=False
            )
        else:
            if membership.user.is_invitee:
                # Invited here before: this practice's own row takes what it typed now.
                invitee = membership.user
                invitee.full_name = request.full_name.strip()
                invitee.timezone = request.timezone
                invitee.language = request.language
                invitee.save(update_fields=["full_name", "timezone", "language"])
            if membership.role != request.role:
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


_lower_lazy = lazy(lambda text: str(text).lower(), str)


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
                # Lazy: in the invitee's language (send_email's override), not the admin's.
                "role": _lower_lazy(Role(membership.role).label),
                "is_patient": membership.role == Role.PATIENT,
                "name": membership.user.full_name,
                "url": invitation_url(invitation),
                "expires_at": invitation.expires_at,
            },
            language=membership.user.language,
            tz=membership.user.tzinfo,
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
        raise ValidationError(_("This invitation was already used or revoked."))
    invitation.nonce = secrets.token_hex()
    invitation.expires_at = Invitation.default_expiry()
    invitation.save(update_fields=["nonce", "expires_at"])
    return invitation_send(invitation)


def invitation_revoke(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was already accepted."))
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def invitation_account(invitation: Invitation) -> User | None:
    """The account the invited person already has, if any.

    That is the invited row itself when the practice invited someone it knew (a former
    member), else the account that has the invitation's address. Asked only for the
    holder of the link, never for the inviting practice.
    """
    invited = invitation.membership.user
    if not invited.is_invitee:
        return invited
    return User.objects.filter(email=invited.email, is_invitee=False).first()


def invitation_accept(
    *,
    invitation: Invitation,
    password: str | None = None,
    timezone_name: str | None = None,
    account: User | None = None,
) -> User:
    """Switch the membership on and spend the link — exactly once.

    With `account` (the person's own account, logged in) the invitation joins that
    account: the invitee row's membership, enrollment and anything else that names it
    become the account's, and the account itself is not changed — not its password,
    name or time zone, and a switched-off account is refused, never switched back on.
    No other practice's membership is touched. Without `account`, the invitee row
    becomes the person's account with `password`, unless the address has an account
    by now (then they must log in to it: InvitationUnusable('account')).
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
        invited = locked.membership.user
        membership = locked.membership
        if account is None:
            user = _invitee_become_account(locked, invited, password, timezone_name)
        else:
            if not account.is_active:
                raise InvitationUnusable("disabled", locked)
            if account.is_invitee or account.email != invited.email:
                raise InvitationUnusable("invalid", locked)
            if account.pk != invited.pk:
                membership = _invitee_merge(invitee=invited, account=account, membership=membership)
            user = account
        Membership.objects.filter(pk=membership.pk).update(is_active=True)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user


def _invitee_become_account(
    invitation: Invitation, invited: User, password: str | None, timezone_name: str | None
) -> User:
    if (
        not invited.is_invitee
        or password is None
        or User.objects.filter(email=invited.email, is_invitee=False).exists()
    ):
        raise InvitationUnusable("account", invitation)
    validate_password(password, invited)
    invited.set_password(password)
    if timezone_name:
        invited.timezone = timezone_name
    invited.is_invitee = False
    invited.is_active = True
    try:
        with transaction.atomic():
            invited.save(update_fields=["password", "timezone", "is_invitee", "is_active"])
    except IntegrityError:
        # Another practice's invitation to this address became its account just now.
        raise InvitationUnusable("account", invitation) from None
    return invited


def _invitee_merge(*, invitee: User, account: User, membership: Membership) -> Membership:
    """Give the account everything that names the invitee row; return the membership.

    Every foreign key to User is followed (found from the models, so a table added
    later is not forgotten) except the audit trail's, which is append-only and keeps
    the invitee's id. The row itself then keeps no name or address.
    """
    own = Membership.objects.filter(user=account, practice_id=membership.practice_id).first()
    if own is not None:
        # The account joined this practice some other way meanwhile: keep its row.
        Invitation.objects.filter(membership=membership).update(membership=own)
        Membership.objects.filter(pk=own.pk).update(role=membership.role)
        membership.delete()
        membership = own
    else:
        Membership.objects.filter(pk=membership.pk).update(user=account)
    for model in apps.get_models():
        if model in (Membership, AuditEvent):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                model._base_manager.filter(**{field.name: invitee}).update(**{field.name: account})
    User.objects.filter(pk=invitee.pk).update(
        email=f"joined-{invitee.pk}@invalid", full_name="", timezone="UTC"
    )
    return membership


# ---------------------------------------------------------------- staff
# Moving a clinician's patients to a colleague is a programs concern
# (programs/enrollments.py), which calls these once the caseload is handed over.
def user_sessions_end(*, user: User) -> None:
    """End every session `user` has, on every device, at once.

    Raising `session_epoch` changes the user's session auth hash. Django compares the
    hash stored in each session with the user's current one on every request and
    flushes the session when they differ, so each open session ends on its very next
    request, whatever the session store (database, cache, signed cookies) and without
    scanning sessions. Logging in again makes a new, valid session.
    """
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def membership_deactivate(*, membership: Membership) -> None:
    """Switch a membership off: no access to the practice from now on.

    Their sessions end at once and any invitation still waiting for them is revoked,
    so an old link cannot switch the membership back on. To bring someone back,
    invite them again (the same membership is reused).
    """
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        membership.is_active = False
        Invitation.objects.filter(
            membership=membership, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        user_sessions_end(user=membership.user)


def user_message_emails_set(*, user: User, on: bool) -> bool:
    """Turn the person's "email me when I get a new message" on or off. Returns whether
    it changed: saving the same choice again changes nothing, not even its time (the
    message email counts only messages since it was last turned on as already told)."""
    now = timezone.now()
    changed = (
        User.objects.filter(pk=user.pk)
        .exclude(message_emails=on)
        .update(message_emails=on, message_emails_changed_at=now)
    )
    if changed:
        user.message_emails, user.message_emails_changed_at = on, now
    return bool(changed)
