"""Forms of the practice safety settings screen (views/safety.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from painapp.accounts.forms import timezone_choices
from painapp.accounts.models import Practice, User
from painapp.edit_version import VersionedForm
from painapp.widgets import LongTextarea
from tracking import rules
from tracking.alerts.staff import active_staff
from tracking.models import EscalationStep
from tracking.safety.resources import COUNTRY_CHOICES, DEFAULTS
from tracking.safety.scanner import normalise
from tracking.safety.services import (
    RESOURCES_VERSION,
    SETTINGS_VERSION,
    contact_removal_refused,
    duplicate_step,
)

MAX_CRISIS_WORDS = 500
MAX_WORD_LENGTH = 100


def _whole_number(lo: int, hi: int) -> str:
    return gettext("Enter a whole number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi}


def _number(label: Any, lo: int, hi: int, help_text: Any = "") -> forms.IntegerField:
    # Lazy: the form is built once, and each reader gets the message in their language.
    plain = lazy(_whole_number, str)(lo, hi)
    return forms.IntegerField(
        label=label,
        min_value=lo,
        max_value=hi,
        help_text=help_text,
        error_messages={k: plain for k in ("required", "invalid", "min_value", "max_value")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def practice_staff(practice: Practice) -> QuerySet[User]:
    """The practice's active clinicians and admins: who may be a safety contact or a
    named step of the chain (whom an alert can reach: escalation.active_staff)."""
    return User.objects.filter(pk__in=active_staff([practice.pk]).values("user_id")).order_by(
        "full_name", "email"
    )


class StaffField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SafetySettingsForm(VersionedForm):
    """The practice's settings, edited in place by any of its admins
    (painapp.edit_version, by the saved values of the settings it edits: a save from a
    page opened before another admin's save is refused, never saved over theirs)."""

    VERSION_OF = SETTINGS_VERSION

    safety_contact = StaffField(
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        label=_("Safety contact"),
        help_text=_(
            "The named person who answers for safety here. They are told when "
            "nobody is left on the escalation chain."
        ),
        error_messages={"invalid_choice": _("Choose a member of staff of this practice.")},
    )
    response_minutes_urgent = _number(
        _("Urgent alerts (self-harm): respond within, in minutes"), 5, 7 * 24 * 60
    )
    response_minutes_high = _number(
        _("High alerts (red flags): respond within, in minutes"), 5, 14 * 24 * 60
    )
    response_minutes_routine = _number(
        _("Routine alerts: respond within, in minutes"),
        5,
        30 * 24 * 60,
        help_text=_("1 day is 1440 minutes; 3 days are 4320."),
    )
    working_hours_start = forms.TimeField(
        label=_("Staffed from"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter a time like 09:00."),
            "invalid": _("Enter a time like 09:00."),
        },
    )
    working_hours_end = forms.TimeField(
        label=_("Staffed until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter a time like 17:00."),
            "invalid": _("Enter a time like 17:00."),
        },
    )
    working_days = forms.TypedMultipleChoiceField(
        label=_("Staffed days"),
        help_text=_(
            "Leave every day unticked only if nobody keeps set hours. Then response times "
            "count round the clock, nights and weekends too, so an alert climbs the chain "
            "even when nobody is at work, and patients are not told any office hours: only "
            "that messages and alerts are read when someone can."
        ),
        # Django's own day names (0 = Monday), in the reader's language.
        choices=list(WEEKDAYS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose days of the week.")},
    )
    timezone = forms.ChoiceField(
        label=_("The practice's time zone"),
        error_messages={"invalid_choice": _("Pick a time zone from the list, e.g. Europe/London.")},
    )
    default_country = forms.ChoiceField(
        label=_("Default country for new patients"),
        choices=COUNTRY_CHOICES,
        help_text=_(
            "Patients confirm their own country when they start; this is the starting choice."
        ),
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    age_min = _number(_("Youngest age accepted"), 0, 120)
    age_max = _number(_("Oldest age accepted"), 0, 120)
    crisis_words = forms.CharField(
        label=_("Your own crisis words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One word or phrase a line, added to the app's own English and Spanish "
            "phrases (listed below). Those are always checked, whatever this list says: "
            "you cannot remove them, only add. Any of them in what a patient writes "
            "starts the same safety steps as a self-harm answer."
        ),
    )
    pain_rise_points = _number(
        _("Alert when average pain is this many points above baseline"), 1, 10
    )
    pain_rise_checkins = _number(_("… on this many check-ins in a row"), 1, 12)
    fear_high_threshold = _number(_("Alert when fear of movement (0–10) is at or above"), 0, 10)
    missed_in_a_row = _number(_("Alert after this many missed check-ins in a row"), 1, 12)
    escalation_minutes = _number(
        _("Move an urgent alert up the escalation chain after, in minutes"),
        5,
        7 * 24 * 60,
        help_text=_(
            "If nobody has acknowledged an urgent alert by then, it goes to the next step "
            "of your escalation chain. Counted in staffed hours, like the response times. "
            "The shorter of this and the urgent response time is used."
        ),
    )
    checkin_window_days = _number(_("A check-in stays open for, in days"), 1, 14)
    responder_baseline_floor = _number(
        _("Outcomes report: count responders only from a baseline pain of at least"),
        0,
        10,
        help_text=_("The trial enrolled people with average pain of 4 or more."),
    )
    min_practice_seconds = _number(_("A practice session counts from this many seconds"), 0, 3600)
    messaging_enabled = forms.BooleanField(
        label=_("Patients and their care team can send each other messages"),
        required=False,
        help_text=_(
            "Messages are read during the staffed hours above and are not for emergencies; "
            "every message a patient writes is checked for crisis words. Turned off, no "
            "one can send messages and the Messages link goes from the menu."
        ),
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        cast(StaffField, self.fields["safety_contact"]).queryset = practice_staff(practice)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = timezone_choices()

    def clean_safety_contact(self) -> User | None:
        contact = self.cleaned_data.get("safety_contact")
        if contact is None:
            refused = contact_removal_refused(self.practice)
            if refused:
                raise forms.ValidationError(refused)
        return contact

    def clean_crisis_words(self) -> list[str]:
        words: list[str] = []
        too_common: list[str] = []
        for line in self.cleaned_data["crisis_words"].splitlines():
            word = " ".join(line.split())
            if not word or word.casefold() in (w.casefold() for w in words):
                continue
            if len(word) > MAX_WORD_LENGTH:
                raise forms.ValidationError(
                    gettext("Keep each line under %(max)s characters: “%(start)s…” is longer.")
                    % {"max": MAX_WORD_LENGTH, "start": word[:30]}
                )
            if rules.too_common_crisis_word(normalise(word)):
                too_common.append(word)
            words.append(word)
        if too_common:
            raise forms.ValidationError(
                gettext(
                    "These are too short or too common to be crisis words: %(words)s. "
                    "They would match almost anything a patient writes. Remove them, or "
                    "write a longer phrase."
                )
                % {"words": ", ".join(f"“{w}”" for w in too_common[:10])}
            )
        if len(words) > MAX_CRISIS_WORDS:
            raise forms.ValidationError(
                gettext("Keep the list to %(max)s lines or fewer.") % {"max": MAX_CRISIS_WORDS}
            )
        return words

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("working_hours_start"), data.get("working_hours_end")
        if start and end and end <= start:
            self.add_error(
                "working_hours_end", gettext("The end of the day must be after its start.")
            )
        _check_response_times(self, data)
        if data.get("age_min") is not None and data["age_min"] < rules.AGE_MIN_FLOOR:
            self.add_error(
                "age_min",
                gettext(
                    "The program and its consent are for adults, so this must be %(floor)s or more."
                )
                % {"floor": rules.AGE_MIN_FLOOR},
            )
        lo, hi = data.get("age_min"), data.get("age_max")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("age_max", gettext("The oldest age must be at least the youngest."))
        return data


RESPONSE_FIELDS = {
    "urgent": "response_minutes_urgent",
    "high": "response_minutes_high",
    "routine": "response_minutes_routine",
}
SEVERITY_NAMES = {
    "urgent": _("urgent alerts"),
    "high": _("high alerts"),
    "routine": _("routine alerts"),
}


def _check_response_times(form: SafetySettingsForm, data: dict[str, Any]) -> None:
    """The response times' own rules (tracking.rules): urgent within
    URGENT_RESPONSE_MAX_MINUTES, and no faster for a less severe alert than a more
    severe one. Each refusal names its field and the numbers."""
    minutes = {severity: data.get(name) for severity, name in RESPONSE_FIELDS.items()}
    urgent = minutes["urgent"]
    if urgent is not None and urgent > rules.URGENT_RESPONSE_MAX_MINUTES:
        form.add_error(
            "response_minutes_urgent",
            gettext(
                "Urgent alerts are about self-harm: someone must respond within "
                "%(max)s minutes (one 8-hour working day) at most, not %(value)s."
            )
            % {"max": rules.URGENT_RESPONSE_MAX_MINUTES, "value": urgent},
        )
    # A field already refused (its own mistake, or the limit above: add_error takes it
    # out of cleaned_data) says so already: the order is checked among the others only.
    given = {
        severity: int(data[name])
        for severity, name in RESPONSE_FIELDS.items()
        if data.get(name) is not None
    }
    for less, more in rules.response_times_out_of_order(given):
        form.add_error(
            RESPONSE_FIELDS[less],
            gettext(
                "The response time for %(less)s cannot be shorter than for %(more)s: this "
                "is %(value)s minutes, %(more)s have %(limit)s. Make it at least %(limit)s."
            )
            % {
                "less": SEVERITY_NAMES[less],
                "more": SEVERITY_NAMES[more],
                "value": given[less],
                "limit": given[more],
            },
        )


class EscalationStepForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Who"),
        choices=EscalationStep.Target.choices,
        error_messages={"required": _("Choose who this step goes to.")},
    )
    user = StaffField(
        queryset=User.objects.none(),
        required=False,
        label=_("Named member of staff"),
        empty_label=_("Choose a person"),
        help_text=_("Only for “a named member of staff”."),
        error_messages={"invalid_choice": _("Choose a member of staff of this practice.")},
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        cast(StaffField, self.fields["user"]).queryset = practice_staff(practice)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == EscalationStep.Target.STAFF:
            if not data.get("user") and "user" not in self.errors:
                self.add_error("user", gettext("Choose the member of staff this step goes to."))
        else:
            # Only a named step names someone: a person picked for another kind of step
            # is ignored, not an error.
            self.errors.pop("user", None)
            data["user"] = None
        target = data.get("target")
        if target and not self.errors:
            refused = duplicate_step(self.practice, target, data.get("user"))
            if refused:
                self.add_error(
                    "user" if target == EscalationStep.Target.STAFF else "target", refused
                )
        return data


class CrisisResourcesForm(VersionedForm):
    """One text per country, in Markdown, edited in place by any of the practice's
    admins (painapp.edit_version, by the saved texts of every country: a save from a
    page opened before another admin's save is refused, never saved over theirs).
    `row`: crisis_resources_now."""

    VERSION_OF = RESOURCES_VERSION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The settings form on the same page has its own version field.
        self.fields["edited_from"].widget.attrs["id"] = "id_resources_edited_from"
        for code, name in COUNTRY_CHOICES:
            self.fields[f"country_{code}"] = forms.CharField(
                label=name,
                required=False,
                max_length=4000,
                widget=LongTextarea(attrs={"rows": 6}),
                help_text=(
                    _("Empty: patients here see our reviewed default.")
                    if code in DEFAULTS
                    else _("Empty: patients see “call your local emergency number”.")
                ),
                error_messages={"max_length": _("Keep this under 4,000 characters.")},
            )

    def by_country(self) -> dict[str, str]:
        return {
            name.removeprefix("country_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("country_")
        }
