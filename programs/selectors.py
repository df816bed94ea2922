"""Reads for the patient's pages. Each takes the patient's own enrollment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Sum

from programs.models import (
    Activity,
    ActivityCompletion,
    ActivityKind,
    Attribution,
    Enrollment,
    Exposure,
    PracticeSession,
    Reflection,
    Week,
)

# Daily practice and check-ins are tracked on their own, not as one-off tasks.
ONE_OFF_KINDS = {ActivityKind.LESSON, ActivityKind.REFLECTION, ActivityKind.ATTRIBUTION,
                 ActivityKind.EVIDENCE, ActivityKind.EXPOSURE}
# What a map of the program shows (Today, the overview): not the lessons' text, prompts
# or kind-specific JSON, which only a week's or an activity's own page needs.
OUTLINE_WEEK_FIELDS = ("id", "version_id", "number", "title", "theme")
OUTLINE_ACTIVITY_FIELDS = ("id", "week_id", "order", "kind", "slug", "title", "minutes",
                           "daily")


@dataclass
class WeekState:
    week: Week
    activities: list[Activity]
    is_open: bool
    opens_on: date
    done: set[int]
    is_current: bool = False

    @cached_property
    def one_off(self) -> list[Activity]:
        return [a for a in self.activities if a.kind in ONE_OFF_KINDS]

    @property
    def is_complete(self) -> bool:
        return self.is_open and all(a.pk in self.done for a in self.one_off)

    @property
    def status(self) -> str:
        if not self.is_open:
            return "locked"
        return "completed" if self.is_complete else "open"


@dataclass
class ProgramMap:
    enrollment: Enrollment
    weeks: list[WeekState]
    current_week: int
    done: set[int] = field(default_factory=set)

    @cached_property
    def progress_percent(self) -> int:
        total = sum(len(w.one_off) for w in self.weeks)
        done = sum(1 for w in self.weeks for a in w.one_off if a.pk in self.done)
        return round(100 * done / total) if total else 0

    def week(self, number: int) -> WeekState | None:
        return next((w for w in self.weeks if w.week.number == number), None)

    def activity(self, slug: str) -> tuple[WeekState, Activity] | None:
        for state in self.weeks:
            for activity in state.activities:
                if activity.slug == slug:
                    return state, activity
        return None


def program_map(enrollment: Enrollment, at: datetime | None = None, *,
                outline: bool = False) -> ProgramMap:
    """Every week with its activities and what is open and done. Two queries: the
    weeks, and their activities each marked done or not for this enrollment.

    `outline` loads only what a map of the program shows (OUTLINE_*_FIELDS), for
    pages that list the weeks and activities without their content.
    """
    weeks_qs = Week.objects.filter(version_id=enrollment.program_version_id)
    activities_qs = Activity.objects.filter(week__version_id=enrollment.program_version_id)
    if outline:
        weeks_qs = weeks_qs.only(*OUTLINE_WEEK_FIELDS)
        activities_qs = activities_qs.only(*OUTLINE_ACTIVITY_FIELDS)
    weeks = {w.pk: w for w in weeks_qs.order_by("number")}
    enrollment._week_count = len(weeks)
    by_week: dict[int, list[Activity]] = {pk: [] for pk in weeks}
    done: set[int] = set()
    completed = ActivityCompletion.objects.filter(enrollment=enrollment, activity=OuterRef("pk"))
    for activity in activities_qs.annotate(is_done=Exists(completed)).order_by("order"):
        activity.week = weeks[activity.week_id]
        by_week[activity.week_id].append(activity)
        if activity.is_done:
            done.add(activity.pk)
    current = enrollment.current_week(at)
    states = [
        WeekState(week=w, activities=by_week[w.pk], is_open=w.number <= current,
                  opens_on=enrollment.week_opens_on(w.number), done=done,
                  is_current=w.number == current)
        for w in weeks.values()
    ]
    return ProgramMap(enrollment=enrollment, weeks=states, current_week=current, done=done)


@dataclass
class PracticeCounts:
    today: int
    this_week: int
    minutes_this_week: int


def practice_counts(enrollment: Enrollment, week_start: date, today: date) -> PracticeCounts:
    """Sessions today and since `week_start` (the patient's local dates). One query."""
    row = PracticeSession.objects.filter(
        enrollment=enrollment, local_date__gte=week_start, local_date__lte=today,
    ).aggregate(
        week=Count("pk"),
        today=Count("pk", filter=Q(local_date=today)),
        seconds=Sum("duration_seconds"),
    )
    return PracticeCounts(today=row["today"], this_week=row["week"],
                          minutes_this_week=round((row["seconds"] or 0) / 60))


def open_exposure(enrollment: Enrollment) -> Exposure | None:
    """An exposure the patient planned but has not logged the outcome of yet."""
    return (Exposure.objects.filter(enrollment=enrollment, completed_at__isnull=True)
            .order_by("-planned_at").first())


def week_start_for(enrollment: Enrollment, number: int) -> date:
    return enrollment.week_opens_on(max(number, 1))


def week_dates(enrollment: Enrollment, number: int) -> tuple[date, date]:
    start = week_start_for(enrollment, number)
    return start, start + timedelta(days=6)


@dataclass
class LogEntry:
    kind: str  # "practice" | "exposure" | "reflection" | "attribution"
    at: datetime
    item: object


def log_entries(enrollment: Enrollment, *, before: datetime | None = None,
                limit: int = 30) -> list[LogEntry]:
    """The newest `limit` entries of every kind, merged by time. Four queries, whatever
    the history's size."""
    def newest(qs, field_name):
        if before is not None:
            qs = qs.filter(**{f"{field_name}__lt": before})
        return list(qs.order_by(f"-{field_name}")[:limit])

    sessions = newest(PracticeSession.objects.filter(enrollment=enrollment), "practiced_at")
    exposures = newest(Exposure.objects.filter(enrollment=enrollment)
                       .select_related("fear_item"), "planned_at")
    reflections = newest(Reflection.objects.filter(enrollment=enrollment)
                         .select_related("activity__week"), "updated_at")
    attributions = newest(Attribution.objects.filter(enrollment=enrollment)
                          .prefetch_related("causes"), "recorded_at")
    entries = (
        [LogEntry("practice", s.practiced_at, s) for s in sessions]
        + [LogEntry("exposure", e.completed_at or e.planned_at, e) for e in exposures]
        + [LogEntry("reflection", r.updated_at, r) for r in reflections]
        + [LogEntry("attribution", a.recorded_at, a) for a in attributions]
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
