"""A form's errors in templates: `{{ form|error_count }}` is how many messages its error
summary lists (partials/form_errors.html), so its heading says as many things."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def error_count(form: forms.BaseForm) -> int:
    """Every message, for the form and each field: three on one field are three."""
    return sum(len(errors) for errors in form.errors.values())
