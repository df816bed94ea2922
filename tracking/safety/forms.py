"""The patient's safety details (country, phone numbers) and personal safety plan."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from painapp.accounts.names import PersonNameField
from painapp.edit_version import VersionedForm
from painapp.widgets import LongTextarea
from programs.models import Enrollment
from programs.safety import PatientTextForm
from tracking.models import SafetyPlan
from tracking.safety.resources import COUNTRY_CHOICES, phone_example

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What a phone number may hold; phone_help says the same in words.
PHONE = re.compile(r"^\+?[0-9 ()\-.]{6,31}$")


def phone_help(country: str) -> StrOrPromise:
    """What a number may hold (PHONE), with an example from the patient's country."""
    return format_lazy(
        _(
            "You can use numbers, spaces, brackets ( ), dashes - and dots, and a + at the "
            "start. For example: {example}."
        ),
        example=phone_example(country),
    )


def _phone(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class SafetyDetailsForm(VersionedForm):
    """Country and phone numbers, and the version of them the form was filled in from
    (painapp.edit_version: by their saved values, as the enrollment row they sit on
    changes for other reasons too)."""

    VERSION_OF = Enrollment.SAFETY_DETAILS_FIELDS

    country = forms.ChoiceField(
        label=_("Which country are you in?"),
        # No country picked for you when we cannot tell where you are: choose one.
        choices=[("", _("Choose your country")), *COUNTRY_CHOICES],
        help_text=_("So “Get help now” shows the right phone numbers for you."),
        error_messages={
            "required": _("Choose your country, or “Another country”."),
            "invalid_choice": _("Choose your country, or “Another country”."),
        },
    )
    contact_phone = _phone(_("Your phone number"))
    emergency_contact_name = PersonNameField(
        label=_("Someone close we can call if we are worried about you"),
        required=False,
        help_text=_("Their name. Only your care team sees it."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"max_length": _("Please keep the name under 150 characters.")},
    )
    emergency_contact_phone = _phone(_("Their phone number"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The examples in the messages follow the country: the one just chosen, else
        # the one the form came with.
        chosen = self.data.get("country") if self.is_bound else None
        country = chosen if chosen in dict(COUNTRY_CHOICES) else self.initial.get("country")
        self.phone_help = phone_help(country or "")
        for name in ("contact_phone", "emergency_contact_phone"):
            self.fields[name].error_messages["max_length"] = format_lazy(
                "{}{}", _("That number is too long. "), self.phone_help
            )

    def _clean_phone(self, name: str) -> str:
        value = " ".join(self.cleaned_data.get(name, "").split())
        if value and not PHONE.match(value):
            raise forms.ValidationError(
                format_lazy("{}{}", _("That does not look like a phone number. "), self.phone_help)
            )
        return value

    def clean_contact_phone(self) -> str:
        return self._clean_phone("contact_phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._clean_phone("emergency_contact_phone")

    def clean(self):
        data = super().clean() or {}
        name = (data.get("emergency_contact_name") or "").strip()
        data["emergency_contact_name"] = name
        # A name refused already (too long) has its own message: not "Add their name" too.
        if (
            data.get("emergency_contact_phone")
            and not name
            and "emergency_contact_name" not in self.errors
        ):
            self.add_error(
                "emergency_contact_name", _("Add their name, so we know who to ask for.")
            )
        if (
            name
            and not data.get("emergency_contact_phone")
            and "emergency_contact_phone" not in self.errors
        ):
            self.add_error(
                "emergency_contact_phone", _("Add their phone number, or leave both empty.")
            )
        return data


def _plan_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=3000,
        help_text=help_text,
        widget=LongTextarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Please keep this part under 3,000 characters.")},
    )


class SafetyPlanForm(PatientTextForm, VersionedForm):
    """The plan's five parts, and the version of the plan they were written from
    (painapp.edit_version: a save from a second tab never wipes the first one's)."""

    warning_signs = _plan_field(
        _("My warning signs"),
        _("Thoughts, feelings or moments that tell me things are getting hard."),
    )
    coping = _plan_field(
        _("Things I can do on my own to feel a bit better"),
        _("For example: a walk, music, a shower, calling a friend, slow breathing."),
    )
    people_places = _plan_field(
        _("People and places that take my mind off things"),
        _("A friend's home, a café, a park, a group I go to."),
    )
    people_to_call = _plan_field(
        _("People I can ask for help, and their numbers"),
        _("Family or friends I trust. One person a line, with their number."),
    )
    professionals = _plan_field(
        _("Professionals I can call, and their numbers"),
        _("My doctor, my clinician, a crisis line. One a line."),
    )

    FIELDS = SafetyPlan.TEXT_FIELDS
