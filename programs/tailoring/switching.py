"""A clinician switches one patient to another version of their program (the 4-week
"trial dose" and the 8-week program): where the patient starts in it, and the one rule
that keeps a kept calendar from running past the new program's end (weeks.past_end).
The rest of tailoring's writes, and the helpers shared with them, are in
programs.tailoring.services; tracking.clinic.tailoring moves the check-ins after a
switch (`programs` may not import `tracking`), and registers that whole switch on
`program_switchers`, so a switch programs itself starts (the patient's own change of
language, programs.language) goes through the same entry point as the clinician's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.models import User
from programs import weeks
from programs.models import (
    Activity,
    ActivityCompletion,
    Attribution,
    Enrollment,
    ProgramVersion,
    Reflection,
)
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ProgramSwitch,
    SwitchCause,
    SwitchStart,
)
from programs.tailoring.services import OPEN_STATUSES, _audit, _clean_reason

# The whole switch: enrollment_switch_program, then what programs may not move itself
# (tracking's check-ins and reminders), in one transaction. One provider:
# tracking.clinic.tailoring.program_switch, registered in TrackingConfig.ready.
program_switchers: ExtensionPoint[Callable[..., ProgramSwitch]] = ExtensionPoint("program switch")


class _Weeks(TypedDict):
    week_total: int


if TYPE_CHECKING:  # the type of a version annotated with its number of weeks
    from django_stubs_ext import WithAnnotations

    VersionWithWeeks = WithAnnotations[ProgramVersion, _Weeks]


def program_switch(**kwargs) -> ProgramSwitch:
    """Switch through the registered whole switch (`program_switchers`), with the
    arguments of enrollment_switch_program."""
    switchers = list(program_switchers)
    if len(switchers) != 1:
        raise ImproperlyConfigured("Exactly one program switch must be registered.")
    return switchers[0](**kwargs)


def other_language_allowed(enrollment: Enrollment, to_version: ProgramVersion) -> bool:
    """Whether a switch may change the language of the patient's lessons to
    `to_version`'s: only to the same program, in the language the patient reads the app
    in (User.language). A language they do not read is never offered."""
    old = enrollment.program_version
    return (
        to_version.program_id == old.program_id
        and to_version.language == enrollment.patient.language
    )


def switch_targets(enrollment: Enrollment) -> list[VersionWithWeeks]:
    """The program versions this patient can be switched to: the newest version of
    every program in the enrollment's language, except the one they are on, and the
    newest edition of their own program in the language they read the app in, when it
    is another (other_language_allowed). Each carries its number of weeks
    (`week_total`); one query."""
    current = enrollment.program_version
    languages = {current.language, enrollment.patient.language}
    newest: dict[tuple[int, str], VersionWithWeeks] = {}
    for version in (
        ProgramVersion.objects.filter(language__in=languages)
        .select_related("program")
        .annotate(week_total=Count("weeks"))
        .order_by("program_id", "language", "-number")
    ):
        newest.setdefault((version.program_id, version.language), version)
    return sorted(
        (
            v
            for v in newest.values()
            if v.pk != current.pk
            and (
                other_language_allowed(enrollment, v)
                if v.language != current.language
                # An older edition of the program the patient is on is not offered.
                else v.program_id != current.program_id or v.number > current.number
            )
        ),
        key=lambda v: (v.title, v.language, v.number),
    )


def enrollment_switch_program(
    *,
    enrollment: Enrollment,
    to_version: ProgramVersion,
    reason: str,
    by: User,
    start: str = SwitchStart.CALENDAR,
    cause: str = SwitchCause.CLINICIAN,
    request: HttpRequest | None = None,
) -> ProgramSwitch:
    """Move the patient to another program version of the same language (another
    program, e.g. the 4-week "trial dose", or a newer edition of theirs), or to their
    program in the language they read the app in (other_language_allowed), and tell
    them why (`reason`, shown on Today and the program overview). A switch the
    patient's own change of language makes (`cause` SwitchCause.LANGUAGE, `by` the
    patient, programs.language) has no reason typed: the pages say why in the
    reader's language.

    What is kept, and how:

    - **Logs** (somatic-tracking sessions, the fear ladder and exposures, check-ins
      and their answers, notes, alerts) belong to the enrollment, not to the program:
      nothing is deleted or moved.
    - **Completions** are kept as they are, and each one also counts in the new
      program for the activity with the same slug (the programs share their lessons'
      slugs where the lesson is the same), with its original time. Activities with no
      twin are new to the patient and start undone. A reflection or "three causes"
      answer moves to the twin activity, so the patient sees it there.
    - **Tailoring**: a change of an activity with a twin carries over (a move to a
      week past the new program's end goes to its last week); others are dropped.
      Custom exercises stay, in the same week or the new last week.

    **Where the patient is** (`start`, a SwitchStart):

    - `calendar` (the default) keeps the calendar: the start date and paused days
      stay, so the patient is in the same week number as before (week 3 of 8 becomes
      week 3 of 4). Weeks the clinician had opened early stay open, capped at the new
      program's last week. **Refused** when the calendar is already past the new
      program's end (`calendar_past_end`, the same rule as "the program is over",
      programs.weeks.past_end): week 5 of 8 on a 4-week program would be "week 4 of
      4" for the clinician while Today told the patient the program had finished,
      on a date before the switch, and offered a booster. We refuse rather than
      quietly placing the patient somewhere: "keep the calendar" would then mean two
      different things, and the clinician has to choose between the two honest
      options the message names (`past_end_message`), which the form offers.
    - `week1`: the new program starts today at week 1 (start date today, paused days
      and early-opened weeks reset).
    - `last`: the new program's last week starts today (the start date moves back so
      its last week opens today; paused days and early-opened weeks reset): all its
      weeks are open, and it is over, with the end-of-program check-in and the first
      booster, a week from today.

    A paused patient stays paused.

    **Check-ins** are tracking's (tracking.clinic.tailoring.program_switch calls this
    and then moves them in the same transaction): answered, open and missed check-ins
    keep their dates and answers; weekly check-ins not yet open for weeks past the new
    end are dropped; the others, the end-of-program check-in and the follow-ups move
    to where the new calendar puts them and ask the new program's questions; weeks
    with no check-in yet get one. An end-of-program check-in that has already opened
    (e.g. answered at the end of the 4-week trial dose, then extended to 8 weeks) is
    kept with its answers as a mid-program check-in, and the new program gets its own
    end-of-program check-in, which the outcomes report reads. After a restart, a week
    whose check-in was already asked under the old program is not asked again.

    What the patient wrote (reflections, "three causes", notes, the diary, check-in
    answers, which record their own language) stays as written; the lessons, the
    player's steps and the check-ins still to answer come in the new version's language.

    Refused (ValidationError) for a closed enrollment, the same version, another
    language than the two above, or keeping a calendar past the new end (on the
    `start` field). One transaction, with a `tailoring.program_switched` audit event.
    """
    if cause not in SwitchCause.values:
        raise ValueError(f"Unknown switch cause {cause!r}")
    reason = "" if cause == SwitchCause.LANGUAGE else _clean_reason(reason)
    old = enrollment.program_version
    if enrollment.status not in OPEN_STATUSES:
        raise ValidationError(_("Only a patient still on the program can be switched."))
    if to_version.pk == old.pk:
        raise ValidationError({"to_version": _("The patient is already on this program.")})
    if to_version.language != old.language and not other_language_allowed(enrollment, to_version):
        raise ValidationError({"to_version": _("Choose a program in the patient's language.")})
    if start not in SwitchStart.values:
        raise ValidationError({"start": _("Choose where the patient starts.")})
    with transaction.atomic():
        week_before = enrollment.current_week()
        new_activities = {
            a.slug: a
            for a in Activity.objects.filter(week__version=to_version).select_related("week")
        }
        new_count = to_version.weeks.count()
        if new_count == 0:
            raise ValidationError({"to_version": _("This program has no weeks yet.")})
        if start == SwitchStart.CALENDAR and calendar_past_end(enrollment, new_count):
            raise ValidationError(
                {"start": past_end_message(enrollment, to_version.title, new_count)}
            )

        # Completions: count again for the twin activities (old rows stay).
        old_done = ActivityCompletion.objects.filter(
            enrollment=enrollment, activity__week__version=old
        ).values_list("activity__slug", "completed_at")
        carried = [
            ActivityCompletion(
                enrollment=enrollment, activity=new_activities[slug], completed_at=at
            )
            for slug, at in old_done
            if slug in new_activities
        ]
        ActivityCompletion.objects.bulk_create(carried, ignore_conflicts=True)

        # Reflections and "three causes" follow their activity, unless the twin has one.
        for model in (Reflection, Attribution):
            taken = set(
                model.objects.filter(
                    enrollment=enrollment, activity__week__version=to_version
                ).values_list("activity__slug", flat=True)
            )
            for row in model.objects.filter(
                enrollment=enrollment, activity__week__version=old
            ).select_related("activity"):
                twin = new_activities.get(row.activity.slug)  # type: ignore[union-attr]
                if twin is not None and twin.slug not in taken:
                    row.activity = twin
                    row.save(update_fields=["activity"])
                    taken.add(twin.slug)

        # Tailoring follows the twin activities; custom exercises stay in range.
        dropped = 0
        for adjustment in ActivityAdjustment.objects.filter(enrollment=enrollment).select_related(
            "activity__week"
        ):
            twin = new_activities.get(adjustment.activity.slug)
            if (
                twin is None
                or ActivityAdjustment.objects.filter(enrollment=enrollment, activity=twin).exists()
            ):
                adjustment.delete()
                dropped += 1
                continue
            adjustment.activity = twin
            if adjustment.to_week is not None:
                adjustment.to_week = min(adjustment.to_week, new_count)
                if adjustment.to_week == twin.week.number:
                    adjustment.delete()
                    dropped += 1
                    continue
            adjustment.save(update_fields=["activity", "to_week"])
        CustomExercise.objects.filter(enrollment=enrollment, week__gt=new_count).update(
            week=new_count
        )

        enrollment.program_version = to_version
        enrollment._week_count = new_count
        enrollment.unlocked_through_week = min(enrollment.unlocked_through_week, new_count)
        restart = start == SwitchStart.WEEK_ONE
        if start != SwitchStart.CALENDAR:
            today = enrollment.local_date()
            enrollment.start_date = (
                today if restart else weeks.last_week_start_date(today=today, week_count=new_count)
            )
            enrollment.paused_days = 0
            enrollment.paused_on = today if enrollment.paused_on else None
            enrollment.unlocked_through_week = 0
        enrollment.tailored_at = timezone.now()
        enrollment.save(
            update_fields=[
                "program_version",
                "unlocked_through_week",
                "start_date",
                "paused_days",
                "paused_on",
                "tailored_at",
                "updated_at",
            ]
        )
        week_after = enrollment.current_week()
        switch = ProgramSwitch.objects.create(
            enrollment=enrollment,
            from_version=old,
            to_version=to_version,
            week_before=week_before,
            week_after=week_after,
            restarted=restart,
            reason=reason,
            cause=cause,
            created_by=by,
        )
        _audit(
            request,
            "tailoring.program_switched",
            enrollment,
            by,
            switch,
            {
                "program_version": [old.pk, to_version.pk],
                "language": [old.language, to_version.language],
                "cause": [None, str(cause)],
                "week": [week_before, week_after],
                "week_count": [_count(old), new_count],
                "restarted": [False, restart],
                "start": [None, str(start)],
                "completions_carried": [0, len(carried)],
                "adjustments_dropped": [0, dropped],
            },
        )
    return switch


def calendar_past_end(enrollment: Enrollment, week_count: int) -> bool:
    """Whether keeping the patient's calendar would put them past the end of a program
    of `week_count` weeks today (programs.weeks.past_end: the rule that says when the
    program is over, so Today, the boosters and the switch agree). Never before the
    program has started."""
    return weeks.past_end(
        start_date=enrollment.start_date,
        today=enrollment.local_date(),
        week_count=week_count,
        paused_days=enrollment.paused_days,
        paused_on=enrollment.paused_on,
    )


def past_end_message(enrollment: Enrollment, title: str, week_count: int) -> str:
    """What the clinician reads, before and instead of a switch that keeps a calendar
    already past the new program's end."""
    return _(
        "The patient is in week %(week)s, and “%(title)s” has %(count)s weeks: keeping "
        "their calendar would put them past its end. Choose to start it again at week 1, "
        "or to start its last week today."
    ) % {"week": enrollment.current_week(), "title": title, "count": week_count}


def _count(version: ProgramVersion) -> int:
    return version.weeks.count()


# How long Today shows a change as news; the program overview lists them all.
