"""Reads for the clinician's screens: the caseload table and one patient's detail.

Every function here takes enrollments already scoped by tracking.access (a clinician's
own caseload, an admin's practice), as a queryset or, for the caseload, as the scope
itself (EnrollmentScope): nothing here decides who may see what.

Query counts are part of the contract (tests/test_caseload.py, test_patient_detail.py):
the caseload is one query whatever its size, and each patient-detail section a fixed
handful whatever the length of the patient's history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Lower, NullIf
from django.utils.timezone import localtime

from painapp.accounts.audit import ReadEvent, read_commit_sql
from painapp.accounts.models import AuditEvent, User
from painapp.prepared import prepared_cursor
from programs.models import (
    MIND_BRAIN,
    Attribution,
    AttributionCategory,
    AttributionCause,
    Enrollment,
    EnrollmentStatus,
    Exposure,
    FearItem,
    PracticeSession,
    Screening,
    Week,
)
from tracking.access import EnrollmentScope
from tracking.expressions import DaysBetween, count_per_enrollment
from tracking.figures import EMPTY as EMPTY_FIGURES
from tracking.figures import figures_of
from tracking.models import (
    Alert,
    CheckIn,
    ClinicianNote,
    EnrollmentSummary,
    ReminderPreferences,
    Response,
)

PAIN_AVG = "pain_avg"
PAIN_WORST = "pain_worst"
FEAR = "fear_movement"
FABQ = "fabq_pa"
CAUSES = "causes"
# 0–1 on average pain: "pain-free or nearly pain-free", the trial's outcome.
PAIN_FREE_MAX = 1
# A clinically important improvement: at least 2 points or at least 30% below baseline.
REAL_CHANGE_POINTS = 2
REAL_CHANGE_PERCENT = 30
# "Not improving" is only judged once there are this many weekly check-ins.
MIN_WEEKLY_FOR_TREND = 2
MISSED_LOOKBACK = timedelta(days=14)
PRACTICE_LOOKBACK = timedelta(days=7)
PAGE_SIZE = 25
MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")
# Check-ins whose window can still close into "missed": the enrollment is running.
LIVE_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)
PENDING = (CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN)


# ====================================================================== caseload
SORTS = {
    "name": "Name",
    "week": "Program week",
    "pain": "Pain change",
    "last": "Last check-in",
    "alerts": "Alerts",
}


@dataclass(frozen=True)
class CaseloadQuery:
    """What the clinician asked for, all of it kept in the URL."""

    q: str = ""
    status: str = ""
    has_alerts: bool = False
    not_improving: bool = False
    missed: bool = False
    sort: str = "alerts"
    direction: str = "desc"
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.status or self.has_alerts or self.not_improving
                    or self.missed)


@dataclass
class CaseloadRow:
    """One patient's line of the caseload: plain values, no model instances (the page
    shows 25 of them and needs nothing else of the enrollment or the patient)."""

    enrollment_id: int
    patient_id: int
    name: str  # User.display_name
    status: str
    on_hold: bool
    week: int
    week_count: int
    last_checkin_at: datetime | None
    pain_baseline: float | None
    pain_current: float | None
    pain_checkins: int
    weekly_done: int
    fear_baseline: float | None
    fear_current: float | None
    practice_7d: int
    alerts_open: int
    alerts_unresolved: int
    alerts_urgent: int
    missed_recent: bool

    # Shown in the clinician's own time zone.
    viewer_tz: tzinfo | None = None

    # Display strings, made here rather than with template filters: the caseload shows
    # 25 rows of them and Django's floatformat and date filters cost more than the
    # rest of a row (bench: the 25-row table 11 → 3 ms of CPU). Plain properties: each
    # is read once a row, and cached_property's lock cost more than the sums.
    @property
    def status_label(self) -> str:
        return EnrollmentStatus(self.status).label

    @property
    def pain_current_text(self) -> str:
        return _fmt(self.pain_current)

    @property
    def pain_baseline_text(self) -> str:
        return _fmt(self.pain_baseline)

    @property
    def fear_current_text(self) -> str:
        return _fmt(self.fear_current)

    @property
    def fear_baseline_text(self) -> str:
        return _fmt(self.fear_baseline)

    @cached_property
    def _last_local(self) -> datetime | None:
        if self.last_checkin_at is None:
            return None
        return localtime(self.last_checkin_at, self.viewer_tz)

    @property
    def last_checkin_iso(self) -> str:
        return self._last_local.isoformat() if self._last_local else ""

    @property
    def last_checkin_text(self) -> str:
        """e.g. "7 Mar 2026", as the date filter's "j M Y"."""
        at = self._last_local
        return f"{at.day} {MONTHS_SHORT[at.month - 1]} {at.year}" if at else ""

    @property
    def has_change(self) -> bool:
        """A change is only shown once a check-in after the baseline has pain in it."""
        return (self.pain_baseline is not None and self.pain_current is not None
                and self.pain_checkins >= 2)

    @property
    def pain_change(self) -> float | None:
        """Points of average pain below baseline (negative: above it)."""
        return self.pain_baseline - self.pain_current if self.has_change else None

    @property
    def pain_change_percent(self) -> int | None:
        if not self.has_change or not self.pain_baseline:
            return None
        return round(100 * (self.pain_baseline - self.pain_current) / self.pain_baseline)

    @property
    def pain_free(self) -> bool:
        return self.pain_current is not None and self.pain_current <= PAIN_FREE_MAX

    @property
    def is_real_improvement(self) -> bool:
        return improved(self.pain_baseline, self.pain_current)

    @property
    def not_improving(self) -> bool:
        return (self.weekly_done >= MIN_WEEKLY_FOR_TREND and self.pain_baseline is not None
                and self.pain_current is not None and not self.pain_free
                and not self.is_real_improvement)

    @property
    def pain_change_text(self) -> str:
        """E.g. "down 3 pts (43%)", "up 1 pt (14%)", "no change"."""
        return change_text(self.pain_change, self.pain_change_percent)

    @property
    def fear_change(self) -> float | None:
        if self.fear_baseline is None or self.fear_current is None or self.pain_checkins < 2:
            return None
        return self.fear_baseline - self.fear_current

    @property
    def fear_change_text(self) -> str:
        return change_text(self.fear_change, None)

    @property
    def alerts_seen(self) -> int:
        """Acknowledged, not yet resolved."""
        return self.alerts_unresolved - self.alerts_open


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def change_text(points: float | None, percent: int | None) -> str:
    """A fall below baseline in words: "down 3 pts (43%)", "up 1 pt", "no change"."""
    if points is None:
        return ""
    if points == 0:
        return "no change"
    amount = abs(points)
    text = f"{'down' if points > 0 else 'up'} {_num(amount)} pt{'' if amount == 1 else 's'}"
    if percent:
        text += f" ({abs(percent)}%)"
    return text


def improved(baseline: float | None, current: float | None) -> bool:
    """At least 2 points, or at least 30%, below baseline."""
    if baseline is None or current is None:
        return False
    drop = baseline - current
    # 30% as drop·10 ≥ baseline·3, so 10 → 7 counts despite binary fractions.
    return drop >= REAL_CHANGE_POINTS or (baseline > 0 and drop * 10 >= baseline * 3)


@dataclass
class CaseloadPage:
    rows: list[CaseloadRow]
    query: CaseloadQuery
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.rows)


def _page_of(query: CaseloadQuery, total: int) -> tuple[int, int]:
    """(page, pages): the page asked for, or the last one if it is past the end."""
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(1, query.page), pages), pages


def caseload_page(scope: EnrollmentScope | None, query: CaseloadQuery,
                  now: datetime, *, viewer_tz: tzinfo | None = None,
                  audit: ReadEvent | None = None) -> CaseloadPage:
    """One page of the caseload, filtered, searched, sorted and paged in SQL, in one
    query whatever the caseload's size (Postgres; two elsewhere). Only the rows shown
    are loaded (bench, 200 patients: 200 rows built → 25). `scope`: the enrollments the
    viewer may see (tracking.access.enrollment_scope; None: nobody).

    With `audit`, each patient shown is recorded as that read of their enrollment (one
    event each): on Postgres by the page's own statement, a data-modifying CTE, so the
    page and its audit cost one round trip and one commit."""
    if connection.vendor == "postgresql":
        return _caseload_page_sql(scope, query, now, viewer_tz=viewer_tz, audit=audit)
    enrollments = scope.enrollments() if scope is not None else Enrollment.objects.none()
    page = _caseload_page_orm(enrollments, query, now, viewer_tz=viewer_tz)
    if audit is not None:
        audit.record(shown_reads(page.rows))
    return page


def shown_reads(rows: list[CaseloadRow]) -> list[tuple[int, str, str]]:
    """The reads a caseload page records: each patient shown, by their enrollment."""
    return [(row.patient_id, _ENROLLMENT_TYPE, str(row.enrollment_id)) for row in rows]


_ENROLLMENT_TYPE = Enrollment._meta.label_lower


# ---------------------------------------------------------------- caseload on Postgres
# The ORM spent longer building and compiling the annotated querysets than Postgres
# spent answering them (bench, 200 patients: ~7 ms of 14), so on Postgres the page is
# one hand-written statement, its scope the condition tracking.access writes
# (EnrollmentScope.sql). The inner query reads, for every enrollment in scope, only
# what the chosen order and filters need (the name always; the alert counts, the summary
# row or the program's length only for the sorts and filters that use them) and its
# window gives the total and each row's position. The outer query keeps the one page
# (the last one if asked past the end) and reads what its 25 rows show. Filters, sort
# keys and joins are fixed fragments chosen from the whitelists below; every value is a
# parameter. tests/test_caseload.py runs this and the ORM path over the same data.

# Enrollment.current_week: `{e}` the enrollment (start_date, paused_*, unlocked_…),
# `{tz}` the patient's time zone, `{n}` the program's number of weeks. The patient's
# local date comes from Postgres's zone rules rather than Python's zoneinfo: the same
# IANA names (User.timezone is checked against them), and the same dates unless the two
# copies of the tz database disagree about today.
_DAYS_SQL = """((%(now)s AT TIME ZONE {tz})::date - {e}.start_date - {e}.paused_days
     - CASE WHEN {e}.paused_on IS NULL THEN 0
            ELSE GREATEST(0, (%(now)s AT TIME ZONE {tz})::date - {e}.paused_on) END)"""
_WEEK_SQL = """LEAST(GREATEST(CASE WHEN {days} < 0 THEN 0 ELSE LEAST({days} / 7 + 1, {n}) END,
                    {e}.unlocked_through_week), {n})"""


def _week_sql(e: str, tz: str, n: str) -> str:
    return _WEEK_SQL.format(days=_DAYS_SQL.format(e=e, tz=tz), e=e, n=n)


# What a sort key or a filter may need joined to the enrollment `{e}`, as `s`, `a`, `w`
# (table names from the models, values as parameters).
_JOIN_SQL = {
    "summary": f"""
    LEFT JOIN {EnrollmentSummary._meta.db_table} s ON s.enrollment_id = {{e}}.id""",  # noqa: S608
    # Unresolved alerts: the caseload's three counts.
    "alerts": f"""
    CROSS JOIN LATERAL (
        SELECT COUNT(*) FILTER (WHERE al.status = %(alert_open)s) AS alerts_open,
               COUNT(*) AS alerts_unresolved,
               COUNT(*) FILTER (WHERE al.severity = %(urgent)s) AS alerts_urgent
        FROM {Alert._meta.db_table} al
        WHERE al.enrollment_id = {{e}}.id AND al.status <> %(resolved)s) a""",  # noqa: S608
    "weeks": f"""
    CROSS JOIN LATERAL (SELECT COUNT(*) AS n FROM {Week._meta.db_table} wk
                        WHERE wk.version_id = {{e}}.program_version_id) w""",  # noqa: S608
}

_NAME_KEY_SQL = "LOWER(COALESCE(NULLIF(u.full_name, ''), u.email))"
# Each sort's keys (each "ASC/DESC NULLS LAST" as the ORM path sorts; ties by name) and
# the joins they read.
_SORT_SQL = {
    "name": ([_NAME_KEY_SQL], ()),
    "week": ([_week_sql("e", "u.timezone", "w.n")], ("weeks",)),
    "pain": (["CASE WHEN s.pain_checkins >= 2 THEN s.pain_baseline - s.pain_current END"],
             ("summary",)),
    "last": (["s.last_checkin_at"], ("summary",)),
    "alerts": (["a.alerts_urgent", "a.alerts_open", "a.alerts_unresolved"], ("alerts",)),
}
_DIRECTION_SQL = {"asc": "ASC NULLS LAST", "desc": "DESC NULLS LAST"}

# A check-in missed in the last 14 days (`{e}`: the enrollment). The minute sweep marks
# check-ins missed; until it runs, a closed window that is still pending on a running
# enrollment is missed all the same. The status list repeats the condition in the terms
# of the partial index checkin_unanswered_idx, which serves it (values are bound
# client-side, so the planner sees them).
_MISSED_SQL = f"""EXISTS (
    SELECT FROM {CheckIn._meta.db_table} c
    WHERE c.enrollment_id = {{e}}.id
      AND c.status IN (%(missed)s, %(scheduled)s, %(open)s)
      AND c.closes_at >= %(missed_since)s AND c.closes_at <= %(now)s
      AND (c.status = %(missed)s OR {{e}}.status IN (%(active)s, %(completed)s)))"""  # noqa: S608 (names from the models; values are params)

# Each filter's condition and the joins it reads.
_FILTER_SQL = {
    "q": ("(UPPER(u.full_name::text) LIKE UPPER(%(q)s) OR UPPER(u.email::text) LIKE UPPER(%(q)s))",
          ()),
    "hold": ("e.screening = %(hold)s", ()),
    "status": ("e.status = %(status)s", ()),
    "has_alerts": ("a.alerts_unresolved > 0", ("alerts",)),
    "missed": (_MISSED_SQL.format(e="e"), ()),
    # improved(): 2+ points down, or 30%+ down (as current·10 ≤ baseline·7, so 10 → 7
    # counts exactly). Pain-free (0–1) is never "not improving".
    "not_improving": ("""COALESCE(s.weekly_done, 0) >= %(min_weekly)s
      AND s.pain_baseline IS NOT NULL AND s.pain_current > %(pain_free_max)s
      AND NOT (s.pain_current <= s.pain_baseline - %(real_points)s
               OR (s.pain_baseline > 0 AND s.pain_current <= s.pain_baseline * 7 / 10.0))""",
                      ("summary",)),
}

_CASELOAD_SQL = f"""
SELECT p.id, p.patient_id, p.full_name, p.email, p.status, p.screening,
       {_week_sql("p", "p.timezone", "w.n")}, w.n,
       s.last_checkin_at, s.pain_baseline, s.pain_current, COALESCE(s.pain_checkins, 0),
       COALESCE(s.weekly_done, 0), s.fear_baseline, s.fear_current,
       (SELECT COUNT(*) FROM {PracticeSession._meta.db_table} ps
        WHERE ps.enrollment_id = p.id AND ps.practiced_at >= %(practice_since)s),
       a.alerts_open, a.alerts_unresolved, a.alerts_urgent, {_MISSED_SQL.format(e="p")},
       p.total, p.position
FROM (
    SELECT e.id, e.patient_id, e.program_version_id, e.status, e.screening, e.start_date,
           e.paused_on, e.paused_days, e.unlocked_through_week,
           u.full_name, u.email, u.timezone,
           ROW_NUMBER() OVER listed AS position, COUNT(*) OVER listed AS total
    FROM {Enrollment._meta.db_table} e
    JOIN {User._meta.db_table} u ON u.id = e.patient_id{{joins}}
    WHERE {{where}}
    -- One window for both: the position in the order asked for, and the total.
    WINDOW listed AS (ORDER BY {{order}}, {_NAME_KEY_SQL}, e.id
                      ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
) p{"".join(_JOIN_SQL[name].format(e="p") for name in ("summary", "alerts", "weeks"))}
WHERE p.position > LEAST(%(offset)s, (p.total - 1) / {PAGE_SIZE} * {PAGE_SIZE})
  AND p.position <= LEAST(%(offset)s, (p.total - 1) / {PAGE_SIZE} * {PAGE_SIZE}) + {PAGE_SIZE}
ORDER BY p.position"""  # noqa: S608 (table names from the models; values are params)

# The page with its audit events: one per row shown, as audit.ReadEvent.record writes
# them, by the same statement (`{commit}`: read_commit_sql()). The rows come out as
# without it, in the page's order (the CTE is materialised once, read twice).
_AUDITED_CASELOAD_SQL = f"""
WITH shown AS ({{page}}),
logged AS (
  INSERT INTO {AuditEvent._meta.db_table}
      (actor_id, practice_id, subject_id, action, object_type, object_id, at, ip, request_id)
  SELECT %(a_actor)s::bigint, %(a_practice)s::bigint, s.patient_id, %(a_action)s,
         %(a_type)s, s.id::text, %(a_at)s, %(a_ip)s::inet, %(a_request)s
  FROM shown s{{commit}})
SELECT * FROM shown ORDER BY position"""  # noqa: S608 (names from the model; values are params)


def _caseload_page_sql(scope: EnrollmentScope | None, query: CaseloadQuery,
                       now: datetime, *, viewer_tz: tzinfo | None = None,
                       audit: ReadEvent | None = None) -> CaseloadPage:
    """caseload_page on Postgres: one statement, whatever the sort, filters and page."""
    params: dict[str, Any] = {
        "now": now, "practice_since": now - PRACTICE_LOOKBACK,
        "missed_since": now - MISSED_LOOKBACK,
        "missed": CheckIn.Status.MISSED.value, "scheduled": CheckIn.Status.SCHEDULED.value,
        "open": CheckIn.Status.OPEN.value, "active": EnrollmentStatus.ACTIVE.value,
        "completed": EnrollmentStatus.COMPLETED.value, "alert_open": Alert.Status.OPEN.value,
        "urgent": Alert.Severity.URGENT.value, "resolved": Alert.Status.RESOLVED.value,
        "offset": (max(1, query.page) - 1) * PAGE_SIZE,
    }
    keys, joins = _SORT_SQL[query.sort]
    filters = []
    if query.q:
        filters.append(_FILTER_SQL["q"])
        params["q"] = f"%{connection.ops.prep_for_like_query(query.q)}%"
    if query.status == "hold":
        filters.append(_FILTER_SQL["hold"])
        params["hold"] = Screening.HOLD.value
    elif query.status:
        filters.append(_FILTER_SQL["status"])
        params["status"] = query.status
    if query.has_alerts:
        filters.append(_FILTER_SQL["has_alerts"])
    if query.missed:
        filters.append(_FILTER_SQL["missed"])
    if query.not_improving:
        filters.append(_FILTER_SQL["not_improving"])
        params.update(min_weekly=MIN_WEEKLY_FOR_TREND, pain_free_max=PAIN_FREE_MAX,
                      real_points=REAL_CHANGE_POINTS)
    needed = {*joins, *(name for _, names in filters for name in names)}
    direction = _DIRECTION_SQL[query.direction]
    if scope is None:  # nobody to show
        fetched = []
    else:
        sql = _CASELOAD_SQL.format(
            joins="".join(_JOIN_SQL[name].format(e="e") for name in _JOIN_SQL if name in needed),
            where=" AND ".join([scope.sql("e", params),
                                *(condition for condition, _ in filters)]),
            order=", ".join(f"{key} {direction}" for key in keys))
        if audit is not None:
            sql = _AUDITED_CASELOAD_SQL.format(page=sql, commit=read_commit_sql())
            params.update(a_actor=audit.actor_id, a_practice=audit.practice_id,
                          a_action=audit.action, a_type=_ENROLLMENT_TYPE, a_at=audit.at,
                          a_ip=audit.ip, a_request=audit.request_id)
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
    total = fetched[0][-2] if fetched else 0
    page, pages = _page_of(query, total)
    hold = Screening.HOLD.value
    rows = [
        CaseloadRow(
            enrollment_id=pk, patient_id=patient_id,
            name=full_name or email.split("@")[0],  # User.display_name
            status=status, on_hold=screening == hold,
            week=week, week_count=week_count, last_checkin_at=last_checkin_at,
            pain_baseline=pain_baseline, pain_current=pain_current,
            pain_checkins=pain_checkins, weekly_done=weekly_done,
            fear_baseline=fear_baseline, fear_current=fear_current, practice_7d=practice_7d,
            alerts_open=alerts_open, alerts_unresolved=alerts_unresolved,
            alerts_urgent=alerts_urgent, missed_recent=missed_recent, viewer_tz=viewer_tz)
        for (pk, patient_id, full_name, email, status, screening, week, week_count,
             last_checkin_at, pain_baseline, pain_current, pain_checkins, weekly_done,
             fear_baseline, fear_current, practice_7d, alerts_open, alerts_unresolved,
             alerts_urgent, missed_recent, _total, _position) in fetched]
    return CaseloadPage(rows=rows, query=query, total=total, page=page, pages=pages)


# ---------------------------------------------------------------- caseload, portable
# The same page through the ORM, for SQLite (the embedded demo).
CASELOAD_COLUMNS = (
    "patient_id", "practice_id", "program_version_id", "clinician_id", "status", "screening",
    "start_date", "paused_on", "paused_days", "unlocked_through_week",
    "patient__full_name", "patient__email", "patient__timezone",
)


def annotate_caseload(enrollments: QuerySet[Enrollment], now: datetime) -> QuerySet[Enrollment]:
    """Every number the caseload shows, in the one query that loads the enrollments.

    Check-in figures come from each enrollment's summary row (tracking.summaries, kept
    by checkin_record), joined once. What depends on the clock (practice in the last 7
    days, a recently missed check-in) and the alert counts are small correlated
    subqueries on indexed columns. Either way the cost in queries is the same for 5
    patients or 500.
    """
    checkins = CheckIn.objects.filter(enrollment=OuterRef("pk"))
    alerts = Alert.objects.filter(enrollment=OuterRef("pk")).exclude(status=Alert.Status.RESOLVED)
    missed = checkins.filter(closes_at__gte=now - MISSED_LOOKBACK, closes_at__lte=now).filter(
        # The minute sweep marks check-ins missed; until it runs, a closed window that is
        # still "open" on a running enrollment is missed all the same.
        Q(status=CheckIn.Status.MISSED)
        | Q(status__in=PENDING, enrollment__status__in=LIVE_STATUSES))
    # Only the columns the table and Enrollment.current_week read: the program version's
    # content and the screening answers would be decoded 200 times for nothing.
    return enrollments.select_related("patient").only(*CASELOAD_COLUMNS).annotate(
        n_weeks=count_per_enrollment(Week.objects.filter(version=OuterRef("program_version"))
                       .annotate(enrollment=F("version"))),
        last_checkin_at=F("summary__last_checkin_at"),
        pain_baseline=F("summary__pain_baseline"),
        pain_current=F("summary__pain_current"),
        pain_checkins=Coalesce(F("summary__pain_checkins"), Value(0)),
        weekly_done=Coalesce(F("summary__weekly_done"), Value(0)),
        fear_baseline=F("summary__fear_baseline"),
        fear_current=F("summary__fear_current"),
        practice_7d=count_per_enrollment(PracticeSession.objects.filter(
            enrollment=OuterRef("pk"), practiced_at__gte=now - PRACTICE_LOOKBACK)),
        alerts_open=count_per_enrollment(alerts.filter(status=Alert.Status.OPEN)),
        alerts_unresolved=count_per_enrollment(alerts),
        alerts_urgent=count_per_enrollment(alerts.filter(severity=Alert.Severity.URGENT)),
        missed_recent=Exists(missed),
    )


def _filter(qs: QuerySet[Enrollment], query: CaseloadQuery) -> QuerySet[Enrollment]:
    if query.q:
        qs = qs.filter(Q(patient__full_name__icontains=query.q)
                       | Q(patient__email__icontains=query.q))
    if query.status == "hold":
        qs = qs.filter(screening="hold")
    elif query.status:
        qs = qs.filter(status=query.status)
    if query.has_alerts:
        qs = qs.filter(alerts_unresolved__gt=0)
    if query.missed:
        qs = qs.filter(missed_recent=True)
    if query.not_improving:
        # improved(): 2+ points down, or 30%+ down (as current·10 ≤ baseline·7, in whole
        # numbers, so 10 → 7 counts exactly). Pain-free (0–1) is never "not improving".
        qs = qs.filter(weekly_done__gte=MIN_WEEKLY_FOR_TREND, pain_baseline__isnull=False,
                       pain_current__gt=PAIN_FREE_MAX).exclude(
            Q(pain_current__lte=F("pain_baseline") - REAL_CHANGE_POINTS)
            | Q(pain_baseline__gt=0, pain_current__lte=F("pain_baseline") * 7 / 10.0))
    return qs


def _current_week(zones: list[str], now: datetime):
    """Enrollment.current_week as SQL: the patient's local date comes from a CASE over
    the time zones of the patients listed (a handful), so it is portable (SQLite for
    the demo) and equal to the Python method for every row."""
    today = Case(*[When(patient__timezone=zone, then=Value(localtime(now, ZoneInfo(zone)).date()))
                   for zone in zones], default=Value(now.date()), output_field=DateField())
    paused = Case(When(paused_on__isnull=False,
                       then=Greatest(Value(0), DaysBetween(today, F("paused_on")))),
                  default=Value(0))
    elapsed = DaysBetween(today, F("start_date")) - F("paused_days") - paused
    calendar = Case(When(Q(_elapsed__lt=0), then=Value(0)),
                    default=Least(F("_elapsed") / 7 + 1, F("n_weeks")),
                    output_field=IntegerField())
    return elapsed, Least(Greatest(calendar, F("unlocked_through_week"),
                                   output_field=IntegerField()),
                          F("n_weeks"), output_field=IntegerField())


def _name_key() -> Lower:
    """What the Name column shows, lower-cased: the full name, or the email's name."""
    return Lower(Coalesce(NullIf("patient__full_name", Value("")), "patient__email",
                          output_field=CharField()))


def _ordered(qs: QuerySet[Enrollment], query: CaseloadQuery, zones: list[str],
             now: datetime) -> QuerySet[Enrollment]:
    """The sort in SQL: the chosen column in the chosen direction, no value (None) last
    either way, and ties alphabetical by name."""
    qs = qs.annotate(_name=_name_key())
    if query.sort == "week":
        elapsed, week = _current_week(zones, now)
        qs = qs.annotate(_elapsed=elapsed).annotate(_week=week)
        keys = ["_week"]
    elif query.sort == "name":
        keys = ["_name"]
    elif query.sort == "pain":
        qs = qs.annotate(_pain=Case(
            When(Q(pain_checkins__gte=2, pain_baseline__isnull=False, pain_current__isnull=False),
                 then=F("pain_baseline") - F("pain_current")),
            default=None, output_field=FloatField()))
        keys = ["_pain"]
    elif query.sort == "last":
        keys = ["last_checkin_at"]
    else:
        keys = ["alerts_urgent", "alerts_open", "alerts_unresolved"]
    descending = query.direction == "desc"
    order = [F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
             for key in keys]
    return qs.order_by(*order, "_name", "pk")


def _caseload_page_orm(enrollments: QuerySet[Enrollment], query: CaseloadQuery,
                       now: datetime, *, viewer_tz: tzinfo | None = None) -> CaseloadPage:
    """Two queries whatever the caseload's size: how many match in each time zone (the
    total, and the zones the week column needs), then the page's 25 rows."""
    qs = _filter(annotate_caseload(enrollments, now), query)
    by_zone = dict(qs.order_by().values_list("patient__timezone").annotate(n=Count("pk")))
    total = sum(by_zone.values())
    page, pages = _page_of(query, total)
    start = (page - 1) * PAGE_SIZE
    rows = []
    for e in _ordered(qs, query, sorted(by_zone), now)[start:start + PAGE_SIZE]:
        e._week_count = e.n_weeks  # read by Enrollment.current_week: no extra query
        rows.append(CaseloadRow(
            enrollment_id=e.pk, patient_id=e.patient_id, name=e.patient.display_name,
            status=e.status, on_hold=e.on_safety_hold,
            week=e.current_week(now), week_count=e.n_weeks,
            last_checkin_at=e.last_checkin_at, pain_baseline=e.pain_baseline,
            pain_current=e.pain_current, pain_checkins=e.pain_checkins,
            weekly_done=e.weekly_done, fear_baseline=e.fear_baseline,
            fear_current=e.fear_current, practice_7d=e.practice_7d,
            alerts_open=e.alerts_open, alerts_unresolved=e.alerts_unresolved,
            alerts_urgent=e.alerts_urgent, missed_recent=e.missed_recent,
            viewer_tz=viewer_tz,
        ))
    return CaseloadPage(rows=rows, query=query, total=total, page=page, pages=pages)


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
    with prepared_cursor() as cursor:
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


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


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


# ---------------------------------------------------------------- check-in answers
@dataclass
class AnswerRow:
    text: str
    answer: str


@dataclass
class ResponseView:
    key: str
    title: str
    version: int
    total: Any
    band: str | None
    answers: list[AnswerRow]


@dataclass
class CheckInAnswers:
    item: CheckInItem
    responses: list[ResponseView]


def _answer_text(item: dict, value: Any) -> str:
    if value is None:
        return "No answer"
    if isinstance(value, dict):  # a cause: {"text", "category"}
        category = dict(AttributionCategory.choices).get(value.get("category"),
                                                         value.get("category", ""))
        return f"{value.get('text', '')} ({category})"
    label = (item.get("labels") or {}).get(str(value))
    return f"{value} – {label}" if label else str(value)


def patient_checkin_answers(enrollment: Enrollment, now: datetime) -> list[CheckInAnswers]:
    """Every check-in that has opened, newest first, with every answer as asked (the
    wording of the instrument version that was answered). Two queries."""
    checkins = {c.pk: c for c in (
        CheckInItem(pk=c.pk, slot=c.slot, kind=c.kind, week=c.week,
                    status=effective_status(c.status, c.closes_at, c.opens_at, enrollment, now),
                    opens_at=c.opens_at, closes_at=c.closes_at, completed_at=c.completed_at,
                    instrument_keys=c.instrument_keys or [])
        for c in CheckIn.objects.filter(enrollment=enrollment, opens_at__lte=now)
        .order_by("-opens_at", "-pk"))}
    by_checkin: dict[int, list[ResponseView]] = {pk: [] for pk in checkins}
    for r in (Response.objects.filter(checkin__enrollment=enrollment, checkin__opens_at__lte=now)
              .select_related("instrument").order_by("checkin_id", "pk")):
        items = r.instrument.items or []
        by_checkin[r.checkin_id].append(ResponseView(
            key=r.instrument_key, title=r.instrument.title, version=r.instrument_version,
            total=(r.scores or {}).get("total"), band=(r.scores or {}).get("band"),
            answers=[AnswerRow(i.get("text") or i["key"], _answer_text(i, r.answers.get(i["key"])))
                     for i in items]))

    def asked_order(item: CheckInItem):
        keys = item.instrument_keys
        return lambda rv: keys.index(rv.key) if rv.key in keys else len(keys)

    return [CheckInAnswers(item=item, responses=sorted(by_checkin[pk], key=asked_order(item)))
            for pk, item in checkins.items()]


# ---------------------------------------------------------------- practice log
PRACTICE_SHOWN = 100


@dataclass
class PracticeLog:
    sessions: list[PracticeSession]
    total: int
    minutes_total: int
    weeks: list[tuple[int, int, int]]  # (week, sessions, minutes)


def patient_practice(enrollment: Enrollment) -> PracticeLog:
    """The newest practice sessions and a per-week summary of all of them. Two queries."""
    sessions = list(PracticeSession.objects.filter(enrollment=enrollment)
                    .order_by("-practiced_at", "-pk")[:PRACTICE_SHOWN])
    weeks: dict[int, list[int]] = {}
    total = seconds_total = 0
    for day, seconds, n in (PracticeSession.objects.filter(enrollment=enrollment)
                            .values("local_date").annotate(s=Sum("duration_seconds"),
                                                           n=Count("pk"))
                            .values_list("local_date", "s", "n")):
        week = weeks.setdefault(week_of(enrollment, day), [0, 0])
        week[0] += n
        week[1] += seconds or 0
        total += n
        seconds_total += seconds or 0
    return PracticeLog(sessions=sessions, total=total, minutes_total=round(seconds_total / 60),
                       weeks=[(w, n, round(s / 60)) for w, (n, s) in sorted(weeks.items())])


# ---------------------------------------------------------------- fear hierarchy
@dataclass
class Rung:
    item: FearItem
    exposures: list[Exposure]

    @property
    def rating_change(self) -> int:
        return self.item.first_rating - self.item.harm_rating


@dataclass
class Hierarchy:
    rungs: list[Rung]
    unlinked: list[Exposure]

    @property
    def done(self) -> list[Exposure]:
        return [e for r in self.rungs for e in r.exposures if e.is_done] + [
            e for e in self.unlinked if e.is_done]

    @property
    def mean_pain_violation(self) -> float | None:
        values = [e.pain_violation for e in self.done if e.pain_violation is not None]
        return round(sum(values) / len(values), 1) if values else None

    @property
    def mean_harm_violation(self) -> float | None:
        values = [e.harm_violation for e in self.done if e.harm_violation is not None]
        return round(sum(values) / len(values), 1) if values else None


def patient_hierarchy(enrollment: Enrollment) -> Hierarchy:
    """The fear ladder (lowest harm first) with each rung's exposures, newest first, and
    exposures not tied to a rung. Two queries."""
    items = list(FearItem.objects.filter(enrollment=enrollment)
                 .order_by("harm_rating", "position", "pk"))
    rungs = {i.pk: Rung(item=i, exposures=[]) for i in items}
    unlinked = []
    for e in (Exposure.objects.filter(enrollment=enrollment)
              .order_by("-planned_at", "-pk")):
        rung = rungs.get(e.fear_item_id)
        (rung.exposures if rung is not None else unlinked).append(e)
    return Hierarchy(rungs=list(rungs.values()), unlinked=unlinked)


# ---------------------------------------------------------------- three causes
# The coding scheme's own names (Ashar et al. 2023), for staff; patients see the
# plain-language labels of AttributionCategory.
CODING_LABELS = {
    "spinal": "Spinal condition", "injury": "Injury", "activity": "Activity",
    "sedentary": "Sedentary", "posture": "Posture or physiology", "age": "Age",
    "hereditary": "Hereditary", "negligence": "Negligence", "other": "Other",
    "stress": "Stress (mind-brain)", "psychological": "Psychological (mind-brain)",
    "brain": "Brain (mind-brain)",
}


def coding_label(category: str) -> str:
    return CODING_LABELS.get(category, category)

@dataclass
class AttributionView:
    attribution: Attribution
    week: int | None
    causes: list[AttributionCause]

    @property
    def clinician_score(self) -> int:
        """The mind-brain score with the clinician's coding where they gave one."""
        return sum(1 for c in self.causes
                   if (c.clinician_category or c.category) in MIND_BRAIN)

    @property
    def is_recoded(self) -> bool:
        return any(c.clinician_category and c.clinician_category != c.category
                   for c in self.causes)


def patient_attributions(enrollment: Enrollment) -> list[AttributionView]:
    """Each time the patient named their three causes, oldest first. One query."""
    views: dict[int, AttributionView] = {}
    for cause in (AttributionCause.objects.filter(attribution__enrollment=enrollment)
                  .select_related("attribution__activity__week")
                  .order_by("attribution__recorded_at", "attribution_id", "position")):
        a = cause.attribution
        view = views.get(a.pk)
        if view is None:
            week = a.activity.week.number if a.activity_id else week_of(
                enrollment, enrollment.local_date(a.recorded_at))
            view = views[a.pk] = AttributionView(attribution=a, week=week, causes=[])
        view.causes.append(cause)
    return list(views.values())


# ====================================================================== exports
MEASUREMENT_HEADER = ["recorded_at", "program_week", "source", "context", "measure", "item",
                      "value", "band", "instrument_version"]


def patient_measurements(enrollment: Enrollment, now: datetime) -> list[list[Any]]:
    """Every measurement of the patient, one value per row, oldest first, for the CSV
    export: check-in answers and scores (and missed check-ins), practice ratings,
    exposures (predicted vs actual) and the three causes with both codings. Four
    queries."""
    rows: list[tuple[datetime, list[Any]]] = []

    def local_week(at: datetime) -> int:
        return week_of(enrollment, enrollment.local_date(at))

    for item in _checkins_with_scores(enrollment, now):
        at = item.completed_at or item.closes_at
        week = item.week or local_week(at)
        if item.status != CheckIn.Status.COMPLETED:
            rows.append((at, [at, week, "check-in", item.slot, "status", "", item.status_label,
                              "", ""]))
            continue
        for key, response in sorted(item.responses.items()):
            version = response["version"]
            for answer_key, value in sorted((response.get("answers") or {}).items()):
                if isinstance(value, dict):
                    for part in ("text", "category"):
                        rows.append((at, [at, week, "check-in", item.slot, key,
                                          f"{answer_key}.{part}", value.get(part, ""), "",
                                          version]))
                else:
                    rows.append((at, [at, week, "check-in", item.slot, key, answer_key, value,
                                      "", version]))
            scores = response.get("scores") or {}
            rows.append((at, [at, week, "check-in", item.slot, key, "total", scores.get("total"),
                              scores.get("band") or "", version]))
    for s in PracticeSession.objects.filter(enrollment=enrollment).order_by("practiced_at"):
        week = week_of(enrollment, s.local_date)
        for measure in ("pain_before", "pain_after", "threat_before", "threat_after",
                        "duration_seconds"):
            rows.append((s.practiced_at, [s.practiced_at, week, "somatic tracking", "",
                                          measure, "", getattr(s, measure), "", ""]))
    for e in Exposure.objects.filter(enrollment=enrollment).order_by("planned_at"):
        at = e.completed_at or e.planned_at
        week = local_week(at)
        for measure in ("predicted_pain", "predicted_harm", "actual_pain", "actual_harm",
                        "fear_after", "pain_violation", "harm_violation"):
            value = getattr(e, measure)
            if value is not None:
                rows.append((at, [at, week, "exposure", e.activity, measure, "", value, "", ""]))
    for view in patient_attributions(enrollment):
        a = view.attribution
        context = f"three causes, week {view.week}"
        rows.append((a.recorded_at, [a.recorded_at, view.week, "causes", context,
                                     "mind_brain_score", "patient", a.mind_brain_score, "", ""]))
        rows.append((a.recorded_at, [a.recorded_at, view.week, "causes", context,
                                     "mind_brain_score", "clinician", view.clinician_score,
                                     "", ""]))
        for cause in view.causes:
            for part, value in (("text", cause.text), ("category", cause.category),
                                ("clinician_category", cause.clinician_category)):
                rows.append((a.recorded_at, [a.recorded_at, view.week, "causes", context,
                                             f"cause{cause.position}", part, value, "", ""]))
    rows.sort(key=lambda pair: pair[0])
    return [row for _, row in rows]


@dataclass
class SummaryRow:
    label: str
    scale: str
    first: float | None
    first_when: str
    latest: float | None
    latest_when: str

    @property
    def change_text(self) -> str:
        if self.first is None or self.latest is None or self.first_when == self.latest_when:
            return ""
        return change_text(self.first - self.latest, None)


def summary_rows(overview: Overview) -> list[SummaryRow]:
    """First and latest value of each measure, for the printable summary."""
    rows = []
    scales = {"pain": "0–10", "worst": "0–10", "fear": "0–10", "fabq": "0–24", "phq": "0–6",
              "gad": "0–6", "mind": "0–3"}
    for series in overview.series:
        if series.key not in scales:
            continue
        done = [p for p in series.points if p.value is not None]
        first = done[0] if done else None
        latest = done[-1] if done else None
        rows.append(SummaryRow(series.title, scales[series.key],
                               first.value if first else None, first.name if first else "",
                               latest.value if latest else None, latest.name if latest else ""))
    for label, attr, scale in (("PHQ-9 (depression)", "phq9", "0–27"),
                               ("GAD-7 (anxiety)", "gad7", "0–21")):
        done = [f for f in overview.full_scores if getattr(f, attr) is not None]
        if done:
            rows.append(SummaryRow(label, scale, getattr(done[0], attr), done[0].title,
                                   getattr(done[-1], attr), done[-1].title))
    return rows
