"""Who an alert can reach: one rule for the escalation chain, the alert's first
notice to the patient's clinician, and the practice's safety settings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from painapp.accounts.models import Membership, Role


def active_staff(practice_ids: Iterable[int] | None = None) -> QuerySet[Membership]:
    """Who an alert can reach: the practice's admins and clinicians whose membership
    and whose account are both on. A person switched off either way is nobody to the
    chain: their step is passed over, and the safety contact's place at the end of it
    goes to every active admin."""
    found = Membership.objects.filter(
        role__in=(Role.ADMIN, Role.CLINICIAN), is_active=True, user__is_active=True
    )
    return found if practice_ids is None else found.filter(practice_id__in=list(practice_ids))
