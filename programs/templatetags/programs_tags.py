from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from programs import weeks
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


@register.filter(name="patient_day")
def patient_day_filter(day: date, today: date) -> str:
    """A day told to the patient ("Monday 1 June"), with its year when it is not clear
    without it (programs.weeks.date_needs_year: another year, or months away)."""
    if weeks.date_needs_year(day, today=today):
        return date_format(day, _("l j F Y"))
    return date_format(day, _("l j F"))
