from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import Membership, Practice, Role, User


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    )
    return [("UTC", "UTC")] + [(z, z.replace("_", " ")) for z in zones]


class TimezoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "help_text", _("Reminders and new weeks follow the clock where you live.")
        )
        super().__init__(choices=timezone_choices, **kwargs)
        self.error_messages["invalid_choice"] = _(
            "Pick your time zone from the list, for example Europe/London."
        )


class InvitationForm(forms.Form):
    """Invite staff. Patients are invited onto a program instead (programs' invite)."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.CLINICIAN, _("Clinician")), (Role.ADMIN, _("Practice admin"))],
    )
    timezone = TimezoneField(initial="UTC")
    # Their emails and pages (User.language); the practice's usual language is English.
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial="en",
        required=False,  # left out: English
        help_text=_("Their invitation email and their pages come in this language."),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.fields["timezone"].initial = practice.timezone


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text=_("At least 10 characters. A short sentence is easy to remember."),
    )
    password2 = forms.CharField(
        label=_("Type it again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    timezone = TimezoneField()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", _("The two passwords are not the same. Please type them again.")
            )
        elif p1:
            try:
                validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ChoosePracticeForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label=_("Practice"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # The declared field above; `fields` is typed as holding any Field.
        field = cast("forms.ModelChoiceField[Membership]", self.fields["membership"])
        field.queryset = Membership.objects.filter(user=user, is_active=True).select_related(
            "practice"
        )


class TimeZoneForm(forms.Form):
    """A person's own time zone (their account page)."""

    timezone = TimezoneField(
        label=_("Your time zone"),
        help_text=_("Reminders, new weeks and daily summaries follow the clock where you are."),
    )


class LanguageForm(forms.Form):
    """A person's own language (their account page): pages, emails and reminders."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("Pages, emails and reminders come in this language."),
    )
