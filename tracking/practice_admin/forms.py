"""Forms for the practice admin screens. Every choice list is limited to the admin's
own practice, so a posted id from elsewhere is simply "not a choice"."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import AuditEvent, Membership, Practice, Role, User
from programs import enrollment_status
from programs.models import Enrollment, Program

DATE_ERRORS = {"invalid": _("Enter a date like 2026-01-31.")}


def clinicians_of(practice: Practice, *, active: bool = True) -> QuerySet[User]:
    """The practice's clinicians: active ones (who may be given patients: the invitation
    form asks for an active clinician too), or with `active=False` for filters, also
    former ones who have (had) patients here. A clinician invited who has not accepted
    yet has no patients and cannot have any: never in either list."""
    clinician = Membership.objects.filter(
        user_id=OuterRef("pk"), practice=practice, role=Role.CLINICIAN
    )
    if active:
        return User.objects.filter(Exists(clinician.filter(is_active=True))).order_by(
            "full_name", "email"
        )
    has_patients = Enrollment.objects.filter(clinician_id=OuterRef("pk"), practice=practice)
    return User.objects.filter(
        Exists(clinician), Exists(clinician.filter(is_active=True)) | Exists(has_patients)
    ).order_by("full_name", "email")


class ClinicianChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("Choose a clinician"))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Choose a clinician."),
                "invalid_choice": _("Choose a clinician from the list."),
            },
        )
        super().__init__(queryset=User.objects.none(), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def _clinician_field(form: forms.Form, name: str) -> ClinicianChoiceField:
    # True by construction: each form below declares `name` as a ClinicianChoiceField.
    return cast(ClinicianChoiceField, form.fields[name])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


# ---------------------------------------------------------------- clinicians
class DeactivateClinicianForm(forms.Form):
    reassign_to = ClinicianChoiceField(
        label=_("Who takes over their patients?"),
        required=False,
        help_text=_(
            "Every patient of theirs moves to this clinician before they are switched off."
        ),
    )

    def __init__(
        self, *args: Any, practice: Practice, clinician: User, caseload: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.caseload = caseload
        reassign_to = _clinician_field(self, "reassign_to")
        reassign_to.queryset = clinicians_of(practice).exclude(pk=clinician.pk)
        if caseload:
            reassign_to.required = True
            reassign_to.error_messages["required"] = _(
                "Choose who takes over their patients. Nobody can be left without a clinician."
            )
        else:
            reassign_to.widget = forms.HiddenInput()


class ReassignCaseloadForm(forms.Form):
    to_clinician = ClinicianChoiceField(label=_("Move all their patients to"))

    def __init__(self, *args: Any, practice: Practice, clinician: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _clinician_field(self, "to_clinician").queryset = clinicians_of(practice).exclude(
            pk=clinician.pk
        )


# ---------------------------------------------------------------- enrollments
# As the list's badges say them (programs.enrollment_status, shared with the caseload).
STATUS_CHOICES = enrollment_status.STATUS_CHOICES


class EnrollmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    clinician = ClinicianChoiceField(
        label=_("Clinician"), required=False, empty_label=_("Any clinician")
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Former clinicians too: their withdrawn patients stay with them.
        _clinician_field(self, "clinician").queryset = clinicians_of(
            practice, active=False
        ).distinct()


class TransferForm(forms.Form):
    to_clinician = ClinicianChoiceField(label=_("New clinician"))

    def __init__(self, *args: Any, practice: Practice, current: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _clinician_field(self, "to_clinician").queryset = clinicians_of(practice).exclude(
            pk=current.pk
        )


# ---------------------------------------------------------------- bulk import
class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: full_name, email, clinician_email, start_date (YYYY-MM-DD), "
            "timezone, and optionally program and language (en or es). Up to 10,000 rows."
        ),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("That file is empty. Choose the CSV file with your patients."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


# ---------------------------------------------------------------- reports and audit
class DateRangeForm(forms.Form):
    """A filter form with `date_from`/`date_to` fields: the end may not be before the start
    (`range_refused`: a page then shows no results, rather than "none match")."""

    range_refused = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and end < start:
            self.range_refused = True
            self.add_error(
                "date_to",
                _("The end date is before the start date. Swap them, or choose a later end date."),
            )
        return data


class OutcomesFilterForm(DateRangeForm):
    # The cohort date: the end-of-program check-in, or the withdrawal (issue 16).
    date_from = forms.DateField(
        label=_("Ended or withdrew from"),
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    date_to = forms.DateField(
        label=_("Ended or withdrew by"),
        required=False,
        widget=DateInput(),
        error_messages=DATE_ERRORS,
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.order_by("title"),
        required=False,
        empty_label=_("All programs"),
        error_messages={"invalid_choice": _("Choose a program from the list.")},
    )
    clinician = ClinicianChoiceField(
        label=_("Clinician"), required=False, empty_label=_("All clinicians")
    )
    # The patient's own language (User.language), for clinics serving Spanish speakers.
    language = forms.ChoiceField(
        label=_("Patient's language"),
        choices=[("", _("All languages")), *settings.LANGUAGES],
        required=False,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, *args: Any, practice: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _clinician_field(self, "clinician").queryset = clinicians_of(
            practice, active=False
        ).distinct()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})"


class AuditFilterForm(DateRangeForm):
    action = forms.ChoiceField(
        label=_("What happened"),
        required=False,
        error_messages={"invalid_choice": _("Choose an action from the list.")},
    )
    actor = StaffChoiceField(
        label=_("Who did it"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), error_messages=DATE_ERRORS
    )
    # Off by default: each view of the trail is recorded, and its rows would push the
    # events the reader came for off the first page.
    include_trail_views = forms.BooleanField(
        label=_("Include views of this audit trail"), required=False
    )

    def __init__(
        self, *args: Any, practice: Practice, actions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The casts are true by construction: the fields are declared above.
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", str(_("Anything")))
        ] + actions
        # Staff, present and past, who have done something here (a clinician invited
        # who has not accepted yet has nothing to find): patients act on their own data.
        cast(StaffChoiceField, self.fields["actor"]).queryset = User.objects.filter(
            Exists(
                Membership.objects.filter(
                    user_id=OuterRef("pk"),
                    practice=practice,
                    role__in=[Role.CLINICIAN, Role.ADMIN],
                )
            ),
            Exists(AuditEvent.objects.filter(actor_id=OuterRef("pk"), practice=practice)),
        ).order_by("full_name", "email")
