from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from painapp.accounts.access import admin_required
from painapp.accounts.extensions import ExtensionPoint, Notice
from painapp.accounts.models import Invitation, Membership, Practice, Role
from painapp.health.heartbeat import reminders_heartbeat
from painapp.types import MemberRequest

# Warnings other apps add to the admin's overview (tracking: an empty escalation chain,
# no safety contact): each provider takes the practice and returns its warnings.
overview_warnings: ExtensionPoint[Callable[[Practice], Iterable[Notice]]] = ExtensionPoint(
    "practice overview warnings"
)
# The overview's "active patients": accounts know members, not enrollments, so the app
# that holds enrollments (programs) gives the count (one provider; their sum if more).
overview_active_patients: ExtensionPoint[Callable[[Practice], int]] = ExtensionPoint(
    "practice overview active patients"
)


@admin_required
def practice_overview(request: MemberRequest) -> HttpResponse:
    # Staff whose membership and account are both on (a switched-off person is not one
    # of the practice's clinicians); patients by their enrollment, not their account.
    counts = Membership.objects.filter(
        practice=request.practice, is_active=True, user__is_active=True
    ).aggregate(
        clinicians=Count("pk", filter=Q(role=Role.CLINICIAN)),
        admins=Count("pk", filter=Q(role=Role.ADMIN)),
    )
    counts["patients"] = sum(count(request.practice) for count in overview_active_patients)
    pending = Invitation.objects.filter(membership__practice=request.practice).pending().count()
    return render(
        request,
        "accounts/practice_overview.html",
        {
            "counts": counts,
            "pending_invitations": pending,
            "reminders": reminders_heartbeat(),
            "warnings": [w for provider in overview_warnings for w in provider(request.practice)],
        },
    )
