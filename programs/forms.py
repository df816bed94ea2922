from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.timezone import localdate
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from painapp.accounts.forms import EMAIL_TOO_LONG, SearchableTimezoneField, timezone_choices
from painapp.accounts.models import EMAIL_MAX_LENGTH, Practice, Role, User
from painapp.accounts.names import PersonNameField
from painapp.edit_version import VersionedForm
from painapp.widgets import TOO_LONG, ClockTimeField, LongTextarea, clock_time_errors
from programs import weeks
from programs.content import DEFAULT_PROGRAM
from programs.gates import date_of_birth_problem
from programs.models import AttributionCategory, ProgramVersion
from programs.safety import PatientTextForm

BLANK_CATEGORY_LABEL = _("Choose a category")


class ReflectionForm(PatientTextForm, VersionedForm):
    text = forms.CharField(
        label=_("Your answer"),
        widget=LongTextarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={
            "required": _("Write a few words before you save. Even one line is fine."),
            "max_length": _("Please keep this under 5,000 characters."),
        },
    )


SHARE_LABEL = _("Share this entry with my care team")
SHARE_HELP = _(
    "Leave this unticked to keep it just for you. You can change your mind each time you save."
)


def add_share_field(form: forms.Form, *, shared: bool) -> None:
    """The per-entry choice on a private-by-default activity: private unless ticked."""
    form.fields["share"] = forms.BooleanField(
        label=SHARE_LABEL, help_text=SHARE_HELP, required=False, initial=shared
    )


class StructuredReflectionForm(PatientTextForm, VersionedForm):
    """A reflection asked as a few prompts (Activity.data["fields"]), one box each.

    At least one box must be filled; `written_text()` writes the answers out under their
    labels, for the care team, exports and the safety scan."""

    MAX_EACH = 1500

    def __init__(self, *args: Any, prompts: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prompts = prompts
        # The prompts are the program's words, in its language (partials/field.html).
        self.content_labels = {f"answer_{p['key']}" for p in prompts}
        for p in prompts:
            self.fields[f"answer_{p['key']}"] = forms.CharField(
                label=p["label"],
                help_text=p.get("help", ""),
                required=False,
                max_length=self.MAX_EACH,
                widget=LongTextarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": _("Please keep each answer under %(n)s characters.")
                    % {"n": f"{self.MAX_EACH:,}"}
                },
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors and not any(self.answers().values()):
            first = f"answer_{self.prompts[0]['key']}"
            self.add_error(first, _("Write a few words in at least one box before you save."))
        return self.cleaned_data

    def answers(self) -> dict[str, str]:
        return {
            p["key"]: (self.cleaned_data.get(f"answer_{p['key']}") or "").strip()
            for p in self.prompts
        }

    def written_text(self) -> str:
        return self._written(self.answers())

    def typed_texts(self) -> list[str]:
        # As saved (written_text), so the same words saved later are the same alert's.
        typed = (self.data.get(self.add_prefix(f"answer_{p['key']}")) for p in self.prompts)
        answers = {
            p["key"]: t.strip() if isinstance(t, str) else ""
            for p, t in zip(self.prompts, typed, strict=True)
        }
        return [t for t in [self._written(answers)] if t]

    def _written(self, answers: dict[str, str]) -> str:
        return "\n\n".join(
            f"{p['label']}\n{answers[p['key']]}" for p in self.prompts if answers[p["key"]]
        )


class EvidenceForm(PatientTextForm, VersionedForm):
    checked = forms.MultipleChoiceField(
        label=_("Which of these are true for you?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose only from the list.")},
    )
    text = forms.CharField(
        label=_("Anything else you noticed?"),
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=LongTextarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, items: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checked = cast(forms.MultipleChoiceField, self.fields["checked"])
        checked.choices = [(i["key"], i["text"]) for i in items]
        # The clues are the program's words, in its language (partials/field.html).
        self.content_choices = {"checked"}


def patient_category_choices() -> list[tuple[str, str]]:
    """The categories as the patient picks from them: A to Z by label, "Something else"
    last, so the mind-brain categories are not grouped together (nor, as in the coding
    scheme's own order, kept for the end of the list)."""
    other = AttributionCategory.OTHER
    return sorted(
        ((c.value, str(c.label)) for c in AttributionCategory if c != other),
        key=lambda choice: choice[1].lower(),
    ) + [(other.value, str(other.label))]


class AttributionForm(PatientTextForm):
    """Three causes, each placed in a category by the patient."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in (1, 2, 3):
            self.fields[f"cause_{n}"] = forms.CharField(
                label=_("Cause %(n)s") % {"n": n},
                max_length=300,
                error_messages={
                    "required": _("Write cause %(n)s in a few words.") % {"n": n},
                    "max_length": _("Please keep each cause under 300 characters."),
                },
            )
            self.fields[f"category_{n}"] = forms.ChoiceField(
                label=_("What kind of cause is %(n)s?") % {"n": n},
                choices=[("", str(BLANK_CATEGORY_LABEL)), *patient_category_choices()],
                error_messages={
                    "required": _("Choose a category for cause %(n)s.") % {"n": n},
                    "invalid_choice": _("Choose a category for cause %(n)s from the list.")
                    % {"n": n},
                },
            )

    def causes(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"cause_{n}"], self.cleaned_data[f"category_{n}"]) for n in (1, 2, 3)
        ]

    def rows(self):
        return [(self[f"cause_{n}"], self[f"category_{n}"]) for n in (1, 2, 3)]


class ConsentForm(forms.Form):
    understand = forms.BooleanField(
        label=_("I understand this program does not diagnose me or replace my medical care."),
        error_messages={"required": _("Please tick this box to go on.")},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my answers and practice logs are stored and shared with my "
            "clinician at my practice, to support my care."
        ),
        error_messages={
            "required": _(
                "Please tick this box to go on. Your clinician needs to "
                "see your answers to support you."
            )
        },
    )


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class PreferencesForm(forms.Form):
    timezone = SearchableTimezoneField(label=_("Your time zone"))
    # Its messages are set as the form is made (clock_time_errors: the patient's clock).
    practice_time = ClockTimeField(
        label=_("A good time for your daily practice"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("We can remind you at this time. You can change it later."),
    )
    checkin_weekday = forms.TypedChoiceField(
        label=_("Your weekly check-in day"),
        choices=WEEKDAYS,
        coerce=int,
        error_messages={"invalid_choice": _("Choose a day of the week.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["practice_time"].error_messages.update(clock_time_errors())
        # The device's zone (SearchableTimezoneField.offer_device_zone): filled in when
        # none was chosen yet (UTC); a stored one (the practice's, from the invitation,
        # or one the patient picked) is never replaced, the device's only offered.
        if not self.is_bound:
            field = self.fields["timezone"]
            assert isinstance(field, SearchableTimezoneField)
            field.offer_device_zone(self.initial.get("timezone"))


class ClinicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ProgramVersionField(forms.ModelChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The program's title in the admin's language where it has one ({program_id:
        # title}), set by the form; the choice itself stays the English version.
        self.titles: dict[int, str] = {}

    def label_from_instance(self, obj: ProgramVersion) -> str:
        return self.titles.get(obj.program_id, obj.title)


def start_date_message(start: date, *, today: date, program_weeks: int | None = None) -> str:
    """What is wrong with a start date an admin set, in plain words ("" when it is
    fine): the invitation form and the bulk import both say it (programs.weeks holds the
    rule). With the program's length, a start so far back it would be over is refused."""
    problem = weeks.start_date_problem(start, today=today, program_weeks=program_weeks)
    if problem == "already_over" and program_weeks:
        earliest = weeks.earliest_unfinished_start(today=today, program_weeks=program_weeks)
        return _(
            "The start date %(date)s is too far back: this %(weeks)s-week program would "
            "already be over. Choose a start on or after %(earliest)s."
        ) % {
            "date": start.isoformat(),
            "weeks": program_weeks,
            "earliest": date_format(earliest, "DAY_MONTH_YEAR_FORMAT"),
        }
    if problem == "too_old":
        # A start years back is a typo in the year, and would open the whole program.
        return _("The start date %(date)s is more than a year ago. Check the year.") % {
            "date": start.isoformat()
        }
    if problem == "too_far_ahead":
        latest = today + timedelta(days=weeks.START_MAX_DAYS_AHEAD)
        return _(
            "The start date %(date)s is more than 6 months ahead. Choose a start on or "
            "before %(latest)s, or invite the patient nearer the time. Check the year."
        ) % {"date": start.isoformat(), "latest": date_format(latest, "DAY_MONTH_YEAR_FORMAT")}
    return ""


class PatientInviteForm(forms.Form):
    """A practice admin invites a patient onto a program with a clinician."""

    full_name = PersonNameField(
        label=_("Full name"),
        error_messages={"required": _("Enter the patient's name.")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Enter the patient's email address."),
            "invalid": _("Enter an email address like name@example.com."),
            "max_length": EMAIL_TOO_LONG,
        },
    )
    clinician = ClinicianField(
        label=_("Clinician"),
        queryset=User.objects.none(),
        empty_label=_("Choose a clinician"),
        error_messages={
            "required": _("Choose the clinician who will follow this patient."),
            "invalid_choice": _("Choose a clinician from this practice."),
        },
    )
    program_version = ProgramVersionField(
        label=_("Program"),
        queryset=ProgramVersion.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a program from the list.")},
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Week 1 opens at midnight on this day, in the patient's time zone."),
        error_messages={
            "required": _("Choose a start date."),
            "invalid": _("Enter a date like 2026-01-31."),
        },
    )
    timezone = forms.ChoiceField(label=_("Patient's time zone"))
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "If you leave it out, the patient is asked at onboarding. Either way, the "
            "practice's age range is checked."
        ),
        error_messages={"invalid": _("Enter a date like 1975-08-31.")},
    )

    # The patient's language (issue 18): their invitation email, their pages and the
    # program version they get (services.version_for_patient).
    language = forms.ChoiceField(
        label=_("Patient's language"),
        choices=settings.LANGUAGES,
        initial="en",
        required=False,  # left out: English
        help_text=_("Their invitation email, pages and program come in this language."),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def _today(self) -> date:
        """The practice's own date (as onboarding uses the patient's): near midnight
        UTC's date is a day off for a practice far from it."""
        return localdate(timezone=ZoneInfo(self.practice.timezone))

    def clean_start_date(self) -> date:
        start = self.cleaned_data["start_date"]
        # As the bulk import (the same message, the same rule).
        if message := start_date_message(start, today=self._today()):
            raise forms.ValidationError(message)
        return start

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, version = (
            self.cleaned_data.get("start_date"),
            self.cleaned_data.get("program_version"),
        )
        if start and version:  # a start so far back this program would be over
            length = version.week_count
            if message := start_date_message(start, today=self._today(), program_weeks=length):
                self.add_error("start_date", message)
        return self.cleaned_data

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        today = self._today()
        if born is not None and born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        # Outside the practice's age range: said here, not first to the patient at
        # onboarding (the same rule onboarding applies: programs.gates).
        if born is not None and (message := date_of_birth_problem(self.practice, born, today)):
            raise forms.ValidationError(message)
        return born

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practice = practice
        # The casts are true by construction: the fields are declared above.
        clinician = cast(ClinicianField, self.fields["clinician"])
        clinician.queryset = User.objects.filter(
            memberships__practice=practice,
            memberships__role=Role.CLINICIAN,
            memberships__is_active=True,
        ).order_by("full_name")
        latest: dict[int, int] = {}
        titles: dict[int, str] = {}
        default = None
        # One choice per program, in English; the patient gets it in their own language
        # (services.version_for_patient). Shown by its title in the admin's language.
        language = get_language() or settings.LANGUAGE_CODE
        versions = ProgramVersion.objects.filter(language__in={settings.LANGUAGE_CODE, language})
        for v in versions.select_related("program").order_by("program_id", "-number"):
            if v.language == language:
                titles.setdefault(v.program_id, v.title)
            if v.language == settings.LANGUAGE_CODE and v.program_id not in latest:
                latest[v.program_id] = v.pk
                if v.program.slug == DEFAULT_PROGRAM:
                    default = v.pk
        program_version = cast(ProgramVersionField, self.fields["program_version"])
        program_version.queryset = ProgramVersion.objects.filter(
            pk__in=latest.values()
        ).select_related("program")
        program_version.titles = titles
        # The 8-week program stays the default; the admin may pick another.
        if default is not None and not self.initial.get("program_version"):
            self.initial["program_version"] = default
        zone = cast(forms.ChoiceField, self.fields["timezone"])
        zone.choices = timezone_choices()
        zone.initial = practice.timezone
        zone.error_messages["invalid_choice"] = _(
            "Pick the patient's time zone from the list, for example Europe/London."
        )
        # Today at the practice, not in UTC (nor the admin's own zone): the date the
        # start date's rules measure from.
        if not self.initial.get("start_date"):
            self.initial["start_date"] = self._today()
