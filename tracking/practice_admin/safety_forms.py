"""Forms of the practice safety settings screen (views/safety.py)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from painapp.accounts.forms import timezone_choices
from painapp.accounts.models import Practice, Role, User
from programs.forms import WEEKDAYS
from tracking.models import EscalationStep
from tracking.safety.resources import COUNTRY_CHOICES, DEFAULTS

MAX_CRISIS_WORDS = 500
MAX_WORD_LENGTH = 100


def _number(label: str, lo: int, hi: int, help_text: str = "") -> forms.IntegerField:
    plain = f"Enter a whole number from {lo} to {hi}."
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
    named step of the chain."""
    return (
        User.objects.filter(
            memberships__practice=practice,
            memberships__is_active=True,
            memberships__role__in=[Role.CLINICIAN, Role.ADMIN],
        )
        .distinct()
        .order_by("full_name", "email")
    )


class StaffField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SafetySettingsForm(forms.Form):
    safety_contact = StaffField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        label="Safety contact",
        help_text="The named person who answers for safety here. They are told when "
        "nobody is left on the escalation chain.",
        error_messages={"invalid_choice": "Choose a member of staff of this practice."},
    )
    response_minutes_urgent = _number(
        "Urgent alerts (self-harm): respond within, in minutes", 5, 7 * 24 * 60
    )
    response_minutes_high = _number(
        "High alerts (red flags): respond within, in minutes", 5, 14 * 24 * 60
    )
    response_minutes_routine = _number(
        "Routine alerts: respond within, in minutes",
        5,
        30 * 24 * 60,
        help_text="1 day is 1440 minutes; 3 days are 4320.",
    )
    working_hours_start = forms.TimeField(
        label="Staffed from",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter a time like 09:00.",
            "invalid": "Enter a time like 09:00.",
        },
    )
    working_hours_end = forms.TimeField(
        label="Staffed until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter a time like 17:00.",
            "invalid": "Enter a time like 17:00.",
        },
    )
    working_days = forms.TypedMultipleChoiceField(
        label="Staffed days",
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose days of the week."},
    )
    timezone = forms.ChoiceField(
        label="The practice's time zone",
        error_messages={"invalid_choice": "Pick a time zone from the list, e.g. Europe/London."},
    )
    default_country = forms.ChoiceField(
        label="Default country for new patients",
        choices=COUNTRY_CHOICES,
        help_text="Patients confirm their own country when they start; this is the "
        "starting choice.",
        error_messages={"invalid_choice": "Choose a country from the list."},
    )
    age_min = _number("Youngest age accepted", 0, 120)
    age_max = _number("Oldest age accepted", 0, 120)
    crisis_words = forms.CharField(
        label="Crisis words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One word or phrase a line. Any of them in what a patient writes starts "
        "the same safety steps as a self-harm answer.",
    )
    pain_rise_points = _number("Alert when average pain is this many points above baseline", 1, 10)
    pain_rise_checkins = _number("… on this many check-ins in a row", 1, 12)
    fear_high_threshold = _number("Alert when fear of movement (0–10) is at or above", 0, 10)
    missed_in_a_row = _number("Alert after this many missed check-ins in a row", 1, 12)
    escalation_minutes = _number(
        "Escalate an urgent alert to admins after, in minutes", 5, 7 * 24 * 60
    )
    checkin_window_days = _number("A check-in stays open for, in days", 1, 14)
    responder_baseline_floor = _number(
        "Outcomes report: count responders only from a baseline pain of at least",
        0,
        10,
        help_text="The trial enrolled people with average pain of 4 or more.",
    )
    min_practice_seconds = _number("A practice session counts from this many seconds", 0, 3600)

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffField, self.fields["safety_contact"]).queryset = practice_staff(practice)
        cast(forms.ChoiceField, self.fields["timezone"]).choices = timezone_choices()

    def clean_crisis_words(self) -> list[str]:
        words: list[str] = []
        for line in self.cleaned_data["crisis_words"].splitlines():
            word = " ".join(line.split())
            if not word or word.casefold() in (w.casefold() for w in words):
                continue
            if len(word) > MAX_WORD_LENGTH:
                raise forms.ValidationError(
                    f"Keep each line under {MAX_WORD_LENGTH} characters: “{word[:30]}…” is longer."
                )
            words.append(word)
        if len(words) > MAX_CRISIS_WORDS:
            raise forms.ValidationError(f"Keep the list to {MAX_CRISIS_WORDS} lines or fewer.")
        return words

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("working_hours_start"), data.get("working_hours_end")
        if start and end and end <= start:
            self.add_error("working_hours_end", "The end of the day must be after its start.")
        lo, hi = data.get("age_min"), data.get("age_max")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("age_max", "The oldest age must be at least the youngest.")
        return data


class EscalationStepForm(forms.Form):
    target = forms.ChoiceField(
        label="Who",
        choices=EscalationStep.Target.choices,
        error_messages={"required": "Choose who this step goes to."},
    )
    user = StaffField(
        queryset=User.objects.none(),
        required=False,
        label="Named member of staff",
        empty_label="Choose a person",
        help_text="Only for “a named member of staff”.",
        error_messages={"invalid_choice": "Choose a member of staff of this practice."},
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffField, self.fields["user"]).queryset = practice_staff(practice)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == EscalationStep.Target.STAFF:
            if not data.get("user") and "user" not in self.errors:
                self.add_error("user", "Choose the member of staff this step goes to.")
        else:
            # Only a named step names someone: a person picked for another kind of step
            # is ignored, not an error.
            self.errors.pop("user", None)
            data["user"] = None
        return data


class CrisisResourcesForm(forms.Form):
    """One text per country, in Markdown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in COUNTRY_CHOICES:
            self.fields[f"country_{code}"] = forms.CharField(
                label=name,
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=(
                    "Empty: patients here see our reviewed default."
                    if code in DEFAULTS
                    else "Empty: patients see “call your local emergency number”."
                ),
                error_messages={"max_length": "Keep this under 4,000 characters."},
            )

    def by_country(self) -> dict[str, str]:
        return {name.removeprefix("country_"): value for name, value in self.cleaned_data.items()}
