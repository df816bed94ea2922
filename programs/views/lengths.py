"""The check-in a check-in lesson (kind: checkin) stands for: how long it is, wherever
the pages show an activity's length (the activity page, a week's list, Today's list),
and which one the lesson's button opens (the activity page), so the two agree.

A check-in lesson states no minutes of its own (programs.content): it is the patient's
own check-in of that week (tracking.checkins.schedule.week_checkin_slots: week 8's of
8 is the end-of-program check-in, not the short weekly one), its length by the one rule
tracking keeps (tracking.checkins.services.checkin_length, as Today's card and the
reminders say). `programs` may not import `tracking`, so tracking registers it here
(TrackingConfig.ready). With no provider, or no check-in for that week, no length is
shown, never a made-up one, and the button opens whichever check-in is open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from painapp.accounts.extensions import ExtensionPoint
from programs.models import Activity, ActivityKind, Enrollment


@dataclass(frozen=True)
class LessonCheckIn:
    """The patient's own check-in a check-in lesson stands for: its id (the lesson's
    button opens it) and how long it takes."""

    pk: int
    minutes: int


# (enrollment, program weeks, the program's week count) -> {week: LessonCheckIn}, for
# the weeks whose check-in exists. One query at most, whatever the number of weeks.
CheckInLessons = Callable[[Enrollment, set[int], int], dict[int, LessonCheckIn]]
checkin_lessons: ExtensionPoint[CheckInLessons] = ExtensionPoint("check-in lessons' check-ins")


def lesson_checkins(
    enrollment: Enrollment, shown: Iterable[tuple[int, Activity]], week_count: int
) -> dict[int, LessonCheckIn]:
    """{week: LessonCheckIn} for the check-in lessons among `shown` ((week number,
    activity) pairs a page lists): the templates' `activity_minutes` reads it."""
    weeks = {number for number, activity in shown if activity.kind == ActivityKind.CHECKIN}
    found: dict[int, LessonCheckIn] = {}
    if weeks:
        for provider in checkin_lessons:
            found.update(provider(enrollment, weeks, week_count))
    return found
