"""The patient's check-ins: the open one, a specific one, the list, the results.

Without JavaScript the form is one page with every question, grouped by
questionnaire, and two buttons: "Save and finish later" (keeps the valid answers in
the check-in's draft) and "Submit". static/js/checkin.js turns the same form into one
question per screen on a phone and saves the draft quietly as each answer is picked
(and when the page is left with a change not yet sent), on every screen; it sends
`HX-Request: true`, and this view answers such a save with 204.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from painapp import edit_version
from programs.access import ENDED_GATE, enrollment_required
from programs.models import EnrollmentStatus
from programs.safety import SHOW_CRISIS_HELP, SHOW_CRISIS_UNSAVED, SHOW_SYMPTOMS_HELP, Crisis
from programs.types import PatientRequest
from tracking import rules as clinical
from tracking.alerts.evaluate import DraftSafety, draft_safety
from tracking.charts import chart_cards, progress_charts
from tracking.checkins.forms import CheckInForm, posted_answers
from tracking.checkins.results import checkin_results, progress_data
from tracking.checkins.schedule import checkins_ensure_scheduled
from tracking.checkins.selectors import (
    PatientCheckIn,
    checkin_home,
    checkin_title,
    effective_status,
    is_available,
    last_open_day,
    patient_checkin,
)
from tracking.checkins.services import (
    AlreadyDone,
    CheckInAnswerError,
    NotAvailable,
    answered_before_count,
    checkin_instruments,
    checkin_record,
    checkin_safety_unsaved,
    checkin_save_draft,
    draft_version,
)
from tracking.diary.selectors import diary_charts
from tracking.models import CheckIn, PracticeSettings
from tracking.safety.copy import safety_copy
from tracking.safety.resources import crisis_html


def _form_page(
    request: PatientRequest,
    checkin: CheckIn,
    form: CheckInForm | None = None,
    *,
    status: int = 200,
    notice: str = "",
    instrument_ids: list[int] | None = None,
    rules: PracticeSettings | None = None,
    sent: DraftSafety | None = None,
    conflict: bool = False,
) -> HttpResponse:
    """The check-in's form. `sent`: what the answers just sent acted on (a form sent
    back): crisis words in what was typed, kept or not, show the panel too.
    `conflict`: a save from a page opened before the draft's last save was refused
    (painapp.edit_version): the form keeps what was sent, and each question shows what
    is saved now where it differs. The form always carries the version of the draft
    as it is now (`checkin.draft`)."""
    enrollment = request.enrollment
    if form is None:
        instruments = checkin_instruments(checkin, enrollment.practice_id, instrument_ids)
        form = CheckInForm(
            instruments=instruments,
            draft=checkin.draft,
            answered_before=checkin.answered_before,
        )
    sections = form.sections()
    if conflict:
        saved = CheckInForm(
            instruments=form.instruments,
            draft=checkin.draft,
            answered_before=checkin.answered_before,
        )
        shown = edit_version.saved_now(
            form, {name: bound.initial for name, bound in saved.fields.items()}
        )
        for section in sections:
            for question in section.questions:
                question.saved = [
                    (bound, shown[bound.name])
                    for bound in question.fields
                    if shown.get(bound.name) is not None
                ]
    if rules is None:
        rules = PracticeSettings.for_practice(enrollment.practice_id)
    safety = draft_safety(checkin.draft, form.instruments)
    # Sent but not in the saved draft: the panel says what the clinic was told of, as
    # it was: a safety answer from a refused save (`conflict`) is an answer not saved,
    # not "what you wrote"; crisis words are words (not saved, if the save was refused).
    about = ""
    if sent is not None and sent.self_harm and not safety.self_harm:
        safety.self_harm = True
        safety.crisis = sent.crisis
        about = "unsaved" if sent.by_answer else "unsaved_words" if conflict else "words"
    if sent is not None and sent.new_symptoms:
        # A yes sent but not saved (a refused stale save) shows where to get care too.
        safety.symptom_groups += tuple(
            group for group in sent.symptom_groups if group not in safety.symptom_groups
        )
    return render(
        request,
        "tracking/patient/checkin/form.html",
        {
            # A safety answer already saved shows its panel (without JavaScript too);
            # the hidden inline panels are static/js/checkin.js's to show on change.
            "safety": safety,
            "crisis_about": about,
            **safety_copy(rules, enrollment),
            "checkin": checkin,
            "title": checkin_title(checkin),
            "form": form,
            "sections": sections,
            "conflict": conflict,
            "edited_from": draft_version(checkin),
            "question_count": form.question_count,
            # Answered at the check-in before, not asked again (CheckIn.answered_before).
            "answered_before": answered_before_count(checkin),
            "recall_note": form.recall_note,
            "last_day": last_open_day(checkin, enrollment),
            "has_draft": bool(checkin.draft) and not form.is_bound,
            "notice": notice,
        },
        status=status,
    )


def _results_page(
    request: PatientRequest,
    checkin: CheckIn,
    *,
    already: bool = False,
    just_done: bool = False,
    safety: DraftSafety | None = None,
    rules: PracticeSettings | None = None,
) -> HttpResponse:
    """The check-in's results. `safety`: what answers sent after it was done raised
    (checkin_safety_unsaved): their help shows too, and, if the recorded answers did
    not say so, that these were not saved but the clinic was told."""
    results = checkin_results(checkin)
    safety = safety or DraftSafety()
    # Its self-harm alert (the check-in's own source) is read by checkin_results.
    symptoms = results.new_symptoms or safety.new_symptoms
    # Help for answers that were not saved (but reached the clinic) says so, not that
    # the clinic hears of them once they are saved (_safety_next.html's `about`).
    crisis_not_saved = safety.self_harm and not results.safety_answer
    symptoms_not_saved = safety.new_symptoms and not results.new_symptoms
    not_saved = crisis_not_saved or symptoms_not_saved
    # What the clinic has now, read as it is: an alert for these answers not resolved
    # yet, or only resolved ones (the same answers seen before: nobody told again).
    seen_before = results.self_harm_alert and not results.self_harm_open
    settings = results.settings
    if settings is None and symptoms:
        settings = rules or PracticeSettings.for_practice(request.enrollment.practice_id)
    copy = safety_copy(settings, request.enrollment) if settings else {}
    guide = clinical.symptom_guidance(results.symptom_groups + safety.symptom_groups)
    return render(
        request,
        "tracking/patient/checkin/results.html",
        {
            **copy,
            "checkin": checkin,
            "results": results,
            # The crisis box's numbers; without it, the emergency signs' guidance shows
            # them too (safety_copy's, the same list).
            "crisis_html": crisis_html(results.crisis_md)
            if results.show_crisis
            else copy.get("crisis_html", ""),
            "already": already,
            "just_done": just_done,
            "symptoms": symptoms,
            # Which guidance: the recorded answers' groups and those sent unsaved.
            "symptoms_guide": guide,
            # The help first, in the order it is needed; nothing that can wait after it.
            "layout": clinical.results_after_safety(
                self_harm=bool(results.show_crisis),
                guidance=guide if symptoms else clinical.symptom_guidance(()),
            ),
            "not_saved": not_saved,
            "not_saved_told": safety.told,
            "crisis_seen_before": seen_before,
            "crisis_about": "unsaved"
            if crisis_not_saved
            else "changed"
            if results.answer_changed
            else "",
            "symptoms_about": "unsaved" if symptoms_not_saved else "",
        },
    )


def _status_page(
    request: PatientRequest,
    checkin: CheckIn,
    *,
    now,
    reason: str = "",
    tried: bool = False,
    safety: DraftSafety | None = None,
    rules: PracticeSettings | None = None,
) -> HttpResponse:
    enrollment = request.enrollment
    home = checkin_home(enrollment, now)
    copy = {}
    if safety is not None and (safety.self_harm or safety.new_symptoms):
        if rules is None:
            rules = PracticeSettings.for_practice(enrollment.practice_id)
        copy = safety_copy(rules, enrollment)
    return render(
        request,
        "tracking/patient/checkin/status.html",
        {
            **copy,
            "safety": safety,
            "checkin": checkin,
            "title": checkin_title(checkin),
            "status": effective_status(checkin, now, enrollment),
            "reason": reason,
            "tried": tried,
            "last_day": last_open_day(checkin, enrollment),
            "home": home,
        },
    )


@require_http_methods(["GET"])
@enrollment_required
def checkin_current(request: PatientRequest) -> HttpResponse:
    """The check-in that is open now, or a calm "nothing due" page with the next date."""
    enrollment = request.enrollment
    now = timezone.now()
    checkins_ensure_scheduled(enrollment, now=now)
    home = checkin_home(enrollment, now)
    if home.current is not None:
        home.current.enrollment = enrollment
        return _form_page(request, home.current)
    return render(
        request,
        "tracking/patient/checkin/nothing_due.html",
        {
            "home": home,
            "next_title": checkin_title(home.next) if home.next else "",
            "paused": enrollment.status == EnrollmentStatus.PAUSED,
        },
    )


@require_http_methods(["GET"])
@enrollment_required
def checkin_list(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    now = timezone.now()
    checkins_ensure_scheduled(enrollment, now=now)
    return render(
        request,
        "tracking/patient/checkin/list.html",
        {"home": checkin_home(enrollment, now), "ended": enrollment.has_ended},
    )


@require_http_methods(["GET", "POST"])
@enrollment_required
def checkin_detail(request: PatientRequest, pk: int) -> HttpResponse:
    """One of the patient's own check-ins: its form, its results, or why it is closed."""
    enrollment = request.enrollment
    # Only the patient's own (404 for anyone else's), with the practice's alert settings
    # and its instruments' current versions (one query).
    found = patient_checkin(enrollment, pk)
    if found is None:
        raise Http404("No such check-in")
    checkin = found.checkin
    now = timezone.now()
    if enrollment.has_ended and checkin.status != CheckIn.Status.COMPLETED:
        # The practice stopped the program: nothing is left to answer, and no date to
        # give (the answers sent stay readable: programs.access.ENDED_PAGES).
        if request.method == "POST":
            _ended_answers(request, found)
        return redirect(ENDED_GATE)
    if request.method == "POST":
        return _answer(request, found, now)
    if checkin.status == CheckIn.Status.COMPLETED:
        return _results_page(request, checkin, just_done=request.GET.get("done") == "1")
    if is_available(checkin, now, enrollment):
        return _form_page(request, checkin, instrument_ids=found.instrument_ids, rules=found.rules)
    return _status_page(request, checkin, now=now)


def _ended_answers(request: PatientRequest, found: PatientCheckIn) -> None:
    """Answers sent after the program ended (the form was open when it was stopped):
    nothing is recorded, but a safety answer or crisis words in them still reach the
    clinic, as for a check-in that closed (checkin_safety_unsaved), and the ended page
    the patient lands on opens with the help the results page would give, saying they
    were not saved: the crisis panel, and for a yes to new symptoms where to get care
    now (tracking.context_processors.symptoms_help)."""
    checkin = found.checkin
    instruments = checkin_instruments(checkin, request.enrollment.practice_id, found.instrument_ids)
    safety = checkin_safety_unsaved(
        checkin=checkin,
        answers_by_instrument=posted_answers(request.POST, instruments),
        instruments=instruments,
        rules=found.rules,
    )
    if safety.self_harm:
        request.session[SHOW_CRISIS_HELP] = str(safety.crisis)
        request.session[SHOW_CRISIS_UNSAVED] = True
    if safety.new_symptoms:
        request.session[SHOW_SYMPTOMS_HELP] = {
            "crisis": str(Crisis.TOLD if safety.symptoms_told else Crisis.SEEN),
            "groups": list(safety.symptom_groups),
        }


def _answer(request: PatientRequest, found: PatientCheckIn, now) -> HttpResponse:
    enrollment = request.enrollment
    checkin, rules = found.checkin, found.rules
    instruments = checkin_instruments(checkin, enrollment.practice_id, found.instrument_ids)
    # The form (its fields) is built only to show errors again: a submit that records
    # needs just the posted answers.
    answers = posted_answers(request.POST, instruments)
    # The version of the draft the page was filled in from (painapp.edit_version): a
    # save from an older page never replaces answers saved since (MISSING: a page or
    # POST without it, checked the same way).
    edited_from = edit_version.sent_version(request.POST)
    try:
        if request.POST.get("action") == "save":
            try:
                saved = checkin_save_draft(
                    checkin=checkin,
                    answers_by_instrument=answers,
                    now=now,
                    instruments=instruments,
                    edited_from=edited_from,
                )
            except edit_version.EditConflict:
                return _draft_conflict(request, found, instruments, answers)
            if request.htmx:
                # The autosave's next save carries the draft's new version.
                response = HttpResponse(status=204)
                response["X-Edited-From"] = draft_version(checkin)
                return response
            if saved.errors:
                form = CheckInForm(
                    request.POST, instruments=instruments, answered_before=checkin.answered_before
                )
                form.apply_errors(saved.errors)
                return _form_page(
                    request,
                    checkin,
                    form,
                    status=422,
                    notice=_(
                        "We saved the answers that were complete. Please check the ones "
                        "marked below."
                    ),
                    rules=rules,
                    sent=saved.safety,
                )
            last_day = last_open_day(checkin, enrollment)
            messages.success(
                request,
                _("Your answers are saved. You can finish this check-in any time until %(day)s.")
                % {"day": date_format(last_day, _("l j F"))},
            )
            safety = draft_safety(checkin.draft, instruments)
            if safety.self_harm or safety.new_symptoms:
                # The next page shows the help at once: the check-in, with its panel.
                return redirect("checkin_detail", checkin.pk)
            if saved.safety.self_harm:
                # Crisis words in a cause: the next page opens with the crisis panel.
                request.session[SHOW_CRISIS_HELP] = str(saved.safety.crisis)
                request.session.pop(SHOW_CRISIS_UNSAVED, None)
            return redirect("today")
        checkin_record(
            checkin=checkin,
            answers_by_instrument=answers,
            now=now,
            instruments=instruments,
            rules=rules,
        )
    except CheckInAnswerError as error:
        # Nothing is recorded, but the valid answers are kept as the draft, so a safety
        # answer in them acts now (alert, panel) even if the patient never fixes the rest.
        # (If it changed meanwhile, the form below still keeps what was typed.)
        # From a page opened before the draft's last save, the draft is not replaced
        # (painapp.edit_version) but what was sent still acts (checkin_safety_unsaved).
        sent = None
        conflict = False
        with contextlib.suppress(AlreadyDone, NotAvailable):
            try:
                sent = checkin_save_draft(
                    checkin=checkin,
                    answers_by_instrument=answers,
                    now=now,
                    instruments=instruments,
                    edited_from=edited_from,
                ).safety
            except edit_version.EditConflict:
                conflict = True
                sent = checkin_safety_unsaved(
                    checkin=checkin,
                    answers_by_instrument=answers,
                    instruments=instruments,
                    rules=rules,
                )
        form = CheckInForm(
            request.POST, instruments=instruments, answered_before=checkin.answered_before
        )
        form.apply_errors(error.errors)
        return _form_page(
            request, checkin, form, status=422, rules=rules, sent=sent, conflict=conflict
        )
    except AlreadyDone:
        # Done already (a second tab, Back and submit again): nothing more is recorded,
        # but a safety answer in what was sent still reaches the clinic, as when the
        # check-in has closed (no second alert if those answers raised one already).
        safety = checkin_safety_unsaved(
            checkin=checkin, answers_by_instrument=answers, instruments=instruments, rules=rules
        )
        if request.htmx:
            return HttpResponse(status=409)
        checkin.refresh_from_db()
        checkin.enrollment = enrollment
        return _results_page(request, checkin, already=True, safety=safety, rules=rules)
    except NotAvailable as error:
        # Nothing is recorded, but a safety answer in what was sent still reaches the
        # clinic and shows the help at once.
        safety = checkin_safety_unsaved(
            checkin=checkin, answers_by_instrument=answers, instruments=instruments, rules=rules
        )
        if request.htmx:
            return HttpResponse(status=409)
        return _status_page(
            request, checkin, now=now, reason=error.reason, tried=True, safety=safety, rules=rules
        )
    return redirect(reverse("checkin_detail", args=[checkin.pk]) + "?done=1")


def _draft_conflict(
    request: PatientRequest, found: PatientCheckIn, instruments: list, answers: dict
) -> HttpResponse:
    """A save for later from a page opened before the draft's last save (another tab,
    another device) that would lose an answer saved since: nothing is saved
    (painapp.edit_version). What was sent still acts, as a check-in's answers that
    could not be kept do (checkin_safety_unsaved: a safety answer or crisis words reach
    the clinic, and the page shows the help). The autosave hears 409 with
    X-Changed-Elsewhere (static/js/checkin.js says so); a plain save gets the form back
    with what they sent, what is saved now under each question that differs, and the
    draft's version now, to save again once they have put the two together."""
    checkin, rules = found.checkin, found.rules
    safety = checkin_safety_unsaved(
        checkin=checkin, answers_by_instrument=answers, instruments=instruments, rules=rules
    )
    if request.htmx:
        response = HttpResponse(status=409)
        response["X-Changed-Elsewhere"] = "1"
        return response
    form = CheckInForm(
        request.POST, instruments=instruments, answered_before=checkin.answered_before
    )
    return _form_page(request, checkin, form, status=409, rules=rules, sent=safety, conflict=True)


@require_GET
@enrollment_required
def progress(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    data = progress_data(enrollment, timezone.now())
    return render(
        request,
        "tracking/patient/progress.html",
        {
            "cards": chart_cards(progress_charts(data), level=2, region=False),
            "progress": data,
            # The pain and fear diary (tracking/diary/), its own partial on the page.
            "diary_cards": chart_cards(
                diary_charts(enrollment, for_patient=True), level=3, region=False
            ),
        },
    )
