"""Somatic-tracking player: one guided session, saved to the patient's own log.

Without JavaScript the page is one ordinary form that posts to `practice_save` and
redirects to the success view. With static/js/player.js it shows one step at a time
and saves with fetch(), sending `HX-Request: true` so this view answers with the
success (or form) partial instead of a redirect.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from programs.access import enrollment_required, own
from programs.audio.models import SESSION_MINUTES, session_slot, step_slot
from programs.audio.selectors import for_player, recording_url
from programs.content_conditions import resolve
from programs.models import Enrollment, PracticeSession
from programs.practice.forms import PracticeSessionForm
from programs.practice.minimum import duration_words
from programs.practice.services import (
    practice_session_record,
    sensation_words,
    words_as_now,
)
from programs.safety import Writer, new_entry
from programs.types import PatientRequest


def _time_text(seconds: int) -> str:
    """45 -> "about 45 seconds", 60 -> "about 1 minute", 75 -> "about 1 minute 15 seconds"."""
    return _("about %(time)s") % {"time": duration_words(seconds)}


def _recordings(enrollment: Enrollment) -> dict:
    """The practice's recordings in the patient's language, by slot, each with its URL
    (one query). A step without one keeps the read-aloud voice."""
    language = (get_language() or "en").split("-")[0]
    found = for_player(enrollment.practice_id, language)
    return {
        slot: {"url": recording_url(r), "transcript": r.transcript, "language": r.language}
        for slot, r in found.items()
    }


def _guide(enrollment: Enrollment, recordings: dict | None = None) -> dict:
    guide = enrollment.program_version.tracking_guide or {}
    recordings = recordings or {}

    # The script's wording for this patient (content_conditions: "your back has been
    # checked" only with a recorded medical assessment).
    def wording(text: str) -> str:
        return resolve(text, assessed=lambda: enrollment.medically_assessed)

    steps = [
        {
            **step,
            "text": wording(step.get("text", "")),
            "time_text": _time_text(step.get("seconds", 60)),
            # A step may do without a timer ("timer: false": rating and noting).
            "timer": step.get("timer", True),
            "recording": recordings.get(step_slot(step.get("key", ""))),
        }
        for step in guide.get("steps", [])
    ]
    sessions = [
        {"minutes": m, **recordings[session_slot(m)]}
        for m in SESSION_MINUTES
        if session_slot(m) in recordings
    ]
    return {
        "title": guide.get("title") or _("Somatic tracking"),
        "intro_md": wording(guide.get("intro_md", "")),
        "steps": steps,
        "sessions": sessions,
    }


def _change(label: str, before: int, after: int) -> dict:
    diff = after - before
    return {
        "label": label,
        "before": before,
        "after": after,
        "amount": abs(diff),
        "direction": "down" if diff < 0 else "up" if diff > 0 else "same",
    }


def _saved_context(enrollment: Enrollment, session: PracticeSession) -> dict:
    changes = [
        _change(_("Pain"), session.pain_before, session.pain_after),
        _change(_("How threatening it felt"), session.threat_before, session.threat_after),
    ]
    return {
        "guide": _guide(enrollment),
        "session": session,
        "changes": changes,
        "any_lower": any(c["direction"] == "down" for c in changes),
        "any_higher": any(c["direction"] == "up" for c in changes),
    }


def _form_context(request: PatientRequest, form: PracticeSessionForm) -> dict:
    enrollment = request.enrollment
    return {
        "guide": _guide(enrollment, _recordings(enrollment)),
        "form": form,
        "stash_prefix": f"painapp:practice:{enrollment.pk}:",
        # The first time, open the "what is this?" intro; after that, keep it folded.
        "first_time": not enrollment.practice_sessions.exists(),
    }


@require_GET
@enrollment_required
def player(request: PatientRequest) -> HttpResponse:
    """The player, or (with ?saved=<token>) the calm page after a plain-form save."""
    saved = request.GET.get("saved")
    if saved:
        try:
            token = uuid.UUID(saved)
        except ValueError:
            raise Http404 from None
        session = own(request, PracticeSession, client_token=token)
        return render(
            request, "programs/practice.html", _saved_context(request.enrollment, session)
        )
    form = PracticeSessionForm(sensation_words=sensation_words(request.enrollment))
    return render(request, "programs/practice.html", _form_context(request, form))


@require_POST
@enrollment_required
def save_session(request: PatientRequest) -> HttpResponse:
    enrollment = request.enrollment
    # A player opened before a language switch sends the other edition's words: they
    # are read as this edition's (words_as_now), for the form's list and the page sent
    # back alike.
    posted = request.POST.copy()
    posted.setlist("sensations", words_as_now(enrollment, request.POST.getlist("sensations")))
    form = PracticeSessionForm(
        posted,
        sensation_words=sensation_words(enrollment),
        writer=Writer(enrollment, new_entry("practice")),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            session, _created = practice_session_record(
                enrollment=enrollment,
                client_token=data["client_token"],
                pain_before=data["pain_before"],
                threat_before=data["threat_before"],
                pain_after=data["pain_after"],
                threat_after=data["threat_after"],
                sensations=data["sensations"],
                note=data["note"],
                duration_seconds=data["duration_seconds"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # A repeat of the same session (same token) lands here too, with the same answer.
            if request.htmx:
                return render(
                    request, "programs/practice/saved.html", _saved_context(enrollment, session)
                )
            return redirect(f"{reverse('practice')}?saved={session.client_token}")
    template = "programs/practice/form.html" if request.htmx else "programs/practice.html"
    return render(request, template, _form_context(request, form), status=422)
