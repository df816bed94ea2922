"""Loading the requesting patient's own enrollment, and their own rows, or 404."""

from __future__ import annotations

from functools import wraps

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404, redirect, render

from painapp.accounts.access import patient_required
from programs.models import Enrollment, EnrollmentStatus
from programs.safety import new_entry, scan_posted


def current_enrollment(request) -> Enrollment | None:
    """The patient's enrollment in their active practice: the open one, else the latest.

    One query, with the program version and the clinician (every patient page starts
    here). The patient and the practice are the request's own, already loaded: no joins.
    """
    latest = list(
        Enrollment.objects.filter(patient_id=request.user.pk, practice_id=request.practice.pk)
        .select_related("program_version", "clinician")
        .order_by("-created_at")[:_LATEST]
    )
    open_first = sorted(latest, key=lambda e: not e.is_open)
    if not open_first:
        return None
    enrollment = open_first[0]
    enrollment.patient, enrollment.practice = request.user, request.practice
    return enrollment


# Enough to find the open one among a patient's enrollments in one practice (there is at
# most one open; older ones are completed or withdrawn).
_LATEST = 5


def enrollment_required(view=None, *, allow_onboarding: bool = False, allow_hold: bool = False):
    """A patient view that needs their enrollment (as `request.enrollment`).

    Until onboarding and the safety screening are done, every program page leads
    there instead (Enrollment.gate). `allow_onboarding`: a page that works before
    then, on a hold too (the onboarding steps, the safety plan, messages).
    `allow_hold`: a page a patient on a safety hold still needs while their clinician
    reviews it; the program itself stays locked until the hold is cleared.

    Once the practice has stopped the program (Enrollment.has_ended) only ENDED_PAGES
    open, whatever the flags: every other page leads to the "program ended" page,
    which says so and links to them.
    """

    def decorator(view):
        @wraps(view)
        @patient_required
        def wrapped(request, *args, **kwargs):
            enrollment = current_enrollment(request)
            if enrollment is None:
                return render(request, "programs/no_enrollment.html", status=200)
            request.enrollment = enrollment
            gate = enrollment.gate
            if gate == ENDED_GATE:
                if not still_open_after_the_end(request):
                    if request.method == "POST":
                        # What they typed is not saved, but a crisis phrase in it still
                        # reaches the care team, and the ended page shows the panel.
                        scan_posted(enrollment, request.POST, source=ended_post_source(request))
                    return redirect(gate)
            elif allow_onboarding:
                pass
            elif gate and not (gate == "safety_hold" and allow_hold):
                return redirect(gate)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator


# What a patient may still do once the practice stopped their program
# (Enrollment.has_ended, the gate ENDED_GATE): the one place that says it. By URL
# name: the ended page itself, what they recorded (their log, progress, the answers of
# check-ins they sent, their diary, which they may delete from), and the ways to reach
# people (messages, when the practice has them on; their safety plan and crisis
# details). enrollment_required lets only these through; the patient's menu is built
# from the same list (painapp.accounts.templatetags.navigation). The account's own
# pages (Get help now, download my data, delete my account) need no enrollment and
# stay open to everyone.
ENDED_GATE = "program_ended"
ENDED_PAGES = (
    ENDED_GATE,
    "my_log",
    "progress",
    "checkin_list",
    "checkin_detail",  # a check-in's answers once sent; nothing left to answer
    "diary_list",
    "diary_delete",
    "messages",
    "safety_plan",
    "safety_details",
)


# The kind of entry each page that takes a patient's writing saves (the alert's
# `source`, tracking.safety.scanner): for a post refused because the program ended.
_WRITTEN_ON = {
    "diary_new": "diary",
    "diary_edit": "diary",
    "activity": "reflection",
    "practice_save": "practice",
    "fear_create": "fear_item",
    "fear_edit": "fear_item",
    "suggestion_accept": "fear_item",
    "exposure_plan": "exposure",
    "exposure_done": "exposure-after",
    "custom_exercise": "custom_exercise",
}
# Any other page (the alert then says "in something they wrote in the app").
_WRITTEN_ELSEWHERE = "entry"


def ended_post_source(request) -> str:
    """The source of what was posted to a page closed since the program ended: its kind
    of entry, never saved (programs.safety.new_entry)."""
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None else ""
    return new_entry(_WRITTEN_ON.get(name or "", _WRITTEN_ELSEWHERE))


def still_open_after_the_end(request) -> bool:
    """Whether the page asked for is one of ENDED_PAGES."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in ENDED_PAGES


def own(request, queryset: QuerySet | type[Model], **lookup):
    """One of the requesting patient's own rows, or 404 (never another patient's)."""
    return get_object_or_404(queryset, enrollment=request.enrollment, **lookup)


ACTIVE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)
