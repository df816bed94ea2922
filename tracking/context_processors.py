"""Template context every page gets from tracking: the staff menu's alert count, the
practice-wide "nobody has acknowledged this alert" banner, and the Messages link with its
unread count. Worked out lazily, only on pages that show them, once per request, and
kept between pages in the cache until something changes them (painapp.accounts.badges).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from painapp.accounts.badges import cached_badges
from painapp.accounts.middleware import membership_for
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
