"""The clock a patient reads times on (painapp.formats.clock): their country decides
12- or 24-hour, their language gives the words. A Spanish speaker in the United States
reads "9:00 a. m."; an English speaker in Spain "14:05". Every clock time on a patient's
pages follows it (office hours, message and diary times, time-field examples); staff
pages keep the 24-hour clock."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from painapp.formats import clock
from painapp.widgets import ClockTimeField
from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tracking.messaging.services import message_send
from tracking.models import ReminderPreferences

NBSP = "\u00a0"

# (country, language, 12-hour?)
RULE = [
    ("US", "en", True),
    ("US", "es", True),  # the known case: Spanish words, the US clock
    ("PR", "es", True),
    ("MX", "es", True),
    ("MX", "en", True),
    ("CA", "en", True),
    ("CA", "es", True),
    ("CA", "fr", False),  # French Canada writes 24h
    ("AU", "en", True),
    ("NZ", "en", True),
    ("IN", "en", True),
    ("PH", "en", True),
    ("ES", "es", False),
    ("ES", "en", False),  # an English speaker in Spain: 24h
    ("GB", "en", False),
    ("IE", "en", False),
    ("AR", "es", False),
    ("DE", "en", False),
    ("us", "en-us", True),  # codes in any case, a language with its region
    ("", "en", False),  # no country known: 24h, as before
    ("ZZ", "es", False),
]


@pytest.mark.parametrize(("country", "language", "twelve"), RULE)
def test_the_country_decides_the_clock(country, language, twelve):
    assert clock.twelve_hour(country, language) is twelve


# (the country chosen on the enrollment, the patient's time zone, whose clock)
COUNTRY = [
    ("US", "Europe/Madrid", "US"),  # the choice wins over the zone
    ("", "America/Chicago", "US"),
    ("", "America/Mexico_City", "MX"),
    ("", "Europe/Madrid", "ES"),
    ("ZZ", "Asia/Manila", "PH"),  # "another country": the zone's country
    ("", "US/Eastern", "US"),  # an old name of a zone
    ("", "UTC", ""),
    ("", "", ""),
]


@pytest.mark.parametrize(("chosen", "zone", "expected"), COUNTRY)
def test_whose_country_it_is(chosen, zone, expected):
    assert clock.clock_country(chosen, zone) == expected


# (country, language, a time, a time of day as written, a date and time as written)
WRITTEN = [
    ("US", "en", time(9, 0), f"9:00{NBSP}AM", f"Mon 7 Dec, 9:05{NBSP}PM"),
    ("US", "es", time(9, 0), f"9:00{NBSP}a.{NBSP}m.", f"lun 7 dic, 9:05{NBSP}p.{NBSP}m."),
    ("US", "en", time(0, 30), f"12:30{NBSP}AM", f"Mon 7 Dec, 9:05{NBSP}PM"),
    ("US", "es", time(12, 0), f"12:00{NBSP}p.{NBSP}m.", f"lun 7 dic, 9:05{NBSP}p.{NBSP}m."),
    ("ES", "en", time(9, 0), "9:00", "Mon 7 Dec, 21:05"),
    ("ES", "es", time(17, 30), "17:30", "lun 7 dic, 21:05"),
    ("", "en", time(9, 0), "9:00", "Mon 7 Dec, 21:05"),
]


@pytest.mark.parametrize(("country", "language", "at", "of_day", "full"), WRITTEN)
def test_times_are_written_on_the_readers_clock(country, language, at, of_day, full):
    with translation.override(language), clock.override(country):
        assert clock.clock_time(at) == of_day
        assert clock.when(datetime(2026, 12, 7, 21, 5), "WEEKDAY_DAY_MONTH_TIME_FORMAT") == full


def test_nothing_activated_is_the_24_hour_clock():
    assert clock.clock_time(time(21, 5)) == "21:05"
    assert clock.when(datetime(2026, 12, 7, 21, 5), "DAY_MONTH_YEAR_TIME_FORMAT") == (
        "7 Dec 2026, 21:05"
    )


# (typed, the time read; None: not a time)
TYPED = [
    ("19:30", time(19, 30)),
    ("07:30", time(7, 30)),
    ("7:30 pm", time(19, 30)),
    ("7:30 PM", time(19, 30)),
    ("7:30 p. m.", time(19, 30)),
    ("7:30 p.m.", time(19, 30)),
    ("7pm", time(19, 0)),
    ("12:00 a. m.", time(0, 0)),
    ("12:15 pm", time(12, 15)),
    ("9.15", time(9, 15)),
    ("13:00 pm", None),
    ("25:99", None),
    ("8 in the morning", None),
]


@pytest.mark.parametrize(("typed", "expected"), TYPED)
def test_a_typed_time_is_read_on_either_clock(typed, expected):
    assert clock.parse_clock(typed) == expected
    if expected is not None:
        assert ClockTimeField().clean(typed) == expected


# ------------------------------------------------------------------ patient pages
@pytest.fixture
def new_york(cast):
    """The practice and its patient both in New York: the hours need no converting."""
    cast.practice.timezone = "America/New_York"
    cast.practice.save(update_fields=["timezone"])
    for person in (cast.patient, cast.clinician):
        person.timezone = "America/New_York"
        person.save(update_fields=["timezone"])
    return cast


AT = datetime(2026, 12, 7, 19, 5, tzinfo=UTC)  # Monday, 14:05 in New York


def _messages_page(client, cast, program_version, *, language, country):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    with time_machine.travel(AT, tick=False):
        enrollment = make_enrollment(
            cast.patient, cast.clinician, cast.practice, version=program_version
        )
        enrollment.country = country
        enrollment.save(update_fields=["country"])
        message_send(enrollment=enrollment, author=cast.clinician, body="Hello Pat")
        client.force_login(cast.patient)
        page = client.get(reverse("messages")).content.decode()
    return enrollment, " ".join(page.split())  # (no-break spaces read as spaces here)


def test_a_spanish_speaker_in_the_us_reads_the_12_hour_clock(client, new_york, program_version):
    _, page = _messages_page(client, new_york, program_version, language="es", country="US")
    assert "en horario de atención (lun–vie, 9:00 a. m.–5:00 p. m.)." in page  # office hours
    assert "lun 7 dic, 2:05 p. m." in page  # the message's time
    assert "17:00" not in page and "lun 7 dic, 14:05" not in page


def test_an_english_speaker_in_the_us_reads_the_12_hour_clock(client, new_york, program_version):
    _, page = _messages_page(client, new_york, program_version, language="en", country="US")
    assert "Mon–Fri, 9:00 AM–5:00 PM" in page
    assert "Mon 7 Dec, 2:05 PM" in page


def test_with_no_country_chosen_the_time_zone_decides(client, new_york, program_version):
    _, page = _messages_page(client, new_york, program_version, language="es", country="")
    assert "lun–vie, 9:00 a. m.–5:00 p. m." in page


def test_an_english_speaker_in_spain_reads_the_24_hour_clock(client, cast, program_version):
    cast.practice.timezone = "Europe/Madrid"
    cast.practice.save(update_fields=["timezone"])
    cast.patient.timezone = "Europe/Madrid"
    cast.patient.save(update_fields=["timezone"])
    _, page = _messages_page(client, cast, program_version, language="en", country="ES")
    assert "Mon–Fri, 9:00–17:00" in page
    assert "Mon 7 Dec, 20:05" in page  # 19:05 UTC is 20:05 in Madrid
    assert "AM" not in page and "PM" not in page


def test_staff_read_the_same_thread_on_the_24_hour_clock(client, new_york, program_version):
    enrollment, _ = _messages_page(client, new_york, program_version, language="es", country="US")
    with time_machine.travel(AT, tick=False):
        client.force_login(new_york.clinician)
        page = client.get(reverse("patient_messages", args=[enrollment.pk])).content.decode()
    assert "Mon 7 Dec, 14:05" in page
    assert "2:05" not in page


def test_the_diary_lists_times_on_the_patients_clock(client, new_york, program_version):
    from tracking.diary.models import DiaryEntry

    enrollment, _ = _messages_page(client, new_york, program_version, language="es", country="US")
    DiaryEntry.objects.create(enrollment=enrollment, occurred_at=AT, pain=4, fear=3)
    with time_machine.travel(AT, tick=False):
        page = client.get(reverse("diary_list")).content.decode()
    assert f"lun 7 dic 2026, 2:05{NBSP}p.{NBSP}m." in page


@pytest.mark.parametrize(
    ("language", "example"),
    [
        ("en", f"Enter a time like 9:00{NBSP}AM or 7:30{NBSP}PM, with hours and minutes."),
        (
            "es",
            f"Escriba una hora como 9:00{NBSP}a.{NBSP}m. o 7:30{NBSP}p.{NBSP}m., con horas y "
            "minutos.",
        ),
    ],
)
def test_the_reminders_page_gives_examples_on_the_patients_clock(
    client, new_york, program_version, language, example
):
    enrollment, _ = _messages_page(
        client, new_york, program_version, language=language, country="US"
    )
    data = {"practice_enabled": "on", "practice_time": "25:99", "email_enabled": "on"}
    url = reverse("reminder_settings")
    page = client.post(url, with_version(client, url, data)).content.decode()
    assert example in page
    assert 'value="25:99"' in page  # what was typed, to correct
    # A time typed on the 12-hour clock (a browser with no time picker) is understood.
    client.post(url, with_version(client, url, {**data, "practice_time": "7:30 p. m."}))
    assert ReminderPreferences.objects.get(enrollment=enrollment).practice_time == time(19, 30)
