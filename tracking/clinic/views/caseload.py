"""The clinician's caseload: their own patients in one table, sortable and filterable.

The sort and page are plain links, and the filter form is answered with a redirect
to its URL, so everything works without JavaScript and every state has its own URL;
with htmx the table is swapped in place and the URL pushed. The whole page costs the
same handful of queries for 5 patients or 500 (tracking.clinic.caseload.caseload_page).

The name search is the exception: a name is never put in a URL (the address bar,
history, links, the access log; SECURITY.md). The filter form is posted; the view
keeps the search in the clinician's session (for this practice) and the URLs of the
searched list say only `search=on`. A URL without it shows no search, and forgets it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from painapp.accounts.access import clinician_required
from painapp.accounts.audit import audit_reads
from painapp.types import MemberRequest
from tracking import rules
from tracking.access import enrollment_scope
from tracking.charts import macros
from tracking.clinic.caseload import SORTS, CaseloadQuery, caseload_page, shown_reads
from tracking.clinic.coding import uncoded_count
from tracking.clinic.forms import CaseloadFilterForm, SavedFilterForm
from tracking.clinic.saved_filters import (
    SavedFilterError,
    saved_filter_create,
    saved_filter_delete,
    saved_filter_query,
    saved_filters_for,
)
from tracking.saved_filters.models import SAVED_FILTERS_MAX

# What a bare /caseload/ shows: values equal to it are left out of URLs.
_DEFAULT = CaseloadQuery()
_MARKER = 987654321987654321

# The session key of the kept search: [practice id, the search as typed].
SEARCH_KEY = "caseload_search"


def query_string(query: CaseloadQuery, path: str, **changes) -> str:
    """The URL of the caseload (at `path`) in this state, with `changes` applied.
    Defaults are left out so URLs stay short; any change of filter goes back to page 1.
    The name search is never in it: a search in force is `search=on`, kept in the
    session (SEARCH_KEY)."""
    new_filters = bool(set(changes) - {"page"})
    values: dict[str, object] = {
        "search": bool(changes.pop("q", query.q)),
        "status": query.status,
        "has_alerts": query.has_alerts,
        "not_improving": query.not_improving,
        "missed": query.missed,
        "sort": query.sort,
        "dir": query.direction,
        "page": query.page,
    }
    if new_filters:
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


# Alerts and the change in pain first: what a clinician scans the list for. Every
# header is words (the phone's cards repeat them, templates/jinja2/tracking/clinic/
# caseload.html); the patient's status shows under their program week.
COLUMNS = (
    Column("alerts", _("Alerts"), sortable=True),
    Column("pain", _("Pain change from baseline"), sortable=True),
    Column("name", _("Patient"), sortable=True),
    Column("week", _("Program week and status"), sortable=True),
    Column("last", _("Last check-in"), sortable=True),
    Column("fear", _("Fear of movement")),
    Column(
        "practice",
        format_lazy(_("Practice sessions, last {n} days"), n=rules.PRACTICE_LOOKBACK.days),
    ),
    Column(
        "pain_free",
        format_lazy(_("Pain-free or nearly (0–{n})"), n=rules.PAIN_FREE_MAX),
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


def _kept_search(request: MemberRequest) -> str:
    kept = request.session.get(SEARCH_KEY)
    if isinstance(kept, list) and len(kept) == 2 and kept[0] == request.membership.practice_id:
        return str(kept[1])
    return ""


def _keep_search(request: MemberRequest, q: str) -> None:
    if q:
        request.session[SEARCH_KEY] = [request.membership.practice_id, q]
    elif SEARCH_KEY in request.session:
        del request.session[SEARCH_KEY]


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@clinician_required
def caseload(request: MemberRequest) -> HttpResponse:
    if request.method == "POST":
        return _search(request)
    data = request.GET.copy()
    data.pop("q", None)  # a name in a URL (an old bookmark) is not taken
    kept = _kept_search(request)
    if kept and data.get("search") == "on":
        data["q"] = kept
    elif kept:
        _keep_search(request, "")  # the list left the search: forget it
    return _render(request, CaseloadFilterForm(data), SavedFilterForm())


def _search(request: MemberRequest) -> HttpResponse:
    """The filter form, posted: the search goes to the session, the rest to the URL.
    With htmx the results come back with that URL to push; without, a redirect to it
    (so reloading and going back work as for any link). A value the browser would not
    have sent (too long) is shown with what was wrong, as the page is."""
    form = CaseloadFilterForm(request.POST)
    query = form.query()
    _keep_search(request, query.q)
    if request.htmx or form.errors:
        return _render(request, form, SavedFilterForm())
    return redirect(query_string(query, reverse("caseload")))


def _render(
    request: MemberRequest,
    form: CaseloadFilterForm,
    save_form: SavedFilterForm,
    *,
    status: int = 200,
) -> HttpResponse:
    """The caseload page in the state `form` asks for (or, for htmx, its results)."""
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
        "rows": macros("tracking/clinic/caseload.html").rows(
            page.rows, {c.key: str(c.label) for c in COLUMNS}
        ),
        "thresholds": THRESHOLDS,
        "sort_label": SORTS[query.sort],
        "previous_url": query_string(query, path, page=page.page - 1) if page.has_previous else "",
        "next_url": query_string(query, path, page=page.page + 1) if page.has_next else "",
        "clear_url": path,
        "clear_search_url": query_string(query, path, q=""),
        "save_state": _save_state(query),
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "tracking/clinic/caseload.html#results", context)
        # The form sends every field, empty or default; keep the address bar short
        # (and without the search: query_string).
        response["HX-Push-Url"] = query_string(query, path)
        return response
    # The menu's "Code causes (n)" on the full page: one COUNT (partial index
    # cause_uncoded).
    context["uncoded_causes"] = uncoded_count(enrollment_scope(request))
    # The clinician's saved filters: one query, whatever the caseload's size.
    context["saved_filters"] = _saved_links(request, query, path)
    context["save_form"] = save_form
    return render(request, "tracking/clinic/caseload.html", context, status=status)


def _save_state(query: CaseloadQuery) -> list[tuple[str, str]]:
    """The hidden fields the save form sends: the filter set as the filter form names it."""
    state = [("status", query.status), ("sort", query.sort), ("dir", query.direction)]
    state += [
        (name, "on") for name in ("has_alerts", "not_improving", "missed") if getattr(query, name)
    ]
    return state


@dataclass(frozen=True)
class SavedLink:
    pk: int
    name: str
    url: str
    current: bool  # the caseload shows exactly this filter set now


def _saved_links(request: MemberRequest, query: CaseloadQuery, path: str) -> list[SavedLink]:
    shown = dataclasses.replace(query, q="", page=1)
    links = []
    for saved in saved_filters_for(user=request.user, practice_id=request.membership.practice_id):
        applied = saved_filter_query(saved)
        links.append(
            SavedLink(saved.pk, saved.name, query_string(applied, path), current=applied == shown)
        )
    return links


_SAVE_ERRORS = {
    "duplicate": _("You already have saved filters called “%(name)s”. Choose another name."),
    "too_many": format_lazy(
        _("You can keep up to {n} saved filters. Delete one you no longer use first."),
        n=SAVED_FILTERS_MAX,
    ),
}


@require_POST
@clinician_required
def caseload_filter_save(request: MemberRequest) -> HttpResponse:
    """Save the caseload's current filters (sent as hidden fields) under a name."""
    filters = CaseloadFilterForm(request.POST)
    query = filters.query()
    save_form = SavedFilterForm(request.POST)
    if save_form.is_valid():
        name = save_form.cleaned_data["name"]
        try:
            saved_filter_create(
                user=request.user,
                practice_id=request.membership.practice_id,
                name=name,
                query=query,
            )
        except SavedFilterError as error:
            save_form.add_error("name", str(_SAVE_ERRORS[error.code]) % {"name": name})
        else:
            messages.success(request, _("Saved your filters as “%(name)s”.") % {"name": name})
            return redirect(
                query_string(dataclasses.replace(query, q="", page=1), reverse("caseload"))
            )
    # Show the caseload as it was, with the name as typed and what was wrong with it.
    return _render(request, filters, save_form, status=400)


@require_POST
@clinician_required
def caseload_filter_delete(request: MemberRequest, pk: int) -> HttpResponse:
    saved = saved_filter_delete(
        user=request.user, practice_id=request.membership.practice_id, pk=pk
    )
    messages.success(request, _("Deleted the saved filters “%(name)s”.") % {"name": saved.name})
    return redirect("caseload")
