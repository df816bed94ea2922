"""Cards that tracking adds to the patient's Today page (programs.views.today.today_cards,
registered in TrackingConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from programs.models import Enrollment
from tracking.checkins.selectors import checkin_title, last_open_day, open_checkin_for_card


def checkin_card(request: HttpRequest, enrollment: Enrollment) -> dict | None:
    """A card when a check-in is open and not done yet. One query."""
    checkin = open_checkin_for_card(enrollment, timezone.now())
    if checkin is None:
        return None
    checkin.enrollment = enrollment
    return {
        "template": "tracking/patient/checkin/today_card.html",
        "checkin": checkin,
        "title": checkin_title(checkin),
        "last_day": last_open_day(checkin, enrollment),
        "started": bool(checkin.draft),
        # An open check-in is Today's one filled action (issue 19): the rest step back.
        "primary": True,
    }
