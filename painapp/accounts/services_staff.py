"""Writes for managing staff: ending someone's sessions, switching a membership off.

Moving a clinician's patients to a colleague is a programs concern
(programs/services_admin.py), which calls these once the caseload is handed over.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership, User


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
        Invitation.objects.filter(membership=membership, accepted_at__isnull=True,
                                  revoked_at__isnull=True).update(revoked_at=timezone.now())
        user_sessions_end(user=membership.user)
