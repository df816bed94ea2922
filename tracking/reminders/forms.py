from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from painapp.edit_version import VersionedForm
from painapp.formats import clock
from painapp.widgets import ClockTimeField, clock_time_errors
from programs.forms import WEEKDAYS
from tracking.models import ReminderPreferences
from tracking.reminders.localtime import in_quiet_hours
from tracking.reminders.transports import e164, sms_available


class ReminderPreferencesForm(VersionedForm, forms.ModelForm):
    """The patient's reminder settings, edited in place (made with `row`, the
    preferences: painapp.edit_version)."""

    VERSION_OF = ReminderPreferences.VERSIONED_FIELDS

    practice_days = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to be reminded every day."),
        error_messages={"invalid_choice": _("Choose days from the list.")},
    )

    class Meta:
        model = ReminderPreferences
        fields = ReminderPreferences.PATIENT_FIELDS
        labels = {
            "paused": _("Pause all reminders for now"),
            "practice_enabled": _("Remind me to practise"),
            "practice_time": _("At this time"),
            "checkin_enabled": _(
                "Remind me when my weekly check-in opens, and again after 2 "
                "days if it is still open"
            ),
            "quiet_start": _("Quiet hours start"),
            "quiet_end": _("Quiet hours end"),
            "email_enabled": _("By email"),
            "in_app_enabled": _("In the app"),
            "sms_enabled": _("By text message"),
            "phone": _("Mobile number for text messages"),
        }
        help_texts = {
            "quiet_start": _("No reminders between these times. Leave both empty for none."),
            "phone": _("With the country code, for example +44 7911 123456."),
        }
        # Typed times on either clock, where the browser has no time picker.
        field_classes = {
            "practice_time": ClockTimeField,
            "quiet_start": ClockTimeField,
            "quiet_end": ClockTimeField,
        }
        widgets = {
            "practice_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(self.as_shown(self.instance))
        errors = clock_time_errors()
        for name in ("practice_time", "quiet_start", "quiet_end"):
            self.fields[name].error_messages["invalid"] = errors["invalid"]
        self.fields["practice_time"].error_messages["required"] = errors["required"]
        # Text messages are offered only where the server can send them: otherwise
        # the choice is left out of the form (and the page) rather than never honoured.
        self.offers_sms = sms_available()
        if not self.offers_sms:
            del self.fields["sms_enabled"], self.fields["phone"]

    @staticmethod
    def as_shown(prefs: ReminderPreferences) -> dict[str, Any]:
        """The settings as the page shows them: "By email" unticked while they are
        unsubscribed (the email's link), whatever was ticked before."""
        shown = model_to_dict(prefs, fields=ReminderPreferences.PATIENT_FIELDS)
        shown["email_enabled"] = prefs.email_enabled and prefs.unsubscribed_at is None
        return shown

    def resubscribes(self) -> bool:
        """Whether the patient ticked "By email" on a page that showed it unticked: the
        one save that undoes an unsubscribe."""
        return "email_enabled" in self.changed_data and bool(self.cleaned_data["email_enabled"])

    def clean_phone(self) -> str:
        """Stored in E.164 (+447911123456), the form SMS providers take."""
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        number = e164(phone)
        if number is None:
            raise forms.ValidationError(
                _("Enter a mobile number with its country code, like +44 7911 123456.")
            )
        return number

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_end" if start else "quiet_start",
                _("Set both quiet-hours times, or leave both empty."),
            )
        elif start is not None and start == end:
            # Read as no quiet hours at all (localtime.in_quiet_hours): say so, rather
            # than keep a setting that silently does nothing.
            self.add_error(
                "quiet_end",
                _(
                    "Quiet hours cannot start and end at the same time. Change one of "
                    "them, or leave both empty for no quiet hours."
                ),
            )
        at = data.get("practice_time")
        if (
            data.get("practice_enabled")
            and at is not None
            and end is not None
            and "quiet_end" not in self.errors
            and in_quiet_hours(at, start, end)
        ):
            # The reminder would be moved to the end of quiet hours (localtime
            # .occurrence_on): refused, so the time they see is the time it comes.
            self.add_error(
                "practice_time",
                _(
                    "This time is inside your quiet hours, so the reminder would only "
                    "come when they end, at %(end)s. Choose a time outside your quiet "
                    "hours, or change them."
                )
                % {"end": clock.clock_time(end)},
            )
        if data.get("sms_enabled") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Add a mobile number to get text messages."))
        self._check_a_way_to_reach_them(data)
        return data

    def _check_a_way_to_reach_them(self, data: dict[str, Any]) -> None:
        """A reminder switched on needs a way to arrive: one channel at least (a text
        message counts where the form offers it). Paused, nothing is sent anyway."""
        wanted = data.get("practice_enabled") or data.get("checkin_enabled")
        if not wanted or data.get("paused"):
            return
        if data.get("email_enabled") or data.get("in_app_enabled") or data.get("sms_enabled"):
            return
        self.add_error(
            "email_enabled",
            _(
                "Choose at least one way to get your reminders: by email, in the app or "
                "by text message. To get no reminders, untick them above or pause them."
            )
            if self.offers_sms
            else _(
                "Choose at least one way to get your reminders: by email or in the app. "
                "To get no reminders, untick them above or pause them."
            ),
        )
