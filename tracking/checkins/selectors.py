"""Reads of the patient's check-ins: what is open, the list, one check-in to answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, F, OuterRef, Q, Value
from django.db.models.fields.json import HasKey
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enrollment, EnrollmentStatus
from tracking import rules as clinical  # `rules` is a PracticeSettings here
from tracking.checkins.schedule import week_checkin_slots
from tracking.models import CheckIn, Instrument, PracticeSettings

# ---------------------------------------------------------------- reading the schedule


def effective_status(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> str:
    """The status a person should see now, even if the minute sweep has not run yet."""
    return clinical.effective_status(
        stored=checkin.status,
        opens_at=checkin.opens_at,
        closes_at=checkin.closes_at,
        now=now,
        enrollment_status=enrollment.status,
    )


def is_available(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> bool:
    return clinical.is_open_for_answers(
        stored=checkin.status,
        opens_at=checkin.opens_at,
        closes_at=checkin.closes_at,
        now=now,
        enrollment_status=enrollment.status,
    )


def checkin_title(checkin: CheckIn) -> str:
    if checkin.kind == CheckIn.Kind.BASELINE:
        return _("Starting check-in")
    if checkin.kind == CheckIn.Kind.WEEKLY:
        return _("Week %(n)s check-in") % {"n": checkin.week}
    if checkin.kind == CheckIn.Kind.END:
        return _("End-of-program check-in")
    if checkin.kind == CheckIn.Kind.INTERIM:
        return interim_title(checkin.week)
    if checkin.kind == CheckIn.Kind.EXTRA:
        return _("A few more questions about your mood")
    months = checkin.slot.removeprefix("followup-").removesuffix("m")
    return _("%(n)s-month follow-up") % {"n": months}


def checkin_card_heading(checkin: CheckIn) -> str:
    """Today's heading for an open check-in: a whole sentence for each kind, so each
    language words it as it needs (not a title slotted into "Your … is open")."""
    if checkin.kind == CheckIn.Kind.BASELINE:
        return _("Your starting check-in is open")
    if checkin.kind == CheckIn.Kind.WEEKLY:
        return _("Your week %(n)s check-in is open") % {"n": checkin.week}
    if checkin.kind == CheckIn.Kind.END:
        return _("Your end-of-program check-in is open")
    if checkin.kind == CheckIn.Kind.INTERIM:
        return _("Your mid-program check-in (after week %(n)s) is open") % {"n": checkin.week}
    if checkin.kind == CheckIn.Kind.EXTRA:
        return _("More questions about your mood are ready")
    months = checkin.slot.removeprefix("followup-").removesuffix("m")
    return _("Your %(n)s-month follow-up is open") % {"n": months}


# About how long one question takes to answer: the weekly check-in's 9 questions take
# about 3 minutes.
SECONDS_PER_QUESTION = 20


def minutes_to_answer(question_count: int) -> int:
    """About how many minutes `question_count` questions take (at least 1)."""
    return max(1, round(question_count * SECONDS_PER_QUESTION / 60))


def interim_title(week: int | None) -> str:
    """An end-of-program check-in a program switch kept as a mid-program one
    (CheckIn.Kind.INTERIM), for the patient and the clinician alike."""
    return _("Mid-program check-in (after week %(n)s)") % {"n": week}


def checkin_short_label(checkin: CheckIn) -> str:
    """A few characters for a chart's axis."""
    if checkin.kind == CheckIn.Kind.BASELINE:
        return _("Start")
    if checkin.kind == CheckIn.Kind.WEEKLY:
        return _("W%(n)s") % {"n": checkin.week}
    if checkin.kind == CheckIn.Kind.END:
        return _("End")
    if checkin.kind == CheckIn.Kind.INTERIM:
        return _("Mid")
    if checkin.kind == CheckIn.Kind.EXTRA:
        return _("More")
    return "+" + checkin.slot.removeprefix("followup-").removesuffix("m") + "m"


def last_open_day(checkin: CheckIn, enrollment: Enrollment) -> date:
    """The patient's last local day to do it."""
    return timezone.localtime(checkin.closes_at, enrollment.patient.tzinfo).date() - timedelta(
        days=1
    )


@dataclass
class CheckInRow:
    """One check-in as the patient's list shows it."""

    checkin: CheckIn
    title: str
    status: str
    status_label: str
    last_day: date


def _row(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> CheckInRow:
    status = effective_status(checkin, now, enrollment)
    return CheckInRow(
        checkin=checkin,
        title=checkin_title(checkin),
        status=status,
        status_label=str(CheckIn.Status(status).label),
        last_day=last_open_day(checkin, enrollment),
    )


def shown_rows(rows: list[CheckInRow], enrollment: Enrollment) -> list[CheckInRow]:
    """The patient's list of check-ins as their pages show it. Once the practice has
    stopped the program (Enrollment.has_ended) the check-ins still pending will never
    open: only those sent or missed are listed, so none reads as still to come."""
    if not enrollment.has_ended:
        return rows
    return [r for r in rows if r.status in (CheckIn.Status.COMPLETED, CheckIn.Status.MISSED)]


@dataclass
class CheckInHome:
    current: CheckIn | None
    next: CheckIn | None
    rows: list[CheckInRow]
    # While paused, every paused day moves the check-ins still to come (they follow the
    # program's weeks): the pages then give no date for them.
    paused: bool = False


def checkin_home(enrollment: Enrollment, now: datetime) -> CheckInHome:
    """The open check-in (the earliest, if windows overlap), the next one, and the list
    of every check-in so far with its status. One query."""
    checkins = list(CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at", "pk"))
    current = next((c for c in checkins if is_available(c, now, enrollment)), None)
    upcoming = next(
        (c for c in checkins if c.status == CheckIn.Status.SCHEDULED and c.opens_at > now), None
    )
    if enrollment.has_ended:
        upcoming = None  # nothing more opens
    rows = shown_rows(
        [_row(c, now, enrollment) for c in checkins if c.opens_at <= now or c is upcoming],
        enrollment,
    )
    paused = enrollment.status == EnrollmentStatus.PAUSED
    return CheckInHome(current=current, next=upcoming, rows=rows, paused=paused)


def practice_rules(practice) -> PracticeSettings:
    """The practice's settings as loaded with it (select_related
    "tracking_settings"), or the defaults when it has never saved any."""
    try:
        return practice.tracking_settings
    except PracticeSettings.DoesNotExist:
        return PracticeSettings(practice_id=practice.pk)


@dataclass
class PatientCheckIn:
    """One of the patient's own check-ins, with what answering it needs."""

    checkin: CheckIn
    rules: PracticeSettings  # the practice's alert settings (the defaults if it has none)
    # The ids of the current versions of its instruments (shipped and the practice's
    # own), read with it; checkin_instruments takes their content from
    # registry.instruments_by_id, which keeps it (a version never changes).
    instrument_ids: list[int] | None = None


def _current_version_ids(practice_id: int | OuterRef) -> ArraySubquery:
    """For a check-in row: the ids of its instruments' current versions, shipped and
    the practice's own (services.checkin_instruments picks between them). `practice_id`:
    the enrollment's practice, or OuterRef("enrollment__practice_id") for check-ins of
    many practices."""
    current_versions = (
        Instrument.objects.order_by()
        .filter(
            Q(practice__isnull=True) | Q(practice_id=practice_id),
            HasKey(OuterRef("instrument_keys"), F("key")),
            is_current=True,
        )
        .values("pk")
    )
    return ArraySubquery(current_versions)


def patient_checkin(enrollment: Enrollment, pk: int) -> PatientCheckIn | None:
    """The enrollment's check-in `pk` (None if it is not one of theirs) with its
    practice's alert settings and the ids of its instruments' current versions. One
    query."""
    checkin = (
        CheckIn.objects.select_related("enrollment__practice__tracking_settings")
        .annotate(instrument_ids=_current_version_ids(enrollment.practice_id))
        .filter(enrollment=enrollment, pk=pk)
        .first()
    )
    if checkin is None:
        return None
    rules = practice_rules(checkin.enrollment.practice)
    checkin.enrollment = enrollment
    return PatientCheckIn(checkin=checkin, rules=rules, instrument_ids=checkin.instrument_ids)


@dataclass
class OpenCheckIn:
    """A check-in with the ids of its instruments' current versions (what
    services.checkin_length needs): the one Today shows, a reminder's, the extra
    questions a results page offers."""

    checkin: CheckIn
    instrument_ids: list[int]


def open_checkin_for_card(enrollment: Enrollment, now: datetime) -> OpenCheckIn | None:
    """The check-in to show on Today: open now and not done, with the ids of its
    instruments' current versions. One query."""
    if enrollment.status not in clinical.LIVE_ENROLLMENT_STATUSES:
        return None
    checkin = (
        CheckIn.objects.annotate(instrument_ids=_current_version_ids(enrollment.practice_id))
        .filter(
            enrollment=enrollment,
            status__in=clinical.CHECKIN_PENDING,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .order_by("opens_at")
        .first()
    )
    if checkin is None:
        return None
    checkin.enrollment = enrollment
    return OpenCheckIn(checkin=checkin, instrument_ids=checkin.instrument_ids)


def extra_checkin(enrollment: Enrollment, slot: str) -> OpenCheckIn | None:
    """The enrollment's extra check-in at `slot` (the PHQ-9 a positive PHQ-2 opens),
    with the ids of its instruments' current versions. One query."""
    checkin = (
        CheckIn.objects.annotate(instrument_ids=_current_version_ids(enrollment.practice_id))
        .filter(enrollment=enrollment, slot=slot)
        .first()
    )
    if checkin is None:
        return None
    checkin.enrollment = enrollment
    return OpenCheckIn(checkin=checkin, instrument_ids=checkin.instrument_ids)


def due_checkins(pks: set[int]) -> dict[int, OpenCheckIn]:
    """Those of check-ins `pks` still to be done (a reminder's), by id, each with the
    ids of its instruments' current versions: check-ins of any practice, one query."""
    if not pks:
        return {}
    checkins = (
        CheckIn.objects.filter(pk__in=pks, status__in=clinical.CHECKIN_PENDING)
        .only("kind", "week", "slot", "instrument_keys", "answered_before")
        .annotate(instrument_ids=_current_version_ids(OuterRef("enrollment__practice_id")))
    )
    return {c.pk: OpenCheckIn(checkin=c, instrument_ids=c.instrument_ids) for c in checkins}


def week_checkins(
    enrollment: Enrollment, weeks: set[int], week_count: int
) -> dict[int, OpenCheckIn]:
    """The enrollment's own check-in for each of program weeks `weeks` (of
    `week_count`; schedule.week_checkin_slots), those that exist, with the ids of their
    instruments' current versions. One query (none for no weeks)."""
    if not weeks:
        return {}
    wanted = {week: week_checkin_slots(week, week_count) for week in weeks}
    checkins = {
        c.slot: c
        for c in CheckIn.objects.annotate(
            instrument_ids=_current_version_ids(enrollment.practice_id)
        ).filter(
            enrollment=enrollment, slot__in={slot for slots in wanted.values() for slot in slots}
        )
    }
    found: dict[int, OpenCheckIn] = {}
    for week, slots in wanted.items():
        checkin = next((checkins[s] for s in slots if s in checkins), None)
        if checkin is not None:
            checkin.enrollment = enrollment
            found[week] = OpenCheckIn(checkin=checkin, instrument_ids=checkin.instrument_ids)
    return found


class WeekCheckInsDone:
    """Which program weeks' own check-in (week_checkin_slots, first found wins, as
    week_checkins) the patient submitted, read inside programs' one query of what is
    done (programs.selectors.done_activity_ids). Registered on
    programs.checkins_done.checkins_done."""

    def sql(self, enrollment_id: OuterRef) -> ArraySubquery:
        """The enrollment's check-ins as "status:slot" (a status has no colon)."""
        return ArraySubquery(
            CheckIn.objects.filter(enrollment_id=enrollment_id)
            .order_by()
            .values(row=Concat(F("status"), Value(":"), F("slot"), output_field=CharField()))
        )

    def weeks(self, value: list[str] | None, week_count: int) -> set[int]:
        statuses = {slot: status for status, slot in (row.split(":", 1) for row in value or [])}
        done = set()
        for week in range(1, week_count + 1):
            slot = next((s for s in week_checkin_slots(week, week_count) if s in statuses), None)
            if slot is not None and statuses[slot] == CheckIn.Status.COMPLETED:
                done.add(week)
        return done


week_checkins_done = WeekCheckInsDone()
