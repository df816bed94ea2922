"""The somatic-tracking form: before and after ratings, sensation words, a note.

The same form serves the plain HTML page (no JavaScript) and the step-by-step player,
which posts exactly these fields with fetch().
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from painapp.widgets import LongTextarea
from programs.practice.services import DURATION_MAX_SECONDS, DURATION_MESSAGE, NOTE_MAX_LENGTH
from programs.safety import PatientTextForm

RATING_CHOICES = [(str(n), str(n)) for n in range(11)]

# (label, hint, message when missing or not 0–10)
RATINGS = {
    "pain_before": (
        _("How strong is your pain right now?"),
        _("0 means no pain. 10 means the worst pain you can imagine."),
        _("Choose a number from 0 to 10 for how strong the pain was before you started."),
    ),
    "threat_before": (
        _("How threatening does it feel right now?"),
        _("0 means not at all. 10 means very threatening or scary."),
        _("Choose a number from 0 to 10 for how threatening it felt before you started."),
    ),
    "pain_after": (
        _("How strong is your pain now?"),
        _("0 means no pain. 10 means the worst pain you can imagine."),
        _("Choose a number from 0 to 10 for how strong the pain is now, after the practice."),
    ),
    "threat_after": (
        _("How threatening does it feel now?"),
        _("0 means not at all. 10 means very threatening or scary."),
        _("Choose a number from 0 to 10 for how threatening it feels now, after the practice."),
    ),
}


def rating_field(name: str) -> forms.TypedChoiceField:
    label, hint, message = RATINGS[name]
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        # Empty, 11, -1 and "abc" all get the same plain message: what to do, not what failed.
        error_messages={"required": message, "invalid_choice": message},
    )


@dataclass(frozen=True)
class ErrorLink:
    anchor: str
    message: str


STARTED_SALT = "painapp.practice.started"


def started_stamp(at: float | None = None) -> str:
    """When the form was served, signed: the page without JavaScript cannot time the
    session itself, so the server times it from this (see `clean`)."""
    return signing.Signer(salt=STARTED_SALT).sign(str(int(time.time() if at is None else at)))


def seconds_since(stamp: str, now: float | None = None) -> int:
    """Whole seconds since a `started_stamp`, or 0 if it is missing, altered, in the
    future, or over two hours old (a page left open is not practice)."""
    try:
        started = int(signing.Signer(salt=STARTED_SALT).unsign(stamp))
    except (signing.BadSignature, ValueError):
        return 0
    elapsed = int((time.time() if now is None else now) - started)
    return elapsed if 0 <= elapsed <= DURATION_MAX_SECONDS else 0


class PracticeSessionForm(PatientTextForm):
    client_token = forms.CharField(widget=forms.HiddenInput, required=False)
    duration_seconds = forms.CharField(widget=forms.HiddenInput, required=False)
    # When the page was served (signed), for the page without JavaScript.
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    pain_before = rating_field("pain_before")
    threat_before = rating_field("threat_before")
    sensations = forms.MultipleChoiceField(
        label=_("Which words fit what you noticed?"),
        help_text=_("Pick any that fit, or none."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please pick words from the list only.")},
    )
    pain_after = rating_field("pain_after")
    threat_after = rating_field("threat_after")
    note = forms.CharField(
        label=_("A note for yourself"),
        help_text=_("What did you notice? Anything that surprised you?"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=LongTextarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _(
                "Please keep your note to %(limit_value)s characters or fewer. "
                "It has %(show_value)s now."
            ),
        },
    )

    def __init__(self, *args: Any, sensation_words: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("client_token", str(uuid.uuid4()))
        kwargs["initial"].setdefault("started", started_stamp())
        super().__init__(*args, **kwargs)
        sensations = cast(forms.MultipleChoiceField, self.fields["sensations"])
        sensations.choices = [(w, w) for w in sensation_words]

    def clean_client_token(self) -> uuid.UUID:
        # The token is ours, in a hidden field. If a client lost it, a fresh one still
        # saves the session; only a retry of that one post would lose its protection.
        try:
            return uuid.UUID(str(self.cleaned_data.get("client_token") or ""))
        except ValueError:
            return uuid.uuid4()

    def clean_duration_seconds(self) -> int:
        # Measured by the player's own clock; the page without JavaScript sends none,
        # which counts as 0. A time it could not have measured (not a whole number,
        # below 0, over two hours) is refused with a plain message, never cut down to
        # size: everything the patient entered stays on the page, and the form comes
        # back without that time (templates/programs/practice/form.html), so saving
        # again works.
        raw = str(self.cleaned_data.get("duration_seconds") or "").strip()
        if not raw:
            return 0
        try:
            seconds = int(raw)
        except ValueError:
            raise forms.ValidationError(DURATION_MESSAGE) from None
        if not 0 <= seconds <= DURATION_MAX_SECONDS:
            raise forms.ValidationError(DURATION_MESSAGE)
        return seconds

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The page without JavaScript sends no time (0): take the time from serving the
        # form to this save instead, so its sessions can count toward practice figures
        # (programs.practice.counting). The player sends its own, measured time.
        if cleaned.get("duration_seconds") == 0 and not self.has_error("duration_seconds"):
            cleaned["duration_seconds"] = seconds_since(str(self.data.get("started") or ""))
        return cleaned

    @property
    def token(self) -> str:
        """The client token to render: the one posted (if usable) or the new one."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data["client_token"])
        raw = self.data.get("client_token") if self.is_bound else None
        try:
            return str(uuid.UUID(str(raw)))
        except ValueError:
            return str(self.initial["client_token"])

    def error_links(self) -> list[ErrorLink]:
        """Each error with the id of the control to jump to, in the order of the page."""
        links = [ErrorLink("", str(e)) for e in self.non_field_errors()]
        links += [ErrorLink("", str(e)) for e in self["duration_seconds"].errors]
        for name in (
            "pain_before",
            "threat_before",
            "sensations",
            "pain_after",
            "threat_after",
            "note",
        ):
            bound = self[name]
            # A group of radios or checkboxes: jump to its first option.
            anchor = bound.auto_id if name == "note" else f"{bound.auto_id}_0"
            links += [ErrorLink(anchor, str(e)) for e in bound.errors]
        return links
