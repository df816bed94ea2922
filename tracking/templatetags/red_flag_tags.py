"""Red flags in the clinician's templates: which of an alert's stored flags are
emergency signs, as tracking.rules says (the patient's safety-hold page reads the
same rule)."""

from __future__ import annotations

from django import template

from tracking import rules

register = template.Library()


@register.filter
def emergency_red_flags(keys: object) -> list[str]:
    """The emergency signs among stored red-flag keys (a list; anything else: none)."""
    if not isinstance(keys, list):
        return []
    return rules.emergency_red_flags(k for k in keys if isinstance(k, str))
