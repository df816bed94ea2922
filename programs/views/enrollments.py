"""Practice admins put patients on programs (the rest of enrollment management comes
with the practice administration screens)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from programs import services
from programs.forms import PatientInviteForm
from programs.gates import enrollment_not_ready


@admin_required
@require_http_methods(["GET", "POST"])
def patient_invite(request: MemberRequest) -> HttpResponse:
    form = PatientInviteForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
    )
    not_ready = enrollment_not_ready(request.practice)
    if not_ready is None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment, invitation = services.enrollment_invite(
                practice=request.practice,
                invited_by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                clinician=data["clinician"],
                program_version=data["program_version"],
                start_date=data["start_date"],
                timezone_name=data["timezone"],
                date_of_birth=data.get("date_of_birth"),
                language=data.get("language") or "en",
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit(
                request,
                "enrollment.invited",
                practice=request.practice,
                subject=enrollment.patient,
                obj=enrollment,
            )
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            return redirect("invitation_list")
    return render(request, "programs/patient_invite.html", {"form": form, "not_ready": not_ready})
