"""The session-note form: the clinician's record of one PRT session. Its errors are
the clinician's messages, in plain words, and what they typed is kept."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from painapp.submit_once import SubmitOnceForm
from painapp.widgets import TOO_LONG, LongTextarea
from tracking import rules
from tracking.session_notes.models import (
    Component,
    ExposureOutcome,
    RiskAction,
    SessionMode,
    SomaticResponse,
)
from tracking.session_notes.services import SessionRecord

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class SessionNoteForm(SubmitOnceForm):
    session_date = forms.DateField(
        label=_("Date of the session"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the session."),
            "invalid": _("Enter the date as year-month-day, for example 2026-03-14."),
        },
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=rules.SESSION_MINUTES_MIN,
        max_value=rules.SESSION_MINUTES_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how many minutes the session lasted."),
            "invalid": _("Enter the length as a whole number of minutes."),
            "min_value": _("Enter at least %(limit_value)s minutes."),
            "max_value": _("Enter at most %(limit_value)s minutes."),
        },
    )
    mode = forms.ChoiceField(
        label=_("How you met"),
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you met.")},
    )
    components = forms.MultipleChoiceField(
        label=_("What the session covered"),
        choices=Component.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one part of PRT the session covered.")},
    )
    somatic_response = forms.ChoiceField(
        label=_("Somatic tracking: how the patient responded"),
        choices=[("", _("Not recorded")), *SomaticResponse.choices],
        required=False,
    )
    exposure_set = forms.CharField(
        label=_("Exposure set"),
        max_length=300,
        required=False,
        help_text=_(
            "The activity agreed for graded exposure, e.g. bending to load the dishwasher."
        ),
    )
    exposure_outcome = forms.ChoiceField(
        label=_("Exposure outcome"),
        choices=[("", _("Not recorded")), *ExposureOutcome.choices],
        required=False,
    )
    risk_identified = forms.ChoiceField(
        label=_("Was any risk of harm identified?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer the risk review: was any risk identified?")},
    )
    risk_actions = forms.MultipleChoiceField(
        label=_("If yes: what was done"),
        choices=RiskAction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risk_note = forms.CharField(
        label=_("Risk review notes"),
        max_length=2000,
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=LongTextarea(attrs={"rows": 2}),
    )
    homework = forms.CharField(
        label=_("Homework agreed"),
        max_length=2000,
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=LongTextarea(attrs={"rows": 2}),
        help_text=_("What the patient will practise before the next session."),
    )
    notes = forms.CharField(
        label=_("Session notes"),
        max_length=5000,
        required=False,
        error_messages={"max_length": TOO_LONG},
        widget=LongTextarea(attrs={"rows": 4}),
        help_text=_("For staff who look after this patient. Not in the patient's own download."),
    )

    def __init__(self, *args, today: date, started_on: date, enrolled_on: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.dates = {"started_on": started_on, "enrolled_on": enrolled_on}
        self.fields["session_date"].initial = today

    def clean_session_date(self) -> date:
        value = self.cleaned_data["session_date"]
        problem = rules.session_date_problem(value, today=self.today, **self.dates)
        if problem == "future":
            raise forms.ValidationError(_("The session date cannot be in the future."))
        if problem == "before_enrollment":
            # An intake visit shortly before enrollment is real; years before is a typo.
            anchor = rules.session_anchor_date(**self.dates)
            if anchor == self.dates["started_on"]:
                message = _(
                    "That date is too long before this patient's program started, on "
                    "%(enrolled)s. A session up to %(days)s days before, such as a first "
                    "visit, is fine: the earliest date is %(earliest)s. Please check the year."
                )
            else:  # the program starts later than the enrollment was made
                message = _(
                    "That date is too long before this patient was enrolled, on "
                    "%(enrolled)s. A session up to %(days)s days before, such as a first "
                    "visit, is fine: the earliest date is %(earliest)s. Please check the year."
                )
            raise forms.ValidationError(
                message,
                params={
                    "enrolled": date_format(anchor, "DAY_MONTH_YEAR_FORMAT"),
                    "days": rules.SESSION_BEFORE_ENROLLMENT_DAYS,
                    "earliest": date_format(
                        rules.session_earliest_date(**self.dates), "DAY_MONTH_YEAR_FORMAT"
                    ),
                },
            )
        return value

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        identified = data.get("risk_identified")
        if identified in ("yes", "no"):
            problem = rules.session_risk_review_problem(
                identified == "yes", data.get("risk_actions") or []
            )
            if problem == "no_action":
                self.add_error("risk_actions", _("A risk was identified: tick what was done."))
            elif problem == "actions_without_risk":
                self.add_error(
                    "risk_actions",
                    _("You ticked actions but answered no risk. Answer yes, or untick them."),
                )
        components = data.get("components") or []
        if data.get("somatic_response") and Component.SOMATIC_TRACKING not in components:
            self.add_error(
                "somatic_response",
                _("Tick somatic tracking above, or leave the response as not recorded."),
            )
        if (data.get("exposure_set") or data.get("exposure_outcome")) and (
            Component.EXPOSURE not in components
        ):
            self.add_error(
                "exposure_set",
                _("Tick graded exposure above, or leave the exposure empty."),
            )
        return data

    def record(self) -> SessionRecord:
        d = self.cleaned_data
        return SessionRecord(
            session_date=d["session_date"],
            minutes=d["minutes"],
            mode=d["mode"],
            components=d["components"],
            risk_identified=d["risk_identified"] == "yes",
            risk_actions=d.get("risk_actions") or [],
            risk_note=d.get("risk_note", ""),
            somatic_response=d.get("somatic_response", ""),
            exposure_set=d.get("exposure_set", ""),
            exposure_outcome=d.get("exposure_outcome", ""),
            homework=d.get("homework", ""),
            notes=d.get("notes", ""),
        )
