from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from painapp.accounts.access import admin_required
from painapp.accounts.models import Invitation, Membership, Role
from painapp.health.heartbeat import reminders_heartbeat
from painapp.types import MemberRequest


@admin_required
def practice_overview(request: MemberRequest) -> HttpResponse:
    counts = Membership.objects.filter(practice=request.practice, is_active=True).aggregate(
        clinicians=Count("pk", filter=Q(role=Role.CLINICIAN)),
        patients=Count("pk", filter=Q(role=Role.PATIENT)),
        admins=Count("pk", filter=Q(role=Role.ADMIN)),
    )
    pending = Invitation.objects.filter(membership__practice=request.practice).pending().count()
    return render(
        request,
        "accounts/practice_overview.html",
        {"counts": counts, "pending_invitations": pending, "reminders": reminders_heartbeat()},
    )
