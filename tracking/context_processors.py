"""Template context every page gets from tracking: the staff menu's alert count, the
practice-wide "nobody has acknowledged this alert" banner, the Messages link with its
unread count, and whether a patient is on a safety hold (their menu then holds only the
pages they may reach). Worked out lazily, only on pages that show them, once per request, and
kept between pages in the cache until something changes them (painapp.accounts.badges).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from painapp.accounts.badges import cached_badges
from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from programs.models import Enrollment, EnrollmentStatus, Screening
from tracking.alerts.selectors import AlertCounts
from tracking.alerts.selectors import alert_counts as count_alerts
from tracking.messaging.selectors import MenuMessages, menu_messages


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


_OPEN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.INVITED)


def _on_safety_hold(request: HttpRequest) -> bool:
    """Whether the patient's current enrollment is on a safety hold: the one the page
    already loaded (programs.access.enrollment_required), else one query, made only
    when a patient's menu is drawn."""
    enrollment = getattr(request, "enrollment", None)
    if enrollment is None:
        membership = membership_for(request) if request.user.is_authenticated else None
        if membership is None or membership.role != Role.PATIENT:
            return False
        # As programs.access.current_enrollment picks it: the open one, else the latest.
        rows = list(
            Enrollment.objects.filter(
                patient_id=request.user.pk, practice_id=membership.practice_id
            )
            .order_by("-created_at")
            .values_list("status", "screening")[:5]
        )
        rows.sort(key=lambda row: row[0] not in _OPEN)
        return bool(rows) and rows[0][1] == Screening.HOLD
    return enrollment.on_safety_hold


def safety_hold(request: HttpRequest) -> dict:
    """`patient_on_hold`: the menu of a patient on a safety hold holds only what they
    may reach until their clinician clears it (painapp.accounts.templatetags.navigation)."""
    return {"patient_on_hold": SimpleLazyObject(lambda: _on_safety_hold(request))}
