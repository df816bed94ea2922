"""Tailoring one patient's program, from the clinician's side (issue 19, point 2).

The rows and the rules are programs' (programs.tailoring). What lives here is what
`programs` may not do itself: a program switch also moves the patient's check-ins and
reminders (tracking's), in the same transaction; and the page's read of everything a
clinician can change, in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import HttpRequest

from painapp.accounts.models import User
from programs.models import Activity, Enrollment, EnrollmentStatus, ProgramVersion, Week
from programs.selectors import done_activity_ids, outline_for
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    ProgramSwitch,
    SwitchCause,
    SwitchStart,
)
from programs.tailoring.switching import (
    calendar_past_end,
    enrollment_switch_program,
    past_end_message,
    switch_targets,
)
from tracking import rules
from tracking.checkins.schedule import (
    checkin_plan,
    checkins_reschedule,
    checkins_schedule,
    extra_slot,
    interim_slot,
)
from tracking.checkins.summaries import summaries_refresh
from tracking.lifecycle import lock_enrollment
from tracking.models import CheckIn
from tracking.reminders.schedules import schedules_sync


def checkins_after_switch(enrollment: Enrollment, *, weeks_before: int) -> dict[str, int]:
    """Fit the check-ins to the enrollment's new program (see
    programs.tailoring.switching.enrollment_switch_program for the whole story).

    Answered check-ins stay as they are, whatever their week: answers are never lost.
    Weekly check-ins for weeks past the new end that were not answered (not open yet,
    open or missed) go: the new program has no such week, so nothing asks for them or
    lists them. Open and missed check-ins of the new program's weeks keep their dates.
    Of those not open yet, the rest move to the new calendar's dates
    (checkins_reschedule) and ask the new program's questions, and a weekly one the
    new calendar puts before today goes (a week the patient skipped when placed in the
    new program's last week: asking it now would only mark it missed); weeks with no
    check-in get one. The end-of-program check-in and the follow-ups are the new
    program's, dated from its end.

    An end-of-program check-in that has already opened (answered, open or missed) when
    the switch moves the end (the 4-week trial dose extended to 8 weeks) is not the end
    any more: it stays, with its date, status and answers, as a mid-program check-in
    after week `weeks_before` (the old program's length), and the new program gets its
    own end-of-program check-in, on the day after its last week, which the outcomes
    report and the summary's end scores read (`_end_kept_as_interim`). Nothing happens
    before the program has started (the check-ins are made when it does)."""
    if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
        return {"dropped": 0, "moved": 0, "created": 0, "kept": 0}
    if not CheckIn.objects.filter(enrollment=enrollment).exists():
        return {"dropped": 0, "moved": 0, "created": 0, "kept": 0}
    plan = {p.slot: p for p in checkin_plan(enrollment, every_week=True)}
    kept = _end_kept_as_interim(enrollment, plan[rules.END_SLOT].due_date, weeks_before)
    unanswered = (CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN, CheckIn.Status.MISSED)
    weekly = (CheckIn.Kind.WEEKLY, CheckIn.Kind.EXTRA)
    dropped, _ = CheckIn.objects.filter(
        enrollment=enrollment,
        status__in=unanswered,
        kind__in=weekly,
        week__gt=enrollment.week_count,
        responses__isnull=True,
    ).delete()
    moved = checkins_reschedule(enrollment)
    skipped, _ = CheckIn.objects.filter(
        enrollment=enrollment,
        status=CheckIn.Status.SCHEDULED,
        kind=CheckIn.Kind.WEEKLY,
        due_date__lt=enrollment.local_date(),
    ).delete()
    dropped += skipped
    for checkin in CheckIn.objects.filter(enrollment=enrollment, status=CheckIn.Status.SCHEDULED):
        planned = plan.get(checkin.slot)
        if planned is not None and checkin.instrument_keys != planned.instrument_keys:
            checkin.instrument_keys = planned.instrument_keys
            checkin.save(update_fields=["instrument_keys"])
    created = 0
    if enrollment.status == EnrollmentStatus.ACTIVE:
        created = checkins_schedule(enrollment)
    if kept:
        # The summary's end scores came from the check-in that is no longer the end.
        summaries_refresh(enrollment_ids=[enrollment.pk])
    return {"dropped": dropped, "moved": moved, "created": created, "kept": kept}


def _end_kept_as_interim(enrollment: Enrollment, new_end: date, weeks_before: int) -> int:
    """Re-label the end-of-program check-in as a mid-program one (kind INTERIM, slot
    "interim-week-N", week N = `weeks_before`) if it has already opened and the new
    program ends on another day (`new_end`), so the "end" slot is free for the new
    program's. One not open yet simply moves (checkins_reschedule). Returns 1 if it
    was re-labelled, else 0."""
    end = (
        CheckIn.objects.select_for_update()
        .filter(enrollment=enrollment, slot=rules.END_SLOT)
        .exclude(status=CheckIn.Status.SCHEDULED)
        .first()
    )
    if end is None or end.due_date == new_end:
        return 0
    taken = set(
        CheckIn.objects.filter(
            enrollment=enrollment, slot__startswith=interim_slot(weeks_before)
        ).values_list("slot", flat=True)
    )
    slot, n = interim_slot(weeks_before), 2
    while slot in taken:  # switched back and forth: a second one after the same week
        slot, n = f"{interim_slot(weeks_before)}-{n}", n + 1
    # Its extra questions (a positive PHQ-2's PHQ-9, "end-more") go with it, so the new
    # end check-in can open its own.
    CheckIn.objects.filter(enrollment=enrollment, slot=extra_slot(end)).update(
        slot=f"{slot}-more", week=weeks_before
    )
    end.slot, end.kind, end.week = slot, CheckIn.Kind.INTERIM, weeks_before
    end.save(update_fields=["slot", "kind", "week"])
    return 1


def program_switch(
    *,
    enrollment: Enrollment,
    to_version: ProgramVersion,
    reason: str,
    by: User,
    start: str = SwitchStart.CALENDAR,
    cause: str = SwitchCause.CLINICIAN,
    request: HttpRequest | None = None,
) -> ProgramSwitch:
    """Switch the patient's program and fit their check-ins and reminders to it, in
    one transaction with the audit event (`tailoring.program_switched`). The
    enrollment's row is locked first, so a double submit finds the switch done.
    The clinician's form calls it, and so does the patient's own change of language
    (programs.tailoring.switching.program_switchers, registered in TrackingConfig.ready)."""
    with transaction.atomic():
        lock_enrollment(enrollment)
        if hasattr(enrollment, "_week_count"):
            del enrollment._week_count
        weeks_before = enrollment.week_count
        switch = enrollment_switch_program(
            enrollment=enrollment,
            to_version=to_version,
            reason=reason,
            by=by,
            start=start,
            cause=cause,
            request=request,
        )
        checkins_after_switch(enrollment, weeks_before=weeks_before)
        if enrollment.status == EnrollmentStatus.ACTIVE:
            schedules_sync(enrollment=enrollment)
    return switch


def switched_ends_repair() -> int:
    """Give the end check-in its new place for enrollments switched to a longer program
    before a switch moved it (`_end_kept_as_interim`, 2026-12): their answered 4-week
    end check-in still holds the "end" slot, the longer program has no end of its own,
    and the outcomes report reads the 4-week answers as the end of treatment. Each is
    fitted as a switch now would (`checkins_after_switch`): the old end is kept, answers
    and all, as a mid-program check-in and the program gets its end check-in on the day
    after its last week. A patient who has finished since keeps the 4-week answers as a
    mid-program check-in too, but is asked nothing new. Idempotent; returns how many
    enrollments were repaired. Run once after deploying: `manage.py repair_switched_ends`."""
    repaired = 0
    switched = Enrollment.objects.filter(
        status__in=(EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.COMPLETED),
        program_switches__isnull=False,
    ).distinct()
    for enrollment in switched:
        with transaction.atomic():
            lock_enrollment(enrollment)
            end = (
                CheckIn.objects.filter(enrollment=enrollment, slot=rules.END_SLOT)
                .exclude(status=CheckIn.Status.SCHEDULED)
                .first()
            )
            plan_end = {p.slot: p for p in checkin_plan(enrollment, every_week=True)}[
                rules.END_SLOT
            ].due_date
            if end is None or end.due_date >= plan_end:
                continue  # the end is still to come, or where the program puts it
            last = enrollment.program_switches.select_related("from_version").first()
            assert last is not None  # switched: it has at least one
            weeks_before = last.from_version.week_count
            if enrollment.status == EnrollmentStatus.COMPLETED:
                _end_kept_as_interim(enrollment, plan_end, weeks_before)
                summaries_refresh(enrollment_ids=[enrollment.pk])
            else:
                checkins_after_switch(enrollment, weeks_before=weeks_before)
            if enrollment.status == EnrollmentStatus.ACTIVE:
                schedules_sync(enrollment=enrollment)
            repaired += 1
    return repaired


@dataclass
class WeekRow:
    week: Week
    activities: list[tuple[Activity, ActivityAdjustment | None]]
    custom: list[CustomExercise]


@dataclass
class TailoringPage:
    weeks: list[WeekRow]
    current_week: int
    week_count: int
    adjustments: list[ActivityAdjustment]
    exercises: list[CustomExercise]  # withdrawn ones too, marked
    suggestions: list[ExposureSuggestion]
    switches: list[ProgramSwitch]
    targets: Sequence[ProgramVersion]
    # What the switch form says before saving, for each program whose end the
    # patient's calendar has already passed (keeping the calendar is refused there),
    # and those programs' titles (the form does not offer keeping the calendar for them).
    past_end_notes: list[str]
    past_end_titles: list[str]
    # The activities the patient has done (marked in the activity list; a done one
    # cannot be skipped: programs.tailoring.services.activity_adjust).
    done: set[int]
    # The language of the patient's program (a target in another language says its own).
    language: str = ""

    @property
    def changes(self) -> list[tuple[WeekRow, Activity, ActivityAdjustment]]:
        """The changed activities, in program order (the program switches are
        `switches`, newest first)."""
        return [(row, a, c) for row in self.weeks for a, c in row.activities if c is not None]

    @property
    def live_exercises(self) -> list[CustomExercise]:
        return [e for e in self.exercises if e.withdrawn_at is None]

    def activity(self, pk: int) -> Activity | None:
        return next((a for row in self.weeks for a, _ in row.activities if a.pk == pk), None)


def tailoring_page(enrollment: Enrollment) -> TailoringPage:
    """Everything the clinician's program page shows: the weeks and activities as the
    program has them (each with its change), the custom exercises, the ladder
    suggestions, the switches and where the patient could be switched to. A fixed
    number of queries however much was changed (the outline is cached)."""
    outline = outline_for(enrollment)
    enrollment._week_count = len(outline.weeks)
    adjustments = list(
        ActivityAdjustment.objects.filter(enrollment=enrollment)
        .select_related("created_by")
        .order_by("pk")
    )
    by_activity = {a.activity_id: a for a in adjustments}
    exercises = list(
        CustomExercise.objects.filter(enrollment=enrollment).select_related("created_by")
    )
    targets = switch_targets(enrollment)
    past_end = [v for v in targets if calendar_past_end(enrollment, v.week_total)]
    rows = [
        WeekRow(
            week=w,
            activities=[(a, by_activity.get(a.pk)) for a in outline.activities[w.pk]],
            custom=[e for e in exercises if e.week == w.number],
        )
        for w in outline.weeks
    ]
    return TailoringPage(
        weeks=rows,
        current_week=enrollment.current_week(),
        week_count=len(outline.weeks),
        adjustments=adjustments,
        exercises=exercises,
        suggestions=list(ExposureSuggestion.objects.filter(enrollment=enrollment)),
        switches=list(
            ProgramSwitch.objects.filter(enrollment=enrollment).select_related(
                "from_version", "to_version", "created_by"
            )
        ),
        targets=targets,
        past_end_notes=[past_end_message(enrollment, v.title, v.week_total) for v in past_end],
        past_end_titles=[v.title for v in past_end],
        done=done_activity_ids(enrollment),
        language=enrollment.program_version.language,
    )
