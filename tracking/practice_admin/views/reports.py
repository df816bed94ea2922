"""Practice admins: the outcomes report (tracking/practice_admin/reports.py) and its CSV
of the cohort's rows (one per enrollment, pseudonymous)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit, audit_reads
from painapp.csvsafe import csv_response
from painapp.types import MemberRequest
from tracking import rules
from tracking.practice_admin.forms import OutcomesFilterForm
from tracking.practice_admin.report_charts import report_charts
from tracking.practice_admin.report_csv import CSV_HEADER, report_rows
from tracking.practice_admin.reports import OutcomeFilters, OutcomesReport, outcomes_report


def _report(request: MemberRequest) -> tuple[OutcomesFilterForm, OutcomesReport | None]:
    """The report for the filters, or None when a filter has a mistake: its field says
    why, and no figures are shown for filters other than the ones asked for (leaving
    the bad one out would show figures that look filtered and are not)."""
    form = OutcomesFilterForm(request.GET or None, practice=request.practice)
    data = {}
    if form.is_bound:
        if not form.is_valid():
            return form, None
        data = form.cleaned_data
    filters = OutcomeFilters(
        practice=request.practice,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        program=data.get("program"),
        clinician=data.get("clinician"),
        language=data.get("language") or "",
    )
    return form, outcomes_report(filters)


@admin_required
def outcomes(request: MemberRequest) -> HttpResponse:
    form, report = _report(request)
    # The page shows counts, means and intervals only, no patient's row (the CSV,
    # below, has those and audits a read per patient). But narrowed by clinician,
    # program, language and dates its figures can be a handful of people's, so each
    # view is audited, with the practice, as the staff views of patient data are.
    audit(
        request,
        "report.viewed",
        practice=request.practice,
        object_type="report",
        object_id="outcomes",
    )
    return render(
        request,
        "tracking/practice_admin/outcomes.html",
        {
            "form": form,
            "report": report,
            "charts": report_charts(report) if report is not None else [],
            "query": request.GET.urlencode(),
            "pain_free_max": rules.PAIN_FREE_MAX,
            "points": rules.REAL_CHANGE_POINTS,
            "percent": rules.REAL_CHANGE_PERCENT,
        },
    )


@admin_required
def outcomes_csv(request: MemberRequest) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        # Never the unfiltered rows for filters with a mistake: a plain 400 that says
        # which filter is wrong (the report page shows the same on its form).
        problems = "\n".join(
            f"{form[name].label if name in form.fields else _('Filters')}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        )
        return HttpResponse(
            _("The CSV was not made: a filter has a mistake.") + "\n" + problems + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # The export as a whole (what was exported, with which filters' rows) ...
    audit(
        request,
        "report.exported",
        practice=request.practice,
        object_type="report",
        object_id="outcomes",
    )
    # ... and, like every staff read of patient data, one read per patient in it: the
    # rows are pseudonymous, but each is that patient's scores. One INSERT for them all.
    audit_reads(
        request,
        "report.patient_exported",
        practice_id=request.practice.pk,
        reads=[(r.patient_id, "programs.enrollment", str(r.enrollment_id)) for r in report.rows],
    )
    f = report.filters
    filename = "outcomes"
    if f.date_from or f.date_to:
        filename += f"-{f.date_from or 'start'}-to-{f.date_to or 'today'}"
    return csv_response(f"{filename}.csv", CSV_HEADER, report_rows(report))
