"""Secure messaging screens: the patient's thread with their care team, the staff
inbox, and one patient's thread for their care team (a section of the patient record).

Staff reach a thread only through tracking.access (404 and an audited denial for
anyone else), and every staff view of a thread is an audited read. Sending is a plain
POST that redirects back (no JavaScript needed); with htmx the conversation swaps in
place, with the new message in it and an empty form.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit_reads
from painapp.accounts.models import User
from painapp.types import MemberRequest
from programs.access import enrollment_required
from programs.models import Enrollment
from programs.patient_identity import reads_app_in_note
from programs.safety import Writer, new_entry
from programs.types import PatientRequest
from tracking.access import audit_read, enrollment_for_staff, enrollment_scope
from tracking.clinic.views.patient import _context as record_context
from tracking.messaging import selectors, services
from tracking.messaging.forms import MessageForm
from tracking.messaging.models import MESSAGE_MAX_LENGTH, MessageThread, ThreadRead
from tracking.models import PracticeSettings
from tracking.safety.copy import patient_hours, safety_copy

# The session key that carries "show the patient help" across the redirect after a
# message with a crisis phrase was sent without JavaScript.
_SHOW_HELP = "messaging_show_help"


def _thread_of(enrollment: Enrollment) -> MessageThread | None:
    return MessageThread.objects.filter(enrollment=enrollment).first()


def _read_mark(thread: MessageThread | None, user: User) -> datetime | None:
    if thread is None:
        return None
    return (
        ThreadRead.objects.filter(thread=thread, user=user)
        .values_list("last_read_at", flat=True)
        .first()
    )


def _office_hours(settings: PracticeSettings, enrollment: Enrollment) -> dict:
    # In the patient's own time where the hours convert (tracking.safety.copy), with
    # the clinic's clock and city ("New York", "Nueva York") as a note.
    hours = patient_hours(
        settings,
        practice_zone=enrollment.practice.timezone,
        patient_zone=enrollment.patient.timezone,
    )
    return {
        "office_hours": hours.hours,
        "office_clinic_hours": hours.clinic_hours,
        "office_zone": hours.zone,
    }


def _conversation(
    request: MemberRequest,
    *,
    enrollment: Enrollment,
    settings: PracticeSettings,
    form: MessageForm,
    as_patient: bool,
    sent: bool = False,
    show_help: bool = False,
) -> dict:
    """What the conversation partial shows, after marking the thread read."""
    thread = _thread_of(enrollment)
    read_at = _read_mark(thread, request.user)
    messages = selectors.thread_messages(thread)
    if thread is not None and messages:
        services.thread_mark_read(thread=thread, user=request.user)
    context = {
        "enrollment": enrollment,
        "thread_messages": messages,
        "older_hidden": len(messages) >= selectors.THREAD_LIMIT,
        # The first message from the other side they had not read before this page.
        "first_new": selectors.first_unread_id(messages, read_at, from_patient=not as_patient),
        "form": form,
        "enabled": settings.messaging_enabled,
        "sent": sent,
        "show_help": show_help,
        "as_patient": as_patient,
        "max_length": MESSAGE_MAX_LENGTH,
        "post_url": reverse("messages")
        if as_patient
        else reverse("patient_messages", args=[enrollment.pk]),
    }
    if show_help:
        context.update(safety_copy(settings, enrollment))
    return context


def _send(
    request: MemberRequest, enrollment: Enrollment, settings: PracticeSettings
) -> tuple[MessageForm, bool, bool, str]:
    """Handle a POST: (the form to show, sent?, show help?, an error to say). A
    patient's message sent back unsent is still scanned (programs.safety)."""
    from_patient = request.user.pk == enrollment.patient_id
    form = MessageForm(
        request.POST, writer=Writer(enrollment, new_entry("message")) if from_patient else None
    )
    if not settings.messaging_enabled:
        form.scan_unsaved()
        return form, False, False, _("Messaging is turned off at your practice.")
    if not form.is_valid():
        return form, False, False, ""
    try:
        result = services.message_send(
            enrollment=enrollment,
            author=request.user,
            body=form.cleaned_data["body"],
            request=request,
            client_token=form.cleaned_data["client_token"],
        )
    except services.MessagingOff:
        form.scan_unsaved()
        return form, False, False, _("Messaging is turned off at your practice.")
    except services.MessageInvalid:
        form.add_error("body", _("Write your message before sending it."))
        return form, False, False, ""
    return MessageForm(), True, result.alert is not None, ""


# ---------------------------------------------------------------- the patient
@require_http_methods(["GET", "POST"])
# A patient still onboarding, or on a safety hold, can still write to their care team.
@enrollment_required(allow_onboarding=True, allow_hold=True)
def patient_thread(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    if enrollment.before_consent:
        return redirect("onboarding")
    settings = PracticeSettings.for_practice(enrollment.practice_id)
    form, sent, show_help, error = MessageForm(), False, False, ""
    status = 200
    if request.method == "POST":
        form, sent, show_help, error = _send(request, enrollment, settings)
        if sent and not request.htmx:
            if show_help:
                request.session[_SHOW_HELP] = True
            flash.success(request, _("Message sent."))
            return redirect(f"{reverse('messages')}#conversation")
        if not sent:
            status = 409 if error else 400
    else:
        show_help = bool(request.session.pop(_SHOW_HELP, False))
    context = _conversation(
        request,
        enrollment=enrollment,
        settings=settings,
        form=form,
        as_patient=True,
        sent=sent,
        show_help=show_help,
    )
    context["error"] = error
    context.update(_office_hours(settings, enrollment))
    template = "tracking/messaging/patient_thread.html"
    if request.htmx and request.method == "POST":
        template += "#conversation"
    return render(request, template, context, status=status)


# ---------------------------------------------------------------- staff
@require_GET
@staff_required
def inbox(request: MemberRequest) -> HttpResponse:
    scope = enrollment_scope(request)
    assert scope is not None  # staff_required: a clinician or an admin
    threads = selectors.inbox_threads(scope, request.user)
    # Each patient listed is a read of their data (name and unread count): one event each.
    audit_reads(
        request,
        "messages.inbox_viewed",
        practice_id=scope.practice_id,
        reads=[(t.enrollment.patient_id, "tracking.messagethread", str(t.pk)) for t in threads],
    )
    settings = PracticeSettings.for_practice(scope.practice_id)
    return render(
        request,
        "tracking/messaging/inbox.html",
        {
            "threads": threads,
            "more": len(threads) >= selectors.INBOX_LIMIT,
            "enabled": settings.messaging_enabled,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def staff_thread(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    settings = PracticeSettings.for_practice(enrollment.practice_id)
    form, sent, error = MessageForm(), False, ""
    status = 200
    if request.method == "POST":
        form, sent, _help, error = _send(request, enrollment, settings)
        if sent and not request.htmx:
            flash.success(request, _("Message sent."))
            return redirect(f"{reverse('patient_messages', args=[pk])}#conversation")
        if not sent:
            status = 409 if error else 400
    thread = _thread_of(enrollment)
    audit_read(request, "messages.viewed", enrollment, obj=thread)
    context = _conversation(
        request,
        enrollment=enrollment,
        settings=settings,
        form=form,
        as_patient=False,
        sent=sent,
    )
    context["error"] = error
    context["reads_in"] = reads_app_in_note(enrollment.patient.language)
    del context["enrollment"]  # the patient record's context has it
    context = record_context(request, enrollment, "patient_messages", **context)
    template = "tracking/messaging/staff_thread.html"
    if request.htmx and request.method == "POST":
        template += "#conversation"
    return render(request, template, context, status=status)
