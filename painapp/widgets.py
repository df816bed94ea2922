"""A text box that never cuts what was typed or pasted.

HTML's maxlength makes the browser drop, without a word, whatever goes past the limit
(a pasted paragraph loses its end). A field with a max_length gets this widget instead:
no maxlength attribute, so the text is kept whole; the shared count
(partials/char_count.html) right after the box, which static/js/char_count.js shows
near the limit ("120 characters left", "Over the limit by 35 characters"); and the
form's own max_length check refuses too-long text at submit, with the text still in
the box. A box written by hand in a template includes the same partial.
"""

from __future__ import annotations

from datetime import time

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from painapp.formats import clock

# For a field with no message of its own for text over its max_length.
TOO_LONG = _(
    "Please shorten this to %(limit_value)d characters or fewer. It has %(show_value)d now."
)


class LongTextarea(forms.Textarea):
    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        limit = self.attrs.get("maxlength")  # the field's max_length (CharField.widget_attrs)
        box_id = (attrs or {}).get("id") or self.attrs.get("id")
        if not limit or not box_id:
            return box
        count = render_to_string("partials/char_count.html", {"for_id": box_id, "limit": limit})
        return box + count


class ClockTimeField(forms.TimeField):
    """A time of day a patient types or picks: the browser's time picker sends "19:30";
    where there is none (or it is typed), either clock is read ("7:30 pm", "7:30 p. m.",
    painapp.formats.clock.parse_clock). Error messages give examples on the patient's
    own clock (the forms set them: painapp.formats.clock.clock_time)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            typed = clock.parse_clock(value)
            if typed is not None:
                return typed
        return super().to_python(value)


def clock_time_errors() -> dict[str, str]:
    """A time field's messages, with examples on the patient's own clock ("9:00 AM or
    7:30 PM" in the United States, "9:00 or 19:30" in Spain): set by each form as it is
    made, for the request's reader."""
    examples = {"morning": clock.clock_time(time(9, 0)), "evening": clock.clock_time(time(19, 30))}
    return {
        "invalid": gettext("Enter a time like %(morning)s or %(evening)s, with hours and minutes.")
        % examples,
        "required": gettext("Choose a time: %(morning)s, for example.") % examples,
    }
