"""What the patient is told after a safety answer: when the clinic will look, in plain
words from the practice's settings, and that the app is not watched all the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from painapp.accounts.zone_names import zone_city
from programs.models import Enrollment
from tracking.alerts.due import response_minutes
from tracking.models import Alert, PracticeSettings
from tracking.safety.resources import active_language, crisis_html, crisis_resources_for


def _day_name(day: int) -> str:
    """0 → "Mon" (in the active language: Django's own abbreviations)."""
    return str(WEEKDAYS_ABBR[day])


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def duration_words(minutes: int) -> str:
    """45 → "45 minutes", 60 → "1 hour", 90 → "1 hour 30 minutes", 1440 → "1 day"."""
    minutes = max(1, int(minutes))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and not rest:
        return _days(days)
    parts = []
    if days:
        parts.append(_days(days))
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return " ".join(parts)


def _clock(value: time | str) -> str:
    if isinstance(value, str):  # an unsaved row holds its default as typed
        value = time.fromisoformat(value)
    return f"{value.hour}:{value.minute:02d}"


def days_words(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] → "Mon–Fri"; a run of days as a range, others listed."""
    days = sorted({d for d in days if 0 <= d <= 6})
    if not days:
        return ""
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{_day_name(days[0])}–{_day_name(days[-1])}"
    return ", ".join(_day_name(d) for d in days)


def opening_hours_words(settings: PracticeSettings) -> str:
    """ "Mon–Fri, 9:00–17:00"; "" when the practice has no staffed days: it keeps no set
    hours (its response times then count round the clock, tracking.rules.due_times), so
    patients are told none rather than hours nobody keeps."""
    days = days_words(settings.working_days or [])
    if not days:
        return ""
    return f"{days}, {_clock(settings.working_hours_start)}–{_clock(settings.working_hours_end)}"


@dataclass(frozen=True)
class ResponsePromise:
    """ "within 1 hour" / "Mon–Fri, 9:00–17:00" ("" when the practice keeps no set
    hours) / the practice's time zone when the patient lives in another one ("" otherwise)."""

    within: str
    hours: str
    zone: str = ""


def response_promise(
    settings: PracticeSettings, severity: str, *, practice_zone: str = "", patient_zone: str = ""
) -> ResponsePromise:
    return ResponsePromise(
        within=_("within %(duration)s")
        % {"duration": duration_words(response_minutes(settings, severity))},
        hours=opening_hours_words(settings),
        # "America/New_York" → "New York" ("Nueva York" in Spanish): the practice's
        # clock, when it is not the patient's.
        zone=zone_city(practice_zone)
        if patient_zone and practice_zone and patient_zone != practice_zone
        else "",
    )


def safety_copy(settings: PracticeSettings, enrollment: Enrollment) -> dict:
    """The template context of the crisis panel and the new-symptoms guidance
    (templates/tracking/patient/checkin/_crisis_panel.html, _symptoms_panel.html): the
    crisis resources for the patient's country as HTML and the practice's promises for
    an urgent and a high alert."""
    zones = {
        "practice_zone": enrollment.practice.timezone,
        "patient_zone": enrollment.patient.timezone,
    }
    return {
        # The numbers for the patient's own country (tracking.safety.resources).
        "crisis_html": crisis_html(
            crisis_resources_for(
                practice_id=enrollment.practice_id,
                country=enrollment.country,
                language=active_language(),
            )
        ),
        "urgent_promise": response_promise(settings, Alert.Severity.URGENT, **zones),
        "high_promise": response_promise(settings, Alert.Severity.HIGH, **zones),
    }
