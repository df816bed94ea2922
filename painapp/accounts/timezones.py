"""A person's time zone, and what has to follow it when it changes.

A patient's reminder schedule is computed from their zone, so it must be recomputed
in the same transaction as the zone changes, whichever screen changes it (their own
time-zone page, onboarding, the Django admin). accounts cannot import tracking, so
tracking registers its recompute on `timezone_followers` (TrackingConfig.ready; see
painapp/accounts/extensions.py) and every path that changes a zone calls
`user_timezone_set` — or `timezone_changed` when the row is already saved (the Django
admin's form saves it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.models import User, validate_timezone

# Each is called as follower(user=user), inside the transaction that saved the zone.
timezone_followers: ExtensionPoint[Callable[..., None]] = ExtensionPoint("timezone_followers")


def timezone_changed(*, user: User) -> None:
    """`user.timezone` has just been saved with a new value: bring everything computed
    from it up to date. Call inside the transaction that saved it."""
    for follower in timezone_followers:
        follower(user=user)


def user_timezone_set(*, user: User, timezone_name: str) -> bool:
    """Set the person's IANA time zone and recompute what follows it, all or nothing.
    Returns whether it changed (saving the same zone again recomputes nothing)."""
    validate_timezone(timezone_name)
    with transaction.atomic():
        changed = (
            User.objects.filter(pk=user.pk)
            .exclude(timezone=timezone_name)
            .update(timezone=timezone_name)
        )
        user.timezone = timezone_name
        if changed:
            timezone_changed(user=user)
    return bool(changed)
