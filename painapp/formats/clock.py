"""Which clock a patient reads times on: the 12-hour clock ("9:00 AM", "9:00 a. m.") or
the 24-hour clock ("9:00", "14:05").

The clock follows the patient's COUNTRY, and their language only gives the words: a
Spanish speaker in the United States reads "9:00 a. m.", an English speaker in Spain
"14:05". The one rule is `twelve_hour` (its table below); `clock_country` says whose
country that is. Every clock time a patient sees goes through `clock_time` (a time of
day: office hours) or `when` (a date and time: messages, diary, practice log; the
`|when` template filter, painapp.accounts.templatetags.clock), which read the country
the request activated (programs.clock.PatientClockMiddleware). Nothing activated
(staff pages, emails to staff, tests of other things): the 24-hour clock, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime, time

from django.utils import dateformat, formats
from django.utils.translation import get_language, pgettext

from painapp.accounts.zone_names import zone_country

# Countries whose people read times on the 12-hour clock in everyday writing (shop
# hours, appointment letters, phone screens), in every language we offer. Kept short:
# only countries where it is the clear everyday habit; anywhere else, the 24-hour clock.
TWELVE_HOUR_COUNTRIES = frozenset(
    {
        "US",  # United States
        "PR",  # Puerto Rico
        "CA",  # Canada (English Canada; French Canada writes 24h: below)
        "MX",  # Mexico ("9:00 a. m." on signs and letters; timetables use 24h)
        "AU",  # Australia
        "NZ",  # New Zealand
        "IN",  # India
        "PH",  # Philippines
    }
)
# A country above whose speakers of one language write the 24-hour clock: French
# Canada. (We offer English and Spanish only; kept so French cannot come in wrong.)
TWENTY_FOUR_HOUR_SPEAKERS = frozenset({("CA", "fr")})

# A chosen country that names no country: "another country" (tracking.safety.resources
# OTHER, ISO 3166's user-assigned "ZZ"). Then the time zone's country decides.
NO_COUNTRY = "ZZ"

# How each clock writes a time of day. 24h: "9:00", "17:30" (as the office hours were
# always written). 12h: "9:00 AM", "9:00 a. m.": the hour, then the day-period word in
# the language (`_day_period`), after a no-break space so it never wraps apart.
TWENTY_FOUR_HOUR = "G:i"
TWELVE_HOUR = "g:i"


def twelve_hour(country: str, language: str) -> bool:
    """THE rule: does a patient in `country` (ISO code) reading `language` ("es",
    "en-us") read times on the 12-hour clock?"""
    code = (country or "").upper()
    lang = (language or "").split("-")[0].split("_")[0].lower()
    return code in TWELVE_HOUR_COUNTRIES and (code, lang) not in TWENTY_FOUR_HOUR_SPEAKERS


def clock_country(chosen: str, zone: str) -> str:
    """Whose clock a patient reads: the country they chose (their safety details, the
    one that gives their crisis numbers), else their time zone's ("America/Chicago" →
    "US"); "" when neither says (UTC)."""
    if chosen and chosen != NO_COUNTRY:
        return chosen
    return zone_country(zone)


class _Once:
    """A country worked out the first time a clock time is written (so a page that
    shows none asks nothing), then kept."""

    def __init__(self, find: Callable[[], str]):
        self._find: Callable[[], str] | None = find
        self._country = ""

    def __call__(self) -> str:
        if self._find is not None:
            self._country, self._find = self._find(), None
        return self._country


_active: ContextVar[_Once | None] = ContextVar("painapp_clock_country", default=None)


def activate(country: str | Callable[[], str]) -> Token:
    """Times written from now on are for a reader in `country` (or the country the
    callable gives, asked when first needed). Undo with `deactivate(token)`."""
    return _active.set(_Once(country if callable(country) else lambda: country))


def deactivate(token: Token) -> None:
    _active.reset(token)


@contextmanager
def override(country: str | Callable[[], str]) -> Iterator[None]:
    """`with clock.override("US"): ...` (an email to a patient, a test)."""
    token = activate(country)
    try:
        yield
    finally:
        deactivate(token)


def active_twelve_hour() -> bool:
    """The active reader's clock, in the active language (the words may change with
    it: an email is written in its reader's language)."""
    reader = _active.get()
    return reader is not None and twelve_hour(reader(), get_language() or "")


def _day_period(value: time | datetime) -> str:
    """ "AM"/"PM" in the active language ("a. m."/"p. m." in Spanish): our own words,
    not Django's (its Spanish catalogue keeps "AM"/"PM")."""
    if value.hour < 12:
        return pgettext("before noon, after a 12-hour clock time", "AM")
    return pgettext("after noon, after a 12-hour clock time", "PM")


def _twelve_hour_pattern(value: time | datetime, seconds: str = "") -> str:
    """ "g:i" and the day period as literal text (escaped, so the pattern's letters are
    not read as format characters), after a no-break space."""
    words = "\u00a0" + _day_period(value)
    return TWELVE_HOUR + seconds + "".join("\\" + c for c in words)


def clock_time(value: time | datetime) -> str:
    """A time of day on the active reader's clock: "9:00" / "9:00 AM" ("9:00 a. m.")."""
    if active_twelve_hour():
        return dateformat.time_format(value, _twelve_hour_pattern(value))
    return dateformat.time_format(value, TWENTY_FOUR_HOUR)


# The hours and minutes of a date format ("D j M, H:i"), and its seconds if it has them;
# not an escaped "\H".
_HOURS_MINUTES = re.compile(r"(?<!\\)H:i(:s)?")


def when(value: datetime, format_name: str) -> str:
    """A date and time in a named format (painapp/formats/: "WEEKDAY_DAY_MONTH_TIME_FORMAT")
    or a pattern, with its "H:i" on the active reader's clock: "Sun 6 Dec, 14:05" /
    "Sun 6 Dec, 2:05 PM", "dom 6 dic, 2:05 p. m.". `value` already in the reader's zone."""
    pattern = formats.get_format(format_name)
    if active_twelve_hour():
        pattern = _HOURS_MINUTES.sub(lambda m: _twelve_hour_pattern(value, m[1] or ""), pattern)
    return dateformat.format(value, pattern)


# A time as a person types it where the browser gives no time picker: "19:30", "7:30
# pm", "7:30 p. m.", "7pm", "9.15" ("h" and "." are read as ":").
_TYPED = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:([ap])\.?\s*m\.?)?$")


def parse_clock(text: str) -> time | None:
    """A typed time on either clock, or None when it is not one."""
    found = _TYPED.match(text.strip().lower().replace("\u00a0", " "))
    if found is None:
        return None
    hour, minute, period = int(found[1]), int(found[2] or 0), found[3]
    if period:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if period == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
