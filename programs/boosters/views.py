"""The patient's boosters: the list of those open so far, and one booster."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from programs.access import enrollment_required
from programs.boosters.selectors import boosters_for
from programs.selectors import outline_for
from programs.types import PatientRequest


def _boosters(request: PatientRequest):
    enrollment = request.enrollment
    enrollment._week_count = len(outline_for(enrollment).weeks)  # cached: no count query
    return boosters_for(enrollment)


@enrollment_required
def booster_list(request: PatientRequest) -> HttpResponse:
    """Every booster open so far, this month's first. Before the program is over: a
    short note of when they start, not a 404 (the link may be shared or bookmarked)."""
    boosters = _boosters(request)
    return render(request, "programs/boosters/list.html", {"boosters": boosters})


@enrollment_required
def booster_detail(request: PatientRequest, slug: str) -> HttpResponse:
    """One open booster; 404 for one not open yet, or another program's."""
    boosters = _boosters(request)
    state = next((s for s in boosters.open if s.booster.slug == slug), None) if boosters else None
    if state is None:
        raise Http404
    return render(
        request,
        "programs/boosters/detail.html",
        {"state": state, "booster": state.booster, "boosters": boosters},
    )
