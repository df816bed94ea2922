"""Template context every page gets from tracking: the staff menu's alert count and the
practice-wide "nobody has acknowledged this alert" banner, computed lazily (one query,
only on pages that show them, once per request)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tracking.alerts.selectors import alert_counts as count_alerts
from tracking.messaging.selectors import menu_messages


def _cached_counts(request: HttpRequest):
    if not hasattr(request, "_alert_counts"):
        request._alert_counts = count_alerts(request)  # type: ignore[attr-defined]
    return request._alert_counts  # type: ignore[attr-defined]


def alert_counts(request: HttpRequest) -> dict:
    return {"alert_counts": SimpleLazyObject(lambda: _cached_counts(request))}


def message_counts(request: HttpRequest) -> dict:
    """The menu's Messages link (shown only when the practice has messaging on) and its
    unread count: one query, made only when the menu is drawn."""

    def _cached():
        if not hasattr(request, "_menu_messages"):
            request._menu_messages = menu_messages(request)  # type: ignore[attr-defined]
        return request._menu_messages  # type: ignore[attr-defined]

    return {"menu_messages": SimpleLazyObject(_cached)}
