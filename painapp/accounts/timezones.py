"""A person's time zone, and what has to follow it when it changes.

A patient's reminder schedule is computed from their zone, so it must be recomputed
in the same transaction as the zone changes, whichever screen changes it (their own
time-zone page, onboarding, accepting an invitation, the Django admin). accounts
cannot import tracking (tracking depends on accounts, never the reverse), so tracking
registers its recompute here when it loads (TrackingConfig.ready) and every path that
changes a zone calls `user_timezone_set` — or `timezone_changed` when the row is
already saved (the Django admin's form saves it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from painapp.accounts.models import User, validate_timezone

TimezoneFollower = Callable[..., None]  # called as follower(user=user)
_followers: list[TimezoneFollower] = []


def follow_timezone_changes(follower: TimezoneFollower) -> None:
    """Run `follower(user=…)` in the transaction of every time-zone change."""
    if follower not in _followers:
        _followers.append(follower)


def timezone_changed(*, user: User) -> None:
    """`user.timezone` has just been saved with a new value: bring everything computed
    from it up to date. Call inside the transaction that saved it."""
    for follower in _followers:
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
