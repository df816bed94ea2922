"""The schedule of each enrollment's check-ins (see tracking/checkins/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramVersion,
)
from tracking import rules
from tracking.models import CheckIn, PracticeSettings

DEFAULT_CONFIG: dict = {
    "baseline": [
        rules.PAIN_AVG,
        rules.PAIN_WORST,
        rules.FEAR_MOVEMENT,
        rules.FABQ_PA,
        rules.PHQ9,
        rules.GAD7,
    ],
    "weekly": [rules.PAIN_AVG, rules.PAIN_WORST, rules.FEAR_MOVEMENT, rules.PHQ2, rules.GAD2],
    "full_weeks": [],
    "followup_months": [1, 3, 6, 12],
}


# ---------------------------------------------------------------- the schedule


def checkin_config(version: ProgramVersion) -> dict:
    """The program's check-in settings with our defaults filled in."""
    cfg = {**DEFAULT_CONFIG, **(version.checkin_config or {})}
    cfg.setdefault("end", cfg["baseline"])
    cfg.setdefault("followup", cfg["end"])
    return cfg


def window_days(enrollment: Enrollment, cfg: dict | None = None) -> int:
    cfg = cfg if cfg is not None else checkin_config(enrollment.program_version)
    if cfg.get("window_days"):
        return int(cfg["window_days"])
    return PracticeSettings.for_practice(enrollment.practice_id).checkin_window_days


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the patient's `day` begins.

    Where a zone skips midnight (clocks jump forward at 00:00), zoneinfo reads the
    missing wall time with the offset from before the jump, which is exactly the
    instant of the jump: the first moment of that day.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


# The same day of the month later, or that month's last day (programs.weeks).
add_months = rules.add_months


@dataclass(frozen=True)
class PlannedCheckIn:
    slot: str
    kind: str
    week: int | None
    due_date: date
    instrument_keys: list[str]


def checkin_plan(
    enrollment: Enrollment, *, today: date | None = None, every_week: bool = False
) -> list[PlannedCheckIn]:
    """Every check-in the enrollment should have, with its due date (see module doc).

    `every_week` keeps the weeks the rules would leave out (to move existing rows).
    """
    cfg = checkin_config(enrollment.program_version)
    window = timedelta(days=window_days(enrollment, cfg))
    weeks = enrollment.week_count
    today = today or enrollment.local_date()
    baseline_due = max(enrollment.start_date, today)
    # The day after the last week ends.
    end_due = enrollment.week_opens_on(weeks) + timedelta(days=rules.DAYS_PER_WEEK)
    full_weeks = {int(n) for n in cfg.get("full_weeks") or []}

    plan = [
        PlannedCheckIn("baseline", CheckIn.Kind.BASELINE, None, baseline_due, list(cfg["baseline"]))
    ]
    for number in range(1, weeks + 1):
        opens = enrollment.week_opens_on(number)
        due = opens + timedelta(days=(enrollment.checkin_weekday - opens.weekday()) % 7)
        if not every_week and (due < baseline_due + window or due + window > end_due):
            continue
        keys = cfg["baseline"] if number in full_weeks else cfg["weekly"]
        # Every week asks about self-harm and new symptoms, whatever the config says.
        keys = rules.weekly_keys_with_safety(keys)
        plan.append(PlannedCheckIn(f"week-{number}", CheckIn.Kind.WEEKLY, number, due, list(keys)))
    plan.append(PlannedCheckIn("end", CheckIn.Kind.END, None, end_due, list(cfg["end"])))
    for months in cfg.get("followup_months") or []:
        plan.append(
            PlannedCheckIn(
                f"followup-{int(months)}m",
                CheckIn.Kind.FOLLOWUP,
                None,
                add_months(end_due, int(months)),
                list(cfg["followup"]),
            )
        )
    return plan


def week_checkin_slots(week: int, weeks: int) -> tuple[str, ...]:
    """The slots of the check-in that program week `week` (of `weeks`) stands for,
    first found wins: the week-N lesson "Weekly check-in" is the patient's own check-in
    of that week. The last week's is the end-of-program check-in (its lesson says so);
    a week whose weekly check-in was left out (the schedule's rules, above) has the one
    that took its place: week 1's is the baseline, the last week's the end."""
    slots: list[str] = []
    if week == weeks:
        slots.append("end")
    slots.append(f"week-{week}")
    if week == 1:
        slots.append("baseline")
    return tuple(slots)


def _window(enrollment: Enrollment, due: date, days: int) -> tuple[datetime, datetime]:
    tz = enrollment.patient.tzinfo
    return local_midnight(due, tz), local_midnight(due + timedelta(days=days), tz)


def checkins_schedule(enrollment: Enrollment, *, now: datetime | None = None) -> int:
    """Create the enrollment's check-ins from its program's config. Idempotent.

    Call it wherever an enrollment becomes active. Slots that exist are left alone
    (the unique (enrollment, slot) constraint also makes a concurrent second call a
    no-op). Returns how many check-ins were created.
    """
    today = enrollment.local_date(now)
    plan = checkin_plan(enrollment, today=today)
    days = window_days(enrollment)
    existing = set(CheckIn.objects.filter(enrollment=enrollment).values_list("slot", flat=True))
    rows = []
    for planned in plan:
        if planned.slot in existing:
            continue
        opens_at, closes_at = _window(enrollment, planned.due_date, days)
        rows.append(
            CheckIn(
                enrollment=enrollment,
                slot=planned.slot,
                kind=planned.kind,
                week=planned.week,
                due_date=planned.due_date,
                opens_at=opens_at,
                closes_at=closes_at,
                instrument_keys=planned.instrument_keys,
            )
        )
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def checkins_reschedule(enrollment: Enrollment, *, now: datetime | None = None) -> int:
    """Move check-ins that have not opened yet to where the calendar now puts them.

    Call after a pause ends (the paused days push every later week back). Check-ins
    that are open, done or missed keep their dates. Returns how many moved.
    """
    today = enrollment.local_date(now)
    plan = {p.slot: p for p in checkin_plan(enrollment, today=today, every_week=True)}
    days = window_days(enrollment)
    moved = 0
    with transaction.atomic():
        for checkin in CheckIn.objects.select_for_update().filter(
            enrollment=enrollment, status=CheckIn.Status.SCHEDULED
        ):
            planned = plan.get(checkin.slot)
            if planned is None or planned.due_date == checkin.due_date:
                continue
            checkin.due_date = planned.due_date
            checkin.opens_at, checkin.closes_at = _window(enrollment, planned.due_date, days)
            checkin.save(update_fields=["due_date", "opens_at", "closes_at"])
            moved += 1
    return moved


def checkins_update_statuses(now: datetime | None = None) -> dict[str, int]:
    """The minute sweep: open check-ins whose day has come, and mark the ones whose
    window closed undone as missed. Two UPDATEs whatever the number of rows; running
    it twice changes nothing.

    This is where `rules.effective_status` is stored: what it says of a check-in at
    `now` (open from `opens_at`, missed from `closes_at`, waiting while the enrollment
    is not live), written to the row so queries can read the column."""
    now = now or timezone.now()
    live = Q(enrollment__status__in=rules.LIVE_ENROLLMENT_STATUSES)
    opened = CheckIn.objects.filter(
        live,
        status=CheckIn.Status.SCHEDULED,
        opens_at__lte=now,
        closes_at__gt=now,
    ).update(status=CheckIn.Status.OPEN)
    missed = CheckIn.objects.filter(
        live,
        status__in=rules.CHECKIN_PENDING,
        closes_at__lte=now,
    ).update(status=CheckIn.Status.MISSED)
    return {"opened": opened, "missed": missed}


def checkins_ensure_scheduled(enrollment: Enrollment, *, now: datetime | None = None) -> None:
    """Schedule an active enrollment's check-ins if nobody has yet (older enrollments)."""
    if enrollment.status == EnrollmentStatus.ACTIVE and not enrollment.checkins.exists():
        checkins_schedule(enrollment, now=now)


def extra_slot(checkin: CheckIn) -> str:
    """The slot of the extra check-in a rule opens after `checkin` (e.g. "week-3-more")."""
    return extra_slot_after(checkin.slot)


def extra_slot_after(slot: str) -> str:
    """The slot of the extra check-in a rule opens after the check-in at `slot`."""
    return f"{slot}-more"


def interim_slot(week: int) -> str:
    """The slot an end-of-program check-in moves to when a program switch keeps it as
    a mid-program one (e.g. "interim-week-4": it came after week 4)."""
    return f"interim-week-{week}"


def checkin_open_extra(
    enrollment: Enrollment,
    *,
    after: CheckIn,
    instrument_keys: list[str],
    now: datetime,
    answered_before: dict | None = None,
) -> CheckIn:
    """Open an extra check-in now, after `after` (a positive PHQ-2 offers the full PHQ-9
    the same day): open from `now` to the end of the usual window counted from today,
    in the patient's zone. `answered_before`: answers `after` already holds to its
    questions (CheckIn.answered_before), not asked again. Once per check-in (the slot
    is unique): a second call returns the one that exists."""
    today = enrollment.local_date(now)
    _, closes_at = _window(enrollment, today, window_days(enrollment))
    extra, _ = CheckIn.objects.get_or_create(
        enrollment=enrollment,
        slot=extra_slot(after),
        defaults={
            "kind": CheckIn.Kind.EXTRA,
            "week": after.week,
            "due_date": today,
            "opens_at": now,
            "closes_at": closes_at,
            "status": CheckIn.Status.OPEN,
            "instrument_keys": list(instrument_keys),
            "answered_before": answered_before or {},
        },
    )
    return extra


# ---------------------------------------------------------------- issue 19: later follow-ups
def followups_extend(*, now: datetime | None = None) -> tuple[int, int]:
    """Give enrollments that started before the 6- and 12-month follow-ups existed their
    6- and 12-month check-ins. Idempotent; returns (versions updated, check-ins made).

    A program version stored with the old default, follow-ups at [1, 3] months, gets
    the new default (DEFAULT_CONFIG's [1, 3, 6, 12]): follow-ups are measurement, not
    the program's content, so the patient's lessons do not change. Then each of its
    enrollments whose check-ins run (active, paused or completed) gets the missing
    slots (`checkins_schedule` only adds slots it lacks) and its reminders resynced.
    Run once after deploying: `manage.py extend_followups`.
    """
    from tracking.reminders.schedules import schedules_sync

    old, new = [1, 3], list(DEFAULT_CONFIG["followup_months"])
    versions = [
        v
        for v in ProgramVersion.objects.all()
        if (v.checkin_config or {}).get("followup_months") == old
    ]
    for version in versions:
        version.checkin_config = {**version.checkin_config, "followup_months": new}
        version.save(update_fields=["checkin_config"])
    made = 0
    enrollments = (
        Enrollment.objects.filter(
            program_version__in=[v.pk for v in versions],
            status__in=[*rules.LIVE_ENROLLMENT_STATUSES, EnrollmentStatus.PAUSED],
            checkins__slot="followup-3m",
        )
        .exclude(checkins__slot="followup-12m")
        .select_related("program_version", "patient", "practice")
        .distinct()
    )
    for enrollment in enrollments:
        with transaction.atomic():
            made += checkins_schedule(enrollment, now=now)
            schedules_sync(enrollment=enrollment, now=now)
    return len(versions), made
