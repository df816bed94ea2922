"""Today, the program overview and one week: where the patient is and what is next."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from painapp.accounts.extensions import ExtensionPoint
from programs import selectors
from programs.access import enrollment_required
from programs.boosters.selectors import program_is_over
from programs.models import ActivityKind, Enrollment
from programs.tailoring.services import RECENT as TAILORING_NEWS_FOR
from programs.types import PatientRequest

# A card for Today, or None: {"template": ..., and what the template reads}.
TodayCard = Callable[[HttpRequest, Enrollment], dict | None]
# Cards other apps add to Today (tracking: a check-in that is open), registered from
# their AppConfig.ready: `programs` does not import `tracking`.
today_cards: ExtensionPoint[TodayCard] = ExtensionPoint("Today page cards")


def _today_cards(request: PatientRequest, enrollment: Enrollment) -> list[dict]:
    return [card for provider in today_cards if (card := provider(request, enrollment))]


@enrollment_required
def today(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    overview = selectors.today_overview(enrollment)
    pmap = overview.pmap
    current = pmap.week(pmap.current_week)

    next_steps = []
    custom_next = []
    if current:
        # What a clinician opened early comes first (programs.tailoring); skipped
        # activities are not in `one_off`, so they never show here.
        for state in pmap.weeks[pmap.current_week :]:
            for activity in state.one_off:
                if activity.pk in pmap.assigned and activity.pk not in pmap.done:
                    next_steps.append((state, activity))
        for state in pmap.weeks[: pmap.current_week]:
            for activity in state.one_off:
                if activity.pk not in pmap.done and activity.kind != ActivityKind.EXPOSURE:
                    next_steps.append((state, activity))
            custom_next += [(state, c) for c in state.custom if not c.is_done]
    next_week = pmap.week(pmap.current_week + 1)
    context = {
        "enrollment": enrollment,
        "pmap": pmap,
        "week_count": len(pmap.weeks),
        "next_week": next_week,
        "current": current,
        "next_steps": next_steps[:3],
        "custom_next": custom_next,
        "tailoring_news": _news(pmap),
        "counts": overview.counts,
        "open_exposure": overview.open_exposure,
        "exposure_due": pmap.current_week >= overview.exposure_from_week,
        "cards": _today_cards(request, enrollment),
        "local_today": overview.local_today,
        # After the last week (issue 19): no query, the weeks are counted already.
        "program_over": program_is_over(enrollment, overview.local_today),
    }
    return render(request, "programs/today.html", context)


def _news(pmap: selectors.ProgramMap) -> list[tuple[str, object]]:
    """The clinician's latest changes (programs.tailoring), each with what it is about."""
    recent = pmap.tailoring.recent(timezone.now() - TAILORING_NEWS_FOR)[:3]
    if not recent:
        return []
    titles = {a.pk: a.title for state in pmap.weeks for a in state.activities}
    return [
        (
            titles.get(change.activity_id, "")
            if hasattr(change, "activity_id")
            else getattr(change, "title", ""),
            change,
        )
        for change in recent
    ]


@enrollment_required
def overview(request: PatientRequest) -> HttpResponse:
    pmap = selectors.program_map(request.enrollment)
    return render(
        request,
        "programs/overview.html",
        {"pmap": pmap, "version": request.enrollment.program_version},
    )


@enrollment_required
def week(request: PatientRequest, number: int) -> HttpResponse:
    pmap = selectors.program_map(request.enrollment)
    state = pmap.week(number)
    if state is None:
        raise Http404
    template = "programs/week.html#week-body" if request.htmx else "programs/week.html"
    return render(request, template, {"pmap": pmap, "state": state})
