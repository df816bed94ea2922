"""What the patient is told after a safety answer: when the clinic will look, in plain
words from the practice's settings, and that the app is not watched all the time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from painapp.accounts.zone_names import zone_city
from painapp.formats.clock import clock_time
from programs.models import Enrollment
from tracking.alerts.due import response_minutes
from tracking.models import Alert, PracticeSettings
from tracking.safety.resources import (
    OTHER,
    active_language,
    crisis_country,
    crisis_html,
    crisis_resources_for,
    emergency_number,
)


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
    """ "9:00", or "9:00 AM" ("9:00 a. m.") for a patient who reads the 12-hour clock
    (painapp.formats.clock: their country decides)."""
    if isinstance(value, str):  # an unsaved row holds its default as typed
        value = time.fromisoformat(value)
    return clock_time(value)


def days_words(days: list[int]) -> str:
    """[0, 1, 2, 3, 4] → "Mon–Fri"; a run of 3 or more days as a range, others listed.
    A run may go over the end of the week: [6, 0, 1, 2, 3] → "Sun–Thu" (clinic days
    Mon–Fri seen from a zone a day behind)."""
    days = sorted({d for d in days if 0 <= d <= 6})
    if not days:
        return ""
    if len(days) == 7:
        return f"{_day_name(0)}–{_day_name(6)}"
    # Start the week after a day off, so a run over Sunday → Monday stays one run.
    first = next(d for d in range(7) if d in days and (d - 1) % 7 not in days)
    runs: list[list[int]] = []
    for d in [(first + i) % 7 for i in range(7)]:
        if d not in days:
            continue
        if runs and (runs[-1][-1] + 1) % 7 == d:
            runs[-1].append(d)
        else:
            runs.append([d])
    words = []
    for run in runs:
        if len(run) > 2:
            words.append(f"{_day_name(run[0])}–{_day_name(run[-1])}")
        else:
            words.extend(_day_name(d) for d in run)
    return ", ".join(words)


def opening_hours_words(settings: PracticeSettings) -> str:
    """ "Mon–Fri, 9:00–17:00"; "" when the practice has no staffed days: it keeps no set
    hours (its response times then count round the clock, tracking.rules.due_times), so
    patients are told none rather than hours nobody keeps."""
    days = days_words(settings.working_days or [])
    if not days:
        return ""
    return f"{days}, {_clock(settings.working_hours_start)}–{_clock(settings.working_hours_end)}"


def _as_time(value: time | str) -> time:
    return time.fromisoformat(value) if isinstance(value, str) else value


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # an empty or unknown name
        return None


@dataclass(frozen=True)
class PatientHours:
    """The clinic's hours as a patient in another zone reads them: the one place they
    are worded for a patient (the messages page, every crisis and symptoms panel).

    `hours`: in the patient's own time, converted for each staffed day of the coming
    week, with the days it opens on *their* calendar ("Mon–Fri, 1:00–9:00" in Los
    Angeles; "Sun–Thu, 22:00–6:00" would cross their midnight, so it reads "Sun–Thu,
    22:00 to 6:00 the next day"). A week in which the clocks change lists each run of
    days with its own times ("Fri, 3:00–11:00; Mon–Thu, 2:00–10:00"). `clinic_hours`
    and `zone` then say the same hours on the clinic's clock, as a note. On the
    clinic's clock (or another name for it): only `hours`."""

    hours: str
    clinic_hours: str = ""
    zone: str = ""


def _stretch(opens: datetime, closes: datetime) -> str:
    """ "1:00–9:00"; "22:00 to 6:00 the next day" when it crosses the patient's midnight."""
    if closes.date() != opens.date() and closes.time() != time(0):
        return _("%(start)s to %(end)s the next day") % {
            "start": _clock(opens.time()),
            "end": _clock(closes.time()),
        }
    return f"{_clock(opens.time())}–{_clock(closes.time())}"


def patient_hours(
    settings: PracticeSettings,
    *,
    practice_zone: str,
    patient_zone: str,
    now: datetime | None = None,
) -> PatientHours:
    """The practice's opening hours for a patient in `patient_zone`, converted for the
    days from today on (so a change of the clocks in either zone is counted)."""
    clinic = opening_hours_words(settings)
    clinic_tz, patient_tz = _zone(practice_zone), _zone(patient_zone)
    if not clinic or clinic_tz is None or practice_zone == patient_zone:
        return PatientHours(hours=clinic)
    if patient_tz is None:  # no zone of their own to convert to: the clinic's, named
        return PatientHours(hours=clinic, zone=zone_city(practice_zone))
    start, end = _as_time(settings.working_hours_start), _as_time(settings.working_hours_end)
    staffed = set(settings.working_days or [])
    today = timezone.localtime(now or timezone.now(), clinic_tz).date()
    # Each staffed day of the coming 7 (each weekday once), on the patient's clock: the
    # weekday it opens on there → its stretch ("22:00 to 6:00 the next day").
    by_day: dict[int, str] = {}
    same_clock = True
    for offset in range(7):
        day: date = today + timedelta(days=offset)
        if day.weekday() not in staffed:
            continue
        opens = datetime.combine(day, start, tzinfo=clinic_tz).astimezone(patient_tz)
        closes = datetime.combine(day, end, tzinfo=clinic_tz).astimezone(patient_tz)
        same_clock &= (opens.weekday(), opens.time(), closes.time()) == (
            day.weekday(),
            start,
            end,
        )
        by_day[opens.weekday()] = _stretch(opens, closes)
    if same_clock:
        return PatientHours(hours=clinic)  # another name for the same clock
    runs: dict[str, list[int]] = {}
    for weekday in by_day:  # from today on: the soonest run first
        runs.setdefault(by_day[weekday], []).append(weekday)
    hours = "; ".join(f"{days_words(days)}, {stretch}" for stretch, days in runs.items())
    return PatientHours(hours=hours, clinic_hours=clinic, zone=zone_city(practice_zone))


@dataclass(frozen=True)
class ResponsePromise:
    """ "within 1 hour" / the opening hours ("" when the practice keeps no set hours),
    in the patient's time where they convert (PatientHours) / the same hours on the
    clinic's clock and its city, as a note ("" when the patient shares its clock; only
    `zone` when the hours stay on the clinic's clock, named by its city)."""

    within: str
    hours: str
    zone: str = ""
    clinic_hours: str = ""


def response_promise(
    settings: PracticeSettings,
    severity: str,
    *,
    practice_zone: str = "",
    patient_zone: str = "",
    now: datetime | None = None,
) -> ResponsePromise:
    hours = patient_hours(settings, practice_zone=practice_zone, patient_zone=patient_zone, now=now)
    return ResponsePromise(
        within=_("within %(duration)s")
        % {"duration": duration_words(response_minutes(settings, severity))},
        hours=hours.hours,
        # "America/New_York" → "New York" ("Nueva York" in Spanish): the practice's
        # clock, when it is not the patient's.
        zone=hours.zone,
        clinic_hours=hours.clinic_hours,
    )


def safety_copy(settings: PracticeSettings, enrollment: Enrollment) -> dict:
    """The template context of the crisis panel and the new-symptoms guidance
    (templates/tracking/patient/checkin/_crisis_panel.html, _symptoms_panel.html): the
    crisis resources for the patient's country as HTML and the practice's promises for
    an urgent and a high alert."""
    zones: dict[str, str] = {
        "practice_zone": enrollment.practice.timezone,
        "patient_zone": enrollment.patient.timezone,
    }
    country = crisis_country(enrollment)
    return {
        # The numbers for the patient's own country (tracking.safety.resources), and
        # which country that is, so the box can say so and link to change it.
        "crisis_html": crisis_html(
            crisis_resources_for(
                practice_id=enrollment.practice_id,
                country=country.code or OTHER,
                language=active_language(),
            )
        ),
        "crisis_country": country,
        # The emergency number of that country ("" if we do not know it), to tap and
        # call, for the emergency signs of the new-symptoms guidance.
        "emergency_number": emergency_number(country.code),
        "urgent_promise": response_promise(
            settings,
            Alert.Severity.URGENT,
            practice_zone=zones["practice_zone"],
            patient_zone=zones["patient_zone"],
        ),
        "high_promise": response_promise(
            settings,
            Alert.Severity.HIGH,
            practice_zone=zones["practice_zone"],
            patient_zone=zones["patient_zone"],
        ),
    }
