"""Reads of the patient's check-ins: what is open, the list, one check-in to answer."""


from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.db import connection
from django.utils import timezone

from painapp import rows
from programs.models import (
    Enrollment,
)
from tracking.checkins.schedule import LIVE_STATUSES, PENDING
from tracking.models import CheckIn, Instrument, PracticeSettings

# ---------------------------------------------------------------- reading the schedule


def effective_status(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> str:
    """The status a person should see now, even if the minute sweep has not run yet."""
    if checkin.status in (CheckIn.Status.COMPLETED, CheckIn.Status.MISSED):
        return checkin.status
    if enrollment.status not in LIVE_STATUSES:
        return CheckIn.Status.SCHEDULED
    if checkin.closes_at <= now:
        return CheckIn.Status.MISSED
    if checkin.opens_at <= now:
        return CheckIn.Status.OPEN
    return CheckIn.Status.SCHEDULED


def is_available(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> bool:
    return effective_status(checkin, now, enrollment) == CheckIn.Status.OPEN


def checkin_title(checkin: CheckIn) -> str:
    if checkin.kind == CheckIn.Kind.BASELINE:
        return "Starting check-in"
    if checkin.kind == CheckIn.Kind.WEEKLY:
        return f"Week {checkin.week} check-in"
    if checkin.kind == CheckIn.Kind.END:
        return "End-of-program check-in"
    months = checkin.slot.removeprefix("followup-").removesuffix("m")
    return f"{months}-month follow-up"


def checkin_short_label(checkin: CheckIn) -> str:
    """A few characters for a chart's axis."""
    if checkin.kind == CheckIn.Kind.BASELINE:
        return "Start"
    if checkin.kind == CheckIn.Kind.WEEKLY:
        return f"W{checkin.week}"
    if checkin.kind == CheckIn.Kind.END:
        return "End"
    return "+" + checkin.slot.removeprefix("followup-").removesuffix("m") + "m"


def last_open_day(checkin: CheckIn, enrollment: Enrollment) -> date:
    """The patient's last local day to do it."""
    return timezone.localtime(checkin.closes_at, enrollment.patient.tzinfo).date() - timedelta(
        days=1)


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
    return CheckInRow(checkin=checkin, title=checkin_title(checkin), status=status,
                      status_label=CheckIn.Status(status).label,
                      last_day=last_open_day(checkin, enrollment))


@dataclass
class CheckInHome:
    current: CheckIn | None
    next: CheckIn | None
    rows: list[CheckInRow]


def checkin_home(enrollment: Enrollment, now: datetime) -> CheckInHome:
    """The open check-in (the earliest, if windows overlap), the next one, and the list
    of every check-in so far with its status. One query."""
    checkins = list(CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at", "pk"))
    current = next((c for c in checkins if is_available(c, now, enrollment)), None)
    upcoming = next((c for c in checkins if c.status == CheckIn.Status.SCHEDULED
                     and c.opens_at > now), None)
    rows = [_row(c, now, enrollment) for c in checkins if c.opens_at <= now or c is upcoming]
    return CheckInHome(current=current, next=upcoming, rows=rows)


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
    # own) when they were read with it (Postgres); None: checkin_instruments looks.
    instrument_ids: list[int] | None = None


def patient_checkin(enrollment: Enrollment, pk: int) -> PatientCheckIn | None:
    """The enrollment's check-in `pk` (None if it is not one of theirs) with its
    practice's alert settings. One query.

    On Postgres written out, and it brings the ids of the check-in's instruments'
    current versions too, whose content registry.instruments_by_id keeps (a version
    never changes): the ORM spent longer building and compiling the check-in with its
    settings, then the instruments, than Postgres spent answering (issue 7).
    Elsewhere (SQLite, the embedded demo) the ORM's query.
    """
    if connection.vendor == "postgresql":
        return _patient_checkin_pg(enrollment, pk)
    return _patient_checkin_orm(enrollment, pk)


def _patient_checkin_orm(enrollment: Enrollment, pk: int) -> PatientCheckIn | None:
    checkin = (CheckIn.objects.select_related("enrollment__practice__tracking_settings")
               .filter(enrollment=enrollment, pk=pk).first())
    if checkin is None:
        return None
    rules = practice_rules(checkin.enrollment.practice)
    checkin.enrollment = enrollment
    return PatientCheckIn(checkin=checkin, rules=rules)


# The current versions, shipped and the practice's own, of the check-in's instrument
# keys (`?`: the key is an element of the JSON array); checkin_instruments prefers the
# practice's own, as registry.current_instruments does.
_PATIENT_CHECKIN_SQL = """
SELECT {checkin_columns}, {settings_columns},
    ARRAY(SELECT i.id FROM {instrument} i
          WHERE i.is_current AND (i.practice_id IS NULL OR i.practice_id = %s)
            AND c.instrument_keys ? i.key)
FROM {checkin} c LEFT JOIN {settings} s ON s.practice_id = %s
WHERE c.id = %s AND c.enrollment_id = %s
"""


@cache
def _patient_checkin_query() -> str:
    q = connection.ops.quote_name
    # Table and column names from the models; every value is a parameter.
    return _PATIENT_CHECKIN_SQL.format(
        checkin_columns=rows.columns(CheckIn, "c"),
        settings_columns=rows.columns(PracticeSettings, "s"),
        instrument=q(Instrument._meta.db_table), checkin=q(CheckIn._meta.db_table),
        settings=q(PracticeSettings._meta.db_table))


def _patient_checkin_pg(enrollment: Enrollment, pk: int) -> PatientCheckIn | None:
    with connection.cursor() as cursor:
        cursor.execute(_patient_checkin_query(),
                       [enrollment.practice_id, enrollment.practice_id, pk, enrollment.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    split = rows.width(CheckIn)
    checkin = rows.from_row(CheckIn, row[:split])
    checkin.enrollment = enrollment
    settings = row[split:-1]
    rules = (rows.from_row(PracticeSettings, settings) if settings[0] is not None
             else PracticeSettings(practice_id=enrollment.practice_id))
    return PatientCheckIn(checkin=checkin, rules=rules, instrument_ids=list(row[-1]))


def open_checkin_for_card(enrollment: Enrollment, now: datetime) -> CheckIn | None:
    """The check-in to show on Today: open now and not done. One query."""
    if enrollment.status not in LIVE_STATUSES:
        return None
    return (CheckIn.objects.filter(enrollment=enrollment, status__in=PENDING,
                                   opens_at__lte=now, closes_at__gt=now)
            .order_by("opens_at").first())


