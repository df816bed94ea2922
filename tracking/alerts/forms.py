"""The resolve form: an alert closes only with a documented contact outcome."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tracking.alerts.services import ResolutionOutcome
from tracking.models import AlertResolution

CONTACTED_CHOICES = [("yes", "Yes, we spoke or met"), ("no", "No, we could not reach them")]


class ResolveForm(forms.Form):
    contacted = forms.ChoiceField(
        label="Did someone make contact with the patient?",
        choices=CONTACTED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether someone made contact with the patient."},
    )
    contacted_at = forms.DateTimeField(
        label="When (your local time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter the date and time of the contact."},
    )
    method = forms.ChoiceField(
        label="How",
        required=False,
        choices=AlertResolution.Method.choices,
        widget=forms.RadioSelect,
    )
    risk_after = forms.ChoiceField(
        label="Risk level after contact",
        choices=AlertResolution.Risk.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the risk level you judged after contact."},
    )
    plan = forms.MultipleChoiceField(
        label="Plan (choose all that apply)",
        choices=AlertResolution.Plan.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one part of the plan."},
    )
    note = forms.CharField(
        label="Short note",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was agreed, in a sentence or two. Up to 1,000 characters.",
        error_messages={"required": "Write a short note of what happened and what was agreed."},
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("contacted") == "yes":
            when = data.get("contacted_at")
            if not when and "contacted_at" not in self.errors:
                self.add_error("contacted_at", "Enter when the contact happened.")
            elif when and when > timezone.now():
                self.add_error("contacted_at", "The contact time cannot be in the future.")
            if not data.get("method"):
                self.add_error("method", "Choose how the contact happened.")
        return data

    def outcome(self) -> ResolutionOutcome:
        data = self.cleaned_data
        contacted = data["contacted"] == "yes"
        return ResolutionOutcome(
            contacted=contacted,
            contacted_at=data.get("contacted_at") if contacted else None,
            method=data.get("method") or "" if contacted else "",
            risk_after=data["risk_after"],
            plan=list(data["plan"]),
            note=data["note"].strip(),
        )
