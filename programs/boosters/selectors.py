"""Which boosters a patient sees, and when. Each reads the patient's own enrollment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from programs import weeks
from programs.boosters.models import Booster
from programs.models import Enrollment, EnrollmentStatus
from programs.selectors import outline_for

# Boosters are for someone who went through the program: not while it is paused (its
# end moves on), and not after they withdrew from it.
BOOSTER_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


@dataclass(frozen=True)
class BoosterState:
    booster: Booster
    opens_on: date


@dataclass(frozen=True)
class Boosters:
    ends_on: date
    open: list[BoosterState]  # newest first: open[0] is this month's
    next: BoosterState | None  # the next to open, if any

    @property
    def current(self) -> BoosterState | None:
        return self.open[0] if self.open else None

    @property
    def past(self) -> list[BoosterState]:
        return self.open[1:]


def program_ends_on(enrollment: Enrollment, today: date) -> date:
    """The patient's local date the program is over (programs.weeks.program_ends_on)."""
    return weeks.program_ends_on(
        start_date=enrollment.start_date,
        today=today,
        week_count=enrollment.week_count,
        paused_days=enrollment.paused_days,
        paused_on=enrollment.paused_on,
    )


def program_is_over(enrollment: Enrollment, today: date) -> bool:
    """Whether the program's weeks are behind the patient (`weeks.past_end`, the rule a
    program switch also keeps to; no query once the week count is known, as Today
    knows it)."""
    return (
        enrollment.status in BOOSTER_STATUSES
        and enrollment.onboarded_at is not None
        and weeks.past_end(
            start_date=enrollment.start_date,
            today=today,
            week_count=enrollment.week_count,
            paused_days=enrollment.paused_days,
            paused_on=enrollment.paused_on,
        )
    )


def boosters_of(enrollment: Enrollment) -> tuple[Booster, ...]:
    """The boosters of the enrollment's program version, by month, as its outline keeps
    them (`programs.selectors.version_boosters`): no query once the outline is cached."""
    return outline_for(enrollment).boosters


def boosters_for(enrollment: Enrollment, today: date | None = None) -> Boosters | None:
    """The boosters open to the patient on their local date `today`, or None while the
    program is not over for them. No query once the program's outline is cached."""
    today = today or enrollment.local_date()
    if not program_is_over(enrollment, today):
        return None
    ends_on = program_ends_on(enrollment, today)
    states = [
        BoosterState(b, weeks.booster_opens_on(ends_on=ends_on, month=b.month))
        for b in boosters_of(enrollment)
    ]
    opened = [s for s in states if s.opens_on <= today]
    later = [s for s in states if s.opens_on > today]
    return Boosters(ends_on=ends_on, open=opened[::-1], next=later[0] if later else None)
