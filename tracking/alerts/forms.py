"""The resolve form: an alert closes only with a documented contact outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from painapp.submit_once import SubmitOnceForm
from painapp.widgets import TOO_LONG, LongTextarea
from tracking import rules
from tracking.alerts.services import ContactAttempt, ResolutionOutcome
from tracking.alerts.wording import alert_time
from tracking.models import AlertResolution

CONTACTED_CHOICES = [("yes", _("Yes, we spoke or met")), ("no", _("No, we could not reach them"))]


class ResolveForm(SubmitOnceForm):
    contacted = forms.ChoiceField(
        label=_("Did someone make contact with the patient?"),
        choices=CONTACTED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether someone made contact with the patient.")},
    )
    contacted_at = forms.DateTimeField(
        label=_("When (your local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("Enter the date and time of the contact.")},
    )
    method = forms.ChoiceField(
        label=_("How"),
        required=False,
        choices=AlertResolution.Method.choices,
        widget=forms.RadioSelect,
    )
    # Asked only when contact was made, and the plan only when the alert is resolved
    # (clean() below says which).
    risk_after = forms.ChoiceField(
        label=_("Risk level after contact"),
        required=False,
        choices=AlertResolution.Risk.choices,
        widget=forms.RadioSelect,
    )
    plan = forms.MultipleChoiceField(
        label=_("Plan (choose all that apply)"),
        required=False,
        choices=AlertResolution.form_plan_choices(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Short note"),
        max_length=1000,
        widget=LongTextarea(attrs={"rows": 4}),
        help_text=_("What was agreed, in a sentence or two. Up to 1,000 characters."),
        error_messages={
            "required": _("Write a short note of what happened and what was agreed."),
            "max_length": TOO_LONG,
        },
    )

    def __init__(
        self, *args: Any, raised_at: datetime, prompt_contact: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.raised_at = raised_at
        # Most often the contact was just now: start at now, to the minute, shown in the
        # clinician's own time zone (the zone active for the request).
        self.fields["contacted_at"].initial = timezone.now().replace(second=0, microsecond=0)
        # The alert needs prompt contact (tracking.rules.needs_prompt_contact): "we could
        # not reach them" is then a contact attempt, with its time and how.
        self.prompt_contact = prompt_contact

    def _check_time(self, when: datetime | None, *, missing: str) -> None:
        problem = (
            rules.contact_time_problem(when, raised_at=self.raised_at, now=timezone.now())
            if when
            else ""
        )
        if not when and "contacted_at" not in self.errors:
            self.add_error("contacted_at", missing)
        elif problem == "future":
            self.add_error("contacted_at", _("The contact time cannot be in the future."))
        elif problem == "before_raised":
            self.add_error(
                "contacted_at",
                _(
                    "This alert was raised on %(raised)s. The contact time is before "
                    "that. Enter when you made contact about this alert."
                )
                % {"raised": alert_time(self.raised_at)},
            )

    def clean(self):
        data = super().clean() or {}
        contacted = data.get("contacted")
        if contacted == "yes":
            self._check_time(
                data.get("contacted_at"), missing=gettext("Enter when the contact happened.")
            )
            if not data.get("method"):
                self.add_error("method", _("Choose how the contact happened."))
            if not data.get("risk_after"):
                self.add_error("risk_after", _("Choose the risk level you judged after contact."))
        elif contacted == "no" and self.prompt_contact:
            self._check_time(
                data.get("contacted_at"), missing=gettext("Enter when you tried to reach them.")
            )
            if not data.get("method"):
                self.add_error("method", _("Choose how you tried to reach them."))
        if not data.get("plan") and (contacted == "yes" or not self.prompt_contact):
            self.add_error("plan", _("Choose at least one part of the plan."))
        return data

    def not_reached(self) -> bool:
        """The patient was not reached (the form is valid)."""
        return self.cleaned_data["contacted"] == "no"

    def attempt(self) -> ContactAttempt | None:
        """The try that did not get through, for an alert that needs prompt contact."""
        data = self.cleaned_data
        if not (self.prompt_contact and self.not_reached()):
            return None
        return ContactAttempt(
            attempted_at=data["contacted_at"],
            method=data["method"],
            note=data["note"].strip(),
            client_token=data["client_token"],
        )

    def outcome(self) -> ResolutionOutcome:
        data = self.cleaned_data
        contacted = data["contacted"] == "yes"
        return ResolutionOutcome(
            contacted=contacted,
            contacted_at=data.get("contacted_at") if contacted else None,
            method=data.get("method") or "" if contacted else "",
            risk_after=data.get("risk_after") or "" if contacted else "",
            plan=list(data["plan"]),
            note=data["note"].strip(),
            attempt=self.attempt(),
        )
