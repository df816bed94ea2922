"""Help at once wherever a patient writes a crisis phrase (programs.safety): the page
they see next opens with the crisis panel — their country's numbers and what the
clinic does next — whichever page saved the words, with or without JavaScript; it is
shown once, and ordinary words show nothing. (Messages, the diary and the check-in
have their own, tested with them.)"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from programs.exposure.services import fear_item_create
from programs.models import Activity, ActivityKind
from tests.tailoring_data import make_custom_exercise
from tracking.models import Alert, PracticeSettings
from tracking.safety.resources import crisis_country, suggested_country

HELP = "You do not have to face this alone"
NUMBERS = "988"  # the US crisis line: cast.patient's enrollment is in the United States
CRISIS = "Some days I want to die."
CRISIS_ES = "Quiero morirme."


@pytest.fixture
def patient(us_patient):
    return us_patient


def activity_of(enrollment, kind) -> Activity:
    return Activity.objects.filter(week__version=enrollment.program_version, kind=kind).first()


def practice_answers(note: str) -> dict:
    return {
        "client_token": str(uuid.uuid4()),
        "duration_seconds": "312",
        "pain_before": "6",
        "threat_before": "7",
        "pain_after": "4",
        "threat_after": "3",
        "note": note,
    }


def _reflection(enrollment, text):
    return reverse("activity", args=[activity_of(enrollment, ActivityKind.REFLECTION).slug]), {
        "text": text
    }


def _causes(enrollment, text):
    return reverse("activity", args=[activity_of(enrollment, ActivityKind.ATTRIBUTION).slug]), {
        "cause_1": text,
        "category_1": "stress",
        "cause_2": "Lifting boxes",
        "category_2": "injury",
        "cause_3": "Bad posture",
        "category_3": "posture",
    }


def _fear_item(enrollment, text):
    return reverse("fear_create"), {"label": text[:200], "harm_rating": "40"}


def _exposure(enrollment, text):
    return reverse("exposure_plan"), {
        "fear_item": "",
        "activity": "Carry the shopping",
        "predicted_pain": "5",
        "predicted_harm": "40",
        "expectation": text,
    }


def _safety_plan(enrollment, text):
    return reverse("safety_plan"), {"warning_signs": text, "coping": "A walk"}


def _practice(enrollment, text):
    return reverse("practice_save"), practice_answers(text)


# (what the patient writes in, the URL and form that save it)
PLACES = [
    pytest.param(_reflection, id="reflection"),
    pytest.param(_causes, id="three causes"),
    pytest.param(_fear_item, id="fear ladder"),
    pytest.param(_exposure, id="exposure"),
    pytest.param(_practice, id="practice note"),
    pytest.param(_safety_plan, id="safety plan"),
]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("words", [CRISIS, CRISIS_ES], ids=["English", "Spanish"])
def test_the_next_page_opens_with_help_once(patient, enrollment, place, words):
    url, data = place(enrollment, words)
    response = patient.post(url, data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert HELP in page and NUMBERS in page
    assert page.count(HELP) == 1
    assert "We have told your clinic about what you wrote." in page
    assert Alert.objects.filter(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity=Alert.Severity.URGENT
    ).exists()
    # Shown once: the next page is an ordinary one.
    assert HELP not in patient.get(reverse("today")).content.decode()


@pytest.mark.parametrize("place", PLACES)
def test_ordinary_words_show_no_help(patient, enrollment, place):
    url, data = place(enrollment, "Bending was easier today.")
    page = patient.post(url, data, follow=True).content.decode()
    assert HELP not in page
    assert not Alert.objects.filter(kind=Alert.Kind.SELF_HARM).exists()


def test_the_practice_player_shows_help_in_the_saved_part_at_once(patient, enrollment):
    """The player saves with JavaScript (fetch, answered with the saved part): the help
    is in that part, right after "Saved to your log", and waits for no later page."""
    response = patient.post(
        reverse("practice_save"), practice_answers(CRISIS), HTTP_HX_REQUEST="true"
    )
    part = response.content.decode()
    assert "<html" not in part
    assert part.index("Saved to your log") < part.index(HELP)
    assert NUMBERS in part
    assert HELP not in patient.get(reverse("today")).content.decode()


def test_a_retried_practice_save_still_shows_help(patient, enrollment):
    """The player retries with the same token when the first answer never reached the
    phone: the retry raises no second alert, but its saved part has the help too."""
    data = practice_answers(CRISIS)
    patient.post(reverse("practice_save"), data, HTTP_HX_REQUEST="true")
    retry = patient.post(reverse("practice_save"), data, HTTP_HX_REQUEST="true")
    assert HELP in retry.content.decode()
    assert Alert.objects.filter(kind=Alert.Kind.SELF_HARM).count() == 1


def test_saving_the_same_words_again_shows_help_again(patient, enrollment):
    """Editing an entry raises no second alert, but the patient who writes it again
    sees the help again."""
    url, data = _reflection(enrollment, CRISIS)
    patient.post(url, data)
    assert HELP in patient.post(url, {"text": CRISIS + " Still."}, follow=True).content.decode()
    assert Alert.objects.filter(kind=Alert.Kind.SELF_HARM).count() == 1


def test_a_rung_edited_into_crisis_words_shows_help(patient, enrollment):
    item = fear_item_create(enrollment=enrollment, label="Lifting a bag", harm_rating=50)
    response = patient.post(
        reverse("fear_edit", args=[item.pk]),
        {"label": "I want to end it all", "harm_rating": "50"},
        follow=True,
    )
    assert HELP in response.content.decode()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_custom_exercise_note_shows_help(patient, cast, enrollment, htmx):
    exercise = make_custom_exercise(enrollment)
    url = reverse("custom_exercise", args=[exercise.pk])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = patient.post(url, {"note": CRISIS}, follow=not htmx, **extra)
    page = response.content.decode()
    assert HELP in page and NUMBERS in page
    assert page.count(HELP) == 1
    assert HELP not in patient.get(reverse("today")).content.decode()


# Whose numbers the crisis box shows, and says it shows: (the patient's time zone, the
# country they chose, the practice's default) → (the sentence, a number in it, a number
# that must not be there). The practice is in the UK: a patient elsewhere must not get
# 999 and Samaritans without being told.
BOX_COUNTRIES = [
    ("America/Los_Angeles", "", "GB", "These numbers are for United States, the country "
     "of your time zone. Live somewhere else?", "988", "116 123"),
    ("Australia/Sydney", "", "GB", "These numbers are for Australia, the country of your "
     "time zone.", "13 11 14", "116 123"),
    ("America/New_York", "GB", "US", "These numbers are for United Kingdom.", "116 123", "988"),
    ("UTC", "", "GB", "These numbers are for United Kingdom, where your clinic is. Live "
     "somewhere else?", "116 123", "988"),
    ("UTC", "", "", "Tell us your country to see its numbers.", "local emergency number",
     "116 123"),
    # A zone of a country we have no numbers for: "another country", as onboarding
    # suggests (suggested_country), never the clinic's numbers.
    ("Europe/Berlin", "", "GB", "These are the steps for anywhere: we have no numbers for the "
     "country of your time zone. Live somewhere else?", "local emergency number", "116 123"),
    ("Asia/Tokyo", "", "", "These are the steps for anywhere: we have no numbers for the "
     "country of your time zone.", "local emergency number", "116 123"),
    ("Europe/Berlin", "ZZ", "GB", "These are the steps for anywhere: you told us you live in "
     "another country.", "local emergency number", "116 123"),
]  # fmt: skip


@pytest.mark.parametrize(("zone", "chosen", "clinic", "says", "shown", "not_shown"), BOX_COUNTRIES)
def test_the_crisis_box_names_its_country_and_links_to_change_it(
    client, cast, enrollment, zone, chosen, clinic, says, shown, not_shown
):
    cast.patient.timezone = zone
    cast.patient.save(update_fields=["timezone"])
    enrollment.country = chosen
    enrollment.save(update_fields=["country"])
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country=clinic)
    client.force_login(cast.patient)
    url, data = _reflection(enrollment, "I'm thinking about ending my life")
    page = client.post(url, data, follow=True).content.decode()
    box = page[page.index(HELP) : page.index("</section>", page.index(HELP))]
    assert says in box
    assert shown in box and not_shown not in box
    assert f'href="{reverse("safety_details")}"' in box
    assert "Change your country or phone numbers" in box
    # "Get help now" says the same.
    assert says in client.get(reverse("get_help")).content.decode()


def test_the_crisis_box_names_its_country_in_spanish(client, cast, enrollment):
    cast.patient.timezone, cast.patient.language = "America/Los_Angeles", "es"
    cast.patient.save(update_fields=["timezone", "language"])
    client.force_login(cast.patient)
    url, data = _reflection(enrollment, "No le veo sentido a la vida")
    page = client.post(url, data, follow=True).content.decode()
    assert "Estos números son para Estados Unidos, el país de su zona horaria." in page
    assert "Cambiar su país o sus números de teléfono" in page


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "Europe/London", "UTC"]
)
def test_the_box_follows_the_zone_as_onboarding_suggests(cast, enrollment, zone):
    cast.patient.timezone = zone
    cast.patient.save(update_fields=["timezone"])
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country="GB")
    enrollment.refresh_from_db()
    expected = suggested_country(zone) or "GB"  # no country in the zone: the clinic's
    assert crisis_country(enrollment).code == expected


def test_the_another_country_box_is_in_spanish(client, cast, enrollment):
    cast.patient.timezone, cast.patient.language = "Europe/Berlin", "es"
    cast.patient.save(update_fields=["timezone", "language"])
    client.force_login(cast.patient)
    page = client.get(reverse("get_help")).content.decode()
    assert "no tenemos números para el país de su zona horaria" in page
    assert "116 123" not in page
