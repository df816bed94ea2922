"""Practice admins: the practice's enrollments, and what can be done to one.

Every change is a POST from a confirmation page (so it works without JavaScript) and
one service of tracking.lifecycle, which makes the change, tracking's follow-up and the
AuditEvent saying who did it in one transaction. Lookups go
through tracking.access (admins see their whole practice; any other id is a 404).
Inviting a patient is programs.views.enrollments.patient_invite; resending or
revoking the invitation is painapp.accounts.views.invitations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit_reads
from painapp.accounts.models import AuditEvent, Invitation
from painapp.types import MemberRequest
from programs.enrollment_status import enrollment_label, status_filter, with_accepted
from programs.enrollments import CASELOAD_STATUSES
from programs.models import Enrollment, EnrollmentStatus, Week
from tracking import lifecycle
from tracking.access import audit_read, enrollment_for_staff, visible_enrollments
from tracking.practice_admin.forms import EnrollmentFilterForm, TransferForm
from tracking.practice_admin.views.audit import action_label, reads_q

PER_PAGE = 50


def _week_count() -> Subquery:
    return Subquery(
        Week.objects.filter(version=OuterRef("program_version"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


@admin_required
def enrollment_list(request: MemberRequest) -> HttpResponse:
    form = EnrollmentFilterForm(request.GET or None, practice=request.practice)
    qs = (
        # `accepted`: the status as staff read it (programs.enrollment_status).
        with_accepted(visible_enrollments(request))
        .select_related("patient", "clinician", "program_version")
        # Straight into Enrollment.week_count's cache, so no row counts its weeks.
        # (django-stubs' plugin calls any annotation named like a model attribute a
        # redefinition; filling that attribute is the point here. An annotation under
        # another name is lost to the plugin once it passes through Paginator.)
        .annotate(_week_count=Coalesce(_week_count(), 0))  # type: ignore[no-redef]
        .order_by("-created_at", "-pk")
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            # Those whose badge says it: in this query, no query more.
            qs = qs.filter(status_filter(form.cleaned_data["status"]))
        if form.cleaned_data["clinician"]:
            qs = qs.filter(clinician=form.cleaned_data["clinician"])
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    # Each patient on the page is a read of their name, email and progress: one event
    # each, written at once (the list is fetched here, and the page reuses it).
    audit_reads(
        request,
        "enrollment.list_viewed",
        practice_id=request.practice.pk,
        reads=[(e.patient_id, "programs.enrollment", str(e.pk)) for e in page],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tracking/practice_admin/enrollments.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@admin_required
def enrollment_detail(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    invitation = (
        Invitation.objects.filter(
            membership__user=enrollment.patient, membership__practice=request.practice
        )
        .order_by("-created_at")
        .first()
    )
    history = (
        AuditEvent.objects.filter(
            practice=request.practice,
            object_type="programs.enrollment",
            object_id=str(enrollment.pk),
        )
        # What was done to it, not who looked at it (the caseload and every patient
        # page record a read of it each time): the audit trail has those.
        .exclude(reads_q())
        .select_related("actor")
        .order_by("-at")[:50]
    )
    audit_read(request, "enrollment.viewed", enrollment)
    return render(
        request,
        "tracking/practice_admin/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "invitation": invitation,
            "history": [(event, action_label(event.action)) for event in history],
            "actions": [a for a in ACTIONS.values() if a.allowed(enrollment)],
            "can_transfer": enrollment.status in CASELOAD_STATUSES,
        },
    )


# ---------------------------------------------------------------- status changes
StrOrPromise = str | Promise


@dataclass(frozen=True)
class Action:
    key: str
    # Lazy translations: each is in the reader's language when shown.
    verb: StrOrPromise  # the button: "Pause"
    title: StrOrPromise  # the confirmation page's heading
    explain: StrOrPromise  # what will happen, in plain words
    done: StrOrPromise  # the message afterwards
    from_statuses: tuple[str, ...]
    # One tracking.lifecycle service: the change, its follow-up and its audit event.
    service: Callable[..., None]
    danger: bool = False

    def allowed(self, enrollment: Enrollment) -> bool:
        return enrollment.status in self.from_statuses


S = EnrollmentStatus
ACTIONS = {
    a.key: a
    for a in [
        Action(
            "pause",
            _("Pause"),
            _("Pause this program?"),
            _(
                "New weeks stop opening and reminders stop until you resume it. The days spent "
                "paused do not count."
            ),
            _("The program is paused."),
            (S.ACTIVE,),
            lifecycle.enrollment_pause,
        ),
        Action(
            "resume",
            _("Resume"),
            _("Resume this program?"),
            _("Weeks open again from where the patient left off, and reminders start again."),
            _("The program is running again."),
            (S.PAUSED,),
            lifecycle.enrollment_resume,
        ),
        Action(
            "complete",
            _("Mark as completed"),
            _("Mark this program as completed?"),
            _(
                "Use this when the patient has finished. Reminders stop; follow-up check-ins "
                "still happen."
            ),
            _("The program is marked as completed."),
            (S.ACTIVE, S.PAUSED),
            lifecycle.enrollment_complete,
        ),
        Action(
            "withdraw",
            _("Withdraw"),
            _("Withdraw this patient from the program?"),
            _(
                "Reminders and check-ins stop. Nothing the patient recorded is deleted. If they "
                "have not accepted their invitation yet, its link stops working."
            ),
            _("The patient is withdrawn from the program."),
            (S.INVITED, S.ACTIVE, S.PAUSED),
            lifecycle.enrollment_withdraw,
            danger=True,
        ),
    ]
}


def not_now(enrollment: Enrollment) -> str:
    """Why an action does not fit, with the status as the page's badge says it (the
    enrollment comes from enrollment_for_staff, `accepted` loaded)."""
    return gettext("This cannot be done while the program is %(status)s.") % {
        "status": enrollment_label(enrollment).lower()
    }


@admin_required
@require_http_methods(["GET", "POST"])
def enrollment_action(request: MemberRequest, pk: int, action: str) -> HttpResponse:
    step = ACTIONS[action]
    enrollment = enrollment_for_staff(request, pk)
    error = ""
    if request.method == "POST":
        try:
            if not step.allowed(enrollment):
                raise ValidationError(not_now(enrollment))
            step.service(enrollment=enrollment, by=request.user, request=request)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, str(step.done))
            return redirect("admin_enrollment", pk=enrollment.pk)
    elif not step.allowed(enrollment):
        error = not_now(enrollment)
    audit_read(request, "enrollment.change_form_viewed", enrollment)
    return render(
        request,
        "tracking/practice_admin/enrollment_confirm.html",
        {"enrollment": enrollment, "step": step, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def enrollment_transfer(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = TransferForm(
        request.POST if request.method == "POST" else None,
        practice=request.practice,
        current=enrollment.clinician,
    )
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to_clinician"]
        try:
            lifecycle.enrollment_transfer(
                enrollment=enrollment, to_clinician=to, by=request.user, request=request
            )
        except ValidationError as problem:
            form.add_error("to_clinician", problem.messages)
        else:
            messages.success(
                request,
                gettext("%(patient)s is now with %(clinician)s.")
                % {"patient": enrollment.patient.display_name, "clinician": to.display_name},
            )
            return redirect("admin_enrollment", pk=enrollment.pk)
    audit_read(request, "enrollment.change_form_viewed", enrollment)
    return render(
        request,
        "tracking/practice_admin/enrollment_transfer.html",
        {"enrollment": enrollment, "form": form},
    )
