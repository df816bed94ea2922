"""Today, the program overview and one week: where the patient is and what is next."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from painapp.accounts.extensions import ExtensionPoint
from programs import selectors
from programs.access import ENDED_GATE, enrollment_required
from programs.boosters.selectors import boosters_of, program_is_over
from programs.exposure.selectors import ladder_rungs, suggest_next_step
from programs.models import ActivityKind, Enrollment, EnrollmentStatus
from programs.tailoring.models import ActivityAdjustment, AdjustmentAction, ProgramSwitch
from programs.tailoring.services import RECENT as TAILORING_NEWS_FOR
from programs.types import PatientRequest
from programs.views.lengths import lesson_checkins

# A card for Today, or None: {"template": ..., and what the template reads}.
TodayCard = Callable[[HttpRequest, Enrollment], dict | None]
# Cards other apps add to Today (tracking: a check-in that is open), registered from
# their AppConfig.ready: `programs` does not import `tracking`.
today_cards: ExtensionPoint[TodayCard] = ExtensionPoint("Today page cards")


def _today_cards(request: PatientRequest, enrollment: Enrollment) -> list[dict]:
    return [card for provider in today_cards if (card := provider(request, enrollment))]


def _primary_action(
    *,
    cards: list[dict],
    current: bool,
    practised_today: bool,
    open_exposure: bool,
    ladder_rung: bool,
) -> str:
    """Which of Today's actions is the one filled button (issue 19), most pressing first:
    a card that claims it (an open check-in), today's somatic tracking not done yet
    (also before the program starts: `current` is then the waiting card's), a planned
    exposure to log, the ladder's next rung, practising again."""
    if any(card.get("primary") for card in cards):
        return "card"
    if current and not practised_today:
        return "practice"
    if open_exposure:
        return "exposure"
    if ladder_rung:
        return "ladder"
    return "practice_again" if current else ""


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
    exposure_due = pmap.current_week >= overview.exposure_from_week
    program_over = pmap.over = program_is_over(enrollment, overview.local_today)
    # Signed up before the first week opens (the start date is still to come where the
    # patient lives): nothing is open yet, but somatic tracking can be tried.
    waiting = current is None and not program_over and enrollment.status == EnrollmentStatus.ACTIVE
    cards = _today_cards(request, enrollment)
    ladder_next = (
        suggest_next_step(ladder_rungs(enrollment))
        if exposure_due and overview.open_exposure is None
        else None
    )
    news = _news(pmap)
    context = {
        "enrollment": enrollment,
        "pmap": pmap,
        "week_count": len(pmap.weeks),
        "next_week": next_week,
        "current": current,
        "next_steps": next_steps[:3],
        # A check-in lesson's length: the patient's own check-in's (one query at most).
        "lesson_checkins": lesson_checkins(
            enrollment, ((s.week.number, a) for s, a in next_steps[:3]), len(pmap.weeks)
        ),
        "custom_next": custom_next,
        "tailoring_news": news,
        "tailoring_news_from_clinician": any(
            getattr(change, "note_kind", "") != "language" for _, change in news
        ),
        "counts": overview.counts,
        "open_exposure": overview.open_exposure,
        "exposure_due": exposure_due,
        # The ladder's next rung by its own rule, when no step is planned (one query).
        "ladder_next": ladder_next,
        "primary": _primary_action(
            cards=cards,
            current=current is not None or waiting,
            practised_today=bool(overview.counts.today),
            open_exposure=exposure_due and overview.open_exposure is not None,
            ladder_rung=ladder_next is not None and ladder_next.kind == "rung",
        ),
        "cards": cards,
        "local_today": overview.local_today,
        # After the last week (issue 19): no query, the weeks are counted already.
        "program_over": program_over,
        "waiting": waiting,
        # After the end: the program's boosters, if it has any (cached with the outline).
        "has_boosters": program_over and bool(boosters_of(enrollment)),
    }
    return render(request, "programs/today.html", context)


@enrollment_required
def program_ended(request: PatientRequest) -> HttpResponse:
    """Where every program page leads once the practice stopped the program
    (Enrollment.has_ended): that it has ended, that no check-ins or reminders will come,
    who to ask, that help in a crisis is still there, and what they can still open
    (programs.access.ENDED_PAGES). Anyone whose program has not ended goes to Today."""
    enrollment = request.enrollment
    if enrollment.gate != ENDED_GATE:
        return redirect("today")
    return render(request, "programs/ended.html", {"enrollment": enrollment})


def _news(pmap: selectors.ProgramMap) -> list[tuple[str, object]]:
    """The clinician's latest changes (programs.tailoring), each with what it is about."""
    recent = [
        change
        for change in pmap.tailoring.recent(timezone.now() - TAILORING_NEWS_FOR)
        if not isinstance(change, ActivityAdjustment)
        or selectors.shown_change(change, pmap.done) is not None
    ][:3]
    if not recent:
        return []
    titles = {a.pk: a.title for state in pmap.weeks for a in state.activities}

    def about(change: object) -> str:
        if isinstance(change, ProgramSwitch):
            # Without a heading of its own, the switch's note read as part of the
            # lesson listed above it.
            return gettext("Your program")
        if hasattr(change, "activity_id"):
            return titles.get(change.activity_id, "")
        return getattr(change, "title", "")

    return [(about(change), change) for change in recent]


def _program_map(enrollment: Enrollment) -> selectors.ProgramMap:
    """The program map, knowing whether the program is over (no query more)."""
    pmap = selectors.program_map(enrollment)
    pmap.over = program_is_over(enrollment, enrollment.local_date())
    return pmap


@enrollment_required
def overview(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    pmap = _program_map(enrollment)
    return render(
        request,
        "programs/overview.html",
        {
            "pmap": pmap,
            "version": enrollment.program_version,
            "has_boosters": pmap.over and bool(boosters_of(enrollment)),
        },
    )


@enrollment_required
def week(request: PatientRequest, number: int) -> HttpResponse:
    pmap = _program_map(request.enrollment)
    state = pmap.week(number)
    if state is None:
        raise Http404
    template = "programs/week.html#week-body" if request.htmx else "programs/week.html"
    # The week's one filled action: its first activity not done yet, else its first
    # daily one (practice again), if the week is open.
    next_activity = None
    if state.is_open:
        # (Not one a clinician skipped for this patient: programs.tailoring.)
        skipped = {pk for pk, c in state.changes.items() if c.action == AdjustmentAction.SKIP}
        next_activity = next(
            (a for a in state.activities if a.pk not in state.done and a.pk not in skipped),
            next((a for a in state.activities if a.daily), None),
        )
    context = {
        "pmap": pmap,
        "state": state,
        "next_activity": next_activity,
        # A check-in lesson's length: the patient's own check-in's (one query at most).
        "lesson_checkins": lesson_checkins(
            request.enrollment, ((number, a) for a in state.activities), len(pmap.weeks)
        ),
    }
    return render(request, template, context)
