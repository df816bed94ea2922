"""Each account's allauth EmailAddress rows: exactly one, the address it logs in with.

allauth finds people by address in two places, its EmailAddress rows and User.email
(login by email and the password reset both look in both). A row naming any other
address would let that address reach the account too: log in to it, or get a reset
link for it along with the address's real owner. So whenever an account's address or
state is saved, its rows are made to match User.email: that one address, verified (the
practice's invitation proved it, or a site admin typed it) and primary. An invitee row
(not an account yet) or a switched-off account has none: nobody logs in as either.

Nobody changes an address themselves: allauth's email pages are switched off
(painapp/urls.py); a site admin changes it in the Django admin, and this follows.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models.signals import post_save

from painapp.accounts.models import User

# A save that writes none of these leaves the rows as they were (a login's last_login).
_FIELDS = {"email", "is_invitee", "is_active"}


def sync_email_addresses(user: Any, email_address_model: Any = EmailAddress) -> None:
    """Make `user`'s EmailAddress rows match its login address (the migration that
    cleaned older rows passes its own historical model)."""
    rows = email_address_model.objects.filter(user_id=user.pk)
    if user.is_invitee or not user.is_active or not user.email:
        rows.delete()
        return
    email = user.email.lower()  # allauth keeps its addresses in lower case
    rows.exclude(email=email).delete()
    email_address_model.objects.update_or_create(
        user_id=user.pk, email=email, defaults={"verified": True, "primary": True}
    )


def _user_saved(sender, instance: User, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw or (update_fields is not None and not _FIELDS & set(update_fields)):
        return
    sync_email_addresses(instance)


def connect_signals() -> None:
    post_save.connect(_user_saved, sender=User, dispatch_uid="painapp_email_addresses")
