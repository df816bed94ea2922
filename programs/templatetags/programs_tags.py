from django import template

from programs.content_conditions import resolve
from programs.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@register.filter(name="for_enrollment")
def for_enrollment_filter(text: str, enrollment):
    """Content wording for this patient: the branches of programs.content_conditions
    that apply (e.g. "your back has been checked" only with a medical assessment)."""
    if not enrollment:  # a page without an enrollment: no claim
        return resolve(text, assessed=False)
    return resolve(text, assessed=lambda: enrollment.medically_assessed)


@register.filter(name="session_of")
def session_of_filter(state, activity):
    """The session of a week (programs.selectors.WeekState) that lists `activity`."""
    return state.session_of(activity) if state is not None else None
