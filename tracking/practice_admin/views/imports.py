"""Practice admins: bulk import of enrollments from a CSV file (practice_admin/bulk_import.py).

Upload → a dry run that lists every row's problems, with nothing created → confirm,
which creates the valid rows in one transaction. What is confirmed is the copy kept
on the server, never anything posted back by the browser.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from painapp.accounts.access import admin_required, practice_object_or_404
from painapp.accounts.audit import audit, audit_reads, client_ip
from painapp.accounts.models import Membership, Role
from painapp.csvsafe import csv_response
from painapp.types import MemberRequest
from programs.gates import enrollment_not_ready
from tracking.models import BulkImport
from tracking.practice_admin import bulk_import
from tracking.practice_admin.forms import BulkUploadForm

SHOW_PROBLEMS = 200
SHOW_READY = 20


def _import_for_admin(request: MemberRequest, pk: int) -> BulkImport:
    """An import of the admin's own practice, or 404."""
    return practice_object_or_404(request, BulkImport, pk, practice=request.practice)


def _audit_rows(request: MemberRequest, action: str, record: BulkImport, rows: list) -> None:
    """Record a read of these rows of an import: one event for each patient of the
    practice a row names (by email), or one for the import when none does; one INSERT
    either way (and one look-up). A row can name a patient already there (a "duplicate"
    problem) and, once the file is imported, every ready row does."""
    emails = {r["email"].lower() for r in rows if r.get("email")}
    patients = (
        Membership.objects.filter(
            practice=request.practice, role=Role.PATIENT, user__email__in=emails
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
        if emails
        else []
    )
    where = ("tracking.bulkimport", str(record.pk))
    audit_reads(
        request,
        action,
        practice_id=request.practice.pk,
        reads=[(user_id, *where) for user_id in patients] or [(None, *where)],
    )


@admin_required
@require_http_methods(["GET", "POST"])
def import_upload(request: MemberRequest) -> HttpResponse:
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    not_ready = enrollment_not_ready(request.practice)
    if not_ready is None and request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(bulk_import.MAX_BYTES + 1)
            prepared = bulk_import.bulk_import_prepare(
                practice=request.practice, by=request.user, filename=upload.name, data=data
            )
        except bulk_import.FileProblem as problem:
            form.add_error("file", str(problem))
        else:
            audit(request, "bulk_import.checked", practice=request.practice, obj=prepared)
            return redirect("admin_import_review", pk=prepared.pk)
    return render(
        request,
        "tracking/practice_admin/import_upload.html",
        {
            "form": form,
            "columns": bulk_import.COLUMNS,
            "not_ready": not_ready,
        },
    )


@admin_required
def import_review(request: MemberRequest, pk: int) -> HttpResponse:
    record = _import_for_admin(request, pk)
    rows = record.rows
    problems = [r for r in rows if r["problems"]]
    ready = [r for r in rows if not r["problems"]]
    earlier = None
    if record.status == BulkImport.Status.PENDING:
        earlier = (
            BulkImport.objects.filter(
                practice=request.practice, file_hash=record.file_hash, status=BulkImport.Status.DONE
            )
            .exclude(pk=record.pk)
            .order_by("-confirmed_at")
            .first()
        )
    # The rows the page shows.
    _audit_rows(
        request, "bulk_import.viewed", record, problems[:SHOW_PROBLEMS] + ready[:SHOW_READY]
    )
    return render(
        request,
        "tracking/practice_admin/import_review.html",
        {
            "record": record,
            "total": len(rows),
            "problem_count": len(problems),
            "ready_count": len(ready),
            "problems": problems[:SHOW_PROBLEMS],
            "ready": ready[:SHOW_READY],
            "more_problems": max(0, len(problems) - SHOW_PROBLEMS),
            "more_ready": max(0, len(ready) - SHOW_READY),
            "expired": record.status == BulkImport.Status.PENDING
            and record.expires_at <= timezone.now(),
            "earlier": earlier,
        },
    )


@admin_required
@require_POST
def import_confirm(request: MemberRequest, pk: int) -> HttpResponse:
    record = _import_for_admin(request, pk)
    if (not_ready := enrollment_not_ready(request.practice)) is not None:
        messages.error(request, not_ready.message)
        return redirect("admin_import_review", pk=record.pk)
    try:
        record = bulk_import.bulk_import_confirm(
            bulk_import=record, by=request.user, ip=client_ip(request)
        )
    except bulk_import.ImportUnavailable as unavailable:
        text = {
            "done": _("This file was already imported. Nothing more was created."),
            "expired": _(
                "This check is more than two hours old, so nothing was created. "
                "Please upload the file again."
            ),
            "changed": _(
                "Some of these patients were added by someone else just now, so "
                "nothing was created. Please upload the file again to see what is "
                "left."
            ),
        }[unavailable.reason]
        messages.error(request, text)
        return redirect("admin_import_review", pk=record.pk)
    audit(request, "bulk_import.confirmed", practice=request.practice, obj=record)
    created, skipped = record.result["created"], len(record.result["skipped"])
    text = ngettext(
        "%(n)s patient enrolled. Their invitation is being sent.",
        "%(n)s patients enrolled. Their invitations are being sent.",
        created,
    ) % {"n": created}
    if skipped:
        text += " " + ngettext(
            "%(n)s row had a problem and was skipped.",
            "%(n)s rows had problems and were skipped.",
            skipped,
        ) % {"n": skipped}
    messages.success(request, text)
    return redirect("admin_import_review", pk=record.pk)


@admin_required
def import_problems_csv(request: MemberRequest, pk: int) -> HttpResponse:
    record = _import_for_admin(request, pk)
    _audit_rows(request, "bulk_import.exported", record, [r for r in record.rows if r["problems"]])
    # The header and each row come from this one list, so a column added to the
    # import cannot shift the values under the wrong headers.
    columns = ["line", *bulk_import.COLUMNS, "problems"]
    rows = (
        [" ".join(r["problems"]) if c == "problems" else r.get(c, "") for c in columns]
        for r in record.rows
        if r["problems"]
    )
    return csv_response(f"import-{record.pk}-problems.csv", columns, rows)
