"""How long a check-in lesson (kind: checkin) is, wherever the pages show an
activity's length (the activity page, a week's list, Today's list).

A check-in lesson states no minutes of its own (programs.content): its length is
the patient's own check-in of that week, by the one rule tracking keeps
(tracking.checkins.services.checkin_length, as Today's card and the reminders say).
`programs` may not import `tracking`, so tracking registers it here (TrackingConfig.ready).
With no provider, or no check-in for that week, no length is shown, never a made-up one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from painapp.accounts.extensions import ExtensionPoint
from programs.models import Activity, ActivityKind, Enrollment

# (enrollment, program weeks, the program's week count) -> {week: minutes}, for the
# weeks whose check-in exists. One query at most, whatever the number of weeks.
CheckInLengths = Callable[[Enrollment, set[int], int], dict[int, int]]
checkin_lengths: ExtensionPoint[CheckInLengths] = ExtensionPoint("check-in lesson lengths")


def checkin_minutes(
    enrollment: Enrollment, shown: Iterable[tuple[int, Activity]], week_count: int
) -> dict[int, int]:
    """{week: minutes} for the check-in lessons among `shown` ((week number, activity)
    pairs a page lists): the templates' `activity_minutes` reads it."""
    weeks = {number for number, activity in shown if activity.kind == ActivityKind.CHECKIN}
    minutes: dict[int, int] = {}
    if weeks:
        for provider in checkin_lengths:
            minutes.update(provider(enrollment, weeks, week_count))
    return minutes
