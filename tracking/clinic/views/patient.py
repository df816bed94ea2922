"""One patient, for their clinician or their practice's admin.

The detail is split into sections (overview, check-in answers, practice log, fear
ladder, causes, reflections and clues), each its own URL with a plain link, so each
page stays within a small, fixed number of queries however long the history grows,
and a 52-week record is not one endless page. Every section is looked up through
tracking.access (404 and an `access.denied` audit event for anyone else) and every
view is audited.

Actions (notes, alerts, unlocking a week, pausing reminders, clearing a safety hold)
are plain POST forms that redirect back; notes and alerts also swap their section in
place with htmx.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from programs.models import Enrollment
from tracking import rules
from tracking.access import audit_read, enrollment_for_staff
from tracking.alerts.services import alert_acknowledge
from tracking.alerts.wording import acknowledged_message
from tracking.charts import chart_cards, macros
from tracking.clinic import sections, services
from tracking.clinic.forms import (
    CauseCodingForm,
    ClearHoldForm,
    ClinicianNoteForm,
    MedicalAssessmentForm,
    RemindersForm,
    UnlockWeekForm,
)
from tracking.clinic.not_asked import not_asked_note
from tracking.clinic.overview import (
    alert_of_patient,
    load_week_count,
    patient_alerts,
    patient_notes,
    patient_overview,
)
from tracking.diary.models import DiaryEntry
from tracking.diary.selectors import clue_text, diary_overview
from tracking.models import HoldDecision
from tracking.screening.forms import red_flag_rows, screening_facts
from tracking.session_notes.selectors import patient_session_notes

SECTIONS = [
    ("patient_detail", gettext_lazy("Overview")),
    ("patient_checkins", gettext_lazy("Check-in answers")),
    ("patient_practice", gettext_lazy("Practice log")),
    ("patient_exposures", gettext_lazy("Fear ladder")),
    ("patient_causes", gettext_lazy("Causes of pain")),
    ("patient_reflections", gettext_lazy("Reflections and clues")),
    ("patient_diary", gettext_lazy("Diary")),
    ("patient_sessions", gettext_lazy("PRT sessions")),
    ("patient_screening", gettext_lazy("Screening")),
    ("patient_safety_plan", gettext_lazy("Safety plan")),
    ("patient_program", gettext_lazy("Tailor program")),
    ("patient_messages", gettext_lazy("Messages")),
]


def _context(request: MemberRequest, enrollment: Enrollment, section: str, **extra) -> dict:
    return {
        "enrollment": enrollment,
        "patient": enrollment.patient,
        "section": section,
        "sections": [
            {"url": reverse(name, args=[enrollment.pk]), "label": label, "current": name == section}
            for name, label in SECTIONS
        ],
        **extra,
    }


# ---------------------------------------------------------------- sections
@require_GET
@staff_required
def patient_detail(request: MemberRequest, pk: int) -> HttpResponse:
    # Joined so that "reminders paused" and the age range ask no query of their own.
    enrollment = enrollment_for_staff(
        request,
        pk,
        viewed="patient.viewed",
        related=("reminder_preferences", "practice__tracking_settings"),
    )
    return _render_overview(request, enrollment)


def _render_overview(
    request: MemberRequest,
    enrollment: Enrollment,
    *,
    note_form: ClinicianNoteForm | None = None,
    unlock_form: UnlockWeekForm | None = None,
    status: int = 200,
) -> HttpResponse:
    overview = patient_overview(enrollment, timezone.now())
    return render(
        request,
        "tracking/clinic/patient/overview.html",
        _context(
            request,
            enrollment,
            "patient_detail",
            overview=overview,
            # Every "when" about an alert, from its own deadline (wording.due_phrase).
            now=timezone.now(),
            measures=macros("tracking/clinic/measures.html").measures(overview),
            not_asked=not_asked_note(enrollment),
            note_form=note_form or ClinicianNoteForm(),
            unlock_form=unlock_form or UnlockWeekForm(weeks=overview.unlockable_weeks),
            red_flags=red_flag_rows(enrollment.red_flags, audience=rules.AUDIENCE_STAFF),
            screening_facts=screening_facts(enrollment),
            # The hold card shows the latest decision: one query, and only when on hold.
            decisions=list(_hold_decisions(enrollment)[:1]) if enrollment.on_safety_hold else [],
        ),
        status=status,
    )


def _hold_decisions(enrollment: Enrollment):
    return enrollment.hold_decisions.select_related("decided_by").order_by("-decided_at")


def _section(
    request: MemberRequest, pk: int, section: str, read: Callable[[Enrollment], dict]
) -> HttpResponse:
    """One read-only section of the patient detail, named `patient_<name>`: the
    enrollment looked up (404, and the denial audited, for anyone else), the read audited
    as `patient.<name>_viewed`, and tracking/clinic/patient/<name>.html drawn with what
    `read` returns for it."""
    name = section.removeprefix("patient_")
    enrollment = enrollment_for_staff(request, pk, viewed=f"patient.{name}_viewed")
    return render(
        request,
        f"tracking/clinic/patient/{name}.html",
        _context(request, enrollment, section, **read(enrollment)),
    )


def _diary(enrollment: Enrollment, entry_id: str = "") -> dict:
    diary = diary_overview(enrollment)
    latest = diary.latest
    # One episode asked for by id (an alert's link to the entry that raised it): listed
    # after the newest when it is older than them. Only this patient's.
    if entry_id.isdigit() and len(entry_id) < 19 and int(entry_id) not in {e.pk for e, _ in latest}:
        entry = (
            DiaryEntry.objects.filter(enrollment=enrollment, pk=int(entry_id))
            .select_related("clue_reflection__activity")
            .first()
        )
        if entry is not None:
            latest = [*latest, (entry, clue_text(entry))]
    # The clue in the reader's language, as on the reflections page (sections.ClueWords).
    ticked = {e.pk: e.clue_reflection.activity for e, clue in latest if clue and e.clue_reflection}
    words = sections.ClueWords(enrollment, {activity.slug for activity in ticked.values()})
    shown = [
        (e, words.clue(ticked[e.pk], e.clue_key) if e.pk in ticked else None) for e, _ in latest
    ]
    return {"diary_cards": chart_cards(diary.charts), "diary_latest": shown}


@require_GET
@staff_required
def patient_diary(request: MemberRequest, pk: int) -> HttpResponse:
    """The patient's pain and fear diary (issue 19), charted; with `?entry=<id>`, that
    episode listed too (the alert page links to the one that raised an alert)."""
    entry_id = request.GET.get("entry", "")
    return _section(request, pk, "patient_diary", lambda e: _diary(e, entry_id))


@require_GET
@staff_required
def patient_sessions(request: MemberRequest, pk: int) -> HttpResponse:
    """The PRT session notes the clinicians recorded (issue 19)."""
    return _section(
        request, pk, "patient_sessions", lambda e: {"session_notes": patient_session_notes(e)}
    )


@require_GET
@staff_required
def patient_screening(request: MemberRequest, pk: int) -> HttpResponse:
    """What screening found: red flags, age facts, medical assessments, hold decisions."""
    return _section(
        request,
        pk,
        "patient_screening",
        lambda e: {
            "red_flags": red_flag_rows(e.red_flags, audience=rules.AUDIENCE_STAFF),
            "screening_facts": screening_facts(e),
            "assessments": list(e.medical_assessments.select_related("recorded_by")[:3]),
            "decisions": list(_hold_decisions(e)[:5]),
        },
    )


@require_GET
@staff_required
def patient_checkins(request: MemberRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        "patient_checkins",
        lambda e: {
            "checkins": sections.patient_checkin_answers(e, timezone.now()),
            "not_asked": not_asked_note(e),
        },
    )


@require_GET
@staff_required
def patient_practice(request: MemberRequest, pk: int) -> HttpResponse:
    return _section(
        request,
        pk,
        "patient_practice",
        lambda e: {"log": sections.patient_practice(e), "shown": sections.PRACTICE_SHOWN},
    )


@require_GET
@staff_required
def patient_exposures(request: MemberRequest, pk: int) -> HttpResponse:
    return _section(
        request, pk, "patient_exposures", lambda e: {"hierarchy": sections.patient_hierarchy(e)}
    )


@require_GET
@staff_required
def patient_reflections(request: MemberRequest, pk: int) -> HttpResponse:
    """What the patient was told is shared: their reflections and clue checklists.
    Entries they marked private appear only as a count."""
    return _section(
        request,
        pk,
        "patient_reflections",
        lambda e: {"writing": sections.patient_reflections(e)},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def patient_causes(request: MemberRequest, pk: int) -> HttpResponse:
    """The patient's three causes each time they named them, with the clinician's own
    coding beside the patient's (both kept)."""
    enrollment = enrollment_for_staff(request, pk)
    attributions = sections.patient_attributions(enrollment)
    forms = {
        a.attribution.pk: CauseCodingForm(causes=a.causes, prefix_id=a.attribution.pk)
        for a in attributions
    }
    status = 200
    if request.method == "POST":
        try:
            attribution_id = int(request.POST.get("attribution", ""))
        except ValueError:
            attribution_id = None
        view = next((a for a in attributions if a.attribution.pk == attribution_id), None)
        if view is None or attribution_id is None:
            # Not one of this patient's: as for any lookup outside what the user may see.
            audit(
                request,
                "access.denied",
                practice=request.membership.practice,
                object_type="programs.attribution",
                object_id=str(attribution_id or ""),
            )
            raise Http404
        form = CauseCodingForm(request.POST, causes=view.causes, prefix_id=attribution_id)
        forms[attribution_id] = form
        if form.is_valid():
            changed = services.attribution_code(
                enrollment=enrollment,
                attribution=view.attribution,
                codes=form.codes(),
                by=request.user,
                request=request,
            )
            messages.success(
                request,
                _("Your coding is saved. The patient's own categories are kept as they gave them.")
                if changed
                else _("Nothing changed."),
            )
            return redirect(f"{reverse('patient_causes', args=[pk])}#causes-{attribution_id}")
        status = 400
    else:
        audit_read(request, "patient.causes_viewed", enrollment)
    return render(
        request,
        "tracking/clinic/patient/causes.html",
        _context(
            request,
            enrollment,
            "patient_causes",
            attributions=[(a, forms[a.attribution.pk]) for a in attributions],
        ),
        status=status,
    )


# ---------------------------------------------------------------- notes
@require_POST
@staff_required
def patient_note_add(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = ClinicianNoteForm(request.POST)
    if form.is_valid():
        services.clinician_note_create(
            enrollment=enrollment,
            author=request.user,
            body=form.cleaned_data["body"],
            request=request,
            client_token=form.cleaned_data["client_token"],
        )
        if request.htmx:
            return _notes_partial(request, enrollment, ClinicianNoteForm(), saved=True)
        messages.success(request, _("Note saved."))
        return redirect(f"{reverse('patient_detail', args=[pk])}#notes")
    if request.htmx:
        return _notes_partial(request, enrollment, form, status=400)
    audit_read(request, "patient.viewed", enrollment)
    return _render_overview(request, enrollment, note_form=form, status=400)


def _notes_partial(
    request: MemberRequest,
    enrollment: Enrollment,
    form: ClinicianNoteForm,
    *,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    # The section shows the care team's notes on the patient: a read, like the page.
    audit_read(request, "patient.viewed", enrollment)
    # Times in the staff member's own zone (UserTimezoneMiddleware), as the page's.
    return render(
        request,
        "tracking/clinic/patient/overview.html#notes",
        {
            "enrollment": enrollment,
            "note_form": form,
            "note_saved": saved,
            "overview": {"notes": patient_notes(enrollment)},
        },
        status=status,
    )


# ---------------------------------------------------------------- alerts
def _alert_action(request: MemberRequest, pk: int, alert_pk: int, action) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    alert = alert_of_patient(enrollment, alert_pk)
    if alert is None:
        audit(
            request,
            "access.denied",
            practice=request.membership.practice,
            object_type="tracking.alert",
            object_id=str(alert_pk),
        )
        raise Http404
    done_message, again_message = action(alert)
    if request.htmx:
        alerts, resolved = patient_alerts(enrollment)
        return render(
            request,
            "tracking/clinic/patient/overview.html#alerts",
            {
                "enrollment": enrollment,
                "alert_message": done_message or again_message,
                "overview": {"alerts": alerts, "resolved_alerts": resolved},
                "now": timezone.now(),
            },
        )
    if done_message:
        messages.success(request, done_message)
    else:
        messages.info(request, again_message)
    return redirect(f"{reverse('patient_detail', args=[pk])}#alerts")


@require_POST
@staff_required
def patient_alert_acknowledge(request: MemberRequest, pk: int, alert_pk: int) -> HttpResponse:
    def act(alert):
        if alert_acknowledge(alert=alert, by=request.user, request=request):
            return acknowledged_message(alert), ""
        return "", _("This alert was already acknowledged.")

    return _alert_action(request, pk, alert_pk, act)


@require_POST
@staff_required
def patient_alert_resolve(request: MemberRequest, pk: int, alert_pk: int) -> HttpResponse:
    """Resolving needs a documented contact outcome (issue 15): this old one-click
    action now leads to the alert's resolve form and resolves nothing itself."""
    enrollment = enrollment_for_staff(request, pk)
    alert = alert_of_patient(enrollment, alert_pk)
    if alert is None:
        audit(
            request,
            "access.denied",
            practice=request.membership.practice,
            object_type="tracking.alert",
            object_id=str(alert_pk),
        )
        raise Http404
    url = f"{reverse('alert_resolve', args=[alert.pk])}?back=patient"
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


# ---------------------------------------------------------------- program actions
@require_POST
@staff_required
def patient_unlock(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    load_week_count(enrollment)
    now = timezone.now()
    weeks = list(range(enrollment.current_week(now) + 1, enrollment.week_count + 1))
    form = UnlockWeekForm(request.POST, weeks=weeks)
    if form.is_valid():
        week = form.cleaned_data["week"]
        try:
            services.week_unlock(enrollment=enrollment, week=week, by=request.user, request=request)
        except ValidationError as error:
            form.add_error("week", error.messages[0])
        else:
            messages.success(
                request,
                _("Weeks up to week %(week)s are open for %(name)s now.")
                % {"week": week, "name": enrollment.patient.display_name},
            )
            return redirect(f"{reverse('patient_detail', args=[pk])}#program")
    audit_read(request, "patient.viewed", enrollment)
    return _render_overview(request, enrollment, unlock_form=form, status=400)


@require_POST
@staff_required
def patient_reminders(request: MemberRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = RemindersForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to pause or resume reminders."))
    else:
        paused = form.cleaned_data["action"] == "pause"
        changed = services.reminders_set_paused(
            enrollment=enrollment, paused=paused, by=request.user, request=request
        )
        if not changed:
            messages.info(
                request,
                _("Reminders were already paused.") if paused else _("Reminders were already on."),
            )
        elif paused:
            messages.success(
                request,
                _(
                    "Reminders are paused. The patient gets none until you or they turn "
                    "them back on."
                ),
            )
        else:
            messages.success(request, _("Reminders are back on."))
    return redirect(f"{reverse('patient_detail', args=[pk])}#program")


@require_http_methods(["GET", "POST"])
@staff_required
def patient_clear_hold(request: MemberRequest, pk: int) -> HttpResponse:
    """Decide about a red-flag safety hold: clear it, refer the patient (keeping the
    hold or withdrawing them), or withdraw them; always with a reason."""
    enrollment = enrollment_for_staff(request, pk)
    if not enrollment.on_safety_hold:
        messages.info(request, _("There is no safety hold on this patient's program."))
        return redirect("patient_detail", pk=pk)
    form = ClearHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        name = enrollment.patient.display_name
        try:
            if data["decision"] == HoldDecision.Decision.CLEAR:
                services.safety_hold_clear(
                    enrollment=enrollment, by=request.user, reason=data["reason"], request=request
                )
                done = _("The safety hold is cleared. %(name)s can start the program now.") % {
                    "name": name
                }
            elif data["decision"] == HoldDecision.Decision.REFER:
                services.safety_hold_refer(
                    enrollment=enrollment,
                    by=request.user,
                    refer_to=data["refer_to"],
                    after_referral=data["after_referral"],
                    reason=data["reason"],
                    request=request,
                )
                done = (
                    _("The referral is recorded and %(name)s is withdrawn from the program.")
                    if data["after_referral"] == HoldDecision.AfterReferral.WITHDRAW
                    else _("The referral is recorded. %(name)s's program stays on hold.")
                ) % {"name": name}
            else:
                services.safety_hold_withdraw(
                    enrollment=enrollment, by=request.user, reason=data["reason"], request=request
                )
                done = _("%(name)s is withdrawn from the program.") % {"name": name}
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, done)
            return redirect("patient_detail", pk=pk)
    audit_read(request, "patient.viewed", enrollment)
    return render(
        request,
        "tracking/clinic/patient/clear_hold.html",
        _context(
            request,
            enrollment,
            "patient_detail",
            form=form,
            red_flags=red_flag_rows(enrollment.red_flags, audience=rules.AUDIENCE_STAFF),
            decisions=list(
                enrollment.hold_decisions.select_related("decided_by").order_by("-decided_at")
            ),
        ),
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def patient_medical_assessment(request: MemberRequest, pk: int) -> HttpResponse:
    """Record who medically assessed the patient's back pain, their role and when."""
    enrollment = enrollment_for_staff(request, pk)
    form = MedicalAssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.medical_assessment_record(
                enrollment=enrollment,
                by=request.user,
                assessor_name=data["assessor_name"],
                assessor_role=data["assessor_role"],
                assessed_on=data["assessed_on"],
                request=request,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The medical assessment is recorded."))
            return redirect("patient_screening", pk)
    audit_read(request, "patient.viewed", enrollment)
    return render(
        request,
        "tracking/clinic/patient/medical_assessment.html",
        _context(
            request,
            enrollment,
            "patient_detail",
            form=form,
            assessments=list(enrollment.medical_assessments.all()),
        ),
        status=400 if form.is_bound else 200,
    )
