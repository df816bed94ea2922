"""Reads for the patient's pages. Each takes the patient's own enrollment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Q, Sum, Value

from programs.boosters.models import Booster
from programs.checkins_done import checkins_done
from programs.models import (
    Activity,
    ActivityCompletion,
    ActivityKind,
    Attribution,
    Enrollment,
    EnrollmentStatus,
    Exposure,
    PracticeSession,
    ProgramVersion,
    Reflection,
    Week,
)
from programs.practice.counting import DEFAULT_MIN_PRACTICE_SECONDS
from programs.practice.minimum import (
    counted_q,
    min_practice_seconds_sql,
    short_sessions_note,
)
from programs.tailoring.models import ActivityAdjustment, AdjustmentAction, CustomExercise
from programs.tailoring.selectors import Tailoring, tailoring_for

# Daily practice and check-ins are tracked on their own, not as one-off tasks.
ONE_OFF_KINDS = {
    ActivityKind.LESSON,
    ActivityKind.REFLECTION,
    ActivityKind.ATTRIBUTION,
    ActivityKind.EVIDENCE,
    ActivityKind.EXPOSURE,
}


def shown_change(change: ActivityAdjustment | None, done: set[int]) -> ActivityAdjustment | None:
    """The clinician's change of an activity as the patient is shown it: none for a
    skip of an activity they have done (a skip from before they did it, or carried
    over by a program switch). Done wins: "Done" and "skipped, it does not count
    against you" never show together, and it counts towards their progress. A new
    skip of a done activity is refused (programs.tailoring.services.activity_adjust)."""
    if change is not None and change.action == AdjustmentAction.SKIP and change.activity_id in done:
        return None
    return change


@dataclass(frozen=True)
class SessionState:
    """One session of a week given as sessions (Week.sessions): its activities, in order."""

    number: int
    title: str
    intro_md: str
    activities: list[Activity]


@dataclass
class WeekState:
    week: Week
    activities: list[Activity]
    is_open: bool
    opens_on: date
    done: set[int]
    is_current: bool = False
    # A clinician's changes (programs.tailoring): by activity id, and the custom
    # exercises of this week. The activities list already has moved ones in place.
    changes: dict[int, ActivityAdjustment] = field(default_factory=dict)
    custom: list[CustomExercise] = field(default_factory=list)
    # Activities the program has in this week that a clinician moved to another one.
    moved_out: list[tuple[Activity, ActivityAdjustment]] = field(default_factory=list)

    @cached_property
    def one_off(self) -> list[Activity]:
        """The one-off activities that count towards progress: not the skipped ones."""
        return [
            a
            for a in self.activities
            if a.kind in ONE_OFF_KINDS
            and not ((change := self.change_of(a.pk)) and change.action == AdjustmentAction.SKIP)
        ]

    def change_of(self, activity_pk: int) -> ActivityAdjustment | None:
        """The clinician's change of one activity, as the patient is shown it."""
        return shown_change(self.changes.get(activity_pk), self.done)

    @property
    def items(self) -> list[tuple[Activity, ActivityAdjustment | None]]:
        """Each activity with its clinician's change, if any (for the week page)."""
        return [(a, self.change_of(a.pk)) for a in self.activities]

    @cached_property
    def sessions(self) -> list[SessionState]:
        """The week's sessions, or [] for a week that is one list of activities."""
        by_slug = {a.slug: a for a in self.activities}
        return [
            SessionState(
                number=int(s["number"]),
                title=str(s["title"]),
                intro_md=str(s.get("intro_md", "")),
                activities=[by_slug[slug] for slug in s["activities"] if slug in by_slug],
            )
            for s in self.week.sessions or []
        ]

    def session_of(self, activity: Activity) -> SessionState | None:
        """The session listing `activity`, if the week is given as sessions."""
        return next((s for s in self.sessions if activity in s.activities), None)

    @cached_property
    def outside_sessions(self) -> list[Activity]:
        """Activities no session lists (one added in the Django admin, say), shown after
        the sessions so nothing goes missing."""
        if not self.sessions:
            return []
        listed = {a.pk for s in self.sessions for a in s.activities}
        return [a for a in self.activities if a.pk not in listed]

    @property
    def is_complete(self) -> bool:
        return (
            self.is_open
            and all(a.pk in self.done for a in self.one_off)
            and all(c.is_done for c in self.custom)
        )

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
    tailoring: Tailoring = field(default_factory=Tailoring)
    # After the program's last week (programs.boosters.selectors.program_is_over, set
    # by the pages that say so): no week is "this week" any more, and nothing opens.
    over: bool = False

    @property
    def paused(self) -> bool:
        """While paused, every day moves the weeks still to open (programs.weeks), so
        the pages give no opening date, only that they open again on resuming."""
        return self.enrollment.status == EnrollmentStatus.PAUSED

    @cached_property
    def progress_percent(self) -> int:
        # Skipped activities do not count against the patient; custom exercises count.
        total = sum(len(w.one_off) + len(w.custom) for w in self.weeks)
        done = sum(1 for w in self.weeks for a in w.one_off if a.pk in self.done) + sum(
            1 for w in self.weeks for c in w.custom if c.is_done
        )
        return round(100 * done / total) if total else 0

    @property
    def has_changes(self) -> bool:
        """Whether the clinician changed anything the patient is shown (the overview's
        list): a skip of an activity they have done is not shown (`shown_change`)."""
        t = self.tailoring
        return bool(
            t.custom
            or t.latest_switch
            or any(shown_change(a, self.done) for a in t.adjustments.values())
        )

    @cached_property
    def assigned(self) -> set[int]:
        """Activities a clinician opened now, whatever their week."""
        return self.tailoring.of_action(AdjustmentAction.ASSIGN)

    def is_available(self, state: WeekState, activity: Activity) -> bool:
        """Whether the patient may open `activity` (found in week `state`) now."""
        return state.is_open or activity.pk in self.assigned

    def week(self, number: int) -> WeekState | None:
        return next((w for w in self.weeks if w.week.number == number), None)

    def custom_exercise(self, pk: int) -> tuple[WeekState, CustomExercise] | None:
        for state in self.weeks:
            for exercise in state.custom:
                if exercise.pk == pk:
                    return state, exercise
        return None

    def activity(self, slug: str) -> tuple[WeekState, Activity] | None:
        for state in self.weeks:
            for activity in state.activities:
                if activity.slug == slug:
                    return state, activity
        return None


@dataclass(frozen=True)
class ProgramOutline:
    """A program version's weeks and, for each, its activities in order; and the monthly
    boosters its patients get after the last week (`version_boosters`)."""

    weeks: tuple[Week, ...]
    activities: dict[int, tuple[Activity, ...]]  # by week id
    boosters: tuple[Booster, ...] = ()


def outline_for(enrollment: Enrollment) -> ProgramOutline:
    """The outline of the enrollment's program version, as it is now. Patient pages
    load the version with the enrollment (programs.access.current_enrollment), so this
    costs no query when the outline is cached."""
    version = enrollment.program_version
    return program_outline(version.pk, version.outline_revision)


@lru_cache(maxsize=16)
def program_outline(version_id: int, revision: int) -> ProgramOutline:
    """The weeks and activities of a program version at a revision, read once per
    process.

    A loaded curriculum does not change (a changed file makes a new version, and
    enrollments stay on theirs), and an edit in the Django admin bumps the version's
    `outline_revision` (see `ProgramsConfig.ready`), which is part of the key: so every
    patient page need not re-read the same rows (two queries and ~50 model instances per
    request). No patient data in here: the instances are shared by every request, so
    nobody may set anything on them. Four queries on a miss.
    """
    weeks = {w.pk: w for w in Week.objects.filter(version_id=version_id).order_by("number")}
    by_week: dict[int, list[Activity]] = {pk: [] for pk in weeks}
    for activity in Activity.objects.filter(week__version_id=version_id).order_by("order"):
        activity.week = weeks[activity.week_id]
        by_week[activity.week_id].append(activity)
    return ProgramOutline(
        weeks=tuple(weeks.values()),
        activities={pk: tuple(acts) for pk, acts in by_week.items()},
        boosters=version_boosters(version_id),
    )


def bump_boosters_of(version_id: int) -> None:
    """After a change to the boosters of a version: every version of its program in its
    language reads its outline afresh (`version_boosters` may now pick others)."""
    program_id, language = ProgramVersion.objects.values_list("program_id", "language").get(
        pk=version_id
    )
    ProgramVersion.objects.filter(program_id=program_id, language=language).update(
        outline_revision=F("outline_revision") + 1
    )
    program_outline.cache_clear()


def version_boosters(version_id: int) -> tuple[Booster, ...]:
    """The boosters of a program version, by month (two queries; `program_outline`
    keeps them).

    A version loaded before its program had boosters has none: its patients get those
    of the newest version in the same language that has them (boosters come after the
    weeks, so they never change the program a patient is on). Loading a version with
    boosters, or editing one, bumps the revision of every version of that program and
    language for this reason (`programs.services.program_version_load`,
    `ProgramsConfig.ready`)."""
    program_id, language = ProgramVersion.objects.values_list("program_id", "language").get(
        pk=version_id
    )
    rows = list(
        Booster.objects.filter(version__program_id=program_id, version__language=language)
        .select_related("version")
        .order_by("-version__number", "month")
    )
    own = [b for b in rows if b.version_id == version_id]
    if own:
        return tuple(own)
    newest = rows[0].version_id if rows else None
    return tuple(b for b in rows if b.version_id == newest)


def _placed(
    outline: ProgramOutline, adjustments: Iterable[ActivityAdjustment]
) -> tuple[dict[int, list[Activity]], dict[int, list[tuple[Activity, ActivityAdjustment]]]]:
    """The activities of each week (by number) where this patient has them: the
    program's, with those a clinician moved to another week in that one; and, by week,
    the ones moved out of it."""
    by_number = {w.number: list(outline.activities[w.pk]) for w in outline.weeks}
    moved_out: dict[int, list[tuple[Activity, ActivityAdjustment]]] = {n: [] for n in by_number}
    for adjustment in adjustments:
        if adjustment.action != AdjustmentAction.MOVE or adjustment.to_week not in by_number:
            continue
        for number, acts in by_number.items():
            moved = next((a for a in acts if a.pk == adjustment.activity_id), None)
            if moved is not None:
                acts.remove(moved)
                by_number[adjustment.to_week].append(moved)
                moved_out[number].append((moved, adjustment))
                break
    return by_number, moved_out


def done_activity_ids(enrollment: Enrollment) -> set[int]:
    """The activities this enrollment has done: those it marked done, and the check-in
    lessons (kind: checkin) whose own check-in of that week was submitted
    (programs.checkins_done); a check-in lesson a clinician moved to another week
    stands for the check-in of the week it sits in (`_placed`, as the week page shows
    it). The one rule the week page, Today, the progress figures and the clinician's
    program page read. One query."""
    completions = ActivityCompletion.objects.filter(enrollment=enrollment).values_list(
        "activity_id", flat=True
    )
    outline = outline_for(enrollment)
    has_checkin_lessons = any(
        a.kind == ActivityKind.CHECKIN for acts in outline.activities.values() for a in acts
    )
    providers = list(checkins_done) if has_checkin_lessons else []
    if not providers:
        return set(completions)
    # The check-in lessons a clinician moved, [activity id, week], read in the same
    # query (none for a patient never tailored).
    moves = ArraySubquery(
        ActivityAdjustment.objects.filter(
            enrollment=OuterRef("pk"),
            action=AdjustmentAction.MOVE,
            activity__kind=ActivityKind.CHECKIN,
        )
        .order_by("pk")
        .values(
            pair=Func(
                F("activity_id"),
                F("to_week"),
                function="ARRAY",
                template="%(function)s[%(expressions)s]",
                output_field=ArrayField(IntegerField()),
            )
        )
    )
    row = (
        Enrollment.objects.filter(pk=enrollment.pk)
        .values_list(
            ArraySubquery(
                ActivityCompletion.objects.filter(enrollment=OuterRef("pk")).values("activity_id")
            ),
            moves if enrollment.tailored_at is not None else Value([], ArrayField(IntegerField())),
            *(provider.sql(OuterRef("pk")) for provider in providers),
        )
        .get()
    )
    by_number, _ = _placed(
        outline,
        (
            ActivityAdjustment(activity_id=pk, action=AdjustmentAction.MOVE, to_week=week)
            for pk, week in row[1]
        ),
    )
    done = set(row[0])
    for provider, value in zip(providers, row[2:], strict=True):
        for number in provider.weeks(value, len(outline.weeks)):
            done.update(a.pk for a in by_number.get(number, ()) if a.kind == ActivityKind.CHECKIN)
    return done


def program_map(
    enrollment: Enrollment, at: datetime | None = None, *, done: set[int] | None = None
) -> ProgramMap:
    """Every week with its activities and what is open and done.

    The weeks and activities come from `program_outline` (cached); one query for what
    the enrollment has done, none if the caller read it already (`done`).
    """
    outline = outline_for(enrollment)
    # Read by Enrollment.current_week: no count query.
    enrollment._week_count = len(outline.weeks)
    if done is None:
        done = done_activity_ids(enrollment)
    current = enrollment.current_week(at)
    tailoring = tailoring_for(enrollment)
    by_number, moved_out = _placed(outline, tailoring.adjustments.values())
    states = [
        WeekState(
            week=w,
            activities=by_number[w.number],
            is_open=w.number <= current,
            opens_on=enrollment.week_opens_on(w.number),
            done=done,
            is_current=w.number == current,
            changes=tailoring.adjustments,
            custom=[c for c in tailoring.custom if c.week == w.number],
            moved_out=moved_out[w.number],
        )
        for w in outline.weeks
    ]
    return ProgramMap(
        enrollment=enrollment, weeks=states, current_week=current, done=done, tailoring=tailoring
    )


@dataclass
class PracticeCounts:
    today: int  # sessions that count (at least the practice's minimum length)
    this_week: int
    minutes_this_week: int
    short_this_week: int = 0  # kept, not counted: shorter than the minimum
    min_seconds: int = DEFAULT_MIN_PRACTICE_SECONDS  # the practice's minimum

    @property
    def short_note(self) -> str:
        return short_sessions_note(self.short_this_week, self.min_seconds)


@dataclass(frozen=True)
class OpenExposure:
    """An exposure the patient planned but has not logged the outcome of yet."""

    pk: int
    activity: str


@dataclass
class TodayOverview:
    pmap: ProgramMap
    local_today: date
    counts: PracticeCounts
    open_exposure: OpenExposure | None  # looked for once exposures start
    exposure_from_week: int  # the first week with an exposure


# Today suggests a step on the fear ladder from the first week with an exposure
# (week 3 of the 8-week program, week 2 of the 4-week one), else from this week.
EXPOSURE_FROM_WEEK = 3


def exposure_from_week(outline: ProgramOutline) -> int:
    """The first week of the outline with an exposure activity. No query."""
    for week in outline.weeks:
        if any(a.kind == ActivityKind.EXPOSURE for a in outline.activities[week.pk]):
            return week.number
    return EXPOSURE_FROM_WEEK


def today_overview(enrollment: Enrollment) -> TodayOverview:
    """The program map and the patient's own figures Today shows. Two queries (what is
    done; the practice this week), three from week 3 (the newest open exposure); the
    program's structure is cached (`program_outline`)."""
    outline = outline_for(enrollment)
    enrollment._week_count = len(outline.weeks)
    current = enrollment.current_week()
    local_today = enrollment.local_date()
    week_start = enrollment.practice_week_starts_on(local_today)
    # Only the sessions that count (the practice's minimum length: the clinician's
    # rule, programs.practice.minimum.counted_q); the short ones are counted apart.
    counted = counted_q(enrollment.practice_id)
    practice = PracticeSession.objects.filter(
        enrollment=enrollment,
        local_date__gte=week_start,
        local_date__lte=local_today,
    ).aggregate(
        week=Count("pk", filter=counted),
        today=Count("pk", filter=counted & Q(local_date=local_today)),
        seconds=Sum("duration_seconds", filter=counted),
        short=Count("pk", filter=~counted),
        min_seconds=Max(min_practice_seconds_sql(enrollment.practice_id)),
    )
    counts = PracticeCounts(
        today=practice["today"],
        this_week=practice["week"],
        minutes_this_week=round((practice["seconds"] or 0) / 60),
        short_this_week=practice["short"],
        min_seconds=practice["min_seconds"] or DEFAULT_MIN_PRACTICE_SECONDS,
    )
    exposure = None
    if current >= exposure_from_week(outline):
        found = (
            Exposure.objects.filter(enrollment=enrollment, completed_at__isnull=True)
            .order_by("-planned_at", "-pk")
            .values_list("pk", "activity")
            .first()
        )
        exposure = OpenExposure(*found) if found else None
    return TodayOverview(
        pmap=program_map(enrollment, done=done_activity_ids(enrollment)),
        local_today=local_today,
        counts=counts,
        open_exposure=exposure,
        exposure_from_week=exposure_from_week(outline),
    )


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
    # A practice session's words as the program says them now (the log view fills it:
    # programs.practice.services.sensations_as_now).
    sensations: list[str] = field(default_factory=list)


def log_entries(
    enrollment: Enrollment, *, before: datetime | None = None, limit: int = 30
) -> list[LogEntry]:
    """The newest `limit` entries of every kind, merged by time. Four queries, whatever
    the history's size."""

    def newest(qs, field_name):
        if before is not None:
            qs = qs.filter(**{f"{field_name}__lt": before})
        return list(qs.order_by(f"-{field_name}")[:limit])

    sessions = newest(PracticeSession.objects.filter(enrollment=enrollment), "practiced_at")
    exposures = newest(
        Exposure.objects.filter(enrollment=enrollment).select_related("fear_item"), "planned_at"
    )
    reflections = newest(
        Reflection.objects.filter(enrollment=enrollment).select_related("activity__week"),
        "updated_at",
    )
    attributions = newest(
        Attribution.objects.filter(enrollment=enrollment).prefetch_related("causes"), "recorded_at"
    )
    entries = (
        [LogEntry("practice", s.practiced_at, s) for s in sessions]
        + [LogEntry("exposure", e.completed_at or e.planned_at, e) for e in exposures]
        + [LogEntry("reflection", r.updated_at, r) for r in reflections]
        + [LogEntry("attribution", a.recorded_at, a) for a in attributions]
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
