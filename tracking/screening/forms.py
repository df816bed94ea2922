from __future__ import annotations

from typing import Any

from django import forms

# The red flags of PRT_NOTES.md, in plain words. Keys are stored; wording may improve.
RED_FLAGS = [
    ("bladder_bowel", "New trouble controlling your bladder or bowels"),
    ("saddle_numbness", "Numbness between your legs or around your bottom (the 'saddle' area)"),
    ("leg_weakness", "Weakness in a leg that is getting worse, or a foot that drags or flops"),
    ("fever_unwell", "Fever, or feeling generally unwell, along with your back pain"),
    ("weight_loss", "Losing weight without trying"),
    ("cancer_history", "Having had cancer at any time"),
    ("recent_trauma", "A recent serious fall, accident or injury"),
    ("constant_night_pain", "Pain that never lets up in any position, even at night"),
]


class ScreeningForm(forms.Form):
    red_flags = forms.MultipleChoiceField(
        label="Do any of these apply to you right now?",
        choices=RED_FLAGS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Please choose only from the list."},
    )
    none_apply = forms.BooleanField(label="None of these apply to me", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        flags, none_apply = data.get("red_flags") or [], data.get("none_apply")
        if not flags and not none_apply:
            raise forms.ValidationError(
                "Please tick any that apply, or tick “None of these apply to me”."
            )
        if flags and none_apply:
            raise forms.ValidationError(
                "You ticked some items and also “None of these”. Please check your answers."
            )
        return data
