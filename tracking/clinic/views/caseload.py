"""The clinician's caseload: their own patients in one table, sortable and filterable.

The filter form and the sort and page links are plain GET links, so everything works
without JavaScript and every state has its own URL; with htmx the table is swapped in
place and the URL pushed. The whole page costs the same handful of queries for 5
patients or 500 (tracking.clinic.caseload.caseload_page).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from painapp.accounts.access import clinician_required
from painapp.accounts.audit import audit_reads
from painapp.types import MemberRequest
from tracking import rules
from tracking.access import enrollment_scope
from tracking.charts import macros
from tracking.clinic.caseload import SORTS, CaseloadQuery, caseload_page, shown_reads
from tracking.clinic.coding import uncoded_count
from tracking.clinic.forms import CaseloadFilterForm

# What a bare /caseload/ shows: values equal to it are left out of URLs.
_DEFAULT = CaseloadQuery()
_MARKER = 987654321987654321


def query_string(query: CaseloadQuery, path: str, **changes) -> str:
    """The URL of the caseload (at `path`) in this state, with `changes` applied.
    Defaults are left out so URLs stay short; any change of filter goes back to page 1."""
    values = {
        "q": query.q,
        "status": query.status,
        "has_alerts": query.has_alerts,
        "not_improving": query.not_improving,
        "missed": query.missed,
        "sort": query.sort,
        "dir": query.direction,
        "page": query.page,
    }
    if set(changes) - {"page"}:
        values["page"] = 1
    values.update(changes)
    params: dict[str, object] = {}
    for name, value in values.items():
        if name == "dir" and value == ("asc" if values["sort"] == "name" else _DEFAULT.direction):
            continue
        if name == "sort" and value == _DEFAULT.sort:
            continue
        if name == "page" and value == 1:
            continue
        if value is True:
            params[name] = "on"
        elif value:
            params[name] = value
    return path + ("?" + urlencode(params) if params else "")


StrOrPromise = str | Promise


@dataclass(frozen=True)
class Column:
    """A column of the caseload table, as its header says it."""

    key: str
    label: StrOrPromise
    sortable: bool = False
    sort_hint: StrOrPromise = ""  # what a screen reader hears between "sort" and the direction
    note: StrOrPromise = ""  # a muted word or two after the label
    abbr: StrOrPromise = ""  # the label is an abbreviation of this


COLUMNS = (
    Column("name", _("Patient"), sortable=True),
    Column("week", _("Week"), sortable=True),
    Column("status", _("Status")),
    Column("last", _("Last check-in"), sortable=True),
    Column("pain", _("Average pain"), sortable=True, sort_hint=_("by change, ")),
    Column("fear", _("Fear of movement")),
    Column(
        "practice",
        _("Practice"),
        note=format_lazy("{n}\u00a0{days}", n=rules.PRACTICE_LOOKBACK.days, days=_("days")),
    ),
    Column("alerts", _("Alerts"), sortable=True),
    Column(
        "pain_free",
        f"0–{rules.PAIN_FREE_MAX}",
        abbr=format_lazy(
            _("Average pain {values}: pain-free or nearly pain-free"),
            values=format_lazy(
                _("{a} or {b}"),
                a=", ".join(map(str, range(rules.PAIN_FREE_MAX))),
                b=rules.PAIN_FREE_MAX,
            ),
        ),
    ),
)

# The numbers the filter's words quote, from the rules that use them.
THRESHOLDS = {
    "points": rules.REAL_CHANGE_POINTS,
    "percent": rules.REAL_CHANGE_PERCENT,
    "weeks": rules.MIN_WEEKLY_FOR_TREND,
}


@dataclass(frozen=True)
class Header:
    """A column's header on this page: for a sortable column, its link (toggling the
    direction if it is the current sort) and its aria-sort value."""

    column: Column
    url: str = ""
    aria_sort: str = ""
    next: str = ""  # the direction the link sorts in, in words


def _headers(query: CaseloadQuery, path: str) -> list[Header]:
    headers = []
    for column in COLUMNS:
        if not column.sortable:
            headers.append(Header(column))
            continue
        current = query.sort == column.key
        if current:
            direction = "asc" if query.direction == "desc" else "desc"
        else:
            direction = "asc" if column.key == "name" else "desc"
        headers.append(
            Header(
                column,
                url=query_string(query, path, sort=column.key, dir=direction),
                aria_sort=("ascending" if query.direction == "asc" else "descending")
                if current
                else "",
                next=gettext_now("ascending") if direction == "asc" else gettext_now("descending"),
            )
        )
    return headers


@require_GET
@vary_on_headers("HX-Request")
@clinician_required
def caseload(request: MemberRequest) -> HttpResponse:
    form = CaseloadFilterForm(request.GET)
    query = form.query()
    page = caseload_page(
        enrollment_scope(request), query, timezone.now(), viewer_tz=request.user.tzinfo
    )
    # Each patient shown is a read of their data: one event each, written at once.
    audit_reads(
        request,
        "caseload.viewed",
        practice_id=request.membership.practice_id,
        reads=shown_reads(page.rows),
    )
    # The patient page's address, reversed once for the page rather than once a row: a
    # placeholder id in it becomes each row's (a reversed URL has no digits of its own
    # that could be taken for it: the marker is longer than any route's).
    detail_url = reverse("patient_detail", args=[_MARKER])
    for row in page.rows:
        row.detail_url = detail_url.replace(str(_MARKER), str(row.enrollment_id))
    path = reverse("caseload")
    context = {
        "form": form,
        "page": page,
        "query": query,
        "headers": _headers(query, path),
        "rows": macros("tracking/clinic/caseload.html").rows(page.rows),
        "thresholds": THRESHOLDS,
        "sort_label": SORTS[query.sort],
        "previous_url": query_string(query, path, page=page.page - 1) if page.has_previous else "",
        "next_url": query_string(query, path, page=page.page + 1) if page.has_next else "",
        "clear_url": path,
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "tracking/clinic/caseload.html#results", context)
        # The form sends every field, empty or default; keep the address bar short.
        response["HX-Push-Url"] = query_string(query, path)
        return response
    # The menu's "Code causes (n)" on the full page: one COUNT (partial index
    # cause_uncoded).
    context["uncoded_causes"] = uncoded_count(enrollment_scope(request))
    return render(request, "tracking/clinic/caseload.html", context)
