"""Practice admins: the practice's audit trail — who viewed or changed whose data,
when and from where — filtered, paged and exported. Only this practice's events."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from painapp.accounts.access import admin_required
from painapp.accounts.audit import audit, audit_reads
from painapp.accounts.middleware import NO_REQUEST_ID
from painapp.accounts.models import AuditEvent
from painapp.csvsafe import csv_response
from painapp.types import MemberRequest
from programs.models import Enrollment
from tracking.practice_admin.forms import AuditFilterForm

PER_PAGE = 50
EXPORT_LIMIT = 100_000
RECENT_ACTIONS = 5_000

# Plain names for the actions the app records; anything else shows its code.
# gettext_lazy: each is in the reader's language when shown (the CSV's too).
# tests/test_audit_labels.py finds every action the code writes and asks for its name
# here. No patient data in a name: it is the same for every event.
ACTION_LABELS = {
    "access.denied": _("Tried to open something they may not see"),
    "account.deleted": _("Deleted their account"),
    "alert.acknowledged": _("Acknowledged an alert"),
    "alert.contact_attempted": _("Tried to reach a patient about an alert: not reached"),
    "alert.contact_details_viewed": _("Viewed a patient's phone numbers on an alert"),
    "alert.again": _("The same concern again: added to the open alert"),
    "alert.escalated": _("Alert escalated up the chain"),
    "alert.escalated_to_safety_contact": _(
        "Alert reached the end of the chain: safety contact told"
    ),
    "alert.escalated_unresolved": _("Alert not resolved in time: escalation chain told"),
    "alert.handed_over": _("Alert handed to the patient's new clinician"),
    "alert.shared_with_newcomers": _(
        "Alert shared with people added to a step of the escalation chain it had reached"
    ),
    "alert.inbox_viewed": _("Viewed the alert inbox"),
    "alert.raised": _("Alert raised"),
    "alert.resolved": _("Resolved an alert"),
    "alert.viewed": _("Viewed an alert"),
    "attribution.coded": _("Coded a patient's causes of pain"),
    "attribution.coded_blind": _("Coded causes of pain from the practice's queue"),
    "audit.exported": _("Exported the audit trail"),
    "audit.patient_viewed": _("Viewed a patient's events in the audit trail"),
    "audit.viewed": _("Viewed the audit trail"),
    "bulk_import.checked": _("Checked an import file"),
    "bulk_import.confirmed": _("Imported enrollments from a file"),
    "bulk_import.exported": _("Downloaded an import's problems"),
    "bulk_import.viewed": _("Viewed an import's rows"),
    "caseload.reassigned": _("Moved a clinician's patients"),
    "caseload.viewed": _("Viewed their caseload"),
    "causes.coding_queue_viewed": _("Viewed the causes of pain waiting to be coded"),
    "clinician.deactivated": _("Switched off a clinician"),
    "data.exported": _("Downloaded a copy of their data"),
    "deliveries.viewed": _("Viewed the reminders that could not be delivered"),
    "enrollment.completed": _("Marked a program completed"),
    "enrollment.invited": _("Invited a patient onto a program"),
    "enrollment.paused": _("Paused a program"),
    "enrollment.resumed": _("Resumed a program"),
    "enrollment.transferred": _("Moved a patient to another clinician"),
    "enrollment.viewed": _("Viewed an enrollment"),
    "enrollment.change_form_viewed": _("Opened a page to change an enrollment"),
    "enrollment.list_viewed": _("Viewed the list of enrollments"),
    "enrollment.week_unlocked": _("Opened weeks of a program early"),
    "enrollment.withdrawn": _("Withdrew a patient"),
    "instrument.imported": _("Imported a questionnaire"),
    "invitation.accepted": _("Accepted an invitation"),
    "invitation.created": _("Sent an invitation"),
    "invitation.list_viewed": _("Viewed the list of invitations"),
    "invitation.resent": _("Resent an invitation"),
    "invitation.revoked": _("Revoked an invitation"),
    "login": _("Logged in"),
    "login.failed": _("Someone failed to log in"),
    "medical_assessment.recorded": _("Recorded a medical assessment"),
    "membership.changed": _("Changed someone's role or access (Django admin)"),
    "messages.inbox_viewed": _("Viewed the message inbox"),
    "messages.sent": _("Sent a message"),
    "messages.viewed": _("Viewed a patient's messages"),
    "note.created": _("Wrote a private note"),
    "patient.causes_viewed": _("Viewed a patient's causes of pain"),
    "patient.checkins_viewed": _("Viewed a patient's check-in answers"),
    "patient.csv_exported": _("Downloaded a patient's measurements (CSV)"),
    "patient.diary_viewed": _("Viewed a patient's diary"),
    "patient.exposures_viewed": _("Viewed a patient's fear ladder"),
    "patient.fhir_exported": _("Downloaded a patient's check-ins and sessions (FHIR)"),
    "patient.practice_viewed": _("Viewed a patient's practice log"),
    "patient.program_viewed": _("Viewed how a patient's program is tailored"),
    "patient.reflections_viewed": _("Viewed a patient's reflections and clues"),
    "patient.safety_plan_viewed": _("Viewed a patient's safety plan"),
    "patient.screening_viewed": _("Viewed a patient's screening"),
    "patient.session_note_form_viewed": _("Opened a new session note"),
    "patient.sessions_viewed": _("Viewed a patient's PRT sessions"),
    "patient.summary_exported": _("Downloaded a patient's printable summary"),
    "patient.viewed": _("Viewed a patient's overview"),
    "practice_audio.changed": _("Added or replaced a recording"),
    "practice_audio.deleted": _("Deleted a recording"),
    "practice_safety.chain_changed": _("Changed the escalation chain"),
    "practice_safety.changed": _("Changed the practice's safety settings"),
    "practice_safety.resources_changed": _("Changed crisis resources"),
    "practice_safety.within_limits": _(
        "Safety settings brought within the app's new limits (an app update)"
    ),
    "reminders.paused": _("Paused a patient's reminders"),
    "reminders.resumed": _("Resumed a patient's reminders"),
    "reminders.unsubscribed": _("Unsubscribed from email reminders"),
    "report.exported": _("Exported the outcomes report"),
    "report.viewed": _("Viewed the outcomes report"),
    "report.patient_exported": _("Exported a patient's outcomes (a row of the outcomes report)"),
    "screening.age_outside_range": _("Could not start: age outside the practice's range"),
    "screening.cleared": _("Lifted a safety hold"),
    "screening.hold_clear": _("Safety hold decision: lift the hold"),
    "screening.hold_refer": _("Safety hold decision: refer for a medical assessment"),
    "screening.hold_withdraw": _("Safety hold decision: withdraw the patient"),
    "screening.recorded": _("Answered the screening questions"),
    "session_note.created": _("Saved a session note"),
    "tailoring.activity_adjusted": _("Opened, skipped or moved a lesson or activity"),
    "tailoring.adjustment_undone": _("Undid a change to a lesson or activity"),
    "tailoring.exercise_added": _("Added a custom exercise"),
    "tailoring.exercise_withdrawn": _("Took back a custom exercise"),
    "tailoring.exposure_suggested": _("Suggested a step for a patient's fear ladder"),
    "tailoring.program_switched": _("Switched a patient to another program"),
    "tailoring.suggestion_accepted": _("Put a suggested step on their fear ladder"),
    "tailoring.suggestion_declined": _("Left a suggested step off their fear ladder"),
    "user.access_changed": _("Switched someone's account or staff access (Django admin)"),
}


# Reads, not changes: someone looked at (or downloaded) data, or was refused it. The
# enrollment's history (views/enrollments.py) leaves them out; the audit trail keeps
# them all. A rule on the code, so a read recorded later is left out too.
# The last word of the code, after "." or "_", exactly: "report.viewed" and
# "patient.answers_exported" are reads; "plan.reviewed" or "lesson.previewed" is not.
READ_WORDS = ("viewed", "exported")
READ_SUFFIXES = tuple(f"{sep}{word}" for word in READ_WORDS for sep in (".", "_"))
NOT_CHANGES = ("access.denied",)


# The trail's own view events: recorded (staff reads of patient data are audited), but
# left out of the trail unless asked for, and never themselves a person's data read.
TRAIL_VIEWS = ("audit.viewed", "audit.patient_viewed")


def is_read(code: str) -> bool:
    return code.endswith(READ_SUFFIXES) or code in NOT_CHANGES


def reads_q() -> Q:
    """`is_read` as a filter on AuditEvent."""
    q = Q(action__in=NOT_CHANGES)
    for suffix in READ_SUFFIXES:
        q |= Q(action__endswith=suffix)
    return q


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def patient_filter(request: MemberRequest) -> Enrollment | None:
    """The patient the trail is narrowed to: `?enrollment=<id>` (an id, never a name:
    the enrollment page's "Open the audit trail" link), this practice's only. Another
    practice's id, or one that is no id, is a 404, as a typed link to its page is."""
    raw = request.GET.get("enrollment", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return get_object_or_404(
        Enrollment.objects.select_related("patient"), pk=int(raw), practice=request.practice
    )


def _events(
    request: MemberRequest,
) -> tuple[AuditFilterForm, QuerySet[AuditEvent], Enrollment | None]:
    practice = request.practice
    qs = AuditEvent.objects.filter(practice=practice)
    enrollment = patient_filter(request)
    # The known actions, plus any other seen lately (a bounded read, not a scan of
    # the whole trail, which only grows).
    recent = qs.order_by("-at").values_list("action", flat=True)[:RECENT_ACTIONS]
    # In the order of their names, as the reader reads them.
    actions = sorted(
        ((c, action_label(c)) for c in set(ACTION_LABELS) | set(recent)),
        key=lambda choice: (choice[1].casefold(), choice[0]),
    )
    form = AuditFilterForm(request.GET or None, practice=practice, actions=actions)
    if not form.is_bound:
        qs = qs.exclude(action__in=TRAIL_VIEWS)
    else:
        form.is_valid()
        data = form.cleaned_data  # only the filters without a mistake
        tz = ZoneInfo(practice.timezone)
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        elif not data.get("include_trail_views"):
            qs = qs.exclude(action__in=TRAIL_VIEWS)
        if data.get("actor"):
            qs = qs.filter(actor=data["actor"])
        if data.get("date_from"):
            qs = qs.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        # The last day of the calendar (9999-12-31) has no next day: no upper bound then.
        if data.get("date_to") and data["date_to"] < date.max:
            qs = qs.filter(
                at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz)
            )
    if enrollment is not None:  # whose data: this patient's, at this practice
        qs = qs.filter(subject_id=enrollment.patient_id)
    return form, qs.select_related("actor", "subject").order_by("-at", "-pk"), enrollment


@admin_required
def audit_trail(request: MemberRequest) -> HttpResponse:
    form, events, enrollment = _events(request)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(event, action_label(event.action)) for event in page]
    # Audited like every staff read, after the rows are read (the page shows the trail
    # as it was asked for): the trail viewed, and one read per person whose events are
    # on screen (their names and what was done with their data). One INSERT each.
    # A row that is itself a view of the trail is no read of that person's data.
    audit(
        request, "audit.viewed", practice=request.practice, object_type="audit", object_id="trail"
    )
    audit_reads(
        request,
        "audit.patient_viewed",
        practice_id=request.practice.pk,
        reads=[
            (subject_id, "audit", "trail")
            for subject_id in dict.fromkeys(
                e.subject_id for e, _label in rows if e.subject_id and e.action not in TRAIL_VIEWS
            )
        ],
    )
    return render(
        request,
        "tracking/practice_admin/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "rows": rows,
            "practice_tz": request.practice.timezone,
            "filtered_enrollment": enrollment,
        },
    )


@admin_required
def audit_csv(request: MemberRequest) -> HttpResponse:
    form, events, _enrollment = _events(request)
    tz = ZoneInfo(request.practice.timezone)

    def rows():
        for e in events[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield [
                timezone.localtime(e.at, tz).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor.email if e.actor_id and e.actor else "",
                e.action,
                action_label(e.action),
                e.subject.email if e.subject_id and e.subject else "",
                e.object_type,
                e.object_id,
                e.ip or "",
                # A system row (no request) has none: an empty cell, not "-".
                "" if e.request_id == NO_REQUEST_ID else e.request_id,
                json.dumps(e.changes, ensure_ascii=False) if e.changes else "",
            ]

    response = csv_response(
        f"audit-trail-{timezone.localdate(timezone=tz)}.csv",
        [
            f"when ({request.practice.timezone})",
            "who",
            "action",
            "what happened",
            "whose data",
            "object type",
            "object id",
            "ip address",
            "request id",
            "changes (before, after)",
        ],
        rows(),
    )
    # Recorded after the rows are read, so the file shows the trail as it was asked for.
    audit(
        request, "audit.exported", practice=request.practice, object_type="audit", object_id="trail"
    )
    return response
