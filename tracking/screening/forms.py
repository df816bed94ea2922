from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import Practice
from programs.models import Enrollment
from tracking import rules
from tracking.models import PracticeSettings

# The red flags a patient ticks, in plain words: the table is tracking.rules.RED_FLAGS
# (with what each one means: the emergency department today, or a doctor first). The
# onset-age flags are worked out from the date of birth and the year the pain started.
# RED_FLAGS holds every flag's words, for pages that show stored keys.
RED_FLAGS = [(flag.key, flag.label) for flag in rules.RED_FLAGS]
ASKED_URGENT = [f for f in rules.RED_FLAGS if f.asked and f.action == rules.RED_FLAG_URGENT]
ASKED_SEE_DOCTOR = [f for f in rules.RED_FLAGS if f.asked and f.action != rules.RED_FLAG_URGENT]


@dataclass(frozen=True)
class RedFlagRow:
    key: str
    label: str
    urgent: bool


def red_flag_rows(keys: list[str], *, audience: str = rules.AUDIENCE_PATIENT) -> list[RedFlagRow]:
    """Stored flag keys as rows for a page: their words for `audience` (the patient's
    own, or staff's: rules.red_flag_label) and whether each is urgent."""
    return [
        RedFlagRow(
            key=k,
            label=rules.red_flag_label(k, audience=audience),
            urgent=rules.red_flags_urgent([k]),
        )
        for k in keys
    ]


def age_range(practice_id: int) -> tuple[int, int]:
    """The practice's age range (its settings, or the defaults if it has none yet).
    A read only: never creates the settings row."""
    row = PracticeSettings.objects.filter(practice_id=practice_id).values(*rules.LIMITED_SETTINGS)
    if not (values := row.first()):
        return rules.DEFAULT_AGE_MIN, rules.DEFAULT_AGE_MAX
    limits = rules.settings_within_limits(values)
    return limits["age_min"], limits["age_max"]


def invite_date_of_birth_problem(practice: Practice, born: date, today: date) -> str:
    """The admin's message when a date of birth they enter (the invitation) puts the
    patient outside the practice's age range, or "": the rule onboarding applies
    (rules.age_on, rules.age_in_range and the practice's range), told to the admin at
    once instead of to the patient at onboarding. Registered on
    programs.gates.date_of_birth_checks (tracking/apps.py)."""
    age_min, age_max = age_range(practice.pk)
    age = rules.age_on(born, today)
    if rules.age_in_range(age, age_min=age_min, age_max=age_max):
        return ""
    return ngettext(
        "With this date of birth the patient is %(age)s year old. The program at this "
        "practice is for people aged %(min)s to %(max)s. Check the date of birth.",
        "With this date of birth the patient is %(age)s years old. The program at this "
        "practice is for people aged %(min)s to %(max)s. Check the date of birth.",
        age,
    ) % {"age": age, "min": age_min, "max": age_max}


@dataclass(frozen=True)
class ScreeningFacts:
    """What the clinician needs to see about the patient's age and pain onset."""

    date_of_birth: date | None
    age: int | None
    age_min: int
    age_max: int
    onset_year: int | None

    @property
    def outside_age_range(self) -> bool:
        return self.age is not None and not rules.age_in_range(
            self.age, age_min=self.age_min, age_max=self.age_max
        )


def _enrollment_age_range(enrollment: Enrollment) -> tuple[int, int]:
    """age_range, without a query when the enrollment's look-up joined
    `practice__tracking_settings` (the patient detail's overview does)."""
    if Enrollment.practice.is_cached(enrollment) and (
        Practice.tracking_settings.related.is_cached(enrollment.practice)
    ):
        try:
            settings = enrollment.practice.tracking_settings
        except PracticeSettings.DoesNotExist:
            return rules.DEFAULT_AGE_MIN, rules.DEFAULT_AGE_MAX
        limits = settings.within_limits()
        return limits["age_min"], limits["age_max"]
    return age_range(enrollment.practice_id)


def screening_facts(enrollment: Enrollment, today: date | None = None) -> ScreeningFacts:
    age_min, age_max = _enrollment_age_range(enrollment)
    dob = enrollment.date_of_birth
    today = today or enrollment.local_date()
    return ScreeningFacts(
        date_of_birth=dob,
        age=rules.age_on(dob, today) if dob else None,
        age_min=age_min,
        age_max=age_max,
        onset_year=enrollment.back_pain_onset_year,
    )


EARLIEST_BIRTH_YEAR = 1900


class ScreeningForm(forms.Form):
    """The onboarding safety check: date of birth (when the practice did not give it),
    the year the back pain started, and the red flags, urgent ones first."""

    date_of_birth = forms.DateField(
        label=_("Your date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Please enter your date of birth."),
            "invalid": _("Please enter your date of birth like 1975-08-31 (year, month, day)."),
        },
    )
    onset_year = forms.IntegerField(
        label=_("In what year did this back pain first start?"),
        help_text=_("Your best guess is fine. For example: 2015."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Please tell us the year your back pain first started. A guess is fine."),
            "invalid": _("Please enter a year, like 2015."),
        },
    )
    urgent_flags = forms.MultipleChoiceField(
        label=_("Do any of these apply to you right now?"),
        choices=[(f.key, f.label) for f in ASKED_URGENT],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose only from the list.")},
    )
    red_flags = forms.MultipleChoiceField(
        label=_("Do any of these apply to you?"),
        choices=[(f.key, f.label) for f in ASKED_SEE_DOCTOR],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose only from the list.")},
    )
    none_apply = forms.BooleanField(label=_("None of these apply to me"), required=False)
    # A date of birth outside the practice's age range is asked about once before it
    # holds the patient (a slip of the year must not lock them out): the date asked
    # about, and their "yes, that is right" for that same date.
    date_of_birth_asked = forms.DateField(required=False, widget=forms.HiddenInput)
    date_of_birth_confirmed = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        known_date_of_birth: date | None,
        today: date,
        age_range: tuple[int, int] = (rules.DEFAULT_AGE_MIN, rules.DEFAULT_AGE_MAX),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.known_date_of_birth = known_date_of_birth
        self.today = today
        self.age_range = age_range
        # The date the patient is asked to confirm, once they typed one outside the range.
        self.date_of_birth_check: date | None = None
        if known_date_of_birth is not None:
            for name in ("date_of_birth", "date_of_birth_asked", "date_of_birth_confirmed"):
                del self.fields[name]

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > self.today:
            raise forms.ValidationError(_("That date is in the future. Please check it."))
        if born.year < EARLIEST_BIRTH_YEAR:
            raise forms.ValidationError(_("Please check the year of your date of birth."))
        return born

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        born = self.known_date_of_birth or data.get("date_of_birth")
        onset = data.get("onset_year")
        if onset is not None:
            if onset > self.today.year:
                self.add_error("onset_year", _("That year has not happened yet. Please check it."))
            elif born is not None and onset < born.year:
                self.add_error(
                    "onset_year", _("That year is before you were born. Please check it.")
                )
        flags = [*(data.get("urgent_flags") or []), *(data.get("red_flags") or [])]
        none_apply = data.get("none_apply")
        # The box's own label, quoted as the patient reads it beside the box.
        none_label = {"none": self.fields["none_apply"].label}
        if not flags and not none_apply:
            raise forms.ValidationError(
                _("Please tick any that apply, or tick “%(none)s”.") % none_label
            )
        if flags and none_apply:
            raise forms.ValidationError(
                _("You ticked some items and also “%(none)s”. Please check your answers.")
                % none_label
            )
        data["all_flags"] = flags
        data["born"] = born
        self._check_age(data.get("date_of_birth"))
        return data

    def _check_age(self, typed: date | None) -> None:
        """A typed date of birth outside the practice's age range: asked about once
        (the form again, all they typed kept, and a box to say it is right); it stands
        only when they confirm that same date."""
        if typed is None:
            return
        age = rules.age_on(typed, self.today)
        age_min, age_max = self.age_range
        if rules.age_in_range(age, age_min=age_min, age_max=age_max):
            return
        data = self.cleaned_data
        if data.get("date_of_birth_confirmed") and data.get("date_of_birth_asked") == typed:
            return
        self.date_of_birth_check = typed
        # Shown again: the date now asked about, the box not ticked.
        shown_again = QueryDict(mutable=True)
        for key in self.data:
            if key != "date_of_birth_confirmed":
                values = self.data[key]
                if isinstance(self.data, QueryDict):
                    values = self.data.getlist(key)
                shown_again.setlist(key, values if isinstance(values, list) else [values])
        shown_again["date_of_birth_asked"] = typed.isoformat()
        self.data = shown_again
        shown = date_format(typed, gettext("j F Y"))
        label = gettext("Yes, %(date)s is my date of birth") % {"date": shown}
        self.fields["date_of_birth_confirmed"].label = label
        self["date_of_birth_confirmed"].label = label  # its bound field may be made already
        self.add_error(
            "date_of_birth",
            ngettext(
                "%(date)s would make you %(age)s year old. Is that right? If not, please "
                "correct it. If it is right, tick the box below and press Continue.",
                "%(date)s would make you %(age)s years old. Is that right? If not, please "
                "correct it. If it is right, tick the box below and press Continue.",
                age,
            )
            % {"date": shown, "age": age},
        )
