"""The clinician's caseload: their own patients in one table, sortable and filterable.

The filter form and the sort and page links are plain GET links, so everything works
without JavaScript and every state has its own URL; with htmx the table is swapped in
place and the URL pushed. The whole page costs the same handful of queries for 5
patients or 500 (tracking.selectors.caseload_page).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from painapp.accounts.access import clinician_required
from painapp.accounts.audit import audit_reads
from tracking import selectors
from tracking.access import visible_enrollments
from tracking.forms_clinician import CaseloadFilterForm
from tracking.selectors import SORTS, CaseloadQuery


def query_string(query: CaseloadQuery, **changes) -> str:
    """The URL of the caseload in this state, with `changes` applied. Defaults are left
    out so URLs stay short; any change of filter goes back to page 1."""
    values = {"q": query.q, "status": query.status, "has_alerts": query.has_alerts,
              "not_improving": query.not_improving, "missed": query.missed,
              "sort": query.sort, "dir": query.direction, "page": query.page}
    if set(changes) - {"page"}:
        values["page"] = 1
    values.update(changes)
    default = CaseloadQuery()
    params = {}
    for name, value in values.items():
        if name == "dir" and value == ("asc" if values["sort"] == "name" else default.direction):
            continue
        if name == "sort" and value == default.sort:
            continue
        if name == "page" and value == 1:
            continue
        if value is True:
            params[name] = "on"
        elif value:
            params[name] = value
    return reverse("caseload") + ("?" + urlencode(params) if params else "")


def _sort_headers(query: CaseloadQuery) -> dict[str, dict]:
    """For each sortable column: its link (toggling direction if it is the current
    sort) and its aria-sort value."""
    headers = {}
    for key, label in SORTS.items():
        current = query.sort == key
        if current:
            direction = "asc" if query.direction == "desc" else "desc"
        else:
            direction = "asc" if key == "name" else "desc"
        headers[key] = {
            "label": label,
            "url": query_string(query, sort=key, dir=direction),
            "aria_sort": ("ascending" if query.direction == "asc" else "descending")
            if current else None,
            "next": "ascending" if direction == "asc" else "descending",
        }
    return headers


def _audit_shown(request: HttpRequest, rows: list[selectors.CaseloadRow]) -> None:
    """One audit event per patient whose numbers were shown, written in one INSERT (the
    cost stays the same for a short page or a full one)."""
    audit_reads(request, "caseload.viewed", practice_id=request.membership.practice_id,
                reads=[(row.enrollment.patient_id, "programs.enrollment", str(row.enrollment.pk))
                       for row in rows])


@require_GET
@vary_on_headers("HX-Request")
@clinician_required
def caseload(request: HttpRequest) -> HttpResponse:
    form = CaseloadFilterForm(request.GET)
    query = form.query()
    page = selectors.caseload_page(visible_enrollments(request), query, timezone.now(),
                                   viewer_tz=request.user.tzinfo)
    _audit_shown(request, page.rows)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "headers": _sort_headers(query),
        "sort_label": SORTS[query.sort],
        "previous_url": query_string(query, page=page.page - 1) if page.has_previous else "",
        "next_url": query_string(query, page=page.page + 1) if page.has_next else "",
        "clear_url": reverse("caseload"),
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "tracking/caseload.html#results", context)
        # The form sends every field, empty or default; keep the address bar short.
        response["HX-Push-Url"] = query_string(query)
        return response
    return render(request, "tracking/caseload.html", context)
