"""Today, the program page and the check-ins once the program is over, and while it is
paused: no "this week" after the end (the boosters and follow-ups are pointed to), and
no opening date while paused (every paused day moves them, programs.weeks)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from programs import selectors
from programs.models import ActivityCompletion, EnrollmentStatus
from tests.factories import make_enrollment
from tracking.checkins.schedule import checkins_ensure_scheduled
from tracking.lifecycle import enrollment_pause

# What each page says, in each language the patient may read.
FINISHED = {
    "en": {
        "today": ["You have finished the 8-week program.", "Look back at any week's lessons"],
        "overview": ["You have finished the program", "Every week below stays open"],
        "boosters": "Your monthly boosters",
        "followups": "Your follow-up check-ins",
        "this_week": "This week",
        "see_week_8": "See all of week 8",
    },
    "es": {
        "today": [
            "Usted terminó el programa de 8 semanas.",
            "Volver a las lecciones de cualquier semana",
        ],
        "overview": ["Usted terminó el programa", "Todas las semanas siguen abiertas"],
        "boosters": "Sus refuerzos de cada mes",
        "followups": "Sus controles de seguimiento",
        "this_week": "Esta semana",
        "see_week_8": "Ver toda la semana 8",
    },
}
PAUSED = {
    "en": {
        "today": "The next weeks open again when your program restarts.",
        "overview": "The next weeks open again when your program restarts.",
        "badge": "Opens after your pause",
        "week": "This week opens when your program restarts.",
        "checkins": "When your program restarts",
        "opens": "Opens ",
    },
    "es": {
        "today": "Las próximas semanas se abren de nuevo cuando su programa vuelva a empezar.",
        "overview": "Las próximas semanas se abren de nuevo cuando su programa vuelva a empezar.",
        "badge": "Se abre después de la pausa",
        "week": "Esta semana se abre cuando su programa vuelva a empezar.",
        "checkins": "Cuando su programa vuelva a empezar",
        "opens": "Se abre el ",
    },
}


def get(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def speaking(cast, language: str) -> None:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])


@pytest.fixture
def finished(cast, program_version):
    """Started in May, completed by the clinician in July; it is now months later."""
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=200
    )
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.save(update_fields=["status"])
    return enrollment


@pytest.mark.parametrize("language", ["en", "es"])
def test_after_the_end_no_week_is_this_week_and_the_boosters_are_pointed_to(
    client, cast, finished, language
):
    speaking(cast, language)
    words = FINISHED[language]
    client.force_login(cast.patient)
    today = get(client, "today")
    for said in words["today"]:
        assert said in today
    assert words["see_week_8"] not in today
    assert f'href="{reverse("boosters")}"' in today
    assert f'href="{reverse("checkin_list")}"' in today
    assert words["followups"] in today

    overview = get(client, "program_overview")
    for said in words["overview"]:
        assert said in overview
    assert f">{words['this_week']}<" not in overview
    assert f'href="{reverse("boosters")}">{words["boosters"]}' in overview
    # Every week stays open to revisit.
    for number in range(1, 9):
        assert f'href="{reverse("program_week", args=[number])}"' in overview
    assert get(client, "program_week", 8)


def test_before_the_end_the_week_is_still_this_week(client, cast, enrollment):
    client.force_login(cast.patient)
    overview = get(client, "program_overview")
    assert ">This week<" in overview
    assert "You have finished the program" not in overview
    assert "See all of week 2" in get(client, "today")


@pytest.fixture
def paused(cast, program_version):
    """In week 3 with everything open done, then paused by the clinician."""
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=16
    )
    pmap = selectors.program_map(enrollment)
    ActivityCompletion.objects.bulk_create(
        ActivityCompletion(enrollment=enrollment, activity=a)
        for state in pmap.weeks[:3]
        for a in state.one_off
    )
    checkins_ensure_scheduled(enrollment)
    enrollment_pause(enrollment=enrollment, by=cast.clinician)
    enrollment.refresh_from_db()
    return enrollment


@pytest.mark.parametrize("language", ["en", "es"])
def test_while_paused_no_page_gives_a_date_for_what_is_still_to_open(
    client, cast, paused, language
):
    speaking(cast, language)
    words = PAUSED[language]
    client.force_login(cast.patient)
    with translation.override(language):
        dates = [
            formats.date_format(paused.week_opens_on(n), "DAY_MONTH_FORMAT") for n in range(4, 9)
        ]
    today = get(client, "today")
    overview = get(client, "program_overview")
    week4 = get(client, "program_week", 4)
    checkins = get(client, "checkin_list")
    assert words["today"] in today
    assert words["overview"] in overview and words["badge"] in overview
    assert not re.search(words["opens"] + r"\d", overview)
    assert words["week"] in week4
    assert words["checkins"] in checkins
    for page in (today, overview, week4, checkins):
        for day in dates:
            assert day not in page


def test_an_active_patient_still_sees_when_the_next_week_opens(client, cast, paused):
    from tracking.lifecycle import enrollment_resume

    enrollment_resume(enrollment=paused, by=cast.clinician)
    paused.refresh_from_db()
    client.force_login(cast.patient)
    opens = paused.week_opens_on(4)
    assert f"The next week opens on {opens:%A} {opens.day} {opens:%B}." in get(client, "today")
    assert f"Opens {opens.day} {opens:%b}" in get(client, "program_overview")
    assert "When your program restarts" not in get(client, "checkin_list")
