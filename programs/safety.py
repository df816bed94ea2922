"""Patient free text and the safety workflow: every service that saves something a
patient wrote calls `patient_wrote` with it, right after saving.

programs may not import tracking, where the crisis-word scanner and the alerts live,
so this is an extension point (painapp/accounts/extensions.py): tracking registers its
scanner (tracking.safety.scanner.scan) in its AppConfig.ready. A new patient text
field must call `patient_wrote` from its service; tests/test_free_text_scanning.py
finds every such field by introspecting the models and fails for one that does not.

Help at once: when what a patient saved holds a crisis phrase, the page they see next
opens with the crisis panel, whichever page saved it. `patient_wrote` notes it for the
request (`crisis_written`); tracking's context processor `crisis_help` draws the panel
on that request's page, or CrisisHelpMiddleware (below) keeps it in the
session for the next page (after a redirect). When the words are the same as an
alert the care team already resolved, nobody is told again (tracking.safety.scanner's
rule): the panel then says so instead of "your clinic is told" (`crisis_seen_before`).

Not saved: a patient form sent back (another box wrong, the text too long) scans what
was typed all the same (`PatientTextForm`, which every patient free-text form is): the
page that sends it back shows the crisis panel, saying the words were not saved, and
the care team gets the urgent alert, marked unsaved.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

from django import forms

from painapp.accounts.extensions import ExtensionPoint
from programs.models import Enrollment


class Crisis(StrEnum):
    """What a scanner found in a patient's text, and so what they may be told."""

    NONE = ""  # no crisis phrase (falsy)
    TOLD = "told"  # the care team has an alert for this entry not yet resolved
    SEEN = "seen"  # the same words as an alert already resolved: nobody is told again


class Found(NamedTuple):
    """What a scanner found in a patient's text: crisis words (`crisis`) and emergency
    signs (`emergency`: tracking.rules.symptom_words), each NONE, TOLD or SEEN."""

    crisis: Crisis = Crisis.NONE
    emergency: Crisis = Crisis.NONE


class TextScanner(Protocol):
    def __call__(
        self,
        enrollment: Enrollment,
        *,
        source: str,
        texts: Iterable[str | None],
        unsaved: bool = False,
    ) -> Found:
        """Scan, act on what it finds, and say what the text held."""
        ...


patient_text_scanners: ExtensionPoint[TextScanner] = ExtensionPoint("patient free-text scanners")

# The session key under which the crisis panel waits for the patient's next page
# (its value: the Crisis found).
SHOW_CRISIS_HELP = "show_crisis_help"
# With it: the words were not saved (a save refused before a redirect), so the panel on
# that next page says so too.
SHOW_CRISIS_UNSAVED = "show_crisis_unsaved"
# The session key under which the new-symptoms guidance (where to get care now) waits
# for the patient's next page, for check-in answers sent where no results page follows
# (the program ended: tracking.checkins.views). Its value: {"crisis": Crisis.TOLD (the
# care team has the alert) or Crisis.SEEN (the same answer was alerted on and dealt
# with), "groups": the groups answered yes (tracking.rules.SYMPTOM_GROUPS)}; a bare
# Crisis, set before the groups were kept, reads as version 1's "either".
SHOW_SYMPTOMS_HELP = "show_symptoms_help"

_crisis_written: ContextVar[Crisis] = ContextVar("crisis_written", default=Crisis.NONE)
# Whether every crisis phrase found in this request was in words that were not saved.
_crisis_unsaved: ContextVar[bool] = ContextVar("crisis_unsaved", default=False)
# Emergency signs (tracking.rules.symptom_words) a patient wrote in this request, and
# whether every one was in words that were not saved.
_emergency_written: ContextVar[Crisis] = ContextVar("emergency_written", default=Crisis.NONE)
_emergency_unsaved: ContextVar[bool] = ContextVar("emergency_unsaved", default=False)


def crisis_written() -> Crisis:
    """What, in this request, a patient saved: Crisis.NONE (nothing that holds a crisis
    phrase), TOLD or SEEN (`patient_wrote`)."""
    return _crisis_written.get()


def crisis_unsaved() -> bool:
    """Whether the crisis phrase `crisis_written` found, in this request, was only ever
    in words that were not saved (a form sent back, a save refused): the panel then
    says so."""
    return _crisis_written.get() != Crisis.NONE and _crisis_unsaved.get()


def emergency_written() -> Crisis:
    """What, in this request, a patient wrote of emergency signs: Crisis.NONE, TOLD or
    SEEN (`patient_wrote`). The page then shows where to get care now."""
    return _emergency_written.get()


def emergency_unsaved() -> bool:
    """Whether the emergency signs `emergency_written` found were only ever in words
    that were not saved."""
    return _emergency_written.get() != Crisis.NONE and _emergency_unsaved.get()


def _note(
    found: list[Crisis], written: ContextVar[Crisis], unsaved_var: ContextVar[bool], unsaved: bool
) -> None:
    """Note for the request that scanners found something (`found`): told, if any
    scanner told anyone, in this save or an earlier one of this request."""
    if not any(found):
        return
    first = written.get() == Crisis.NONE
    told = Crisis.TOLD in found or written.get() == Crisis.TOLD
    written.set(Crisis.TOLD if told else Crisis.SEEN)
    unsaved_var.set(unsaved and (first or unsaved_var.get()))


def emergency_signs_written(found: Crisis, *, unsaved: bool = False) -> None:
    """The scanner (tracking.safety.scanner.scan_all, whoever called it: patient_wrote,
    the diary, messages) found emergency signs in what the patient wrote: the page they
    see next shows where to get care now (`emergency_written`)."""
    _note([found], _emergency_written, _emergency_unsaved, unsaved)


def patient_wrote(
    enrollment: Enrollment,
    *,
    source: str,
    texts: Iterable[str | None],
    unsaved: bool = False,
) -> bool:
    """Hand what the patient just saved to every registered scanner, and say whether
    it held a crisis phrase (then the page they see next shows the crisis panel).
    `source` names the entry ("<kind>:<pk>", e.g. "reflection:12"): an entry has at most
    one alert not yet resolved; saved again with a crisis phrase after that one was
    resolved, it raises a new one if its words changed since (else Crisis.SEEN: the
    panel does not say the clinic is told). Never pass the text anywhere else (logs,
    alerts): scanners only read it. `unsaved`: the save was refused (the entry changed
    in another tab), so the words are not in the entry; an alert they raise says so.
    Emergency signs in it (tracking.rules.symptom_words) the scanner notes itself
    (`emergency_signs_written`): the page then shows where to get care now."""
    texts = [t for t in texts if t]
    if not texts:
        return False
    found = [
        scanner(enrollment, source=source, texts=texts, unsaved=unsaved)
        for scanner in patient_text_scanners
    ]
    crisis = [f.crisis for f in found]
    _note(crisis, _crisis_written, _crisis_unsaved, unsaved)
    return any(crisis)


# The source of an entry the patient has not saved yet ("diary:new"): what they typed in
# a new entry's form that was sent back. Its alert becomes the entry's once they save
# the same words (tracking.safety.scanner).
NEW_ENTRY = "new"


def new_entry(kind: str) -> str:
    """The source for a new entry of `kind` not saved yet ("diary" → "diary:new")."""
    return f"{kind}:{NEW_ENTRY}"


def scan_posted(enrollment: Enrollment, data: Any, *, source: str) -> bool:
    """A patient's post refused before any form could read it (their program ended, the
    entry withdrawn or locked, already done in another tab): every box posted is
    scanned as not saved, as `PatientTextForm.scan_unsaved` does for a form. Whether it
    held a crisis phrase (the panel then shows, the care team has the urgent alert,
    marked unsaved). `data`: the request's POST."""
    texts = [
        value
        for key, values in data.lists()
        if key != "csrfmiddlewaretoken"
        for value in values
        if isinstance(value, str) and value.strip()
    ]
    return patient_wrote(enrollment, source=source, texts=texts, unsaved=True)


@dataclass(frozen=True)
class Writer:
    """Who writes in a patient form, for the scan of what they typed: their enrollment,
    and the entry it goes to (its source, "<kind>:<pk>", or `new_entry(kind)`)."""

    enrollment: Enrollment
    source: str


class PatientTextForm(forms.Form):
    """A form a patient writes free text in: what they typed is scanned even when the
    form is sent back, the one place that does so for every patient form.

    Made with `writer` (the patient's Writer; staff using the same form pass none),
    the first error the form gets (its own checks in `is_valid`, or a refusal the view
    or service adds after: `add_error`) hands the text as posted (`typed_texts`: every
    free-text box, in full, however long) to `patient_wrote` as not saved, once per
    submission. A crisis phrase in it then shows the crisis panel on the page that
    sends the form back (with the errors and everything typed), and raises the urgent
    alert, marked unsaved. A save refused for another reason with no error on the form
    (messaging switched off) calls `scan_unsaved` itself. Saving the same words after
    raises nothing new (tracking.safety.scanner)."""

    def __init__(self, *args: Any, writer: Writer | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writer = writer
        self.unsaved_scanned = False

    def typed_texts(self) -> list[str]:
        """What was typed in each free-text box (text fields the patient sees), as
        posted: nothing trimmed or cut to the field's limit."""
        typed = (
            self.data.get(self.add_prefix(name))
            for name, field in self.fields.items()
            if isinstance(field, forms.CharField) and not field.widget.is_hidden
        )
        return [t for t in typed if isinstance(t, str) and t.strip()]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self.scan_unsaved()

    def scan_unsaved(self) -> bool:
        """Scan what was typed as not saved (once per form); whether it held a crisis
        phrase."""
        if self.writer is None or not self.is_bound or self.unsaved_scanned:
            return False
        self.unsaved_scanned = True
        return patient_wrote(
            self.writer.enrollment,
            source=self.writer.source,
            texts=self.typed_texts(),
            unsaved=True,
        )


class CrisisHelpMiddleware:
    """Each request starts with nothing written (`crisis_written`). When a patient
    saved text holding a crisis phrase and the page of this request did not show the
    crisis panel (a POST that redirects, or an htmx part without it), the panel waits
    in the session for their next page (tracking.context_processors.crisis_help)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _crisis_written.set(Crisis.NONE)
        unsaved_token = _crisis_unsaved.set(False)
        signs_token = _emergency_written.set(Crisis.NONE)
        signs_unsaved_token = _emergency_unsaved.set(False)
        try:
            response = self.get_response(request)
            found = _crisis_written.get()
            if found and not getattr(request, "crisis_help_shown", False):
                request.session[SHOW_CRISIS_HELP] = str(found)
                if _crisis_unsaved.get():
                    request.session[SHOW_CRISIS_UNSAVED] = True
                else:
                    request.session.pop(SHOW_CRISIS_UNSAVED, None)
            signs = _emergency_written.get()
            if signs and not getattr(request, "symptoms_help_shown", False):
                request.session[SHOW_SYMPTOMS_HELP] = written_symptoms(signs, emergency_unsaved())
        finally:
            _emergency_unsaved.reset(signs_unsaved_token)
            _emergency_written.reset(signs_token)
            _crisis_unsaved.reset(unsaved_token)
            _crisis_written.reset(token)
        return response


# The emergency group (tracking.rules.SYMPTOMS_EMERGENCY; programs may not import
# tracking: tests/test_rules.py holds them equal).
EMERGENCY_GROUP = "emergency"


def written_symptoms(found: Crisis, unsaved: bool) -> dict:
    """SHOW_SYMPTOMS_HELP's value for emergency signs a patient wrote: the guidance
    says so ("about": "words", or "unsaved_words" when they were not saved)."""
    return {
        "crisis": str(found),
        "groups": [EMERGENCY_GROUP],
        "about": "unsaved_words" if unsaved else "words",
    }
