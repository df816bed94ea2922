"""Cards that tracking adds to the patient's Today page (programs.views.today.today_cards,
registered in TrackingConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from programs.models import Enrollment
from tracking import rules
from tracking.checkins.selectors import (
    checkin_card_heading,
    last_open_day,
    open_checkin_for_card,
)
from tracking.checkins.services import checkin_length


def checkin_card(request: HttpRequest, enrollment: Enrollment) -> dict | None:
    """A card when a check-in is open and not done yet. One query (the instruments'
    content is read once per process: registry.instruments_by_id)."""
    found = open_checkin_for_card(enrollment, timezone.now())
    if found is None:
        return None
    checkin = found.checkin
    # The questions the patient will be asked, in their language (as the form asks).
    length = checkin_length(found, enrollment.practice_id)
    # The full PHQ-9 after a self-harm answer at the check-in before: support first
    # (rules.carries_self_harm_answer), these questions can wait.
    support_first = rules.carries_self_harm_answer(checkin.answered_before)
    return {
        "template": "tracking/patient/checkin/today_card.html",
        "checkin": checkin,
        "heading": checkin_card_heading(checkin),
        "length": length,
        "last_day": last_open_day(checkin, enrollment),
        "started": bool(checkin.draft),
        "support_first": support_first,
        # An open check-in is Today's one filled action (issue 19): the rest step back.
        "primary": not support_first,
    }
