"""Practice admins: the practice's clinicians, moving a caseload, switching one off.

Inviting a clinician is the invitations screen (painapp.accounts.views.invitations);
this page links to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import admin_required, practice_object_or_404
from painapp.accounts.audit import audit
from painapp.accounts.models import Invitation, Membership, Role
from painapp.types import MemberRequest
from programs.enrollments import CASELOAD_STATUSES
from programs.models import Enrollment
from tracking.alerts.chain import unreachable_people
from tracking.lifecycle import caseload_reassign, clinician_deactivate
from tracking.practice_admin.forms import DeactivateClinicianForm, ReassignCaseloadForm
from tracking.safety.services import safety_roles_warning, switched_off_warning


def _clinician(request: MemberRequest, pk: int) -> Membership:
    """A clinician membership of the admin's own practice, or 404."""
    return practice_object_or_404(
        request,
        Membership.objects.select_related("user"),
        pk,
        practice=request.practice,
        role=Role.CLINICIAN,
    )


def _caseload_count(request: MemberRequest, membership: Membership) -> int:
    return Enrollment.objects.filter(
        practice=request.practice, clinician=membership.user, status__in=CASELOAD_STATUSES
    ).count()


@admin_required
def clinician_list(request: MemberRequest) -> HttpResponse:
    practice = request.practice
    clinicians = (
        Membership.objects.filter(practice=practice, role=Role.CLINICIAN)
        .select_related("user")
        .annotate(
            caseload=Count(
                "user__caseload",
                filter=Q(
                    user__caseload__practice=practice, user__caseload__status__in=CASELOAD_STATUSES
                ),
            ),
            invited=Exists(Invitation.objects.pending().filter(membership=OuterRef("pk"))),
        )
        .order_by("-is_active", "user__full_name", "user__email")
    )
    return render(request, "tracking/practice_admin/clinicians.html", {"clinicians": clinicians})


def _audit_moves(request: MemberRequest, moved: list[Enrollment]) -> None:
    for enrollment in moved:
        audit(
            request,
            "enrollment.transferred",
            practice=request.practice,
            subject=enrollment.patient,
            obj=enrollment,
        )


@admin_required
@require_http_methods(["GET", "POST"])
def clinician_deactivate_view(request: MemberRequest, pk: int) -> HttpResponse:
    membership = _clinician(request, pk)
    if not membership.is_active:
        messages.info(
            request,
            _("%(name)s is already switched off.") % {"name": membership.user.display_name},
        )
        return redirect("admin_clinicians")
    caseload = _caseload_count(request, membership)
    form = DeactivateClinicianForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
        clinician=membership.user,
        caseload=caseload,
    )
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data.get("reassign_to")
        try:
            moved = clinician_deactivate(
                practice=request.practice,
                clinician=membership.user,
                reassign_to=to,
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("reassign_to" if caseload else None, error.messages)
        else:
            _audit_moves(request, moved)
            audit(request, "clinician.deactivated", practice=request.practice, obj=membership)
            text = _("%(name)s is switched off and logged out everywhere.") % {
                "name": membership.user.display_name
            }
            # Patients only move when someone was chosen to take them over.
            if moved and to is not None:
                text += " " + ngettext(
                    "%(n)s patient moved to %(clinician)s.",
                    "%(n)s patients moved to %(clinician)s.",
                    len(moved),
                ) % {"n": len(moved), "clinician": to.display_name}
            messages.success(request, text)
            # Still named on the safety setup: say so, with what it now means.
            for found in unreachable_people(request.practice):
                if found.person.pk == membership.user_id:
                    messages.warning(request, switched_off_warning(found))
            return redirect("admin_clinicians")
    return render(
        request,
        "tracking/practice_admin/clinician_deactivate.html",
        {
            "membership": membership,
            "caseload": caseload,
            "form": form,
            "safety_roles": safety_roles_warning(request.practice, membership.user),
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def clinician_reassign(request: MemberRequest, pk: int) -> HttpResponse:
    membership = _clinician(request, pk)
    caseload = _caseload_count(request, membership)
    form = ReassignCaseloadForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
        clinician=membership.user,
    )
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to_clinician"]
        try:
            moved = caseload_reassign(
                practice=request.practice,
                from_clinician=membership.user,
                to_clinician=to,
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("to_clinician", error.messages)
        else:
            if not moved:
                # Another tab (or another admin) moved them first: nothing changed, so
                # nothing is recorded and nothing is claimed as done.
                messages.info(
                    request,
                    _("There were no patients left to move: they may have been moved already."),
                )
                return redirect("admin_clinicians")
            _audit_moves(request, moved)
            audit(request, "caseload.reassigned", practice=request.practice, obj=membership)
            messages.success(
                request,
                ngettext(
                    "%(n)s patient moved from %(name)s to %(clinician)s.",
                    "%(n)s patients moved from %(name)s to %(clinician)s.",
                    len(moved),
                )
                % {
                    "n": len(moved),
                    "name": membership.user.display_name,
                    "clinician": to.display_name,
                },
            )
            return redirect("admin_clinicians")
    return render(
        request,
        "tracking/practice_admin/clinician_reassign.html",
        {"membership": membership, "caseload": caseload, "form": form},
    )
