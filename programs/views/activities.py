"""One activity of the program: a lesson, a reflection, a checklist or the causes question."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from painapp.edit_version import EditConflict, VersionedForm
from programs import selectors, services
from programs.access import enrollment_required
from programs.forms import (
    AttributionForm,
    EvidenceForm,
    ReflectionForm,
    StructuredReflectionForm,
    add_share_field,
)
from programs.models import Activity, ActivityKind, Attribution, Reflection
from programs.safety import Writer, new_entry, scan_posted
from programs.types import PatientRequest
from programs.views.lengths import lesson_checkins

_SAVED = {
    ActivityKind.REFLECTION: gettext_lazy("Saved. You can come back and change it any time."),
    ActivityKind.EVIDENCE: gettext_lazy(
        "Saved. These clues are your own evidence. Look back at them when doubt creeps in."
    ),
    ActivityKind.ATTRIBUTION: gettext_lazy("Thank you. Your answers are saved."),
    ActivityKind.LESSON: gettext_lazy("Saved. Nice work."),
}


def _answered_in_writing(activity: Activity) -> bool:
    """A reflection, or a lesson with a question under it: the page has a form to write
    an answer in, with its own "Save"."""
    return activity.kind == ActivityKind.REFLECTION or (
        activity.kind == ActivityKind.LESSON and bool(activity.prompt)
    )


_NOTHING_TO_SAVE = gettext_lazy(
    "There was nothing to save. Write a few words, or tap “Mark as done” when you have read "
    "the lesson."
)


def _nothing_written(activity: Activity, form: object) -> bool:
    """A lesson's optional answer saved with the box empty (or only spaces: the field
    strips them). A reflection's own box is required, so only a lesson's can be."""
    return (
        activity.kind == ActivityKind.LESSON
        and isinstance(form, ReflectionForm)
        and not form.cleaned_data.get("text")
    )


def _find(request: PatientRequest, slug: str):
    pmap = selectors.program_map(request.enrollment)
    found = pmap.activity(slug)
    if found is None:
        raise Http404
    state, activity = found
    return pmap, state, activity


@enrollment_required
@require_http_methods(["GET", "POST"])
def activity(request: PatientRequest, slug: str) -> HttpResponse:
    pmap, state, activity = _find(request, slug)
    enrollment = request.enrollment
    # A check-in lesson's check-in: the patient's own of that week, its length and the
    # one its button opens (one query at most).
    lessons = lesson_checkins(enrollment, [(state.week.number, activity)], len(pmap.weeks))
    context = {
        "pmap": pmap,
        "state": state,
        "activity": activity,
        "is_done": activity.pk in pmap.done,
        "change": state.change_of(activity.pk),
        "lesson_checkins": lessons,
        "lesson_checkin": lessons.get(state.week.number),
    }
    if not pmap.is_available(state, activity):
        if request.method == "POST":
            # Locked while they wrote (their clinician changed the program): nothing is
            # saved, but what they typed is scanned, and this page shows the panel.
            kind = "attribution" if activity.kind == ActivityKind.ATTRIBUTION else "reflection"
            scan_posted(enrollment, request.POST, source=new_entry(kind))
        return render(request, "programs/activity_locked.html", context)

    form: AttributionForm | EvidenceForm | ReflectionForm | StructuredReflectionForm | None = None
    existing = Reflection.objects.filter(enrollment=enrollment, activity=activity).first()
    data = request.POST if request.method == "POST" else None
    # What they typed is scanned even when the form is sent back (programs.safety).
    writer = Writer(
        enrollment, f"reflection:{existing.pk}" if existing else new_entry("reflection")
    )
    if activity.kind == ActivityKind.ATTRIBUTION:
        # The patient answers before seeing any earlier answer (seeing them first
        # invites "the right answer"), and answers once: after saving, the page shows
        # this answer and the earlier ones, and no score (the clinician codes them).
        attributions = list(
            Attribution.objects.filter(enrollment=enrollment)
            .prefetch_related("causes")
            .order_by("recorded_at", "pk")
        )
        mine = next((a for a in attributions if a.activity_id == activity.pk), None)
        if mine is None:
            form = AttributionForm(data, writer=Writer(enrollment, new_entry("attribution")))
        else:
            context["answer"] = mine
            context["earlier"] = [
                a for a in attributions if a is not mine and a.recorded_at <= mine.recorded_at
            ]
            if request.method == "POST":
                messages.info(request, _("Your answers were already saved."))
                return redirect("activity", slug=activity.slug)
    elif activity.kind == ActivityKind.EVIDENCE:
        initial = {"checked": existing.checked, "text": existing.text} if existing else None
        form = EvidenceForm(
            data,
            row=existing,
            items=activity.data.get("items", []),
            initial=initial,
            writer=writer,
        )
    elif _answered_in_writing(activity):
        prompts = activity.data.get("fields") if activity.kind == ActivityKind.REFLECTION else None
        if prompts:
            form = StructuredReflectionForm(
                data,
                row=existing,
                prompts=prompts,
                initial={f"answer_{k}": v for k, v in existing.answers.items()}
                if existing
                else None,
                writer=writer,
            )
        else:
            form = ReflectionForm(
                data,
                row=existing,
                initial={"text": existing.text} if existing else None,
                writer=writer,
            )
            if activity.kind == ActivityKind.LESSON:
                form.fields["text"].required = False
        if activity.data.get("private"):
            add_share_field(form, shared=existing is not None and not existing.private)

    conflict: Reflection | None = None
    if request.method == "POST":
        if form is None:
            raise Http404
        # "Mark as done" under a lesson's question is a button of the answer's form:
        # what is typed is saved with it, and a lesson is never marked done while its
        # answer is sent back (too long, changed elsewhere) unsaved.
        mark_done = "mark_done" in request.POST and activity.kind == ActivityKind.LESSON
        if form.is_valid() and _nothing_written(activity, form):
            if mark_done:
                return _marked_done(request, activity, state.week.number)
            # An empty "Your turn" box under a lesson: nothing to keep, and saving is
            # not finishing the lesson (its own "Mark as done" does that).
            messages.info(request, str(_NOTHING_TO_SAVE))
            return redirect("activity", slug=activity.slug)
        if form.is_valid():
            try:
                saved = _save(request, activity, form)
            except EditConflict as changed:
                # Saved from a page opened before this answer's last save (another
                # tab, another device): nothing saved; what they typed stays, with
                # what is saved now beside it (painapp.edit_version).
                conflict = cast(Reflection, changed.row)
                assert isinstance(form, VersionedForm)
                form.rebase(conflict)
            else:
                if mark_done:
                    services.activity_complete(enrollment=enrollment, activity=activity)
                if saved is not None and activity.data.get("private"):
                    messages.success(
                        request,
                        _("Saved, just for you. Your care team cannot see it.")
                        if saved.private
                        else _("Saved and shared with your care team."),
                    )
                    return redirect("activity", slug=activity.slug)
                done = _("Saved, and marked as done.") if mark_done else None
                messages.success(request, str(done or _SAVED.get(activity.kind) or _("Saved.")))
                return redirect("activity", slug=activity.slug)
    context["form"] = form
    # The lesson's "Mark as done" goes in its answer's form, to save what is typed too.
    context["done_in_form"] = (
        activity.kind == ActivityKind.LESSON
        and _answered_in_writing(activity)
        and not context["is_done"]
    )
    context["reflection"] = conflict or existing
    context["conflict"] = conflict is not None
    if form is not None and not isinstance(form, AttributionForm):
        context["parts"] = [
            (field, _saved_now(conflict, form, field.name)) for field in form.visible_fields()
        ]
    return render(
        request, "programs/activity.html", context, status=409 if conflict is not None else 200
    )


def _save(
    request: PatientRequest,
    activity: Activity,
    form: AttributionForm | EvidenceForm | ReflectionForm | StructuredReflectionForm,
) -> Reflection | None:
    """Save a valid form; the reflection saved (None: an attribution)."""
    enrollment = request.enrollment
    # The form's class follows the activity's kind (above).
    if isinstance(form, AttributionForm):
        services.attribution_record(enrollment=enrollment, activity=activity, causes=form.causes())
        return None
    if isinstance(form, EvidenceForm):
        return services.reflection_save(
            enrollment=enrollment,
            activity=activity,
            text=form.cleaned_data["text"],
            checked=form.cleaned_data["checked"],
            edited_from=form.edited_version(),
        )
    if isinstance(form, StructuredReflectionForm):
        text, answers = form.written_text(), form.answers()
    else:
        text, answers = form.cleaned_data["text"], None
    return services.reflection_save(
        enrollment=enrollment,
        activity=activity,
        text=text,
        answers=answers,
        shared=bool(form.cleaned_data.get("share")),
        edited_from=form.edited_version(),
    )


def _saved_now(conflict: Reflection | None, form: Any, name: str) -> str | None:
    """After a refused stale save: what is saved now in this box, where it is not what
    they typed (None: the same, no conflict, or not a box of the answer)."""
    if conflict is None:
        return None
    if name == "checked":
        choices = dict(form.fields["checked"].choices)
        saved, typed = conflict.checked, form.cleaned_data.get("checked", [])
        if sorted(saved) == sorted(typed):
            return None
        return ", ".join(str(choices.get(key, key)) for key in saved)
    if name.startswith("answer_"):
        saved = conflict.answers.get(name.removeprefix("answer_"), "")
    elif name == "text":
        saved = conflict.text
    else:
        return None
    typed = form.cleaned_data.get(name) or ""
    return None if " ".join(saved.split()) == " ".join(typed.split()) else saved


@enrollment_required
@require_POST
def activity_complete(request: PatientRequest, slug: str) -> HttpResponse:
    pmap, state, activity = _find(request, slug)
    if not pmap.is_available(state, activity):
        raise Http404
    if request.htmx:
        services.activity_complete(enrollment=request.enrollment, activity=activity)
        # The page's reflection "Save" is filled now it is the action left: swapped in
        # too (out of band), as the page would show it after a reload.
        return render(
            request,
            "programs/activity.html#done-marker",
            {"activity": activity, "is_done": True, "oob": _answered_in_writing(activity)},
        )
    return _marked_done(request, activity, state.week.number)


def _marked_done(request: PatientRequest, activity: Activity, week: int) -> HttpResponse:
    """Mark an activity done (a plain form's post): say so, and back to its week."""
    services.activity_complete(enrollment=request.enrollment, activity=activity)
    messages.success(request, _("Marked as done."))
    return redirect("program_week", number=week)
