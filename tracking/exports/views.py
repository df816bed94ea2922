"""Per-patient exports for staff: a printable one-page summary, a CSV of every
measurement and a FHIR R4 Bundle of the check-ins and PRT sessions. Same access rule as
the detail page (tracking.access: 404 and an `access.denied` event for anyone else);
every export is audited with what was exported."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from painapp.accounts.access import staff_required
from painapp.csvsafe import csv_response
from painapp.types import MemberRequest
from tracking.access import audit_read, enrollment_for_staff
from tracking.charts import chart_cards
from tracking.clinic.overview import patient_overview
from tracking.clinic.sections import patient_hierarchy
from tracking.exports import fhir
from tracking.exports.measurements import MEASUREMENT_HEADER, patient_measurements, summary_rows
from tracking.session_notes.selectors import session_notes_for_export


def _filename(enrollment, what: str, ext: str) -> str:
    # The patient's name stays out of file names (they end up in download folders,
    # email attachments and logs); the record number is enough for staff.
    return f"patient-{enrollment.pk}-{what}-{timezone.localdate():%Y-%m-%d}.{ext}"


@require_GET
@staff_required
def patient_summary(request: MemberRequest, pk: int) -> HttpResponse:
    """One printable page: the numbers that matter, two charts, alerts, practice and the
    PRT sessions."""
    enrollment = enrollment_for_staff(request, pk)
    audit_read(request, "patient.summary_exported", enrollment)
    now = timezone.now()
    # Private notes stay out of anything printed.
    overview = patient_overview(enrollment, now, notes=False)
    hierarchy = patient_hierarchy(enrollment)
    by_key = {s.key: s for s in overview.series}
    response = render(
        request,
        "tracking/clinic/patient/summary.html",
        {
            "enrollment": enrollment,
            "patient": enrollment.patient,
            "overview": overview,
            "hierarchy": hierarchy,
            "rows": summary_rows(overview),
            "charts": chart_cards([by_key["pain"], by_key["fear"]], printing=True),
            "generated_at": now,
            "assessment": enrollment.medical_assessments.first(),
            # Each session's facts, oldest first; not the clinician's free-text notes.
            "session_notes": session_notes_for_export(enrollment),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_required
def patient_csv(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    audit_read(request, "patient.csv_exported", enrollment)
    rows = patient_measurements(enrollment, timezone.now())
    return csv_response(_filename(enrollment, "measurements", "csv"), MEASUREMENT_HEADER, rows)


@require_GET
@staff_required
def patient_fhir(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    audit_read(request, "patient.fhir_exported", enrollment)
    bundle = fhir.patient_bundle(enrollment)
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        content_type="application/fhir+json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(enrollment, "fhir", "json")}"'
    )
    response["Cache-Control"] = "no-store"
    return response
