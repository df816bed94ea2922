from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
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


def _content_language(context, language: str | None) -> str | None:
    """The language of program content (lessons, the player's steps, boosters: written
    in the program version's language, ProgramVersion.language) where it is not the
    page's, else None. `language`: the content's own; by default the requesting
    patient's enrollment's version (loaded with it: no query)."""
    if not language:
        enrollment = getattr(context.get("request"), "enrollment", None)
        language = enrollment.program_version.language if enrollment is not None else None
    page = (get_language() or "").split("-")[0]
    return language if language and language.split("-")[0] != page else None


@register.simple_tag(takes_context=True)
def content_lang(context, language: str | None = None) -> str:
    """` lang="en"` on an element holding program content, when the page is in another
    language (a Spanish interface on the English program, or the reverse), so a screen
    reader and the player's read-aloud use the content's own (WCAG 3.1.2); nothing when
    they match. `<article{% content_lang %}>`."""
    lang = _content_language(context, language)
    return format_html(' lang="{}"', lang) if lang else ""


@register.simple_tag(takes_context=True)
def in_content_lang(context, text: str, language: str | None = None) -> SafeString:
    """A piece of program content inside a sentence of the interface ("Week 2: <title>"),
    in a `<span lang>` when the languages differ (content_lang); escaped text when not.
    `{% in_content_lang week.title as title %}{% blocktranslate with title=title %}…`."""
    lang = _content_language(context, language)
    if lang:
        return format_html('<span lang="{}">{}</span>', lang, text)
    return conditional_escape(text)


@register.inclusion_tag("programs/_activity_minutes.html", takes_context=True)
def activity_minutes(context, activity, week_number: int) -> dict:
    """ " · about N min" for an activity in a list or on its page. A check-in lesson's
    N is the patient's own check-in of that week (the view's `lesson_checkins`,
    programs.views.lengths); none is shown when it has none."""
    if activity.kind == "checkin":
        found = (context.get("lesson_checkins") or {}).get(week_number)
        minutes = found.minutes if found else None
    else:
        minutes = activity.minutes
    return {"minutes": minutes}
