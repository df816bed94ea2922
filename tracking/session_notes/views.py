"""Recording a PRT session from the patient's detail page. Same access rule as the
page (tracking.access: the clinician's caseload or the admin's practice; 404 and an
`access.denied` event for anyone else); the form page's read and the note's creation
are audited."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import staff_required
from painapp.submit_once import made_by
from painapp.types import MemberRequest
from tracking.access import audit_read, enrollment_for_staff
from tracking.clinic.views.patient import _context as section_context
from tracking.session_notes import services
from tracking.session_notes.forms import SessionNoteForm
from tracking.session_notes.models import SessionNote


@require_http_methods(["GET", "POST"])
@staff_required
def session_note_add(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    zone = ZoneInfo(request.user.timezone)
    form = SessionNoteForm(
        request.POST if request.method == "POST" else None,
        today=timezone.localdate(timezone=zone),
        # The program's start (as the patient's page shows it), and the day the
        # enrollment was made, on the author's calendar like `today`.
        started_on=enrollment.start_date,
        enrolled_on=timezone.localdate(enrollment.created_at, timezone=zone),
    )
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["client_token"]
        saved = made_by(SessionNote, token, enrollment=enrollment)
        if saved is not None:  # this form was sent before (Back, then Save again)
            messages.info(request, _("This note was already saved."))
        else:
            saved = services.session_note_create(
                enrollment=enrollment,
                author=request.user,
                record=form.record(),
                request=request,
                client_token=token,
            )
            messages.success(request, _("Session note saved."))
        return redirect(f"{reverse('patient_sessions', args=[pk])}#session-note-{saved.pk}")
    audit_read(request, "patient.session_note_form_viewed", enrollment)
    return render(
        request,
        "tracking/clinic/patient/session_note_form.html",
        section_context(request, enrollment, "patient_sessions", form=form),
        status=400 if form.is_bound else 200,
    )
