"""The clinician's caseload: their own patients in one table, sortable and filterable.

The filter form and the sort and page links are plain GET links, so everything works
without JavaScript and every state has its own URL; with htmx the table is swapped in
place and the URL pushed. The whole page costs the same handful of queries for 5
patients or 500 (tracking.selectors.caseload_page).
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from painapp.accounts.access import clinician_required
from painapp.accounts.audit import ReadEvent
from tracking.access import enrollment_scope
from tracking.clinic.caseload import SORTS, CaseloadQuery, CaseloadRow, caseload_page
from tracking.clinic.forms import CaseloadFilterForm

# What a bare /caseload/ shows: values equal to it are left out of URLs.
_DEFAULT = CaseloadQuery()


def query_string(query: CaseloadQuery, path: str, **changes) -> str:
    """The URL of the caseload (at `path`) in this state, with `changes` applied.
    Defaults are left out so URLs stay short; any change of filter goes back to page 1."""
    values = {"q": query.q, "status": query.status, "has_alerts": query.has_alerts,
              "not_improving": query.not_improving, "missed": query.missed,
              "sort": query.sort, "dir": query.direction, "page": query.page}
    if set(changes) - {"page"}:
        values["page"] = 1
    values.update(changes)
    params = {}
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


def _sort_headers(query: CaseloadQuery, path: str) -> dict[str, dict]:
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
            "url": query_string(query, path, sort=key, dir=direction),
            "aria_sort": ("ascending" if query.direction == "asc" else "descending")
            if current else None,
            "next": "ascending" if direction == "asc" else "descending",
        }
    return headers


# The table's rows are written here, not by a template loop: 25 rows of nine cells,
# each a handful of conditions and values, cost the template language ~150 µs a row
# (a lookup, localisation and escaping per value), most of the page's rendering. The
# markup is the template's, line for line. The patient's name is the only text that
# comes from someone's typing and is escaped (html.escape, what Django's escape does);
# the status label is ours, escaped all the same; everything else is a number or words
# made by CaseloadRow from numbers.
def _row_html(row: CaseloadRow, detail_url: str) -> str:
    urgent, unresolved = row.alerts_urgent, row.alerts_unresolved
    lines = [
        f'<tr class="caseload__row{" caseload__row--urgent" if urgent else ""}">',
        f'  <th scope="row"><a class="caseload__name" '
        f'href="{detail_url.format(row.enrollment_id)}">{escape(row.name)}</a></th>',
        f'  <td class="num">{row.week}<span class="muted"> of {row.week_count}</span></td>'
        if row.week else '  <td class="num"><span class="muted">Not started</span></td>',
        "  <td>",
        f'    <span class="cell-line">{escape(row.status_label)}</span>',
    ]
    if row.on_hold:
        lines.append('    <span class="cell-line"><span class="badge badge--danger">'
                     "Safety hold</span></span>")
    lines.append("  </td>\n  <td>")
    if row.last_checkin_at:
        lines.append(f'    <span class="cell-line"><time datetime="{row.last_checkin_iso}">'
                     f"{row.last_checkin_text}</time></span>")
    else:
        lines.append('    <span class="cell-line"><span class="muted">None yet</span></span>')
    if row.missed_recent:
        lines.append('    <span class="cell-line"><span class="badge badge--warn">'
                     "Missed recently</span></span>")
    lines.append("  </td>\n  <td>")
    if row.pain_current is not None:
        baseline = (f' <span class="muted">from {row.pain_baseline_text}</span>'
                    if row.pain_baseline is not None else "")
        lines.append(f'    <span class="cell-line"><span class="num caseload__value">'
                     f"{row.pain_current_text}</span>{baseline}</span>")
        change = row.pain_change
        if change is not None:
            trend = (" delta--better" if row.is_real_improvement
                     else " delta--worse" if change < 0 else "")
            lines.append(f'    <span class="cell-line delta{trend}">{row.pain_change_text}</span>')
        if row.not_improving:
            lines.append('    <span class="cell-line"><span class="badge badge--warn">'
                         "Not improving</span></span>")
    else:
        lines.append('    <span class="muted">No answers yet</span>')
    lines.append("  </td>\n  <td>")
    if row.fear_current is not None:
        change = row.fear_change
        baseline = (f' <span class="muted">from {row.fear_baseline_text}</span>'
                    if row.fear_baseline is not None and change is not None else "")
        lines.append(f'    <span class="cell-line"><span class="num caseload__value">'
                     f"{row.fear_current_text}</span>{baseline}</span>")
        if change is not None:
            lines.append(f'    <span class="cell-line muted">{row.fear_change_text}</span>')
    else:
        lines.append('    <span class="muted">—</span>')
    practice = row.practice_7d
    lines.append(f'  </td>\n  <td class="num">{practice}<span class="visually-hidden"> '
                 f'session{"" if practice == 1 else "s"}</span></td>\n  <td>')
    if unresolved:
        if urgent:
            lines.append(f'    <span class="badge badge--danger">{urgent} urgent</span>')
        if row.alerts_open:
            lines.append(f'    <span class="badge badge--warn">{row.alerts_open} new</span>')
        if row.alerts_seen:
            lines.append(f'    <span class="badge badge--info">{row.alerts_seen} seen</span>')
    else:
        lines.append('    <span class="muted">None</span>')
    lines.append("  </td>")
    lines.append('  <td><span class="badge badge--ok">Yes</span></td>' if row.pain_free
                 else '  <td><span class="visually-hidden">No</span></td>')
    lines.append("</tr>")
    return "\n".join(lines)


def _rows_html(rows: list[CaseloadRow]) -> SafeString:
    # The patient page's address reversed once, with a placeholder for the id (a
    # reverse() a row was a third of the rows' cost). A reversed URL has no braces of
    # its own: they would be percent-encoded.
    marker = 987654321
    detail_url = escape(reverse("patient_detail", args=[marker])).replace(str(marker), "{}")
    return mark_safe("\n".join(_row_html(row, detail_url) for row in rows))  # noqa: S308 (_row_html escapes every text)


# The status list's options, written here for the same reason: six options through the
# template's loop (an unpacking, a comparison and two escaped values each) cost ~40 µs,
# a fifth of the page's own template; this is ~4 µs. The loop's markup, whitespace
# included; values and labels are ours, escaped all the same.
def _status_options_html(choices: list[tuple[str, str]], selected: str) -> SafeString:
    return mark_safe("".join(  # noqa: S308 (values and labels escaped here)
        f'\n        <option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(str(label))}</option>\n      " for value, label in choices))


@require_GET
@vary_on_headers("HX-Request")
@clinician_required
def caseload(request: HttpRequest) -> HttpResponse:
    query, shown = CaseloadFilterForm.read(request.GET)
    # Each patient shown is audited, by the page's own statement (one event each).
    page = caseload_page(
        enrollment_scope(request), query, timezone.now(), viewer_tz=request.user.tzinfo,
        audit=ReadEvent.of(request, "caseload.viewed",
                           practice_id=request.membership.practice_id))
    path = reverse("caseload")
    context = {
        "shown": shown,
        "page": page,
        "rows_html": _rows_html(page.rows),
        "query": query,
        "headers": _sort_headers(query, path),
        "sort_label": SORTS[query.sort],
        "previous_url": query_string(query, path, page=page.page - 1)
        if page.has_previous else "",
        "next_url": query_string(query, path, page=page.page + 1) if page.has_next else "",
        "clear_url": path,
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "tracking/clinic/caseload.html#results", context)
        # The form sends every field, empty or default; keep the address bar short.
        response["HX-Push-Url"] = query_string(query, path)
        return response
    context["status_options"] = _status_options_html(shown["status_choices"], shown["status"])
    return render(request, "tracking/clinic/caseload.html", context)
