"""The alert inbox, and one alert for the staff who may see it: see it (with the
patient's contact numbers), acknowledge it (which stops escalation), resolve it with a
documented contact outcome."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit, audit_reads
from painapp.accounts.models import Role
from painapp.submit_once import made_by
from painapp.types import MemberRequest
from tracking import rules
from tracking.access import alert_for_staff, enrollment_scope, may_open_record
from tracking.alerts import links, services, wording
from tracking.alerts.forms import ResolveForm
from tracking.alerts.handover import handovers_of
from tracking.alerts.selectors import INBOX_LIMIT, alert_inbox
from tracking.band_labels import band_label
from tracking.models import (
    Alert,
    AlertContactAttempt,
    AlertResolution,
    EscalationStep,
    PracticeSettings,
)
from tracking.screening.forms import red_flag_rows

# Where a person goes back to after acting on an alert: a page named, never a URL, so
# it cannot send anyone elsewhere.
BACK_PAGES = ("inbox", "alert", "patient")


def _back_page(request: MemberRequest) -> str:
    """The page the person came from (`back`, from the form or the link), or ""."""
    back = request.POST.get("back") or request.GET.get("back") or ""
    return back if back in BACK_PAGES else ""


def _may_open_patient(request: MemberRequest, alert: Alert) -> bool:
    return may_open_record(enrollment_scope(request), alert)


def _back(request: MemberRequest, alert: Alert, *, resolved: bool = False) -> HttpResponse:
    back = _back_page(request)
    if back == "inbox":
        return redirect("alert_inbox")
    if back == "alert":
        return redirect("alert_detail", pk=alert.pk)
    if back == "patient" and _may_open_patient(request, alert):
        return redirect(f"{reverse('patient_detail', args=[alert.enrollment_id])}#alerts")
    if resolved:
        # Resolving ends the work on this alert: back to the inbox, where the next is.
        return redirect("alert_inbox")
    # Acknowledging is the first step of working an alert: from the alert's page or the
    # inbox, the person goes back there (the forms say which), where the next step
    # ("Record contact and resolve") is. Otherwise clinicians go back to their
    # caseload; admins have none, so back to the alert.
    if request.membership.role != Role.CLINICIAN:
        return redirect("alert_detail", pk=alert.pk)
    return redirect("caseload")


@staff_required
def inbox(request: MemberRequest) -> HttpResponse:
    """Every alert not yet resolved that this person may see, overdue first."""
    now = timezone.now()
    alerts = alert_inbox(request)
    if alerts:
        # One INSERT for every patient the page names.
        audit_reads(
            request,
            "alert.inbox_viewed",
            practice_id=request.membership.practice_id,
            reads=[(a.enrollment.patient_id, "tracking.alert", str(a.pk)) for a in alerts],
        )
    return render(
        request,
        "tracking/clinic/alert_inbox.html",
        {
            "alerts": alerts,
            # What it lists, in words, beside what the menu's count counts.
            "count_line": wording.inbox_count_line(alerts),
            "now": now,
            "limit": INBOX_LIMIT,
            "is_admin": request.membership.role == Role.ADMIN,
        },
    )


def _escalation_steps(alert: Alert) -> list[EscalationStep]:
    return list(
        EscalationStep.objects.filter(practice_id=alert.practice_id)
        .select_related("user")
        .order_by("position")
    )


def _prompt_contact(alert: Alert) -> bool:
    return rules.needs_prompt_contact(kind=alert.kind, severity=alert.severity)


def _form(alert: Alert, data=None) -> ResolveForm:
    return ResolveForm(data, raised_at=alert.created_at, prompt_contact=_prompt_contact(alert))


def _detail_context(request: MemberRequest, alert: Alert) -> dict:
    enrollment = alert.enrollment
    contact = {
        "phone": enrollment.contact_phone,
        "emergency_name": enrollment.emergency_contact_name,
        "emergency_phone": enrollment.emergency_contact_phone,
    }
    if any(contact.values()):
        # The numbers are a separate, audited read of the patient's details.
        audit(
            request,
            "alert.contact_details_viewed",
            practice=alert.practice,
            subject=enrollment.patient,
            obj=alert,
        )
    # A read only: a GET never creates the practice's settings row.
    practice_settings = (
        PracticeSettings.objects.filter(practice_id=alert.practice_id)
        .select_related("safety_contact")
        .first()
    )
    return {
        "alert": alert,
        "patient": enrollment.patient,
        "contact": contact,
        # Each flag's words and whether it is an emergency sign (tracking.rules).
        "red_flags": red_flag_rows(
            alert.details.get("red_flags", []), audience=rules.AUDIENCE_STAFF
        ),
        "resolution": AlertResolution.objects.filter(alert=alert)
        .select_related("created_by")
        .first(),
        # Tries that did not get through ("we could not reach them"), oldest first.
        "attempts": list(
            AlertContactAttempt.objects.filter(alert=alert).select_related("created_by")
        ),
        # "We could not reach them" is an attempt, unless the plan hands the risk on.
        "prompt_contact": _prompt_contact(alert),
        "plans_handing_risk_on": wording.plans_handing_risk_on(),
        "plans_needing_contact": wording.plans_needing_contact(),
        "steps": _escalation_steps(alert),
        "safety_contact": practice_settings.safety_contact if practice_settings else None,
        "now": timezone.now(),
        "band_label": band_label(alert.details.get("band")),
        # A self-harm answer saved before sending: what the sent check-in then said.
        "draft_then_sent": wording.draft_answer_then_sent(alert)
        if alert.kind == Alert.Kind.SELF_HARM
        else "",
        "handovers": handovers_of(alert),
        # The patient's record and the entry that raised it, for those who may open it
        # (those pages audit the read, as always).
        "may_open_patient": _may_open_patient(request, alert),
        "patient_url": links.patient_url(alert),
        "entry_link": links.entry_link(alert),
    }


@staff_required
def alert_detail(request: MemberRequest, pk: int) -> HttpResponse:
    alert = alert_for_staff(request, pk)
    audit(
        request,
        "alert.viewed",
        practice=alert.practice,
        subject=alert.enrollment.patient,
        obj=alert,
    )
    return render(
        request,
        "tracking/clinic/alert.html",
        {**_detail_context(request, alert), "form": _form(alert)},
    )


@require_POST
@staff_required
def alert_acknowledge(request: MemberRequest, pk: int) -> HttpResponse:
    alert = alert_for_staff(request, pk)
    if services.alert_acknowledge(alert=alert, by=request.user, request=request):
        messages.success(request, wording.acknowledged_message(alert))
    else:
        messages.info(request, _("This alert was already acknowledged."))
    return _back(request, alert)


@require_http_methods(["GET", "POST"])
@staff_required
def alert_resolve(request: MemberRequest, pk: int) -> HttpResponse:
    """The resolve form (GET) and resolving (POST): only with a documented contact
    outcome; without one, the form comes back with its messages and what was typed."""
    alert = alert_for_staff(request, pk)
    if alert.status == Alert.Status.RESOLVED:
        messages.info(request, _("This alert was already resolved."))
        return redirect("alert_detail", pk=alert.pk)
    form = _form(alert, request.POST if request.method == "POST" else None)
    # The contact time is typed in the person's own time ("When (your local time)"):
    # read, and the alert's raised time said, in their zone (UserTimezoneMiddleware).
    valid = request.method == "POST" and form.is_valid()
    if valid and form.not_reached():
        plan = list(form.cleaned_data["plan"])
        attempt = form.attempt()
        unreached = rules.unreached_outcome(kind=alert.kind, severity=alert.severity, plan=plan)
        if attempt is not None and unreached == rules.Unreached.ATTEMPT:
            # Not reached, and nobody else acts on it: a contact attempt, never a
            # resolution. The alert stays open and its resolve clock keeps running.
            if made_by(AlertContactAttempt, attempt.client_token, alert=alert) is not None:
                # This form was sent before (a double click, Save again after Back).
                messages.info(request, _("This attempt was already recorded."))
            elif services.alert_contact_attempt(
                alert=alert, by=request.user, attempt=attempt, request=request
            ):
                messages.warning(request, wording.attempt_message(alert, plan))
            else:
                messages.info(request, _("This alert was already resolved."))
            return redirect("alert_detail", pk=alert.pk)
    if valid:
        if services.alert_resolve(
            alert=alert, by=request.user, outcome=form.outcome(), request=request
        ):
            messages.success(request, _("Alert resolved. The contact outcome is recorded."))
        else:
            messages.info(request, _("This alert was already resolved."))
        return _back(request, alert, resolved=True)
    audit(
        request,
        "alert.viewed",
        practice=alert.practice,
        subject=alert.enrollment.patient,
        obj=alert,
    )
    return render(
        request,
        "tracking/clinic/alert_resolve.html",
        {**_detail_context(request, alert), "form": form, "back": _back_page(request)},
        status=400 if request.method == "POST" else 200,
    )
