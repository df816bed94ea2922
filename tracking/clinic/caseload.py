"""The caseload: a clinician's (or admin's) table of patients, filtered, sorted and paged.

It takes enrollments already scoped by tracking.access; nothing here decides who may
see what. Query counts are part of the contract (tests/test_caseload.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
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
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Lower, NullIf
from django.utils.timezone import localtime

from painapp.accounts.audit import ReadEvent
from painapp.accounts.models import AuditEvent, User
from programs.models import (
    Enrollment,
    EnrollmentStatus,
    PracticeSession,
    Screening,
    Week,
)
from tracking.access import EnrollmentScope
from tracking.expressions import DaysBetween, count_per_enrollment
from tracking.models import (
    Alert,
    CheckIn,
    EnrollmentSummary,
)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"

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

def _scope_sql(scope: EnrollmentScope, params: dict) -> str:
    """The scope as a condition on the enrollments aliased `e`, its values added to
    `params`. (Kept here only until this page is read through the ORM.)"""
    params["scope_practice"] = scope.practice_id
    if scope.clinician_id is None:
        return "e.practice_id = %(scope_practice)s"
    params["scope_clinician"] = scope.clinician_id
    return "e.practice_id = %(scope_practice)s AND e.clinician_id = %(scope_clinician)s"


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
            where=" AND ".join([_scope_sql(scope, params),
                                *(condition for condition, _ in filters)]),
            order=", ".join(f"{key} {direction}" for key in keys))
        if audit is not None:
            sql = _AUDITED_CASELOAD_SQL.format(page=sql, commit="")
            params.update(a_actor=audit.actor_id, a_practice=audit.practice_id,
                          a_action=audit.action, a_type=_ENROLLMENT_TYPE, a_at=audit.at,
                          a_ip=audit.ip, a_request=audit.request_id)
        with connection.cursor() as cursor:
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


