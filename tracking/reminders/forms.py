from __future__ import annotations

import re
from typing import Any

from django import forms

from programs.forms import WEEKDAYS
from tracking.models import ReminderPreferences

TIME_ERRORS = {"invalid": "Enter a time like 09:00 or 19:30."}


class ReminderPreferencesForm(forms.ModelForm):
    practice_days = forms.TypedMultipleChoiceField(
        label="On these days", choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to be reminded every day.",
        error_messages={"invalid_choice": "Choose days from the list."})

    class Meta:
        model = ReminderPreferences
        fields = ["paused", "practice_enabled", "practice_time", "practice_days",
                  "checkin_enabled", "quiet_start", "quiet_end", "email_enabled",
                  "in_app_enabled", "sms_enabled", "phone"]
        labels = {
            "paused": "Pause all reminders for now",
            "practice_enabled": "Remind me to practise",
            "practice_time": "At this time",
            "checkin_enabled": "Remind me when my weekly check-in opens, and again after 2 "
                               "days if it is still open",
            "quiet_start": "Quiet hours start",
            "quiet_end": "Quiet hours end",
            "email_enabled": "By email",
            "in_app_enabled": "In the app",
            "sms_enabled": "By text message",
            "phone": "Mobile number for text messages",
        }
        help_texts = {
            "quiet_start": "No reminders between these times. Leave both empty for none.",
            "phone": "With the country code, for example +44 7700 900123.",
        }
        widgets = {
            "practice_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("practice_time", "quiet_start", "quiet_end"):
            self.fields[name].error_messages.update(TIME_ERRORS)
        self.fields["practice_time"].error_messages["required"] = "Choose a time, like 09:00."

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not re.fullmatch(r"\+?[0-9 ()-]{7,20}", phone):
            raise forms.ValidationError("Enter a phone number using digits, like "
                                        "+44 7700 900123.")
        return phone

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            self.add_error("quiet_end" if start else "quiet_start",
                           "Set both quiet-hours times, or leave both empty.")
        if data.get("sms_enabled") and not data.get("phone"):
            self.add_error("phone", "Add a mobile number to get text messages.")
        return data
