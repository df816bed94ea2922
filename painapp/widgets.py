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

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

# For a field with no message of its own for text over its max_length.
TOO_LONG = _(
    "Please shorten this to %(limit_value)d characters or fewer. It has %(show_value)d now."
)


class LongTextarea(forms.Textarea):
    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["char_limit"] = context["widget"]["attrs"].pop("maxlength", None)
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        box = self._render(self.template_name, context, renderer)
        box_id = context["widget"]["attrs"].get("id")
        if not context["char_limit"] or not box_id:
            return box
        count = render_to_string(
            "partials/char_count.html", {"for_id": box_id, "limit": context["char_limit"]}
        )
        return box + count
