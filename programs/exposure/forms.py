"""Forms for graded exposure: rungs of the fear ladder, and each exposure before/after.

Every rating is a whole number in a fixed range. Whatever goes wrong with a rating
(left empty, a word, a decimal, too big or too small) the patient sees one plain
sentence saying what to enter, next to the field, with what they typed kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from painapp.edit_version import VersionedForm
from painapp.submit_once import SubmitOnceForm, made_by, parse_token
from painapp.widgets import LongTextarea
from programs.exposure.selectors import same_step
from programs.exposure.services import VERSIONED
from programs.models import Enrollment, FearItem
from programs.safety import PatientTextForm

if TYPE_CHECKING:  # the type of a lazy translation: for the type checker only
    from django_stubs_ext import StrOrPromise


def rating_field(
    *,
    label: StrOrPromise,
    top: int,
    message: StrOrPromise,
    help_text: StrOrPromise = "",
    required: bool = True,
) -> forms.IntegerField:
    """A whole-number rating from 0 to `top`, with one plain message for any mistake."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=top,
        required=required,
        help_text=help_text,
        error_messages={
            key: message for key in ("required", "invalid", "min_value", "max_value", "step_size")
        },
        # A number keypad on phones; arrow keys work on desktops.
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rating-input"}),
    )


HARM_HELP = _(
    "0 means it feels completely safe. 100 means you feel sure it would cause serious harm."
)
HARM_MESSAGE = _("Choose a number from 0 to 100 for how harmful it feels.")


LABEL_MAX = 100
"""A rung's name is a few words: 100 characters at most (older rungs may be longer, up
to the column's 200, until they are next edited)."""


class FearItemForm(PatientTextForm):
    """Add or change a rung: the activity and how harmful it feels. The same activity
    twice on one ladder (case and spaces aside) is refused, naming the step it is."""

    label = forms.CharField(
        label=_("Activity you avoid or fear"),
        max_length=LABEL_MAX,
        help_text=_("Be specific, for example “lifting a full laundry basket from the floor”."),
        error_messages={
            "required": _("Write the activity in a few words."),
            "max_length": _("Keep it shorter, please: 100 characters at most."),
        },
    )
    # The rung being edited (FearItemEditForm): not a duplicate of itself.
    editing: FearItem | None = None
    harm_rating = rating_field(
        label=_("How harmful does it feel, from 0 to 100?"),
        top=100,
        message=HARM_MESSAGE,
        help_text=HARM_HELP,
    )

    def clean_label(self) -> str:
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise forms.ValidationError(_("Write the activity in a few words."))
        if self.writer is not None:
            same = same_step(self.writer.enrollment, label, editing=self.editing)
            if same is not None:
                raise forms.ValidationError(
                    _(
                        "“%(label)s” is already on your ladder, as step %(step)s. "
                        "Change that step instead, or write a different activity."
                    )
                    % {"label": same.label, "step": same.step}
                )
        return label


class FearItemEditForm(FearItemForm, VersionedForm):
    """Change a rung in place (painapp.edit_version), versioned by what it edits
    (exposure.services.VERSIONED): the ladder's order changes the row too, and must not
    refuse this save; a new rating after an exposure must."""

    VERSION_OF = VERSIONED

    def __init__(self, *args: Any, row: FearItem, **kwargs: Any) -> None:
        super().__init__(*args, row=row, **kwargs)
        self.editing = row


class RungChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FearItem) -> str:
        return obj.label


class NewFearItemForm(SubmitOnceForm, FearItemForm):
    """Add a rung: once, however often the form is sent (painapp.submit_once). Sent
    again (a double tap, a retry), the rung this form already added is not a duplicate
    of itself: the service finds it by the token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.writer is not None:
            self.editing = made_by(
                FearItem,
                parse_token(self.data.get("client_token")),
                enrollment=self.writer.enrollment,
            )


class ExposurePlanForm(PatientTextForm, SubmitOnceForm):
    """Before: which activity, and what I expect will happen."""

    fear_item = RungChoiceField(
        label=_("A step from your ladder"),
        queryset=FearItem.objects.none(),
        required=False,
        empty_label=_("Something not on my ladder"),
        error_messages={"invalid_choice": _("Choose a step from your own ladder.")},
    )
    activity = forms.CharField(
        label=_("What exactly will you do?"),
        max_length=200,
        required=False,
        help_text=_(
            "If you chose a step above, you can leave this empty or add detail, "
            "for example “for 5 minutes”."
        ),
        error_messages={"max_length": _("Keep it shorter, please: 200 characters at most.")},
    )
    predicted_pain = rating_field(
        label=_("How much pain do you expect, from 0 to 10?"),
        top=10,
        message=_("Choose a number from 0 to 10 for the pain you expect."),
        help_text=_("0 means no pain. 10 means the worst pain you can imagine."),
    )
    predicted_harm = rating_field(
        label=_("How much harm do you expect, from 0 to 100?"),
        top=100,
        message=_("Choose a number from 0 to 100 for how much harm you expect."),
        help_text=HARM_HELP,
    )
    expectation = forms.CharField(
        label=_("What do you expect will happen?"),
        required=False,
        max_length=1000,
        widget=LongTextarea(attrs={"rows": 3}),
        help_text=_("For example “my back will lock up and I will be in bed all evening”."),
        error_messages={"max_length": _("Keep it shorter, please: 1000 characters at most.")},
    )

    def __init__(self, *args: Any, enrollment: Enrollment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this patient's own rungs can be chosen; any other id is "not a choice".
        rungs = FearItem.objects.filter(enrollment=enrollment)
        cast(RungChoiceField, self.fields["fear_item"]).queryset = rungs
        self.has_rungs = rungs.exists()
        if not self.has_rungs:
            activity = self.fields["activity"]
            activity.required = True
            activity.help_text = _("For example “walk to the corner shop and back”.")
            activity.error_messages["required"] = _("Write what you will do.")

    def clean_activity(self) -> str:
        return " ".join(self.cleaned_data["activity"].split())

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if (
            not cleaned.get("fear_item")
            and not cleaned.get("activity")
            and "fear_item" not in self.errors
            and "activity" not in self.errors
        ):
            self.add_error(
                "activity", _("Choose a step from your ladder, or write what you will do.")
            )
        return cleaned


class ExposureDoneForm(PatientTextForm):
    """After: what really happened, and how scary it feels now."""

    actual_pain = rating_field(
        label=_("How much pain did you feel, from 0 to 10?"),
        top=10,
        message=_("Choose a number from 0 to 10 for the pain you felt."),
        help_text=_("0 means no pain. 10 means the worst pain you can imagine."),
    )
    actual_harm = rating_field(
        label=_("How much harm was done, from 0 to 100?"),
        top=100,
        message=_("Choose a number from 0 to 100 for how much harm was done."),
        help_text=_("0 means no harm at all. 100 means serious harm."),
    )
    fear_after = rating_field(
        label=_("How harmful does it feel now, from 0 to 100?"),
        top=100,
        message=HARM_MESSAGE,
        help_text=_("Rate it again, the same way as on your ladder."),
    )
    note = forms.CharField(
        label=_("What happened? What did you notice?"),
        required=False,
        max_length=2000,
        widget=LongTextarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep it shorter, please: 2000 characters at most.")},
    )
