"""Reminders that could not be delivered, for the practice admin to follow up."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit, audit_reads
from painapp.types import MemberRequest
from tracking.models import Delivery
from tracking.reminders.sweep import STALE_AFTER


@admin_required
def failed_deliveries(request: MemberRequest) -> HttpResponse:
    failed = list(
        Delivery.objects.filter(
            schedule__enrollment__practice=request.practice, status=Delivery.Status.FAILED
        )
        .select_related("schedule__enrollment__patient")
        .order_by("-created_at")[:100]
    )
    if failed:
        # Each reminder listed names its patient: one event each, written at once.
        audit_reads(
            request,
            "deliveries.viewed",
            practice_id=request.practice.pk,
            reads=[
                (d.schedule.enrollment.patient_id, "tracking.delivery", str(d.pk)) for d in failed
            ],
        )
    else:
        audit(request, "deliveries.viewed", practice=request.practice)
    return render(
        request,
        "tracking/practice_admin/failed_deliveries.html",
        {"failed": failed, "stale_hours": int(STALE_AFTER.total_seconds() // 3600)},
    )
