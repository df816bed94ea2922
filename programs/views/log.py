"""My log: the patient's own history of practice, exposures and written answers."""

from __future__ import annotations

import datetime
from typing import cast

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from programs import selectors
from programs.access import enrollment_required
from programs.models import PracticeSession
from programs.practice.services import sensations_as_now
from programs.types import PatientRequest

UTC = datetime.UTC

PAGE = 30


@enrollment_required
def my_log(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    try:
        before = parse_datetime(request.GET.get("before", "") or "")
    except ValueError:
        before = None
    if before is not None and timezone.is_naive(before):
        before = timezone.make_aware(before, UTC)
    entries = selectors.log_entries(enrollment, before=before, limit=PAGE)
    sessions = [cast(PracticeSession, e.item) for e in entries if e.kind == "practice"]
    words = sensations_as_now(enrollment, sessions)
    for entry in entries:
        if entry.kind == "practice":
            entry.sensations = words[cast(PracticeSession, entry.item).pk]
    # The next page starts just before the oldest entry shown here.
    older = entries[-1].at.astimezone(UTC).isoformat() if len(entries) == PAGE else None
    template = "programs/log.html#entries" if request.htmx else "programs/log.html"
    return render(
        request, template, {"entries": entries, "older": older, "tz": enrollment.patient.timezone}
    )
