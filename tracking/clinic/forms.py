"""Forms for the clinician's screens: the caseload's filters (GET) and the actions on
a patient's detail page (POST). Each form names its fields; anything else a request
carries is ignored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from programs.models import AttributionCategory, AttributionCause, EnrollmentStatus
from tracking.clinic.caseload import SORTS, CaseloadQuery
from tracking.clinic.sections import CODING_LABELS, coding_label

STATUS_CHOICES = [("", "Any status"), *EnrollmentStatus.choices,
                  ("hold", "On safety hold")]
DIRECTIONS = [("asc", "Ascending"), ("desc", "Descending")]


class CaseloadFilterForm(forms.Form):
    """The caseload's search, filters, sort and page, read from the query string.

    A value that makes no sense (a hand-edited URL) falls back to the default rather
    than showing an error: this form only ever narrows a list.
    """

    q = forms.CharField(label="Search by name", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    has_alerts = forms.BooleanField(label="Has alerts", required=False)
    not_improving = forms.BooleanField(label="Not improving", required=False)
    missed = forms.BooleanField(label="Missed check-ins (last 14 days)", required=False)
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    dir = forms.ChoiceField(choices=DIRECTIONS, required=False)
    page = forms.IntegerField(min_value=1, required=False)

    @property
    def shown(self) -> dict[str, Any]:
        """What the search box and the status list show, as their widgets would write it
        (the value as sent, an invalid one marked invalid), for the template's plain
        markup: one dictionary, not a dozen lookups that miss through the form."""
        return _shown(self.data, self.errors)

    def query(self) -> CaseloadQuery:
        self.is_valid()
        return _query(self.cleaned_data, self.errors)

    @classmethod
    def read(cls, data: QueryDict) -> tuple[CaseloadQuery, dict[str, Any]]:
        """`query()` and `shown` of the form bound to `data`, without making the form.

        What the caseload view needs on every request, and all it needs: the form's
        fields read and cleaned as the form does it (each widget's value_from_datadict,
        then the field's clean()), but with the class's own fields, which clean()
        never changes, rather than the form's deep copy of all eight and a bound field
        for each. ~110 -> ~11 µs a request (timeit); tests/test_caseload.py checks both
        ways agree on valid, invalid and odd query strings.
        """
        cleaned, errors = {}, set()
        for name, field in cls.base_fields.items():
            try:
                cleaned[name] = field.clean(field.widget.value_from_datadict(data, _NO_FILES,
                                                                            name))
            except forms.ValidationError:
                errors.add(name)
        return _query(cleaned, errors), _shown(data, errors)


_NO_FILES = MultiValueDict()


def _query(cleaned: dict[str, Any], errors) -> CaseloadQuery:
    """The caseload's state from the cleaned fields; a field in `errors` counts as
    absent (its default)."""
    data = {name: value for name, value in cleaned.items() if name not in errors}
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


def _shown(data: QueryDict, errors) -> dict[str, Any]:
    fields = CaseloadFilterForm.base_fields
    return {"q": data.get("q") or "", "q_label": fields["q"].label,
            "q_invalid": "q" in errors,
            "status": data.get("status") or "",
            "status_label": fields["status"].label,
            "status_invalid": "status" in errors, "status_choices": STATUS_CHOICES}


class ClinicianNoteForm(forms.Form):
    body = forms.CharField(
        label="New note", max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Private to staff who look after this patient. The patient never sees it.",
        error_messages={"required": "Write the note before saving it.",
                        "max_length": "Keep a note under 5,000 characters (this one has "
                                      "%(show_value)d)."},
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write the note before saving it.")
        return body


class UnlockWeekForm(forms.Form):
    week = forms.TypedChoiceField(label="Open weeks up to", coerce=int,
                                  error_messages={"required": "Choose a week to open.",
                                                  "invalid_choice": "Choose one of the weeks "
                                                                    "in the list."})

    def __init__(self, *args, weeks: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [(w, f"Week {w}") for w in weeks]


class RemindersForm(forms.Form):
    action = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume")],
                               error_messages={"required": "Choose pause or resume.",
                                               "invalid_choice": "Choose pause or resume."})


class ClearHoldForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have reviewed these red flags with the patient, and it is safe for them "
              "to start the program.",
        error_messages={"required": "Tick the box to confirm you have reviewed the red "
                                    "flags."},
    )


NO_CODE = ""


class CauseCodingForm(forms.Form):
    """One select per cause: the clinician's category, or "same as the patient".

    Field names carry the cause's id; only the causes passed in get a field, so a
    posted id of another attribution (or another patient) is simply not read.
    """

    def __init__(self, *args, causes: list[AttributionCause], prefix_id: int, **kwargs):
        super().__init__(*args, prefix=f"a{prefix_id}", **kwargs)
        self.causes = causes
        for cause in causes:
            self.fields[f"cause_{cause.pk}"] = forms.ChoiceField(
                label=f"Cause {cause.position}: “{cause.text}”",
                help_text=f"Patient's category: {coding_label(cause.category)} "
                          f"(“{cause.get_category_display()}”)",
                choices=[(NO_CODE, f"Same as the patient ({coding_label(cause.category)})"),
                         *[(value, CODING_LABELS[value])
                           for value in AttributionCategory.values]],
                required=False,
                initial=cause.clinician_category or NO_CODE,
                error_messages={"invalid_choice": "Choose a category from the list."},
            )

    def codes(self) -> dict[int, str]:
        return {cause.pk: self.cleaned_data.get(f"cause_{cause.pk}") or NO_CODE
                for cause in self.causes}

    def rows(self):
        return [(cause, self[f"cause_{cause.pk}"]) for cause in self.causes]
