"""What a PRT session note and a diary episode must hold to be recorded (issue 19)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

# A therapy session note's length, in minutes: the trial's sessions ran about an hour;
# anything from a 5-minute call to a long first visit is accepted.
SESSION_MINUTES_MIN, SESSION_MINUTES_MAX = 5, 240


def session_risk_review_problem(identified: bool, actions: Collection[str]) -> str:
    """What is wrong with a session's risk review, as a key ("" when it is complete):
    a risk identified needs at least one thing done about it ("no_action"); actions
    without a risk identified contradict it ("actions_without_risk")."""
    if identified and not actions:
        return "no_action"
    if not identified and actions:
        return "actions_without_risk"
    return ""


# A diary episode happened in the past: a few minutes ahead of the server's clock is a
# phone's clock being off, not a future episode; older than a year is a typo in the year.
DIARY_FUTURE_SLACK = timedelta(minutes=10)
DIARY_OLDEST = timedelta(days=366)


def diary_time_problem(occurred_at: datetime, now: datetime) -> str:
    """An episode time's problem: "future", "too_old", or "" when it is fine."""
    if occurred_at > now + DIARY_FUTURE_SLACK:
        return "future"
    if occurred_at < now - DIARY_OLDEST:
        return "too_old"
    return ""
