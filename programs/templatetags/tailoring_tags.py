"""Template helpers for a clinician's changes on the patient's pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def change_of(state, activity):
    """The clinician's change of `activity` (an ActivityAdjustment) in week `state`
    (a WeekState) as the patient is shown it, or None."""
    return state.change_of(activity.pk)
