from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import EMAIL_MAX_LENGTH, Membership, Practice, Role, User
from painapp.accounts.names import PersonNameField
from painapp.accounts.zone_names import (
    canonical_zone,
    canonical_zones,
    label_key,
    label_sort_key,
    zone_for_label,
    zone_label,
)


def timezone_names() -> tuple[str, ...]:
    """Every zone we offer: UTC, then the canonical zones A to Z (no old names like
    Asia/Calcutta or US/Eastern: painapp.accounts.zone_names.canonical_zones)."""
    return canonical_zones()


@cache
def _choices_in(language: str) -> tuple[tuple[str, str], ...]:
    """The zones with their labels in `language`: UTC, then A to Z by the label."""
    with override(language):
        labelled = [(z, zone_label(z)) for z in timezone_names()]
    return tuple(
        sorted(labelled, key=lambda choice: (choice[0] != "UTC", label_sort_key(choice[1])))
    )


def timezone_choices() -> list[tuple[str, str]]:
    """The zones with their labels in the reader's language, in the order the reader
    reads them: UTC, then A to Z by the label, not by the zone's name ("América / Ciudad
    de México" among the C's in Spanish, "América / Nueva York" after Nome). A field
    given this function itself (not its result) works it out each time it is shown."""
    return list(_choices_in(get_language() or settings.LANGUAGE_CODE))


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

    def prepare_value(self, value: Any) -> Any:
        # A zone saved under an old name ("Asia/Calcutta") is selected as the zone it
        # is now ("Asia/Kolkata"), not silently as the list's first.
        return canonical_zone(value) if isinstance(value, str) and value else value

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return canonical_zone(text) if text else text


# The zones most of our patients live in, offered first in the searchable picker (the
# rest follow alphabetically). A suggestion list only: any zone of the full list works.
COMMON_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "America/Mexico_City",
    "America/Puerto_Rico",
    "America/Bogota",
    "America/Lima",
    "America/Argentina/Buenos_Aires",
    "America/Santiago",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Australia/Sydney",
    "UTC",
)


@cache
def _zones_by_key() -> dict[str, str]:
    """Every zone of the list, by its lower-case name with underscores."""
    return {label_key(z): z for z in timezone_names()}


def resolve_timezone(text: str) -> str | None:
    """The zone a person typed, forgiving case, accents and spaces: its name
    ("america/new york"), its label in the reader's language or in English ("América /
    Ciudad de Mexico"), or a city alone when only one zone has it ("London",
    "Londres"); None when it is not one we know."""
    key = label_key(text)
    if not key:
        return None
    zones = _zones_by_key()
    if key in zones:
        return zones[key]
    old = {label_key(name): name for name in _old_names()}.get(key)
    if old is not None:
        # An old name typed or kept: its zone now, or itself if it links to none we
        # offer (Etc/GMT+5 stays valid for someone who has it).
        return canonical_zone(old)
    cities = [z for k, z in zones.items() if k.rsplit("/", 1)[-1] == key]
    if len(cities) == 1:
        return cities[0]
    return zone_for_label(text, timezone_names())


@cache
def _old_names() -> tuple[str, ...]:
    """Zone names Python knows that we do not offer (Asia/Calcutta, US/Eastern)."""
    return tuple(sorted(zoneinfo.available_timezones() - set(timezone_names())))


@cache
def _aliases() -> dict[str, list[str]]:
    """Each offered zone's old names ("Asia/Kolkata": ["Asia/Calcutta"])."""
    found: dict[str, list[str]] = {}
    for name in _old_names():
        found.setdefault(canonical_zone(name), []).append(name)
    return found


@cache
def _datalist_in(language: str) -> tuple[tuple[str, str, str], ...]:
    """What the picker suggests in `language`: the common zones first, then the rest A
    to Z by their label (as timezone_choices); each as (zone, label, its old names)."""
    known = set(timezone_names())
    common = [z for z in COMMON_ZONES if z in known]
    labels = dict(_choices_in(language))
    rest = [z for z in labels if z not in common]
    aliases = _aliases()
    return tuple((z, labels[z], " ".join(aliases.get(z, ()))) for z in common + rest)


class TimezoneInput(forms.TextInput):
    """A text box with a list of zones to pick from as one types (an HTML datalist: no
    JavaScript needed). The markup is the widget's template, which Django's default form
    renderer finds among the apps' templates:
    painapp/accounts/templates/accounts/widgets/timezone_input.html. static/js/timezone.js
    fills in the browser's own zone when the field says so (data-tz-browser="fill"), but
    never over what the person has typed already."""

    template_name = "accounts/widgets/timezone_input.html"

    def format_value(self, value: Any) -> str | None:
        # A saved zone shows as people read it ("América / Ciudad de México"), an old
        # name as its zone now ("Asia/Calcutta" as "Asia / Kolkata"); what someone
        # typed and we could not read stays as they typed it.
        if isinstance(value, str) and canonical_zone(value) in _zones_by_key().values():
            return zone_label(value)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        attrs["list"] = f"{attrs.get('id', name)}_zones"
        context = super().get_context(name, value, attrs)
        # Each suggestion is the label, in the reader's language; its zone rides along
        # for static/js/timezone.js (the browser names its zone by the IANA name).
        # Old names ride along too: some browsers still name India's zone Asia/Calcutta.
        context["widget"]["zones"] = _datalist_in(get_language() or settings.LANGUAGE_CODE)
        # Offer (not fill in) this device's zone where it differs: static/js/timezone.js
        # shows the offer, which stays hidden without JavaScript.
        context["widget"]["suggest"] = (
            context["widget"]["attrs"].get("data-tz-browser") == "suggest"
        )
        return context


class SearchableTimezoneField(forms.CharField):
    """A time zone typed with suggestions (issue 19): the 507-entry select was hard to
    use on a phone. Validated on the server against the same list, with a plain message."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget",
            TimezoneInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
            ),
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = _(
            "Type your time zone, for example Europe/London, and pick it from the list."
        )
        self.error_messages["max_length"] = self.error_messages["required"]

    def offer_device_zone(self, stored: str | None) -> None:
        """Let static/js/timezone.js bring in this device's zone: never chosen yet
        (UTC, the default), the device's zone is the likelier one and fills the box
        ("fill"); a zone already stored is never replaced: where the device says another
        zone, the page offers it ("Your device is set to X. Use it?", "suggest") and the
        person decides. Without JavaScript the box keeps the stored zone."""
        mode = "fill" if (stored or "UTC") == "UTC" else "suggest"
        self.widget.attrs["data-tz-browser"] = mode

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        zone = resolve_timezone(text)
        if zone is None:
            raise forms.ValidationError(
                _(
                    "We do not know the time zone “%(value)s”. Type your city or region, "
                    "for example Europe/London or America/New_York, and pick it from the list."
                ),
                params={"value": text[:64]},
            )
        return zone


EMAIL_TOO_LONG = _("This email address is too long (254 characters at most).")


class InvitationForm(forms.Form):
    """Invite staff. Patients are invited onto a program instead (programs' invite)."""

    full_name = PersonNameField(label=_("Full name"))
    email = forms.EmailField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "invalid": _("Enter an email address like name@example.com."),
            "max_length": EMAIL_TOO_LONG,
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.CLINICIAN, _("Clinician")), (Role.ADMIN, _("Practice admin"))],
    )
    # The invitee's zone, not the admin's (the field's own hint speaks to the invitee).
    timezone = TimezoneField(
        initial="UTC",
        help_text=_(
            "The time zone of the person you invite: their reminders and daily summaries "
            "follow the clock where they live."
        ),
    )
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

    timezone = SearchableTimezoneField(
        label=_("Your time zone"),
        help_text=_("Reminders, new weeks and daily summaries follow the clock where you are."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The device's zone: filled in when none was chosen yet, else offered.
        if not self.is_bound:
            field = self.fields["timezone"]
            assert isinstance(field, SearchableTimezoneField)
            field.offer_device_zone(self.initial.get("timezone"))


class LanguageForm(forms.Form):
    """A person's own language (their account page): pages, emails and reminders."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("Pages, emails and reminders come in this language."),
    )


class TickCheckboxInput(forms.CheckboxInput):
    """A checkbox that hands the field what was posted as it is, so the field can tell
    a tick ("on") from an empty box (nothing posted) and from anything else."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class TickField(forms.BooleanField):
    """Ticked or not, and nothing else: a browser posts "on" for a ticked box and
    nothing for an empty one. Anything else was not sent by our page: it is refused
    with a plain message rather than read as a tick (Django's BooleanField takes any
    text but "false" and "0" for yes)."""

    widget = TickCheckboxInput  # laid out as a checkbox (partials/field.html)
    TICKED = frozenset({"on", "true", "1"})
    EMPTY = frozenset({"", "off", "false", "0"})

    def to_python(self, value: Any) -> bool:
        if value is None or value is False:
            return False
        if value is True:
            return True
        text = str(value).strip().lower()
        if text in self.TICKED:
            return True
        if text in self.EMPTY:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class MessageEmailsForm(forms.Form):
    """A person's own "email me when I get a new message" (patients and staff)."""

    message_emails = TickField(
        label=_("Email me when I get a new message"),
        required=False,
        help_text=_(
            "The email never shows the message. It only says one is waiting, with a link "
            "to read it here. New messages always show in the app."
        ),
        error_messages={"invalid": _("Tick the box to get these emails, or leave it empty.")},
    )
