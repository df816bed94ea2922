"""The caseload: a clinician's (or admin's) table of patients, filtered, sorted and paged.

It takes enrollments already scoped by tracking.access; nothing here decides who may
see what. Two queries read a page, whatever the caseload's size (how many match, then
the page): enrollment ⨝ patient ⨝ summary (tracking.checkins.summaries keeps each
patient's figures, rule results and alert counts there). Every filter and sort reads a
stored column; what the rows show of the clinical rules is worked out by tracking.rules
in Python, for the 25 rows on screen only. Query counts are part of the contract
(tests/test_caseload.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import (
    CharField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy

from painapp.search_text import Folded, search_words
from programs import enrollment_status
from programs.enrollment_status import invitation_accepted
from programs.models import Enrollment, PracticeSession, Screening
from programs.patient_identity import second_identifier_html
from programs.selectors import program_outline
from tracking import rules
from tracking.access import EnrollmentScope
from tracking.expressions import count_per_enrollment, counted_sessions
from tracking.models import CheckIn

PAGE_SIZE = 25


def _num(value: rules.Score) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:.1f}"


def change_text(points: rules.Score | None, percent: int | None) -> str:
    """A fall below baseline in words: "down 3 pts (43%)", "up 1 pt", "no change"."""
    if points is None:
        return ""
    if points == 0:
        return gettext("no change")
    amount = abs(float(points))
    values = {"n": _num(amount)}
    if points > 0:
        text = (gettext("down %(n)s pt") if amount == 1 else gettext("down %(n)s pts")) % values
    else:
        text = (gettext("up %(n)s pt") if amount == 1 else gettext("up %(n)s pts")) % values
    if percent:
        text += f" ({abs(percent)}%)"
    return text


# ====================================================================== caseload
SORTS = {
    "name": gettext_lazy("Name"),
    "week": gettext_lazy("Program week"),
    "pain": gettext_lazy("Pain change"),
    "last": gettext_lazy("Last check-in"),
    "alerts": gettext_lazy("Alerts"),
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
        return bool(self.q or self.filters_on)

    @property
    def filters_on(self) -> int:
        """How many filters besides the name search are on (the "Filters" fold says so)."""
        return sum(map(bool, (self.status, self.has_alerts, self.not_improving, self.missed)))


@dataclass(slots=True)
class CaseloadRow:
    """One patient's line of the caseload, every value as the table shows it: plain
    values worked out once per row (the template reads some of them twice), no model
    instances (the page shows 25 rows and needs nothing else of the enrollment or the
    patient). What it says of the clinical rules comes from tracking.rules."""

    enrollment_id: int
    patient_id: int
    name: str  # User.display_name
    # The second identifier beside the name (programs.patient_identity): same-name
    # patients told apart. Markup, escaped.
    second_id: SafeString
    status: str
    status_label: str
    on_hold: bool
    week: int  # rules.current_week, on the patient's own calendar
    week_count: int
    last_checkin_at: datetime | None
    last_checkin_iso: str  # in the clinician's time zone; "" without a check-in
    last_checkin_text: str  # e.g. "7 Mar 2026", DAY_MONTH_YEAR_FORMAT (painapp/formats)
    pain_baseline: float | None
    pain_current: float | None
    pain_checkins: int
    weekly_done: int
    pain_baseline_text: str  # "6", "6.5"; "" when there is none
    pain_current_text: str
    pain_change: rules.Score | None  # points below baseline (negative: above), once shown
    pain_change_percent: int | None
    pain_change_text: str  # "down 3 pts (43%)", "up 1 pt (14%)", "no change", ""
    pain_trend: str  # "better" (a real improvement), "worse" (a rise) or ""
    is_real_improvement: bool
    not_improving: bool
    pain_free: bool
    fear_baseline: float | None
    fear_current: float | None
    fear_baseline_text: str
    fear_current_text: str
    fear_change: rules.Score | None
    fear_change_text: str
    practice_7d: int
    alerts_open: int
    alerts_unresolved: int
    alerts_urgent: int
    alerts_seen: int  # acknowledged, not yet resolved
    missed_recent: bool
    detail_url: str = ""  # the patient's page (the view knows the URLs)
    # Only the baseline is answered: "5 (baseline only)", not "5 from 5" (rules.is_baseline_only).
    baseline_only: bool = False

    # Django's template language looks `row.name` up as row["name"] first and as an
    # attribute only once that raises: answering the key lookup saves a raised and caught
    # TypeError for each of the ~25 values a row shows (~0.5 ms a page).
    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    @classmethod
    def of(
        cls, v: dict[str, Any], now: datetime, viewer_tz: tzinfo | None, *, week_count: int
    ) -> CaseloadRow:
        """The row of one enrollment as `_with_row_figures` read it."""
        baseline, current = _score(v["summary__pain_baseline"]), _score(v["summary__pain_current"])
        pain_checkins = v["summary__pain_checkins"] or 0
        weekly_done = v["summary__weekly_done"] or 0
        shown = rules.shows_change(baseline=baseline, current=current, pain_checkins=pain_checkins)
        change = rules.change_points(baseline, current) if shown else None
        percent = rules.change_percent(baseline, current) if shown else None
        improved = rules.is_real_improvement(baseline, current)
        fear_baseline = _score(v["summary__fear_baseline"])
        fear_current = _score(v["summary__fear_current"])
        # Shown once there is a pain check-in after the baseline, as the pain change is.
        fear_change = (
            rules.change_points(fear_baseline, fear_current)
            if rules.shows_change(
                baseline=fear_baseline, current=fear_current, pain_checkins=pain_checkins
            )
            else None
        )
        last = v["summary__last_checkin_at"]
        last_local = localtime(last, viewer_tz) if last is not None else None
        open_, unresolved = v["summary__alerts_open"] or 0, v["summary__alerts_unresolved"] or 0
        today: date = rules.local_date(now, ZoneInfo(v["patient__timezone"]))
        return cls(
            enrollment_id=v["pk"],
            patient_id=v["patient_id"],
            name=v["patient__full_name"] or v["patient__email"].split("@")[0],  # display_name
            second_id=second_identifier_html(
                date_of_birth=v["date_of_birth"],
                email=v["patient__email"],
                onboarded=v["onboarded_at"] is not None,
            ),
            status=v["status"],
            status_label=enrollment_status.status_label(v["status"], v["screening"], v["accepted"]),
            on_hold=v["screening"] == Screening.HOLD,
            week=rules.current_week(
                start_date=v["start_date"],
                today=today,
                week_count=week_count,
                paused_days=v["paused_days"],
                paused_on=v["paused_on"],
                unlocked_through_week=v["unlocked_through_week"],
            ),
            week_count=week_count,
            last_checkin_at=last,
            last_checkin_iso=last_local.isoformat() if last_local else "",
            last_checkin_text=date_format(last_local, "DAY_MONTH_YEAR_FORMAT")
            if last_local
            else "",
            pain_baseline=baseline,
            pain_current=current,
            pain_checkins=pain_checkins,
            weekly_done=weekly_done,
            pain_baseline_text=_text(baseline),
            pain_current_text=_text(current),
            pain_change=change,
            pain_change_percent=percent,
            pain_change_text=change_text(change, percent),
            pain_trend=""
            if change is None
            else "better"
            if improved
            else "worse"
            if change < 0
            else "",
            is_real_improvement=improved,
            not_improving=rules.is_not_improving(
                weekly_done=weekly_done, baseline=baseline, current=current
            ),
            pain_free=rules.is_pain_free_or_nearly(current),
            fear_baseline=fear_baseline,
            fear_current=fear_current,
            fear_baseline_text=_text(fear_baseline),
            fear_current_text=_text(fear_current),
            fear_change=fear_change,
            fear_change_text=change_text(fear_change, None),
            practice_7d=v["practice_7d"],
            alerts_open=open_,
            alerts_unresolved=unresolved,
            alerts_urgent=v["summary__alerts_urgent"] or 0,
            alerts_seen=unresolved - open_,
            missed_recent=v["missed_recent"],
            baseline_only=rules.is_baseline_only(
                baseline=baseline, current=current, pain_checkins=pain_checkins
            ),
        )


def _score(value: float | None) -> float | int | None:
    """A score as the summary stores it (a float), as a whole number when it is one (all
    shipped answers are): the same value for every rule, and tracking.rules' exact
    arithmetic is several times cheaper on ints (~90 → ~25 µs a row)."""
    return int(value) if value is not None and value.is_integer() else value


def _text(value: float | None) -> str:
    return "" if value is None else _num(value)


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


# What a page reads of each enrollment, its patient and its summary. An enrollment
# without a summary row yet (no check-in, no alert) reads None for the summary's
# columns: no figures, and counts of 0.
_COLUMNS = (
    "pk",
    "patient_id",
    "status",
    "screening",
    "start_date",
    "paused_on",
    "paused_days",
    "unlocked_through_week",
    "program_version_id",
    "program_version__outline_revision",
    "patient__full_name",
    "patient__email",
    "patient__timezone",
    "date_of_birth",
    "onboarded_at",
    "summary__last_checkin_at",
    "summary__pain_baseline",
    "summary__pain_current",
    "summary__pain_checkins",
    "summary__weekly_done",
    "summary__fear_baseline",
    "summary__fear_current",
    "summary__alerts_open",
    "summary__alerts_unresolved",
    "summary__alerts_urgent",
)


def _missed_recently(now: datetime) -> Exists:
    """A check-in missed in the last 14 days (rules.MISSED_LOOKBACK).

    Reads the status the minute sweep stores (tracking.checkins.schedule.
    checkins_update_statuses, which writes rules.effective_status's "missed" once a
    window has closed), not the rule again: a window that closed less than a minute ago
    counts from the sweep's next run. Served by the partial index checkin_unanswered_idx
    (enrollment, closes_at), whose condition "missed" implies."""
    return Exists(
        CheckIn.objects.filter(
            enrollment=OuterRef("pk"),
            status=CheckIn.Status.MISSED,
            closes_at__gte=now - rules.MISSED_LOOKBACK,
            closes_at__lte=now,
        )
    )


def _filtered(
    enrollments: QuerySet[Enrollment], query: CaseloadQuery, now: datetime
) -> QuerySet[Enrollment]:
    qs = enrollments
    words = search_words(query.q)
    if words:  # every word, in any order, in the name (folded, painapp.search_text) or email
        qs = qs.alias(name_folded=Folded("patient__full_name"))
        for word in words:
            qs = qs.filter(Q(name_folded__contains=word) | Q(patient__email__icontains=word))
    if query.status:  # the rows whose status says it (programs.enrollment_status)
        qs = qs.filter(enrollment_status.status_filter(query.status))
    if query.has_alerts:
        qs = qs.filter(summary__alerts_unresolved__gt=0)
    if query.missed:
        qs = qs.filter(_missed_recently(now))
    if query.not_improving:
        qs = qs.filter(summary__not_improving=True)
    return qs


# Sorts where no value means "longest ago" (a patient who never checked in needs a
# call most): None comes first when sorting oldest-first, last when newest-first.
_NONE_IS_OLDEST = frozenset({"last"})


def _sort_keys(sort: str) -> tuple[list[Any], bool]:
    """The chosen sort's keys, and whether they run the other way round from the
    column (the week: a later week is an earlier start)."""
    if sort == "name":
        return [_name_key()], False
    if sort == "week":
        # The program week depends on today's date where each patient lives; sorting by
        # it in SQL meant a CASE over every time zone listed. The day week 1 opened,
        # moved on by the pauses already over (both stored on the enrollment), orders
        # the patients as their weeks do, except: a patient paused now keeps moving up
        # as if not paused, weeks the clinician opened early and the cap at the last
        # week are not counted, and patients a day apart in different zones may swap.
        # The week shown is each patient's own (rules.current_week).
        return [
            ExpressionWrapper(F("start_date") + F("paused_days"), output_field=DateField())
        ], True
    if sort == "pain":
        return [F("summary__pain_change")], False
    if sort == "last":
        return [F("summary__last_checkin_at")], False
    # Alerts: urgent first, then the ones nobody has seen, then all unresolved.
    return [
        Coalesce(f"summary__{name}", 0)
        for name in ("alerts_urgent", "alerts_open", "alerts_unresolved")
    ], False


def _name_key() -> Lower:
    """What the Name column shows, lower-cased: the full name, or the email's name."""
    return Lower(
        Coalesce(
            NullIf("patient__full_name", Value("")), "patient__email", output_field=CharField()
        )
    )


def _ordered(qs: QuerySet[Enrollment], query: CaseloadQuery) -> QuerySet[Enrollment]:
    """The chosen column in the chosen direction, no value (None) last (but see
    _NONE_IS_OLDEST), and ties alphabetical by name."""
    keys, reverse = _sort_keys(query.sort)
    descending = (query.direction == "desc") != reverse
    # No check-in yet is the oldest of all: first oldest-first, last newest-first.
    none_first = query.sort in _NONE_IS_OLDEST and not descending
    nulls = {"nulls_first": True} if none_first else {"nulls_last": True}
    order = [OrderBy(key, descending=descending, **nulls) for key in keys]
    return qs.order_by(*order, _name_key(), "pk")


def _with_row_figures(
    qs: QuerySet[Enrollment], now: datetime
) -> QuerySet[Enrollment, dict[str, Any]]:
    """What each row shows, as values: the columns above, practice in the last 7 days and
    a check-in missed lately. The subqueries run only for the rows of the page (Postgres
    evaluates them after the sort and the limit)."""
    return qs.values(*_COLUMNS).annotate(
        # Sessions that count: at least the practice's minimum length (issue 16).
        practice_7d=count_per_enrollment(
            counted_sessions(
                PracticeSession.objects.filter(
                    enrollment=OuterRef("pk"), practiced_at__gte=now - rules.PRACTICE_LOOKBACK
                ),
                OuterRef(OuterRef("practice_id")),
            )
        ),
        missed_recent=_missed_recently(now),
        accepted=invitation_accepted(),
    )


def caseload_page(
    scope: EnrollmentScope | None,
    query: CaseloadQuery,
    now: datetime,
    *,
    viewer_tz: tzinfo | None = None,
) -> CaseloadPage:
    """One page of the caseload, filtered, searched, sorted and paged in SQL: two queries
    whatever the caseload's size (how many match, then the page's rows; a page past the
    end shows the last one). Only the rows shown are loaded. `scope`: the enrollments
    the viewer may see (tracking.access.enrollment_scope; None: nobody)."""
    if scope is None:
        return CaseloadPage(rows=[], query=query, total=0, page=1, pages=1)
    qs = _ordered(_filtered(scope.enrollments(), query, now), query)
    paginator = Paginator(_with_row_figures(qs, now), PAGE_SIZE)
    shown = paginator.get_page(query.page)
    return CaseloadPage(
        rows=[
            CaseloadRow.of(values, now, viewer_tz, week_count=_week_count(values))
            for values in shown
        ],
        query=query,
        total=paginator.count,
        page=shown.number,
        pages=paginator.num_pages,
    )


def _week_count(values: dict[str, Any]) -> int:
    """The program's number of weeks, from its outline as programs keeps it per process
    (read once per version and revision)."""
    return len(
        program_outline(
            values["program_version_id"], values["program_version__outline_revision"]
        ).weeks
    )


def shown_reads(rows: list[CaseloadRow]) -> list[tuple[int | None, str, str]]:
    """The reads a caseload page records: each patient shown, by their enrollment."""
    return [(row.patient_id, _ENROLLMENT_TYPE, str(row.enrollment_id)) for row in rows]


_ENROLLMENT_TYPE = Enrollment._meta.label_lower
