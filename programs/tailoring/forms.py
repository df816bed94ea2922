"""The patient's forms for a clinician's changes: a note on a custom exercise, and
putting a suggested step on the fear ladder."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from painapp.edit_version import VersionedForm
from painapp.widgets import LongTextarea
from programs.exposure.forms import HARM_HELP, HARM_MESSAGE, rating_field
from programs.safety import PatientTextForm
from programs.tailoring.services import NOTE_VERSION


class CustomExerciseDoneForm(PatientTextForm, VersionedForm):
    """Done, with a note the patient can change later (in place: painapp.edit_version,
    by the note alone, as the clinician changes the rest of the row)."""

    VERSION_OF = NOTE_VERSION

    note = forms.CharField(
        label=_("How did it go? A note for you and your care team"),
        required=False,
        max_length=2000,
        widget=LongTextarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep it shorter, please: 2,000 characters at most.")},
    )


class SuggestionAcceptForm(forms.Form):
    harm_rating = rating_field(
        label=_("How harmful does it feel, from 0 to 100?"),
        top=100,
        message=HARM_MESSAGE,
        help_text=HARM_HELP,
    )
