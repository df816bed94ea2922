"""Practice admins: the outcomes report (tracking/practice_admin/reports.py) and its CSV
of the cohort's rows (one per enrollment, pseudonymous)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit, audit_reads
from painapp.csvsafe import csv_response
from painapp.types import MemberRequest
from tracking import rules
from tracking.practice_admin.forms import OutcomesFilterForm
from tracking.practice_admin.report_charts import report_charts
from tracking.practice_admin.report_csv import CSV_HEADER, report_rows
from tracking.practice_admin.reports import OutcomeFilters, OutcomesReport, outcomes_report


def _report(request: MemberRequest) -> tuple[OutcomesFilterForm, OutcomesReport]:
    """The report for the valid filters; a filter with a mistake is left out (and its
    field says why), so the page always shows numbers."""
    form = OutcomesFilterForm(request.GET or None, practice=request.practice)
    data = {}
    if form.is_bound:
        form.is_valid()
        # cleaned_data keeps only the fields that passed (add_error drops the others).
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
    # The page shows counts and means only, no patient: the aggregate view is audited
    # with the CSV's rows (below), where each enrollment appears.
    return render(
        request,
        "tracking/practice_admin/outcomes.html",
        {
            "form": form,
            "report": report,
            "charts": report_charts(report),
            "query": request.GET.urlencode(),
            "pain_free_max": rules.PAIN_FREE_MAX,
            "points": rules.REAL_CHANGE_POINTS,
            "percent": rules.REAL_CHANGE_PERCENT,
        },
    )


@admin_required
def outcomes_csv(request: MemberRequest) -> HttpResponse:
    form, report = _report(request)
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
