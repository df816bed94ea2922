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
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from enum import StrEnum
from typing import Protocol

from painapp.accounts.extensions import ExtensionPoint
from programs.models import Enrollment


class Crisis(StrEnum):
    """What a scanner found in a patient's text, and so what they may be told."""

    NONE = ""  # no crisis phrase (falsy)
    TOLD = "told"  # the care team has an alert for this entry not yet resolved
    SEEN = "seen"  # the same words as an alert already resolved: nobody is told again


class TextScanner(Protocol):
    def __call__(
        self,
        enrollment: Enrollment,
        *,
        source: str,
        texts: Iterable[str | None],
        unsaved: bool = False,
    ) -> Crisis:
        """Scan, act on what it finds, and say what the text held."""
        ...


patient_text_scanners: ExtensionPoint[TextScanner] = ExtensionPoint("patient free-text scanners")

# The session key under which the crisis panel waits for the patient's next page
# (its value: the Crisis found).
SHOW_CRISIS_HELP = "show_crisis_help"

_crisis_written: ContextVar[Crisis] = ContextVar("crisis_written", default=Crisis.NONE)


def crisis_written() -> Crisis:
    """What, in this request, a patient saved: Crisis.NONE (nothing that holds a crisis
    phrase), TOLD or SEEN (`patient_wrote`)."""
    return _crisis_written.get()


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
    in another tab), so the words are not in the entry; an alert they raise says so."""
    texts = [t for t in texts if t]
    if not texts:
        return False
    found = [
        scanner(enrollment, source=source, texts=texts, unsaved=unsaved)
        for scanner in patient_text_scanners
    ]
    if not any(found):
        return False
    # Told, if any scanner told anyone, in this save or an earlier one of this request.
    told = Crisis.TOLD in found or _crisis_written.get() == Crisis.TOLD
    _crisis_written.set(Crisis.TOLD if told else Crisis.SEEN)
    return True


class CrisisHelpMiddleware:
    """Each request starts with nothing written (`crisis_written`). When a patient
    saved text holding a crisis phrase and the page of this request did not show the
    crisis panel (a POST that redirects, or an htmx part without it), the panel waits
    in the session for their next page (tracking.context_processors.crisis_help)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _crisis_written.set(Crisis.NONE)
        try:
            response = self.get_response(request)
            found = _crisis_written.get()
            if found and not getattr(request, "crisis_help_shown", False):
                request.session[SHOW_CRISIS_HELP] = str(found)
        finally:
            _crisis_written.reset(token)
        return response
