"""Forms for the clinician's screens: the caseload's filters (GET) and the actions on
a patient's detail page (POST). Each form names its fields; anything else a request
carries is ignored."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from painapp.accounts.names import PersonNameField
from painapp.submit_once import SubmitOnceForm
from painapp.widgets import LongTextarea
from programs import enrollment_status
from programs.models import AssessorRole, AttributionCategory, AttributionCause
from tracking import rules
from tracking.clinic.caseload import SORTS, CaseloadQuery
from tracking.clinic.sections import CODING_LABELS, coding_label
from tracking.models import HoldDecision
from tracking.saved_filters.models import SAVED_FILTER_NAME_MAX

# The statuses as the rows' badges say them: "Invited" is a patient who has not accepted
# yet, "Onboarding" one who has, "On hold" one waiting for a safety review
# (programs.enrollment_status, shared with the practice admin's list).
STATUS_CHOICES = enrollment_status.STATUS_CHOICES
DIRECTIONS = [("asc", _("Ascending")), ("desc", _("Descending"))]


class CaseloadFilterForm(forms.Form):
    """The caseload's search, filters, sort and page: posted by the filter form, or read
    from the query string with the search put back from the session (never from a
    URL: tracking/clinic/views/caseload.py).

    A value that makes no sense (a hand-edited URL or form) is left out of the list's state
    rather than stopping the page: this form only ever narrows a list. The search box
    and the status list say so next to the value they show; a bad sort, direction or
    page falls back to the default without a word.
    """

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Searches are up to 100 characters, so this one was not applied.")
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("That status is not one of the list, so it was not applied.")
        },
    )
    has_alerts = forms.BooleanField(label=_("have open alerts"), required=False)
    not_improving = forms.BooleanField(label=_("are not improving"), required=False)
    missed = forms.BooleanField(
        label=format_lazy(
            _("missed a check-in in the last {days} days"), days=rules.MISSED_LOOKBACK.days
        ),
        required=False,
    )
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    dir = forms.ChoiceField(choices=DIRECTIONS, required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def query(self) -> CaseloadQuery:
        """The caseload's state from the fields; a field with an error counts as absent
        (its default)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        default = CaseloadQuery()
        sort = data.get("sort") or default.sort
        return CaseloadQuery(
            q=" ".join((data.get("q") or "").split()),
            status=data.get("status") or "",
            has_alerts=bool(data.get("has_alerts")),
            not_improving=bool(data.get("not_improving")),
            missed=bool(data.get("missed")),
            sort=sort,
            direction=data.get("dir") or ("asc" if sort == "name" else default.direction),
            page=data.get("page") or 1,
        )


class ClinicianNoteForm(SubmitOnceForm):
    body = forms.CharField(
        label=_("New note"),
        max_length=5000,
        widget=LongTextarea(attrs={"rows": 4}),
        help_text=_("Private to staff who look after this patient. The patient never sees it."),
        error_messages={
            "required": _("Write the note before saving it."),
            "max_length": _("Keep a note under 5,000 characters (this one has %(show_value)d)."),
        },
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the note before saving it."))
        return body


class UnlockWeekForm(forms.Form):
    week = forms.TypedChoiceField(
        label=_("Open weeks up to"),
        coerce=int,
        error_messages={
            "required": _("Choose a week to open."),
            "invalid_choice": _("Choose one of the weeks in the list."),
        },
    )

    def __init__(self, *args, weeks: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["week"]).choices = [
            (w, gettext("Week %(n)s") % {"n": w}) for w in weeks
        ]


class RemindersForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("pause", _("Pause")), ("resume", _("Resume"))],
        error_messages={
            "required": _("Choose pause or resume."),
            "invalid_choice": _("Choose pause or resume."),
        },
    )


class ClearHoldForm(forms.Form):
    """What to do about a red-flag safety hold, with the reason (required). Refer needs
    who to and whether the program stays on hold or the patient is withdrawn."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=HoldDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what to do: clear, refer or withdraw."),
            "invalid_choice": _("Choose clear, refer or withdraw."),
        },
    )
    refer_to = forms.ChoiceField(
        label=_("Refer to"),
        choices=[("", _("Choose who you are referring to")), *HoldDecision.ReferTo.choices],
        required=False,
        help_text=_("Needed if you refer the patient."),
        error_messages={"invalid_choice": _("Choose who you are referring to from the list.")},
    )
    after_referral = forms.ChoiceField(
        label=_("While the referral is under way"),
        choices=HoldDecision.AfterReferral.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Needed if you refer the patient."),
        error_messages={"invalid_choice": _("Choose to keep the hold or to withdraw.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=LongTextarea(attrs={"rows": 4}),
        help_text=_(
            "What you checked and why you decided this, for the record. Kept with the "
            "patient's record for staff; never sent to the patient or written to logs."
        ),
        error_messages={
            "required": _("Write the reason for your decision."),
            "max_length": _(
                "Keep the reason under 2,000 characters (this one has %(show_value)d)."
            ),
        },
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Write the reason for your decision."))
        return reason

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == HoldDecision.Decision.REFER:
            if not data.get("refer_to"):
                self.add_error("refer_to", _("Choose who you are referring the patient to."))
            if not data.get("after_referral"):
                self.add_error(
                    "after_referral", _("Choose whether to keep the program on hold or withdraw.")
                )
        return data


class MedicalAssessmentForm(forms.Form):
    """A clinician's record of the patient's medical assessment (the attestation)."""

    assessor_name = PersonNameField(
        label=_("Who did the medical assessment"),
        help_text=_("Their name, e.g. Dr Ana Silva."),
        error_messages={"required": _("Enter the name of who did the assessment.")},
    )
    assessor_role = forms.ChoiceField(
        label=_("Their role"),
        choices=[("", _("Choose a role")), *AssessorRole.choices],
        error_messages={
            "required": _("Choose their role."),
            "invalid_choice": _("Choose their role from the list."),
        },
    )
    assessed_on = forms.DateField(
        label=_("Date of the assessment"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the assessment."),
            "invalid": _("Enter a date like 2026-01-31."),
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm the assessment found primary chronic back pain, with red flags excluded"
        ),
        error_messages={
            "required": _("Tick the box to confirm the finding, or do not record an assessment.")
        },
    )

    def clean_assessor_name(self) -> str:
        name = self.cleaned_data["assessor_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name of who did the assessment."))
        return name


NO_CODE = ""


class CauseCodingForm(forms.Form):
    """One select per cause: the clinician's category, or "not coded yet".

    Field names carry the cause's id; only the causes passed in get a field, so a
    posted id of another attribution (or another patient) is simply not read.
    """

    def __init__(
        self, *args: Any, causes: list[AttributionCause], prefix_id: int, **kwargs: Any
    ) -> None:
        kwargs["prefix"] = f"a{prefix_id}"
        super().__init__(*args, **kwargs)
        self.causes = causes
        for cause in causes:
            self.fields[f"cause_{cause.pk}"] = forms.ChoiceField(
                label=gettext("Cause %(n)s: “%(text)s”")
                % {"n": cause.position, "text": cause.text},
                help_text=gettext("Patient's category: %(code)s (“%(label)s”)")
                % {"code": coding_label(cause.category), "label": cause.get_category_display()},
                choices=[
                    (NO_CODE, _("Not coded yet")),
                    *[(value, CODING_LABELS[value]) for value in AttributionCategory.values],
                ],
                required=False,
                initial=cause.clinician_category or NO_CODE,
                error_messages={"invalid_choice": _("Choose a category from the list.")},
            )

    def codes(self) -> dict[int, str]:
        return {
            cause.pk: self.cleaned_data.get(f"cause_{cause.pk}") or NO_CODE for cause in self.causes
        }

    def rows(self):
        return [(cause, self[f"cause_{cause.pk}"]) for cause in self.causes]


class QueueCodingForm(forms.Form):
    """The coding queue's form: one select per cause shown, named by the cause's id,
    labelled by its pseudonymous reference and text only (tracking.clinic.coding)."""

    def __init__(self, *args: Any, items: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"cause_{item.cause_id}"] = forms.ChoiceField(
                label=f"{item.reference}: “{item.text}”",
                choices=[
                    (NO_CODE, _("Not coded yet")),
                    *[(value, CODING_LABELS[value]) for value in AttributionCategory.values],
                ],
                required=False,
                error_messages={"invalid_choice": _("Choose a category from the list.")},
            )

    def rows(self):
        return [(item, self[f"cause_{item.cause_id}"]) for item in self.items]


class SavedFilterForm(forms.Form):
    """The name a clinician gives the caseload's current filters."""

    name = forms.CharField(
        label=_("Name for these filters"),
        max_length=SAVED_FILTER_NAME_MAX,
        help_text=_(
            "Saves the status, the ticked boxes and the sort. The name search is not saved."
        ),
        error_messages={
            "required": _("Give these filters a name, such as “Urgent first”."),
            "max_length": format_lazy(
                _("Keep the name to {n} characters or fewer."), n=SAVED_FILTER_NAME_MAX
            ),
        },
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give these filters a name, such as “Urgent first”."))
        if any(not ch.isprintable() for ch in name):
            raise forms.ValidationError(_("Use letters, numbers and spaces in the name."))
        return name
