"""Template context every page gets from tracking: the staff menu's alert count, the
practice-wide "nobody has acknowledged this alert" banner, the Messages link with its
unread count, and whether a patient is on a safety hold or still onboarding (their menu
then holds only the pages they may reach). Worked out lazily, only on pages that show
them, once per request, and kept between pages in the cache until something changes
them (painapp.accounts.badges).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from painapp.accounts.badges import cached_badges
from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from programs.access import current_enrollment
from programs.models import Enrollment
from programs.safety import (
    SHOW_CRISIS_HELP,
    SHOW_CRISIS_UNSAVED,
    SHOW_SYMPTOMS_HELP,
    Crisis,
    crisis_unsaved,
    crisis_written,
    emergency_unsaved,
    emergency_written,
    written_symptoms,
)
from tracking import rules
from tracking.alerts.selectors import AlertCounts
from tracking.alerts.selectors import alert_counts as count_alerts
from tracking.messaging.selectors import MenuMessages, menu_messages
from tracking.models import PracticeSettings
from tracking.safety.copy import safety_copy


@dataclass(frozen=True)
class Badges:
    alerts: AlertCounts | None  # staff only
    messages: MenuMessages | None


def _badges(request: HttpRequest) -> Badges:
    if not hasattr(request, "_badges"):
        membership = membership_for(request) if request.user.is_authenticated else None
        if membership is None:
            badges = Badges(None, None)  # nobody's badges: no query
        else:
            badges = cached_badges(
                membership.practice_id,
                membership.pk,
                lambda: Badges(count_alerts(request), menu_messages(request)),
            )
        request._badges = badges  # type: ignore[attr-defined]
    return request._badges  # type: ignore[attr-defined]


def alert_counts(request: HttpRequest) -> dict:
    return {"alert_counts": SimpleLazyObject(lambda: _badges(request).alerts)}


def message_counts(request: HttpRequest) -> dict:
    """The menu's Messages link (shown only when the practice has messaging on) and its
    unread count."""
    return {"menu_messages": SimpleLazyObject(lambda: _badges(request).messages)}


def _gate(request: HttpRequest) -> str:
    """The patient's Enrollment.gate ("safety_hold", an onboarding step or ""): from the
    enrollment the page already loaded (programs.access.enrollment_required), else one
    query, made only when a patient's menu is drawn."""
    enrollment = getattr(request, "enrollment", None)
    if enrollment is None:
        membership = membership_for(request) if request.user.is_authenticated else None
        if membership is None or membership.role != Role.PATIENT:
            return ""
        # As programs.access.current_enrollment picks it: the open one, else the latest.
        latest = list(
            Enrollment.objects.filter(
                patient_id=request.user.pk, practice_id=membership.practice_id
            )
            .only("status", "screening", "onboarded_at", "consented_at", "country")
            .order_by("-created_at")[:5]
        )
        latest.sort(key=lambda e: not e.is_open)
        return latest[0].gate if latest else ""
    return enrollment.gate


def patient_gate(request: HttpRequest) -> dict:
    """`patient_gate`: while a patient is on a safety hold or still onboarding, their
    menu holds only what they may reach (painapp.accounts.templatetags.navigation)."""
    return {"patient_gate": SimpleLazyObject(lambda: _gate(request))}


def _crisis_help(request: HttpRequest) -> dict | None:
    """The crisis panel's context (tracking.safety.copy.safety_copy) when the patient
    saved text holding a crisis phrase in this request or just before (programs.safety),
    with `seen_before` when nobody was told of it again, else None. Marks it shown, so
    it waits for no later page."""
    found = [f for f in (crisis_written(), request.session.get(SHOW_CRISIS_HELP)) if f]
    if not found:
        return None
    enrollment = _own_enrollment(request)
    if enrollment is None:
        return None  # a page that is not the patient's own: it waits for theirs
    request.session.pop(SHOW_CRISIS_HELP, None)
    # Words not saved in this request, or in the refused post just before (programs.safety).
    unsaved = crisis_unsaved() or bool(request.session.pop(SHOW_CRISIS_UNSAVED, False))
    request.crisis_help_shown = True  # type: ignore[attr-defined]
    return {
        **safety_copy(PracticeSettings.for_practice(enrollment.practice_id), enrollment),
        # The same words as an alert the care team already resolved: nobody was told now
        # (tracking.safety.scanner), so the panel does not say they are.
        "seen_before": all(f == Crisis.SEEN for f in found),
        # Words in a form sent back or a save refused (programs.safety.PatientTextForm):
        # the panel says they were not saved.
        "about": "unsaved_words" if unsaved and len(found) == 1 else "words",
    }


def _own_enrollment(request: HttpRequest) -> Enrollment | None:
    """The patient's enrollment: the one the page loaded, else theirs in the request's
    practice (one query), else None (not a patient's own page)."""
    enrollment = getattr(request, "enrollment", None)
    if enrollment is None and getattr(request, "practice", None) is not None:
        enrollment = current_enrollment(request)
    return enrollment


def _symptoms_help(request: HttpRequest) -> dict | None:
    """The new-symptoms guidance's context (tracking.safety.copy.safety_copy) when
    check-in answers saying yes to new symptoms were sent just before and no results
    page followed (programs.safety.SHOW_SYMPTOMS_HELP), or the patient wrote emergency
    signs in this request or just before (programs.safety.emergency_written), with
    `seen_before` when nobody was told of them again, else None. Marks it shown, so it
    waits for no later page."""
    signs = emergency_written()
    found = (
        written_symptoms(signs, emergency_unsaved())
        if signs
        else request.session.get(SHOW_SYMPTOMS_HELP)
    )
    if not found:
        return None
    enrollment = _own_enrollment(request)
    if enrollment is None:
        return None  # a page that is not the patient's own: it waits for theirs
    request.session.pop(SHOW_SYMPTOMS_HELP, None)
    vars(request)["symptoms_help_shown"] = True  # read by programs.safety.CrisisHelpMiddleware
    if isinstance(found, dict):
        crisis, groups = found.get("crisis"), found.get("groups") or []
    else:  # set before the groups were kept: which question is not known
        crisis, groups = found, [rules.SYMPTOMS_EITHER]
    return {
        **safety_copy(PracticeSettings.for_practice(enrollment.practice_id), enrollment),
        "seen_before": crisis == Crisis.SEEN,
        "guide": rules.symptom_guidance(groups),
        # What the clinic was told of (_safety_next.html): check-in answers not saved, or
        # emergency signs the patient wrote (programs.safety.written_symptoms).
        "about": found.get("about", "unsaved") if isinstance(found, dict) else "unsaved",
    }


def crisis_help(request: HttpRequest) -> dict:
    """`crisis_help`: the crisis panel at the top of the patient's page right after they
    wrote a crisis phrase anywhere (templates/base.html; the htmx parts that save text
    include it too). Worked out only where a page asks for it."""
    return {"crisis_help": SimpleLazyObject(lambda: _crisis_help(request))}


def symptoms_help(request: HttpRequest) -> dict:
    """`symptoms_help`: where to get care now (the results page's guidance for a yes to
    new symptoms) at the top of the patient's page, after check-in answers holding that
    yes were sent where no results page follows, or right after the patient wrote
    emergency signs anywhere (templates/base.html; the htmx parts that save text include
    it too, as for `crisis_help`). Worked out only where a page asks for it."""
    return {"symptoms_help": SimpleLazyObject(lambda: _symptoms_help(request))}
