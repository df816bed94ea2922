"""Check-ins: the schedule of each enrollment, recording answers, and the reads for
the patient's check-in, results and progress pages.

The schedule (ProgramVersion.checkin_config, with DEFAULT_CONFIG for what it leaves
out):

- ``baseline`` opens on the start date (or on the day it is scheduled, if that is
  later: an enrollment scheduled mid-program starts its measurement that day).
- ``week-N`` opens on week N's check-in day: the first date on or after the day week N
  opens that falls on ``enrollment.checkin_weekday``. A weekly check-in that would open
  before the baseline's window has closed is left out (with the check-in day on the
  start weekday, week 1 falls on the start date itself: the baseline *is* that
  check-in). So is one whose window would still be open when the end-of-program
  check-in opens (the end check-in asks the same questions a day or two later).
  Weeks listed in ``full_weeks`` ask the baseline's longer set of questions.
- ``end`` opens the day after the last week ends.
- ``followup-<m>m`` opens m calendar months after the end (1 and 3 by default).

Each check-in opens at local midnight of its due date in the patient's time zone and
closes ``window_days`` later (the program's, else the practice's setting). A check-in
not done by then is marked missed by the minute sweep, never dropped. Times are
stored in UTC.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from painapp import rows
from programs.models import (
    Attribution,
    Enrollment,
    EnrollmentStatus,
    PracticeSession,
    ProgramVersion,
)
from tracking.figures import figures_of
from tracking.instruments import registry
from tracking.instruments.scoring import AnswerError, clean_answers, score
from tracking.models import Alert, CheckIn, Instrument, PracticeSettings, Response
from tracking.summaries import (
    summary_checkin_params,
    summary_checkin_upsert,
    summary_record_checkin,
)

DEFAULT_CONFIG: dict = {
    "baseline": ["pain_avg", "pain_worst", "fear_movement", "fabq_pa", "phq9", "gad7"],
    "weekly": ["pain_avg", "pain_worst", "fear_movement", "phq2", "gad2"],
    "full_weeks": [],
    "followup_months": [1, 3],
}

# Enrollments whose check-ins open and close with the calendar. A paused enrollment's
# check-ins wait (and are moved by checkins_reschedule when it resumes); follow-ups
# still run after the program is completed.
LIVE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)
PENDING = (CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN)
PENDING_VALUES = tuple(s.value for s in PENDING)

# The trial's outcome: 0–1 on the 0–10 average-pain scale (Ashar et al. 2022).
PAIN_FREE_MAX = 1
# A change patients notice (PRT_NOTES.md): at least 2 points or at least 30%.
REAL_CHANGE_POINTS = 2
REAL_CHANGE_PERCENT = 30


class AlreadyDone(Exception):
    """The check-in was already recorded (a double submit, a second tab)."""

    def __init__(self, checkin: CheckIn):
        super().__init__(f"Check-in {checkin.pk} is already done")
        self.checkin = checkin


class NotAvailable(Exception):
    """The check-in is not open: not yet, or its window has closed."""

    def __init__(self, checkin: CheckIn, reason: str):
        super().__init__(reason)
        self.checkin = checkin
        self.reason = reason  # "not_open_yet" | "closed" | "inactive"


class CheckInAnswerError(ValueError):
    """Answers that cannot be recorded: {instrument_key: {item_key: message}}."""

    def __init__(self, errors: dict[str, dict[str, str]]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


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


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedCheckIn:
    slot: str
    kind: str
    week: int | None
    due_date: date
    instrument_keys: list[str]


def checkin_plan(enrollment: Enrollment, *, today: date | None = None,
                 every_week: bool = False) -> list[PlannedCheckIn]:
    """Every check-in the enrollment should have, with its due date (see module doc).

    `every_week` keeps the weeks the rules would leave out (to move existing rows).
    """
    cfg = checkin_config(enrollment.program_version)
    window = timedelta(days=window_days(enrollment, cfg))
    weeks = enrollment.week_count
    today = today or enrollment.local_date()
    baseline_due = max(enrollment.start_date, today)
    end_due = enrollment.week_opens_on(weeks) + timedelta(days=7)
    full_weeks = {int(n) for n in cfg.get("full_weeks") or []}

    plan = [PlannedCheckIn("baseline", CheckIn.Kind.BASELINE, None, baseline_due,
                           list(cfg["baseline"]))]
    for number in range(1, weeks + 1):
        opens = enrollment.week_opens_on(number)
        due = opens + timedelta(days=(enrollment.checkin_weekday - opens.weekday()) % 7)
        if not every_week and (due < baseline_due + window or due + window > end_due):
            continue
        keys = cfg["baseline"] if number in full_weeks else cfg["weekly"]
        plan.append(PlannedCheckIn(f"week-{number}", CheckIn.Kind.WEEKLY, number, due,
                                   list(keys)))
    plan.append(PlannedCheckIn("end", CheckIn.Kind.END, None, end_due, list(cfg["end"])))
    for months in cfg.get("followup_months") or []:
        plan.append(PlannedCheckIn(f"followup-{int(months)}m", CheckIn.Kind.FOLLOWUP, None,
                                   add_months(end_due, int(months)), list(cfg["followup"])))
    return plan


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
        rows.append(CheckIn(enrollment=enrollment, slot=planned.slot, kind=planned.kind,
                            week=planned.week, due_date=planned.due_date, opens_at=opens_at,
                            closes_at=closes_at, instrument_keys=planned.instrument_keys))
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
        for checkin in (CheckIn.objects.select_for_update()
                        .filter(enrollment=enrollment, status=CheckIn.Status.SCHEDULED)):
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
    it twice changes nothing."""
    now = now or timezone.now()
    live = Q(enrollment__status__in=LIVE_STATUSES)
    opened = CheckIn.objects.filter(
        live, status=CheckIn.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now,
    ).update(status=CheckIn.Status.OPEN)
    missed = CheckIn.objects.filter(
        live, status__in=PENDING, closes_at__lte=now,
    ).update(status=CheckIn.Status.MISSED)
    return {"opened": opened, "missed": missed}


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


def checkins_ensure_scheduled(enrollment: Enrollment, *, now: datetime | None = None) -> None:
    """Schedule an active enrollment's check-ins if nobody has yet (older enrollments)."""
    if enrollment.status == EnrollmentStatus.ACTIVE and not enrollment.checkins.exists():
        checkins_schedule(enrollment, now=now)


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


# ---------------------------------------------------------------- answering


def checkin_instruments(checkin: CheckIn, practice_id: int,
                        current_ids: list[int] | None = None) -> list[Instrument]:
    """The current version of each of the check-in's instruments, in its order.

    `current_ids`: the ids of the current versions of its keys, shipped and the
    practice's own, if already read (patient_checkin): no query then, unless a key has
    no current version (the shipped ones are stored first, below)."""
    if current_ids is not None:
        by_key: dict[str, Instrument] = {}
        for instrument in registry.instruments_by_id(current_ids):
            if instrument.key not in by_key or instrument.practice_id is not None:
                by_key[instrument.key] = instrument  # the practice's own version wins
        if all(key in by_key for key in checkin.instrument_keys):
            return [by_key[key] for key in checkin.instrument_keys]
    try:
        found = registry.current_instruments(list(checkin.instrument_keys), practice_id)
    except IntegrityError:
        # Two first-ever requests stored the shipped instruments at once; the other won.
        found = registry.current_instruments(list(checkin.instrument_keys), practice_id)
    return [found[key] for key in checkin.instrument_keys]


def _clean_all(instruments: list[Instrument], answers_by_instrument: dict, *,
               allow_missing: bool) -> tuple[dict[str, dict], dict[str, dict[str, str]]]:
    """Validate every instrument's answers; return (valid answers, errors), both by key.

    With `allow_missing` (drafts) the valid answers of an instrument are kept even when
    others in it are wrong.
    """
    clean: dict[str, dict] = {}
    errors: dict[str, dict[str, str]] = {}
    for instrument in instruments:
        spec = registry.spec_of(instrument)
        raw = answers_by_instrument.get(instrument.key) or {}
        try:
            clean[instrument.key] = clean_answers(spec, raw, allow_missing=allow_missing)
        except AnswerError as error:
            errors[instrument.key] = error.errors
            if allow_missing:
                rest = {k: v for k, v in raw.items() if k not in error.errors}
                clean[instrument.key] = clean_answers(spec, rest, allow_missing=True)
    return clean, errors


def checkin_save_draft(*, checkin: CheckIn, answers_by_instrument: dict,
                       now: datetime | None = None,
                       instruments: list[Instrument] | None = None) -> dict[str, dict[str, str]]:
    """Keep the valid answers so far (replacing the previous draft) and return the
    errors of the others, which are not stored. Raises AlreadyDone / NotAvailable.

    `instruments`: the check-in's instruments if the caller has already loaded them
    (`checkin_instruments`, as the form does), to save reading them again."""
    now = now or timezone.now()
    enrollment = checkin.enrollment
    if checkin.status == CheckIn.Status.COMPLETED:
        raise AlreadyDone(checkin)
    if not is_available(checkin, now, enrollment):
        raise NotAvailable(checkin, _reason(checkin, now, enrollment))
    if instruments is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id)
    clean, errors = _clean_all(instruments, answers_by_instrument, allow_missing=True)
    draft = {key: answers for key, answers in clean.items() if answers}
    updated = CheckIn.objects.filter(pk=checkin.pk, status__in=PENDING).update(draft=draft)
    if not updated:
        raise AlreadyDone(checkin)
    checkin.draft = draft
    return errors


def _reason(checkin: CheckIn, now: datetime, enrollment: Enrollment) -> str:
    if enrollment.status not in LIVE_STATUSES:
        return "inactive"
    return "not_open_yet" if checkin.opens_at > now else "closed"


def checkin_record(*, checkin: CheckIn, answers_by_instrument: dict,
                   now: datetime | None = None,
                   instruments: list[Instrument] | None = None,
                   rules: PracticeSettings | None = None) -> CheckIn:
    """Record a check-in: one Response per instrument, scored by its current version.

    Every instrument's answers are checked first (all errors together, nothing saved:
    CheckInAnswerError). Then, in one transaction, the check-in row is locked, so of
    any number of simultaneous submits (double clicks, a second tab) exactly one
    records; the others raise AlreadyDone. The check-in is added to the enrollment's
    summary (the caseload's and reports' figures) and the alert rules run in the same
    transaction, so a recorded check-in never lacks either.

    The lock is taken by the write itself: one conditional UPDATE (still pending,
    window open now) marks the check-in done, and the responses and the summary are
    written only if it matched (on Postgres all three in one statement). A
    simultaneous submit waits on that row lock, then finds the row no longer pending
    and writes nothing; only then (and when the answers have errors) is the row read,
    locked, to say why.

    `instruments`: the check-in's instruments if the caller has already loaded them
    (`checkin_instruments`, as the form does), to save reading them again; `rules`:
    the practice's settings, likewise (the check-in view loads them with the
    check-in: `practice_rules`).
    """
    now = now or timezone.now()
    enrollment = checkin.enrollment
    if instruments is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id)
    clean, errors = _clean_all(instruments, answers_by_instrument, allow_missing=False)
    # Scored before the transaction: no lock is held while Python works.
    responses = [] if errors else _scored_responses(checkin, instruments, clean, now)
    try:
        with transaction.atomic():
            claimed, pain_baseline = False, None
            if not errors and enrollment.status in LIVE_STATUSES:
                claimed, pain_baseline = _claim_and_write(checkin, responses, now)
            if not claimed:
                locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
                if locked.status == CheckIn.Status.COMPLETED:
                    raise AlreadyDone(locked)
                if not is_available(locked, now, enrollment):
                    raise NotAvailable(locked, _reason(locked, now, enrollment))
                if errors:
                    raise CheckInAnswerError(errors)
                # Pending and open by the rules, yet the UPDATE matched nothing: the row
                # changed between the two statements. Say it is not available.
                raise NotAvailable(locked, _reason(locked, now, enrollment))
            _evaluate_alerts(checkin, responses, rules, pain_baseline)
    except IntegrityError:
        # The unique constraints caught a race the lock did not (it should not happen).
        raise AlreadyDone(checkin) from None
    checkin.status, checkin.completed_at, checkin.draft = CheckIn.Status.COMPLETED, now, {}
    return checkin


def _claim_and_write(checkin: CheckIn, responses: list[Response],
                     now: datetime) -> tuple[bool, float | None]:
    """Claim the check-in (the conditional UPDATE that marks it done: still pending, its
    window open now) and, only if that matched, insert its responses and add it to the
    enrollment's summary. Returns (claimed, the summary's baseline pain after it).

    Inside checkin_record's transaction. On Postgres one statement (below); elsewhere
    (SQLite, the embedded demo) the same three writes through the ORM.
    """
    checkin.completed_at = now  # the summary's "last check-in" (and unused if not claimed)
    if connection.vendor == "postgresql" and responses:
        return _claim_and_write_pg(checkin, responses, now)
    return _claim_and_write_orm(checkin, responses, now)


def _scored_responses(checkin: CheckIn, instruments: list[Instrument], clean: dict[str, dict],
                      now: datetime) -> list[Response]:
    """One unsaved Response per instrument, scored by that version's rules."""
    return [Response(checkin=checkin, instrument=instrument, instrument_key=instrument.key,
                     instrument_version=instrument.version, answers=clean[instrument.key],
                     scores=score(registry.spec_of(instrument), clean[instrument.key]),
                     created_at=now)
            for instrument in instruments]


def _figures(responses: list[Response]) -> dict:
    """The check-in's figures (tracking.figures), from the responses about to be written."""
    return figures_of((r.instrument_key, r.scores, r.answers) for r in responses)


def _claim_and_write_orm(checkin: CheckIn, responses: list[Response],
                         now: datetime) -> tuple[bool, float | None]:
    claimed = CheckIn.objects.filter(
        pk=checkin.pk, status__in=PENDING, opens_at__lte=now, closes_at__gt=now,
    ).update(status=CheckIn.Status.COMPLETED, completed_at=now, draft={},
             figures=_figures(responses))
    if not claimed:
        return False, None
    Response.objects.bulk_create(responses)
    return True, summary_record_checkin(checkin=checkin, responses=responses)


_RESPONSE_COLUMNS = ("instrument_id", "instrument_key", "instrument_version", "answers",
                     "scores", "created_at")
# The claim, the responses and the summary as one statement of data-modifying CTEs:
# one round trip instead of three and nothing for the ORM to compile (compiling cost
# more than running them, issue 7). The responses and the summary row are written only
# if `claimed` returned the check-in: a simultaneous submit waits on the row lock the
# UPDATE takes, then finds the row no longer pending and writes nothing. The summary
# upsert always returns its row, so: one row per response (each with the summary's
# baseline pain) when claimed, none otherwise.
_CLAIM_AND_WRITE_SQL = """
WITH claimed AS (
    UPDATE {checkin} SET status = %s, completed_at = %s, draft = '{{}}'::jsonb,
                         figures = %s::jsonb
    WHERE id = %s AND status IN (%s, %s) AND opens_at <= %s AND closes_at > %s
    RETURNING id),
written AS (
    INSERT INTO {response} (checkin_id, {columns})
    SELECT claimed.id, v.* FROM claimed, (VALUES {rows}) AS v ({columns})
    RETURNING id, instrument_key),
summary AS ({summary})
SELECT summary.pain_baseline, written.id, written.instrument_key
FROM summary LEFT JOIN written ON true
"""
_RESPONSE_ROW = "(%s::bigint, %s, %s::integer, %s::jsonb, %s::jsonb, %s::timestamptz)"


@cache
def _claim_and_write_query(responses: int) -> str:
    # Table and column names from the models; every value is a parameter.
    return _CLAIM_AND_WRITE_SQL.format(
        checkin=CheckIn._meta.db_table, response=Response._meta.db_table,
        columns=", ".join(_RESPONSE_COLUMNS), rows=", ".join([_RESPONSE_ROW] * responses),
        summary=summary_checkin_upsert("SELECT {values} FROM claimed"))


def _claim_and_write_pg(checkin: CheckIn, responses: list[Response],
                        now: datetime) -> tuple[bool, float | None]:
    params: list = [CheckIn.Status.COMPLETED.value, now, json.dumps(_figures(responses)),
                    checkin.pk, *PENDING_VALUES, now, now]
    for r in responses:
        params += [r.instrument_id, r.instrument_key, r.instrument_version,
                   json.dumps(r.answers), json.dumps(r.scores), r.created_at]
    params += summary_checkin_params(checkin=checkin, responses=responses)
    with connection.cursor() as cursor:
        cursor.execute(_claim_and_write_query(len(responses)), params)
        rows = cursor.fetchall()
    if not rows:
        return False, None
    ids = {key: pk for _, pk, key in rows}
    for response in responses:
        response.pk = ids[response.instrument_key]
        response._state.adding, response._state.db = False, connection.alias
    return True, rows[0][0]


def _evaluate_alerts(checkin: CheckIn, responses: list[Response],
                     rules: PracticeSettings | None, pain_baseline: float | None) -> None:
    # Inside the recording transaction: an urgent alert exists the moment the answers do.
    # The responses just written are passed in, not read back, and so is the baseline
    # pain the summary holds.
    from tracking.alerts import PainBaseline, evaluate_checkin

    evaluate_checkin(checkin, responses=responses, rules=rules,
                     pain_baseline=PainBaseline(pain_baseline))


# ---------------------------------------------------------------- results


@dataclass
class Change:
    """One score now against the patient's start."""

    label: str
    now: int | float | None
    start: int | float | None

    @property
    def points(self) -> float | None:
        """How far it fell (positive = lower = better)."""
        if self.now is None or self.start is None:
            return None
        return self.start - self.now

    @property
    def percent(self) -> int | None:
        if self.points is None or not self.start:
            return None
        return round(100 * self.points / self.start)

    @property
    def direction(self) -> str:
        if self.points is None:
            return "unknown"
        return "down" if self.points > 0 else "up" if self.points < 0 else "same"

    @property
    def amount(self) -> float | None:
        return None if self.points is None else abs(self.points)

    @property
    def summary(self) -> str:
        """e.g. "down 2 points (33% lower)", "up 1 point", "no change"."""
        if self.points is None:
            return ""
        if self.points == 0:
            return "no change"
        amount = _num(self.amount)
        text = f"{self.direction} {amount} point{'s' if self.amount != 1 else ''}"
        if self.percent is not None and self.points > 0:
            text += f" ({self.percent}% lower)"
        elif self.percent is not None:
            text += f" ({-self.percent}% higher)"
        return text

    @property
    def is_real_improvement(self) -> bool:
        """At least 2 points or at least 30% lower than at the start."""
        if self.points is None or self.points <= 0:
            return False
        return self.points >= REAL_CHANGE_POINTS or (self.percent or 0) >= REAL_CHANGE_PERCENT


@dataclass
class Results:
    checkin: CheckIn
    title: str
    is_start: bool
    start_title: str | None
    pain: Change
    fear: Change
    worst: Change
    pain_free: bool
    self_harm_alert: bool
    safety_answer: bool
    crisis_md: str = ""
    scores: dict[str, dict] = field(default_factory=dict)

    @property
    def changes(self) -> list[Change]:
        return [self.pain, self.fear]

    @property
    def show_crisis(self) -> bool:
        return self.self_harm_alert or self.safety_answer

    @property
    def words(self) -> list[str]:
        """A few plain, kind sentences about what the numbers mean (PRT_NOTES.md)."""
        pain, fear = self.pain, self.fear
        if self.is_start:
            out = ["This is your starting point. Each check-in after this one will show "
                   "how things compare to today."]
            if self.pain_free:
                out.append("Your average pain is 0 or 1: pain-free or nearly pain-free.")
            return out
        out = []
        if self.pain_free:
            out.append("Your average pain is in the 0 to 1 range: pain-free or nearly "
                       "pain-free. In the PRT study, about two in three people reached this "
                       "range by the end.")
        elif pain.is_real_improvement:
            out.append("That is a real change. A drop of 2 points, or of 30% or more, is one "
                       "people notice in daily life.")
        elif pain.direction == "down":
            out.append("Your pain is a little lower than at the start. Small changes add up.")
        elif pain.direction == "same":
            out.append("No change in pain yet. That is common in the first weeks.")
        elif pain.direction == "up":
            out.append("Your pain is higher than at the start. Ups and downs are normal and do "
                       "not mean the program is not working. If something new or worrying is "
                       "going on, talk to your doctor or care team.")
        if fear.direction == "down":
            out.append(f"Your fear of moving is down by {_num(fear.amount)} "
                       f"point{'s' if fear.amount != 1 else ''}. Fear often eases before pain "
                       "does, so this is a good sign.")
        elif not pain.is_real_improvement and not self.pain_free:
            out.append("Fear usually eases first, and pain follows. Keep going with your "
                       "daily practice.")
        return out


def _num(value) -> str:
    return "" if value is None else str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _total(responses: dict[str, Response], key: str):
    response = responses.get(key)
    return None if response is None else response.scores.get("total")


def checkin_results(checkin: CheckIn) -> Results:
    """This check-in against the patient's first completed one (normally the baseline).

    Three queries: the completed check-ins' responses, the safety alert, and the
    practice's crisis resources when needed.
    """
    enrollment = checkin.enrollment
    responses = list(
        Response.objects.filter(checkin__enrollment=enrollment,
                                checkin__status=CheckIn.Status.COMPLETED)
        .select_related("checkin", "instrument")
        .order_by("checkin__opens_at", "checkin_id")
    )
    by_checkin: dict[int, dict[str, Response]] = {}
    checkins: dict[int, CheckIn] = {}
    for r in responses:
        by_checkin.setdefault(r.checkin_id, {})[r.instrument_key] = r
        checkins[r.checkin_id] = r.checkin
    mine = by_checkin.get(checkin.pk, {})
    start_id = next((pk for pk, rs in by_checkin.items() if "pain_avg" in rs), None)
    is_start = start_id is None or start_id == checkin.pk
    start = {} if is_start else by_checkin[start_id]

    def change(label: str, key: str) -> Change:
        return Change(label=label, now=_total(mine, key),
                      start=None if is_start else _total(start, key))

    pain = change("Average pain", "pain_avg")
    safety_answer = False
    for response in mine.values():
        safety_item = (response.instrument.scoring or {}).get("safety_item")
        if safety_item and (response.answers.get(safety_item) or 0) > 0:
            safety_answer = True
    self_harm_alert = Alert.objects.filter(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, source=f"checkin:{checkin.pk}",
    ).exists()
    crisis_md = ""
    if self_harm_alert or safety_answer:
        crisis_md = PracticeSettings.for_practice(enrollment.practice_id).crisis_resources_md
    return Results(
        checkin=checkin, title=checkin_title(checkin), is_start=is_start,
        start_title=None if is_start else checkin_title(checkins[start_id]),
        pain=pain, fear=change("Fear of movement", "fear_movement"),
        worst=change("Worst pain", "pain_worst"),
        pain_free=pain.now is not None and pain.now <= PAIN_FREE_MAX,
        self_harm_alert=self_harm_alert, safety_answer=safety_answer, crisis_md=crisis_md,
        scores={key: r.scores for key, r in mine.items()},
    )


# ---------------------------------------------------------------- progress


@dataclass
class Point:
    label: str  # short, for an axis
    name: str  # in full, for the table
    value: float | None
    note: str = ""  # "Missed", "Not open yet", …


@dataclass
class Progress:
    pain: list[Point]
    fear: list[Point]
    practice: list[Point]
    mind_brain: list[Point]
    pain_baseline: float | None
    fear_baseline: float | None
    rows: list[CheckInRow]


def _week_of(enrollment: Enrollment, day: date) -> int:
    """The program week a local date falls in, counted in whole weeks from the start."""
    return (day - enrollment.start_date).days // 7 + 1


def progress_data(enrollment: Enrollment, now: datetime) -> Progress:
    """The patient's own measures over the program. Four queries, whatever the history:
    check-ins, their responses, practice sessions counted per day, attributions."""
    checkins = [c for c in CheckIn.objects.filter(enrollment=enrollment)
                .order_by("opens_at", "pk") if c.opens_at <= now]
    responses: dict[int, dict[str, Response]] = {}
    for r in Response.objects.filter(checkin__enrollment=enrollment).only(
            "checkin_id", "instrument_key", "scores"):
        responses.setdefault(r.checkin_id, {})[r.instrument_key] = r

    rows = [_row(c, now, enrollment) for c in checkins]

    def series(key: str) -> list[Point]:
        points = []
        for row in rows:
            value = _total(responses.get(row.checkin.pk, {}), key)
            note = "" if value is not None else (
                "Missed" if row.status == CheckIn.Status.MISSED
                else "Not done yet" if row.status == CheckIn.Status.OPEN
                else "Not asked" if row.status == CheckIn.Status.COMPLETED else row.status_label)
            points.append(Point(checkin_short_label(row.checkin), row.title, value, note))
        return points

    pain, fear = series("pain_avg"), series("fear_movement")
    pain_baseline = next((p.value for p in pain if p.value is not None), None)
    fear_baseline = next((p.value for p in fear if p.value is not None), None)

    # Practice sessions per program week, up to the week the calendar has reached.
    weeks = enrollment.week_count
    reached = max(1, min(weeks, _week_of(enrollment, enrollment.local_date(now))))
    per_week = dict.fromkeys(range(1, reached + 1), 0)
    for day, count in (PracticeSession.objects.filter(enrollment=enrollment)
                       .values_list("local_date").annotate(n=Count("pk"))
                       .values_list("local_date", "n")):
        week = _week_of(enrollment, day)
        if week in per_week:
            per_week[week] += count
    practice = [Point(f"W{w}", f"Week {w}", n) for w, n in per_week.items()]

    # Mind-brain score: the program's three-causes activities and any causes
    # answered in a check-in, in time order.
    mind: list[tuple[datetime, Point]] = []
    for attribution in (Attribution.objects.filter(enrollment=enrollment)
                        .select_related("activity__week").order_by("recorded_at")):
        week = (attribution.activity.week.number if attribution.activity_id
                else _week_of(enrollment, enrollment.local_date(attribution.recorded_at)))
        mind.append((attribution.recorded_at,
                     Point(f"W{week}", f"Week {week} (three causes)",
                           attribution.mind_brain_score)))
    for checkin in checkins:
        causes = responses.get(checkin.pk, {}).get("causes")
        if causes is not None and causes.scores.get("total") is not None:
            mind.append((checkin.completed_at or checkin.opens_at,
                         Point(checkin_short_label(checkin), checkin_title(checkin),
                               causes.scores["total"])))
    mind.sort(key=lambda pair: pair[0])
    return Progress(pain=pain, fear=fear, practice=practice,
                    mind_brain=[p for _, p in mind], pain_baseline=pain_baseline,
                    fear_baseline=fear_baseline, rows=rows)
