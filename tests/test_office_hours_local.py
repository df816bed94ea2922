"""A clinic's opening hours, shown to a patient in another time zone, are in the
patient's own time (converted for the days from today, so a change of the clocks is
counted), with the clinic's clock as a note; a clinic day that spans two patient days
(London seen from Sydney or Auckland) opens on the patient's day and ends "the next
day", in the patient's time too.
On /messages/ and in the crisis panel's "What happens next", in English and Spanish."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.factories import make_enrollment
from tracking.models import Alert, PracticeSettings
from tracking.safety.copy import patient_hours, response_promise

LONDON, MEXICO_CITY = "Europe/London", "America/Mexico_City"
# Friday 27 March 2026: London's clocks go forward on Sunday 29 March (GMT → BST);
# Mexico City keeps UTC−6 all year. This Friday is 9:00–17:00 London = 3:00–11:00
# Mexico City; from Monday it is 2:00–10:00.
DST_WEEK = datetime(2026, 3, 27, 12, tzinfo=UTC)
WINTER = datetime(2026, 1, 14, 12, tzinfo=UTC)
SUMMER = datetime(2026, 6, 10, 12, tzinfo=UTC)


def hours_at(now, practice_zone=LONDON, patient_zone=MEXICO_CITY, **settings):
    return patient_hours(
        PracticeSettings(**settings),
        practice_zone=practice_zone,
        patient_zone=patient_zone,
        now=now,
    )


def test_london_hours_in_mexico_city_time_winter_and_summer():
    winter, summer = hours_at(WINTER), hours_at(SUMMER)
    assert winter.hours == "Mon–Fri, 3:00–11:00"
    assert summer.hours == "Mon–Fri, 2:00–10:00"
    for found in (winter, summer):
        assert found.clinic_hours == "Mon–Fri, 9:00–17:00" and found.zone == "London"


def test_the_week_londons_clocks_change_lists_each_run_of_days():
    found = hours_at(DST_WEEK)
    assert found.hours == "Fri, 3:00–11:00; Mon–Thu, 2:00–10:00"
    with translation.override("es"):
        assert hours_at(DST_WEEK).hours == "vie, 3:00–11:00; lun–jue, 2:00–10:00"
        assert hours_at(DST_WEEK).zone == "Londres"


def test_a_clinic_day_over_two_patient_days_is_said_in_the_patients_time():
    # Sydney 9:00–17:00 is 22:00–6:00 in London (January): it crosses midnight, so it
    # opens the evening before, on the patient's Sunday to Thursday.
    found = hours_at(WINTER, practice_zone="Australia/Sydney", patient_zone=LONDON)
    assert found.hours == "Sun–Thu, 22:00 to 6:00 the next day"
    assert found.clinic_hours == "Mon–Fri, 9:00–17:00" and found.zone == "Sydney"
    with translation.override("es"):
        found = hours_at(WINTER, practice_zone="Australia/Sydney", patient_zone=LONDON)
        assert found.hours == "dom–jue, de 22:00 a 6:00 del día siguiente"


# London 9:00–17:00, Monday to Friday, read by patients around the world. Each row:
# the patient's zone, the date, what they read. Sydney and Auckland are a day ahead:
# the clinic day starts in their evening and ends after their midnight.
TABLE = [
    ("America/Los_Angeles", WINTER, "Mon–Fri, 1:00–9:00"),
    ("America/Los_Angeles", SUMMER, "Mon–Fri, 1:00–9:00"),
    ("Australia/Sydney", WINTER, "Mon–Fri, 20:00 to 4:00 the next day"),
    ("Australia/Sydney", SUMMER, "Mon–Fri, 18:00 to 2:00 the next day"),
    ("Pacific/Auckland", WINTER, "Mon–Fri, 22:00 to 6:00 the next day"),
    ("Pacific/Auckland", SUMMER, "Mon–Fri, 20:00 to 4:00 the next day"),
    ("Europe/London", WINTER, "Mon–Fri, 9:00–17:00"),
    # The week London's clocks go forward (Sunday 29 March): Friday is still on GMT.
    (
        "Australia/Sydney",
        DST_WEEK,
        "Fri, 20:00 to 4:00 the next day; Mon–Thu, 19:00 to 3:00 the next day",
    ),
    ("America/Los_Angeles", DST_WEEK, "Fri, 2:00–10:00; Mon–Thu, 1:00–9:00"),
]


@pytest.mark.parametrize(("zone", "now", "hours"), TABLE)
def test_london_hours_around_the_world(zone, now, hours):
    found = hours_at(now, patient_zone=zone)
    assert found.hours == hours
    if zone == LONDON:
        assert (found.clinic_hours, found.zone) == ("", "")
    else:
        assert (found.clinic_hours, found.zone) == ("Mon–Fri, 9:00–17:00", "London")


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # Australia, New Zealand and the US read the 12-hour clock (painapp.formats.clock):
        # the clinic's hours too, on the patient's page.
        (
            "Australia/Sydney",
            "Your care team reads messages during office hours: Mon–Fri, 8:00 PM to 4:00 AM "
            "the next day, in your time (Mon–Fri, 9:00 AM–5:00 PM London time).",
        ),
        (
            "Pacific/Auckland",
            "Your care team reads messages during office hours: Mon–Fri, 10:00 PM to 6:00 AM "
            "the next day, in your time (Mon–Fri, 9:00 AM–5:00 PM London time).",
        ),
        (
            "America/Los_Angeles",
            "Your care team reads messages during office hours: Mon–Fri, 1:00 AM–9:00 AM, in "
            "your time (Mon–Fri, 9:00 AM–5:00 PM London time).",
        ),
        # Spain reads the 24-hour clock.
        (
            "Europe/Madrid",
            "Your care team reads messages during office hours: Mon–Fri, 10:00–18:00, in "
            "your time (Mon–Fri, 9:00–17:00 London time).",
        ),
    ],
)
def test_every_patient_reads_the_messages_page_in_their_own_time(
    client, cast, program_version, zone, expected
):
    cast.patient.timezone = zone
    cast.patient.save(update_fields=["timezone"])
    with time_machine.travel(WINTER, tick=False):
        make_enrollment(cast.patient, cast.clinician, cast.practice, version=program_version)
        client.force_login(cast.patient)
        page = client.get(reverse("messages")).content.decode()
    assert expected in " ".join(page.split())


def test_the_check_in_result_says_the_same_hours_as_the_messages_page(cast):
    # The Auckland patient's crisis panel after a check-in: the same words, converted.
    promise = response_promise(
        PracticeSettings(practice=cast.practice),
        Alert.Severity.URGENT,
        practice_zone=LONDON,
        patient_zone="Pacific/Auckland",
        now=WINTER,
    )
    html = " ".join(
        render_to_string("tracking/patient/checkin/_safety_next.html", {"promise": promise}).split()
    )
    assert (
        "during opening hours: Mon–Fri, 22:00 to 6:00 the next day, in your time "
        "(Mon–Fri, 9:00–17:00 London time)." in html
    )


def test_a_patient_on_the_clinics_clock_gets_no_note():
    assert hours_at(WINTER, patient_zone=LONDON).zone == ""
    # Another name, the same clock (Dublin is on London time): no note either.
    found = hours_at(WINTER, patient_zone="Europe/Dublin")
    assert (found.hours, found.clinic_hours, found.zone) == ("Mon–Fri, 9:00–17:00", "", "")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # Mexico reads the 12-hour clock, in either language's words.
        (
            "en",
            "Your care team reads messages during office hours: Fri, 3:00 AM–11:00 AM; "
            "Mon–Thu, 2:00 AM–10:00 AM, in your time (Mon–Fri, 9:00 AM–5:00 PM London time).",
        ),
        (
            "es",
            "Su equipo de atención lee los mensajes en horario de atención: vie, "
            "3:00 a. m.–11:00 a. m.; lun–jue, 2:00 a. m.–10:00 a. m., en su hora local "
            "(lun–vie, 9:00 a. m.–5:00 p. m. hora de Londres).",
        ),
    ],
)
def test_the_messages_page_shows_the_hours_in_the_patients_time(
    client, cast, program_version, language, expected
):
    assert cast.practice.timezone == LONDON
    cast.patient.timezone = MEXICO_CITY
    cast.patient.language = language
    cast.patient.save(update_fields=["timezone", "language"])
    with time_machine.travel(DST_WEEK, tick=False):
        make_enrollment(cast.patient, cast.clinician, cast.practice, version=program_version)
        client.force_login(cast.patient)
        page = client.get(reverse("messages")).content.decode()
    assert expected in " ".join(page.split())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "during opening hours: Mon–Fri, 3:00–11:00, in your time (Mon–Fri, 9:00–17:00 "
            "London time).",
        ),
        (
            "es",
            "en su horario de atención: lun–vie, 3:00–11:00, en su hora local (lun–vie, "
            "9:00–17:00 hora de Londres).",
        ),
    ],
)
def test_the_crisis_panels_next_steps_use_the_patients_time(cast, language, expected):
    with translation.override(language):
        promise = response_promise(
            PracticeSettings(practice=cast.practice),
            Alert.Severity.URGENT,
            practice_zone=LONDON,
            patient_zone=MEXICO_CITY,
            now=WINTER,
        )
        html = render_to_string("tracking/patient/checkin/_safety_next.html", {"promise": promise})
    assert expected in " ".join(html.split())


def test_the_crisis_panel_across_midnight_is_in_the_patients_time(cast):
    promise = response_promise(
        PracticeSettings(practice=cast.practice),
        Alert.Severity.URGENT,
        practice_zone="Australia/Sydney",
        patient_zone=LONDON,
        now=WINTER,
    )
    html = " ".join(
        render_to_string("tracking/patient/checkin/_safety_next.html", {"promise": promise}).split()
    )
    assert (
        "during opening hours: Sun–Thu, 22:00 to 6:00 the next day, in your time "
        "(Mon–Fri, 9:00–17:00 Sydney time)." in html
    )
