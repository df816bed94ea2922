"""One patient's overview for their clinician or admin: check-ins, charts' data, alerts and notes.

It takes an enrollment already looked up by tracking.access. Query counts are part of
the contract (tests/test_patient_detail.py, test_patient_query_counts.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Sum,
)

from programs.models import (
    Attribution,
    Enrollment,
    PracticeSession,
    Week,
)
from tracking.checkins.figures import EMPTY as EMPTY_FIGURES
from tracking.checkins.figures import figures_of
from tracking.clinic.caseload import (
    CAUSES,
    FABQ,
    FEAR,
    LIVE_STATUSES,
    PAIN_AVG,
    PAIN_FREE_MAX,
    PAIN_WORST,
    _fmt,
    change_text,
    improved,
)
from tracking.models import (
    Alert,
    CheckIn,
    ClinicianNote,
    ReminderPreferences,
    Response,
)


# ====================================================================== patient detail
@dataclass
class Point:
    """One value on a chart's x-axis (same shape as tracking.checkins.Point)."""

    label: str  # short, for the axis
    name: str  # in full, for the table
    value: float | None
    note: str = ""


@dataclass
class Series:
    """One chart's data: the view draws it (tracking.views.patient)."""

    key: str
    title: str
    unit: str
    summary: str
    points: list[Point]
    y_max: int
    tick_step: int
    kind: str = "line"
    band_max: float | None = None
    baseline: float | None = None


@dataclass
class CheckInItem:
    """A check-in as the clinician's screens show it: its figures (tracking.figures: the
    totals, bands and short forms, empty until it is done) and, where a screen needs
    every answer (the measurements export), its responses by key."""

    pk: int
    slot: str
    kind: str
    week: int | None
    status: str
    opens_at: datetime
    closes_at: datetime
    completed_at: datetime | None
    instrument_keys: list[str]
    figures: dict[str, dict] = field(default_factory=lambda: EMPTY_FIGURES)
    responses: dict[str, dict] = field(default_factory=dict)

    # Plain properties: the overview reads each once per check-in (_checkin_series), and
    # cached_property's lookup cost more than working them out.
    @property
    def title(self) -> str:
        if self.kind == CheckIn.Kind.BASELINE:
            return "Baseline check-in"
        if self.kind == CheckIn.Kind.WEEKLY:
            return f"Week {self.week} check-in"
        if self.kind == CheckIn.Kind.END:
            return "End-of-program check-in"
        return f"{self.slot.removeprefix('followup-').removesuffix('m')}-month follow-up"

    @property
    def short(self) -> str:
        if self.kind == CheckIn.Kind.BASELINE:
            return "Base"
        if self.kind == CheckIn.Kind.WEEKLY:
            return f"W{self.week}"
        if self.kind == CheckIn.Kind.END:
            return "End"
        return "+" + self.slot.removeprefix("followup-").removesuffix("m") + "m"

    @property
    def status_label(self) -> str:
        return CheckIn.Status(self.status).label

    @property
    def instrument_set(self) -> frozenset[str]:
        """The instruments the check-in asked, for "was this asked?" once per chart."""
        return frozenset(self.instrument_keys)

    @property
    def answered(self) -> dict[str, Any]:
        """The instruments answered, each with its score's total."""
        return self.figures["totals"]

    def total(self, key: str) -> float | None:
        return self.figures["totals"].get(key)

    def band(self, key: str) -> str | None:
        """The band of a full form's score (PHQ-9, GAD-7), if it was answered."""
        return self.figures["bands"].get(key)

    def short_form(self, prefix: str) -> int | None:
        """PHQ-2 or GAD-2 (first two items, 0–6), from the short or the full form: the
        same two questions open both, so every check-in adds a comparable point."""
        return self.figures["short"].get(prefix)


def effective_status(status: str, closes_at: datetime, opens_at: datetime,
                     enrollment: Enrollment, now: datetime) -> str:
    """What a check-in is now, even before the minute sweep has marked it."""
    if status in (CheckIn.Status.COMPLETED, CheckIn.Status.MISSED):
        return status
    if enrollment.status not in LIVE_STATUSES:
        return CheckIn.Status.SCHEDULED
    if closes_at <= now:
        return CheckIn.Status.MISSED
    return CheckIn.Status.OPEN if opens_at <= now else CheckIn.Status.SCHEDULED


def _fetch(sql: str, params: list) -> list[tuple]:
    """The rows of one of this module's written-out statements (Postgres), prepared:
    planned once per connection (painapp.prepared)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Every opened check-in of one enrollment with its responses, as one JSON array:
# `[[id, slot, kind, week, status, opens_at, closes_at, completed_at, instrument_keys,
#   [[key, scores, answers, version], …] or null], …]`, oldest first (the measurements
# export; the overview reads figures instead, _OVERVIEW_CHECKINS_JSON). Two parameters:
# the enrollment id and now.
_CHECKINS_JSON = f"""(
SELECT json_agg(json_build_array(
           c.id, c.slot, c.kind, c.week, c.status, c.opens_at, c.closes_at, c.completed_at,
           c.instrument_keys,
           (SELECT json_agg(json_build_array(r.instrument_key, r.scores, r.answers,
                                             r.instrument_version) ORDER BY r.id)
            FROM {Response._meta.db_table} r WHERE r.checkin_id = c.id))
       ORDER BY c.opens_at, c.id)::text
FROM {CheckIn._meta.db_table} c
WHERE c.enrollment_id = %s AND c.opens_at <= %s)"""  # noqa: S608 (table names from the models; values are params)

_CHECKINS_SQL = f"SELECT {_CHECKINS_JSON}"


def _at(value: str | None) -> datetime | None:
    """A timestamp read inside JSON: Postgres writes it in ISO 8601 with the session's
    offset (UTC, as Django sets it), which is what fromisoformat reads."""
    return None if value is None else datetime.fromisoformat(value)


def _figures_from(responses: dict[str, dict]) -> dict:
    """A check-in's figures from its responses by key (as CheckInItem holds them)."""
    return figures_of((r["key"], r["scores"], r["answers"]) for r in responses.values())


def _checkin_items(rows: list | None, enrollment: Enrollment, now: datetime) -> list[CheckInItem]:
    """CheckInItems, with their responses, from `_CHECKINS_JSON`'s decoded array."""
    at = _at
    items = []
    for pk, slot, kind, week, status, opens_at, closes_at, completed_at, keys, scored \
            in rows or ():
        responses = {key: {"key": key, "scores": scores or {}, "answers": answers or {},
                           "version": version}
                     for key, scores, answers, version in scored or () if key}
        items.append(CheckInItem(
            pk=pk, slot=slot, kind=kind, week=week,
            status=effective_status(status, at(closes_at), at(opens_at), enrollment, now),
            opens_at=at(opens_at), closes_at=at(closes_at), completed_at=at(completed_at),
            instrument_keys=keys or [], responses=responses,
            figures=_figures_from(responses)))
    return items


# The overview's check-ins: each with its figures (tracking.figures), not its responses,
# as one JSON array, oldest first: `[[id, slot, kind, week, status, opens_at, closes_at,
# completed_at, instrument_keys, figures or null], …]`. Parameters: enrollment id, now.
_OVERVIEW_CHECKINS_JSON = f"""(
SELECT json_agg(json_build_array(
           c.id, c.slot, c.kind, c.week, c.status, c.opens_at, c.closes_at, c.completed_at,
           c.instrument_keys, c.figures)
       ORDER BY c.opens_at, c.id)::text
FROM {CheckIn._meta.db_table} c
WHERE c.enrollment_id = %s AND c.opens_at <= %s)"""  # noqa: S608 (table names from the models; values are params)


def _overview_checkin_items(rows: list | None, enrollment: Enrollment,
                            now: datetime) -> list[CheckInItem]:
    """CheckInItems, with their figures only, from `_OVERVIEW_CHECKINS_JSON`'s array."""
    at = _at
    return [
        CheckInItem(
            pk=pk, slot=slot, kind=kind, week=week,
            status=effective_status(status, at(closes_at), at(opens_at), enrollment, now),
            opens_at=at(opens_at), closes_at=at(closes_at), completed_at=at(completed_at),
            instrument_keys=keys or [], figures=figures or EMPTY_FIGURES)
        for pk, slot, kind, week, status, opens_at, closes_at, completed_at, keys, figures
        in rows or ()]


def _checkins_with_scores(enrollment: Enrollment, now: datetime) -> list[CheckInItem]:
    """Every check-in that has opened, with each response's scores and answers.

    One query, one JSON array: each check-in with its responses folded in by a subquery,
    so a missed check-in still comes back (with none) and a 52-week history costs the
    same single query as a 5-week one, decoded by one json.loads. Postgres only;
    elsewhere (SQLite, the embedded demo) the joined form.
    """
    if connection.vendor != "postgresql":
        return _checkins_with_scores_joined(enrollment, now)
    # Plain SQL: the ORM spent longer building and compiling this query than Postgres
    # spent answering it.
    (text,), = _fetch(_CHECKINS_SQL, [enrollment.pk, now])
    return _checkin_items(json.loads(text) if text else None, enrollment, now)


def _checkins_with_scores_joined(enrollment: Enrollment, now: datetime, *,
                                 responses: bool = True) -> list[CheckInItem]:
    """`_checkins_with_scores` for databases without JSONB (SQLite, the embedded
    demo): check-ins LEFT JOIN responses, one row per (check-in, response). Still one
    query whatever the history. The figures are worked out from the responses (the
    overview, `responses=False`, keeps only them)."""
    rows = (CheckIn.objects.filter(enrollment=enrollment, opens_at__lte=now)
            .order_by("opens_at", "pk", "responses__pk")
            .values("pk", "slot", "kind", "week", "status", "opens_at", "closes_at",
                    "completed_at", "instrument_keys", "responses__instrument_key",
                    "responses__scores", "responses__answers",
                    "responses__instrument_version"))
    items: dict[int, CheckInItem] = {}
    for row in rows:
        item = items.get(row["pk"])
        if item is None:
            item = items[row["pk"]] = CheckInItem(
                pk=row["pk"], slot=row["slot"], kind=row["kind"], week=row["week"],
                status=effective_status(row["status"], row["closes_at"], row["opens_at"],
                                        enrollment, now),
                opens_at=row["opens_at"], closes_at=row["closes_at"],
                completed_at=row["completed_at"], instrument_keys=row["instrument_keys"] or [])
        key = row["responses__instrument_key"]
        if key:
            item.responses[key] = {"key": key, "scores": row["responses__scores"] or {},
                                   "answers": row["responses__answers"] or {},
                                   "version": row["responses__instrument_version"]}
    for item in items.values():
        if item.responses:
            item.figures = _figures_from(item.responses)
        if not responses:
            item.responses = {}
    return list(items.values())


def _note(item: CheckInItem, asked: bool) -> str:
    if item.status == CheckIn.Status.MISSED:
        return "Missed"
    if item.status == CheckIn.Status.OPEN:
        return "Not done yet"
    return "Not asked" if not asked else "No answer"




def _trend(points: list[Point], what: str) -> str:
    done = [p for p in points if p.value is not None]
    missed = sum(1 for p in points if p.note == "Missed")
    tail = f" {missed} missed." if missed else ""
    if not done:
        return f"No {what} answers yet.{tail}"
    what = what[:1].upper() + what[1:]
    if len(done) == 1:
        return f"{what}: {_fmt(done[0].value)} at {done[0].name.lower()}.{tail}"
    return (f"{what} {_fmt(done[0].value)} at {done[0].name.lower()}, "
            f"{_fmt(done[-1].value)} at {done[-1].name.lower()}.{tail}")


# The overview's check-in charts: key, title, table unit, y max, tick step, the
# instruments that ask it, only the check-ins that asked it, the 0–1 band, the summary's
# words. Their values come from _checkin_values, in this order.
_CHECKIN_CHARTS = (
    ("pain", "Average pain", "Average pain (0–10)", 10, 2, (PAIN_AVG,), False, True,
     "average pain"),
    ("worst", "Worst pain", "Worst pain (0–10)", 10, 2, (PAIN_WORST,), False, True,
     "worst pain"),
    ("fear", "Fear of movement", "Fear of movement (0–10)", 10, 2, (FEAR,), False, False,
     "fear of movement"),
    ("fabq", "FABQ physical activity", "FABQ-PA (0–24)", 24, 4, (FABQ,), True, False,
     "FABQ-PA"),
    ("phq", "Low mood (PHQ-2)", "PHQ-2 (0–6)", 6, 1, ("phq2", "phq9"), False, False, "PHQ-2"),
    ("gad", "Anxiety (GAD-2)", "GAD-2 (0–6)", 6, 1, ("gad2", "gad7"), False, False, "GAD-2"),
)


def _checkin_values(item: CheckInItem) -> tuple[float | None, ...]:
    """One check-in's value for each of _CHECKIN_CHARTS."""
    return (item.total(PAIN_AVG), item.total(PAIN_WORST), item.total(FEAR), item.total(FABQ),
            item.short_form("phq"), item.short_form("gad"))


def _checkin_series(checkins: list[CheckInItem]
                    ) -> tuple[list[Series], list[tuple[str, tuple[str, ...]]]]:
    """The check-in charts' data, from one pass over the check-ins (each one's names,
    instruments and values read once, not once per chart), and the same numbers as the
    rows of one table: each check-in's title and, for each chart, its value or why there
    is none (the charts' text alternative, one row a check-in)."""
    rows = [(item, item.short, item.title, item.instrument_set, _checkin_values(item))
            for item in checkins]
    cells: list[list[str]] = [[] for _ in rows]
    series = []
    for n, (key, title, unit, y_max, tick_step, asked_keys, only_asked, band, what) in \
            enumerate(_CHECKIN_CHARTS):
        points = []
        baseline = None
        for (item, short, name, instruments, values), row_cells in zip(rows, cells, strict=True):
            asked = not instruments.isdisjoint(asked_keys)
            v = values[n]
            row_cells.append(_fmt(v) if v is not None else _note(item, asked))
            if only_asked and not asked:  # the chart leaves it out; the table says why
                continue
            if v is None:
                points.append(Point(short, name, v, row_cells[-1]))
                continue
            if item.kind == CheckIn.Kind.BASELINE:
                baseline = v
            points.append(Point(short, name, v))
        summary = _trend(points, what)
        if baseline is not None:
            summary += " Dashed line: baseline."
        if band:
            summary += " Shaded band: 0–1, pain-free or nearly."
        series.append(Series(key=key, title=title, unit=unit, summary=summary, points=points,
                             y_max=y_max, tick_step=tick_step,
                             band_max=PAIN_FREE_MAX if band else None, baseline=baseline))
    return series, [(name, tuple(c)) for (_, _, name, _, _), c in zip(rows, cells, strict=True)]


# The check-in charts' keys, and the columns of their shared table (each one's unit).
CHECKIN_CHART_KEYS = frozenset(key for key, *_ in _CHECKIN_CHARTS)
MEASURE_COLUMNS = tuple(unit for _, _, unit, *_ in _CHECKIN_CHARTS)


def week_of(enrollment: Enrollment, day: date) -> int:
    """The program week a local date falls in, counted from the start date."""
    return (day - enrollment.start_date).days // 7 + 1


@dataclass
class FullScores:
    """The longer questionnaires, where a check-in asked them."""

    title: str
    phq9: float | None
    phq9_band: str | None
    gad7: float | None
    gad7_band: str | None
    fabq: float | None


@dataclass
class Overview:
    enrollment: Enrollment
    week: int
    week_count: int
    reminders_paused: bool
    checkins: list[CheckInItem]
    series: list[Series]
    full_scores: list[FullScores]
    alerts: list[AlertItem]
    resolved_alerts: list[AlertItem]
    notes: list[NoteItem]
    practice_minutes_total: int = 0
    practice_sessions_total: int = 0
    # Each check-in's title and its value (or why none) for each of MEASURE_COLUMNS.
    measure_rows: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    # The figures below are derived once each (cached): the template reads most of them
    # several times, and each walks the check-ins.
    @cached_property
    def pain(self) -> Series:
        return self.series[0]

    @cached_property
    def pain_baseline(self) -> float | None:
        return self.pain.baseline

    @cached_property
    def pain_current(self) -> float | None:
        done = [i for i in self.checkins if i.total(PAIN_AVG) is not None]
        return done[-1].total(PAIN_AVG) if done else None

    @cached_property
    def pain_change(self) -> float | None:
        done = [i for i in self.checkins if i.total(PAIN_AVG) is not None]
        if self.pain_baseline is None or len(done) < 2:
            return None
        return self.pain_baseline - self.pain_current

    @cached_property
    def pain_change_percent(self) -> int | None:
        if self.pain_change is None or not self.pain_baseline:
            return None
        return round(100 * self.pain_change / self.pain_baseline)

    @cached_property
    def pain_change_text(self) -> str:
        return change_text(self.pain_change, self.pain_change_percent)

    @cached_property
    def pain_free(self) -> bool:
        return self.pain_current is not None and self.pain_current <= PAIN_FREE_MAX

    @cached_property
    def is_real_improvement(self) -> bool:
        return self.pain_change is not None and improved(self.pain_baseline, self.pain_current)

    @cached_property
    def unlockable_weeks(self) -> list[int]:
        return list(range(self.week + 1, self.week_count + 1))


RESOLVED_SHOWN = 10
NOTES_SHOWN = 50
_ALERT_KINDS = dict(Alert.Kind.choices)
_ALERT_SEVERITIES = dict(Alert.Severity.choices)
_ALERT_STATUSES = dict(Alert.Status.choices)


def _display_name(person: list[str] | None) -> str | None:
    """User.display_name from the [full name, email] it is made of, for names read in
    plain SQL without building a User (None: no one, or an account since deleted).
    tests/test_patient_detail.py checks it against the model's through both paths."""
    if person is None:
        return None
    full_name, email = person
    return full_name or email.split("@")[0]


@dataclass
class AlertItem:
    """An alert as the patient's overview shows it: the same whether read in the
    overview's one statement or through the model (after an action, on SQLite)."""

    pk: int
    kind: str
    severity: str
    status: str
    details: dict
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None  # display name
    resolved_at: datetime | None
    resolved_by: str | None

    @property
    def kind_label(self) -> str:
        return _ALERT_KINDS.get(self.kind, self.kind)

    @property
    def severity_label(self) -> str:
        return _ALERT_SEVERITIES.get(self.severity, self.severity)

    @property
    def status_label(self) -> str:
        return _ALERT_STATUSES.get(self.status, self.status)

    @classmethod
    def of(cls, alert: Alert) -> AlertItem:
        """From the model (with acknowledged_by and resolved_by loaded)."""
        return cls(
            pk=alert.pk, kind=alert.kind, severity=alert.severity, status=alert.status,
            details=alert.details, created_at=alert.created_at,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=alert.acknowledged_by.display_name if alert.acknowledged_by
            else None,
            resolved_at=alert.resolved_at,
            resolved_by=alert.resolved_by.display_name if alert.resolved_by else None)


@dataclass
class NoteItem:
    """A clinician's note as the overview lists it."""

    pk: int
    body: str
    created_at: datetime
    author: str | None  # display name; None once the author's account is gone


def _split_alerts(alerts: list[AlertItem]) -> tuple[list[AlertItem], list[AlertItem]]:
    """Unresolved alerts, and the most recent resolved ones (newest first)."""
    return ([a for a in alerts if a.status != Alert.Status.RESOLVED],
            [a for a in alerts if a.status == Alert.Status.RESOLVED][:RESOLVED_SHOWN])


def enrollment_facts(enrollment: Enrollment) -> bool:
    """Load the program's week count onto the enrollment and say whether reminders are
    paused. One query (both are small subqueries of the enrollment row)."""
    # Plain, portable SQL: two tiny subqueries the ORM took ~1 ms to compile.
    (n_weeks, paused), = _fetch(_FACTS_SQL, [enrollment.program_version_id, enrollment.pk])
    enrollment._week_count = n_weeks or 0
    return bool(paused)


_FACTS_SQL = f"""
SELECT (SELECT COUNT(*) FROM {Week._meta.db_table} WHERE version_id = %s),
       (SELECT paused FROM {ReminderPreferences._meta.db_table} WHERE enrollment_id = %s
        LIMIT 1)"""  # noqa: S608 (names from the models; values are params)

_USER = ClinicianNote._meta.get_field("author").related_model._meta.db_table


def _person(user_id: str) -> str:
    """A user's [full name, email] (or null) by a scalar subquery: Postgres plans three
    of these faster than three joins (~0.1 ms of the statement's ~0.45 ms planning)."""
    return (f"(SELECT json_build_array(u.full_name, u.email) FROM {_USER} u "  # noqa: S608
            f"WHERE u.id = {user_id})")


_ACTIVITY = Attribution._meta.get_field("activity").related_model._meta.db_table

# Everything the overview reads, in one statement of small subqueries, each an indexed
# read of this enrollment's rows folded into one value (a JSON array, oldest or newest
# first as shown): one round trip and one plan instead of six, and no ORM compile.
# Practice is summed per program week here (floor division, as week_of, in float8: the
# numeric division took half the subquery's time): 52 rows, not one per day. An
# activity's week is found by scalar subqueries, not two LEFT JOINs: planned in half the
# time (~0.07 ms less) for the same answer (none without an activity). Postgres;
# elsewhere the same reads through the ORM (_overview_reads_orm), and
# tests/test_patient_detail.py checks both give the same.
_OVERVIEW_SQL = f"""
SELECT
  (SELECT COUNT(*) FROM {Week._meta.db_table} WHERE version_id = %s),
  (SELECT paused FROM {ReminderPreferences._meta.db_table} WHERE enrollment_id = %s LIMIT 1),
  {_OVERVIEW_CHECKINS_JSON},
  (SELECT json_agg(json_build_array(p.week, p.seconds, p.sessions))::text
   FROM (SELECT FLOOR((local_date - %s::date)::float8 / 7)::int + 1 AS week,
                SUM(duration_seconds) AS seconds, COUNT(*) AS sessions
         FROM {PracticeSession._meta.db_table} WHERE enrollment_id = %s GROUP BY 1) p),
  (SELECT json_agg(json_build_array(
              a.recorded_at, a.mind_brain_score,
              (SELECT w.number FROM {Week._meta.db_table} w WHERE w.id = (
                 SELECT act.week_id FROM {_ACTIVITY} act WHERE act.id = a.activity_id)))
                   ORDER BY a.recorded_at, a.id)::text
   FROM {Attribution._meta.db_table} a WHERE a.enrollment_id = %s),
  (SELECT json_agg(json_build_array(al.id, al.kind, al.severity, al.status, al.details,
                                    al.created_at, al.acknowledged_at,
                                    {_person("al.acknowledged_by_id")},
                                    al.resolved_at, {_person("al.resolved_by_id")})
                   ORDER BY al.created_at DESC, al.id DESC)::text
   FROM {Alert._meta.db_table} al WHERE al.enrollment_id = %s),
  (SELECT json_agg(json_build_array(n.id, n.body, n.created_at, {_person("n.author_id")})
                   ORDER BY n.created_at DESC, n.id DESC)::text
   FROM (SELECT id, body, created_at, author_id FROM {ClinicianNote._meta.db_table}
         WHERE enrollment_id = %s ORDER BY created_at DESC, id DESC LIMIT %s) n)"""  # noqa: S608 (names from the models; values are params)


@dataclass
class OverviewReads:
    """The overview's rows, before any figure is derived from them."""

    week_count: int
    reminders_paused: bool
    checkins: list[CheckInItem]
    practice: list[tuple[int, int, int]]  # (program week, seconds, sessions)
    attributions: list[tuple[datetime, int, int | None]]  # (when, score, activity's week)
    alerts: list[AlertItem]  # newest first
    notes: list[NoteItem]  # newest first, at most NOTES_SHOWN


def overview_reads(enrollment: Enrollment, now: datetime, *, notes: bool = True
                   ) -> OverviewReads:
    """One statement on Postgres (_OVERVIEW_SQL), the ORM elsewhere."""
    if connection.vendor != "postgresql":
        return _overview_reads_orm(enrollment, now, notes=notes)
    loads = json.loads
    (n_weeks, paused, checkins, practice, attributions, alerts, note_rows), = _fetch(
        _OVERVIEW_SQL,
        [enrollment.program_version_id, enrollment.pk, enrollment.pk, now,
         enrollment.start_date, enrollment.pk, enrollment.pk, enrollment.pk, enrollment.pk,
         NOTES_SHOWN if notes else 0])
    enrollment._week_count = n_weeks or 0
    at = _at
    return OverviewReads(
        week_count=n_weeks or 0, reminders_paused=bool(paused),
        checkins=_overview_checkin_items(loads(checkins) if checkins else None, enrollment,
                                         now),
        practice=[tuple(row) for row in loads(practice)] if practice else [],
        attributions=[(at(recorded_at), score, week) for recorded_at, score, week
                      in (loads(attributions) if attributions else ())],
        alerts=[AlertItem(pk=pk, kind=kind, severity=severity, status=status,
                          details=details, created_at=at(created_at),
                          acknowledged_at=at(acknowledged_at),
                          acknowledged_by=_display_name(acknowledged_by),
                          resolved_at=at(resolved_at), resolved_by=_display_name(resolved_by))
                for (pk, kind, severity, status, details, created_at, acknowledged_at,
                     acknowledged_by, resolved_at, resolved_by)
                in (loads(alerts) if alerts else ())],
        notes=[NoteItem(pk=pk, body=body, created_at=at(created_at),
                        author=_display_name(author))
               for pk, body, created_at, author in (loads(note_rows) if note_rows else ())])


def _overview_reads_orm(enrollment: Enrollment, now: datetime, *, notes: bool = True
                        ) -> OverviewReads:
    """overview_reads through the ORM, for SQLite (the embedded demo): six queries."""
    paused = enrollment_facts(enrollment)
    practice: dict[int, list[int]] = {}
    for day, seconds, n in (PracticeSession.objects.filter(enrollment=enrollment)
                            .values("local_date")
                            .annotate(s=Sum("duration_seconds"), n=Count("pk"))
                            .values_list("local_date", "s", "n")):
        week = practice.setdefault(week_of(enrollment, day), [0, 0])
        week[0] += seconds or 0
        week[1] += n
    return OverviewReads(
        week_count=enrollment.week_count, reminders_paused=paused,
        checkins=_checkins_with_scores_joined(enrollment, now, responses=False),
        practice=[(week, seconds, n) for week, (seconds, n) in practice.items()],
        attributions=list(Attribution.objects.filter(enrollment=enrollment)
                          .order_by("recorded_at", "pk")
                          .values_list("recorded_at", "mind_brain_score",
                                       "activity__week__number")),
        alerts=_alert_items(enrollment),
        notes=patient_notes(enrollment) if notes else [])


def patient_overview(enrollment: Enrollment, now: datetime, *, notes: bool = True) -> Overview:
    """The patient-detail overview: measures over the program as chart data, alerts,
    notes and what the clinician can change. One query on Postgres whatever the history
    (overview_reads); without the notes for the printable summary."""
    reads = overview_reads(enrollment, now, notes=notes)
    checkins = reads.checkins
    week_count = reads.week_count

    series, measure_rows = _checkin_series(checkins)

    # Practice minutes per program week (the player stores the patient's local date).
    reached = max(1, min(week_count, week_of(enrollment, enrollment.local_date(now))))
    minutes = dict.fromkeys(range(1, reached + 1), 0)
    seconds_total = sessions_total = 0
    for week, seconds, n in reads.practice:
        seconds_total += seconds
        sessions_total += n
        if week in minutes:
            minutes[week] += seconds
    practice = [Point(f"W{w}", f"Week {w}", round(s / 60)) for w, s in minutes.items()]
    most = max([0] + [int(p.value or 0) for p in practice])
    practice_max = max(30, -(-(most + 1) // 30) * 30)
    series.append(Series(
        key="practice", title="Practice minutes each week", unit="Minutes of somatic tracking",
        summary=f"{round(seconds_total / 60)} minutes in {sessions_total} sessions so far.",
        points=practice, y_max=practice_max, tick_step=practice_max // 5, kind="bar"))

    # Mind-brain score: the program's three-causes activities and any causes answered in
    # a check-in, in time order.
    mind: list[tuple[datetime, Point]] = []
    for recorded_at, score, week in reads.attributions:
        week = week or week_of(enrollment, enrollment.local_date(recorded_at))
        mind.append((recorded_at, Point(f"W{week}", f"Week {week} (three causes)", score)))
    for item in checkins:
        value = item.total(CAUSES)
        if value is not None:
            mind.append((item.completed_at or item.opens_at, Point(item.short, item.title, value)))
    mind.sort(key=lambda pair: pair[0])
    mind_points = [p for _, p in mind]
    series.append(Series(key="mind", title="Mind-brain score", unit="Mind-brain causes (0–3)",
                         summary=_trend(mind_points, "mind-brain score")
                         + " Patient's own coding.",
                         points=mind_points, y_max=3, tick_step=1))

    full = [
        FullScores(title=i.title, phq9=i.total("phq9"), phq9_band=i.band("phq9"),
                   gad7=i.total("gad7"), gad7_band=i.band("gad7"), fabq=i.total(FABQ))
        for i in checkins
        if not i.answered.keys().isdisjoint(("phq9", "gad7", FABQ))
    ]

    alerts, resolved = _split_alerts(reads.alerts)
    return Overview(
        enrollment=enrollment, week=enrollment.current_week(now), week_count=week_count,
        reminders_paused=reads.reminders_paused, checkins=checkins, series=series,
        full_scores=full, alerts=alerts, resolved_alerts=resolved, notes=reads.notes,
        practice_minutes_total=round(seconds_total / 60),
        practice_sessions_total=sessions_total, measure_rows=measure_rows,
    )


def _alert_items(enrollment: Enrollment) -> list[AlertItem]:
    return [AlertItem.of(a) for a in Alert.objects.filter(enrollment=enrollment)
            .select_related("acknowledged_by", "resolved_by").order_by("-created_at", "-pk")]


def patient_alerts(enrollment: Enrollment) -> tuple[list[AlertItem], list[AlertItem]]:
    """Unresolved alerts, and the most recent resolved ones. One query."""
    return _split_alerts(_alert_items(enrollment))


def patient_notes(enrollment: Enrollment) -> list[NoteItem]:
    """The newest notes, at most NOTES_SHOWN. One query."""
    return [NoteItem(pk=n.pk, body=n.body, created_at=n.created_at,
                     author=n.author.display_name if n.author else None)
            for n in ClinicianNote.objects.filter(enrollment=enrollment)
            .select_related("author").order_by("-created_at", "-pk")[:NOTES_SHOWN]]


def alert_of_patient(enrollment: Enrollment, pk: int) -> Alert | None:
    """One alert of this (already access-checked) enrollment, or None."""
    return (Alert.objects.select_related("enrollment__patient", "practice")
            .filter(enrollment=enrollment, pk=pk).first())


