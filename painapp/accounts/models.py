"""Who people are and which practice they belong to, in which role."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone as dj_timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone we know. Pick one from the list, like Europe/London."),
            params={"value": value},
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Logins (Django's backend, createsuperuser) find accounts only: an invitee row
        # may share its address with an account and never logs in.
        return self.get(**{self.model.USERNAME_FIELD: username}, is_invitee=False)


# The longest email address the database holds (EmailField's usual column). Django's
# form EmailField allows 320, so every form that makes an account checks this first.
EMAIL_MAX_LENGTH = 254


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; the time zone drives every reminder and unlock.

    An *invitee* row (`is_invitee`) is not an account: it is what one practice typed
    when it invited an address (name, email, time zone), made for that invitation
    alone and never shared with another practice. Until the person accepts, that
    practice's membership and enrollment point at it, so the practice sees only what it
    typed, and inviting an address that has an account elsewhere looks and runs exactly
    like inviting a new one. Accepting turns the row into the person's account, or
    folds it into the account they already have (accounts.services.invitation_accept).
    An invitee row is inactive and has no password, so nobody logs in as it.
    """

    # Unique among accounts (the constraint below); invitee rows may repeat an address.
    # Translated: Django's password check names it ("too similar to your email address").
    email = models.EmailField(_("email address"), max_length=EMAIL_MAX_LENGTH, db_index=True)
    full_name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Pages, emails and reminders are in this language (settings.LANGUAGES).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # "Email me when I get a new message": the email that says a secure message is
    # waiting (tracking.messaging). Off, the message still shows in the app and the
    # menu's count; safety alerts and every other email are not affected.
    message_emails = models.BooleanField(default=True)
    # When the person last changed it: a message that came while it was off was never
    # emailed, so it does not count as "already told" once it is on again.
    message_emails_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log in to the Django admin.")
    date_joined = models.DateTimeField(default=dj_timezone.now)
    # Raised to end every session of this person at once (staff deactivation). It is
    # mixed into the session auth hash, which Django checks on every request, so each
    # old session fails that check and is flushed: no session scan, any session store.
    session_epoch = models.PositiveIntegerField(default=0)
    is_invitee = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=Q(is_invitee=False), name="user_account_email_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def greeting_name(self) -> str:
        """The name to greet the person by: the first word of their full name ("Jordan"
        for "Jordan Lee"). Names are stored whole (one `full_name`, as the practice
        typed it at invitation), so this is the first word, not a stored given name;
        without a name, the email's name, as display_name."""
        words = self.full_name.split()
        return words[0] if words else self.email.split("@")[0]

    def _get_session_auth_hash(self, secret=None) -> str:
        # Django's hash of the password, plus the session epoch once it was raised
        # (epoch 0 keeps the plain hash, so sessions made before this field survive).
        if not self.session_epoch:
            # Django 5.2 defines this on AbstractBaseUser (it is how SECRET_KEY_FALLBACKS
            # are checked); django-stubs does not list the private method.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "painapp.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Practice(models.Model):
    """A tenant: a clinic or service. Every row of patient data traces to one."""

    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    CLINICIAN = "clinician", _("Clinician")
    ADMIN = "admin", _("Practice admin")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    # Inactive until an invitation is accepted; set inactive again on deactivation.
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="membership_user_practice"),
        ]
        indexes = [models.Index(fields=["practice", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.practice}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in (Role.CLINICIAN, Role.ADMIN)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=dj_timezone.now()
        )


class Invitation(models.Model):
    """An emailed, single-use, expiring link that turns a membership on.

    The link carries a signed (invitation id, nonce) pair. Resending rotates the
    nonce, so only the newest link works; accepting or revoking stamps the row, so a
    link works once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="invitations")
    # For a patient: the clinician who will look after them.
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=64, default=secrets.token_hex)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def default_expiry():
        return dj_timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= dj_timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def practice(self) -> Practice:
        return self.membership.practice

    @property
    def role(self) -> str:
        return self.membership.role


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Who did what to whose data, when and from where. Append-only.

    `subject` is the patient whose data was touched (if any). `object_type` and
    `object_id` name the row; no names, emails or answers are stored here.
    """

    # No database constraints and DO_NOTHING: deleting a person or practice must never
    # rewrite the audit trail (the database refuses UPDATE and DELETE on this table).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    practice = models.ForeignKey(
        Practice,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=dj_timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # For a change of settings: {"field": [before, after], ...}. Settings only (never
    # names, emails or answers); people are named by their user id.
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["practice", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
