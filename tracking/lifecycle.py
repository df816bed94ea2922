"""Tracking's follow-up of an enrollment's lifecycle events (started, resumed).

Programs never imports tracking: the view or service that owns the event calls these."""

from __future__ import annotations

from programs.models import Enrollment


def enrollment_started(*, enrollment: Enrollment) -> None:
    """Follow-up for an enrollment that has just become active (onboarding finished,
    or a clinician cleared a safety hold): its check-ins and reminder schedules."""
    from tracking.checkins.schedule import checkins_schedule
    from tracking.reminders.schedules import schedules_sync

    checkins_schedule(enrollment)
    schedules_sync(enrollment=enrollment)


def enrollment_resumed(*, enrollment: Enrollment) -> None:
    """After a pause: later check-ins move with the calendar, reminders recompute."""
    from tracking.checkins.schedule import checkins_reschedule
    from tracking.reminders.schedules import schedules_sync

    checkins_reschedule(enrollment)
    schedules_sync(enrollment=enrollment)
