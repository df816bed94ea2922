"""A patient on a safety hold (a red flag at onboarding, until their clinician reviews
it): their menu holds only the pages they can reach, and each of them works; the
program, check-ins and the fear ladder still lead to the hold page; they can message
their care team (through the safety scanner); the hold page gives their country's
emergency number to tap and call."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs.models import Screening
from tests.factories import make_enrollment
from tracking.clinic.services import safety_hold_clear
from tracking.lifecycle import screening_submit
from tracking.messaging.models import Message
from tracking.models import Alert, PracticeSettings
from tracking.safety.resources import DEFAULTS, DEFAULTS_ES, EMERGENCY_NUMBERS

CRISIS = {"en": "Honestly some days I want to die.", "es": "La verdad, hay días que quiero morir."}

# Every page the menu of a held patient links to (Log out is a form; Get help now is
# the header's own link, on every patient page).
HELD_MENU = ("safety_hold", "messages", "safety_plan", "account_change_password")

# What stays locked until the clinician clears the hold.
LOCKED = (
    "today",
    "program_overview",
    "checkin_current",
    "checkin_list",
    "exposure",
    "progress",
    "diary_list",
    "my_log",
    "reminder_settings",
    "practice",
)


def hold(cast, program_version, *, flags, country="GB", language="en"):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    enrollment.country = country
    enrollment.save(update_fields=["country"])
    assert screening_submit(enrollment=enrollment, red_flags=flags) is True
    return enrollment


@pytest.fixture
def held(cast, program_version, client):
    enrollment = hold(cast, program_version, flags=["weight_loss"])
    client.force_login(cast.patient)
    return enrollment


def menu_links(html: str) -> set[str]:
    nav = re.search(r'<nav aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert nav, "no main menu"
    return set(re.findall(r'<a href="([^"]+)"', nav.group(1)))


def header_links(html: str) -> set[str]:
    header = re.search(r"<header.*?</header>", html, re.S)
    assert header
    return set(re.findall(r'<a class="get-help-link" href="([^"]+)"', header.group(0)))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_held_menu_lists_only_what_works_and_each_link_works(
    cast, program_version, client, language
):
    hold(cast, program_version, flags=["weight_loss"], language=language)
    client.force_login(cast.patient)
    page = client.get(reverse("safety_hold"))
    assert page.status_code == 200
    html = page.content.decode()
    assert menu_links(html) == {reverse(name) for name in HELD_MENU}
    assert header_links(html) == {reverse("get_help")}
    assert f'action="{reverse("account_logout")}"' in html
    if language == "es":
        assert "Antes de empezar" in html and "Mensajes" in html and "Plan de seguridad" in html
    else:
        assert "Before you start" in html and "Messages" in html and "Safety plan" in html
    for url in (*menu_links(html), *header_links(html), reverse("safety_details")):
        response = client.get(url)
        assert response.status_code == 200, url
        # the same short menu on every page they reach, whether or not it loads the enrollment
        assert menu_links(response.content.decode()) == {reverse(name) for name in HELD_MENU}, url


def test_locked_pages_still_lead_to_the_hold_page(held, client):
    for name in LOCKED:
        response = client.get(reverse(name))
        assert (response.status_code, response.url) == (302, reverse("safety_hold")), name


def test_with_messaging_off_the_held_menu_has_no_messages_link(cast, held, client):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.messaging_enabled = False
    settings.save()
    html = client.get(reverse("safety_hold")).content.decode()
    assert menu_links(html) == {reverse(n) for n in HELD_MENU if n != "messages"}
    assert "send a message to your care team" not in html


def test_the_hold_page_offers_a_message_to_the_care_team(held, client):
    html = client.get(reverse("safety_hold")).content.decode()
    assert f'you can <a href="{reverse("messages")}">send a message to your care team</a>' in html


def test_once_the_hold_is_cleared_the_whole_menu_is_back(cast, held, client):
    safety_hold_clear(enrollment=held, by=cast.clinician, reason="Checked with GP")
    html = client.get(reverse("today")).content.decode()
    links = menu_links(html)
    assert reverse("program_overview") in links and reverse("safety_hold") not in links


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_held_patient_can_message_the_care_team_and_a_crisis_phrase_is_caught(
    cast, program_version, client, language
):
    enrollment = hold(cast, program_version, flags=["weight_loss"], language=language)
    assert enrollment.screening == Screening.HOLD
    client.force_login(cast.patient)
    assert client.get(reverse("messages")).status_code == 200
    response = client.post(reverse("messages"), {"body": CRISIS[language]})
    assert response.status_code == 302
    assert response.url.startswith(reverse("messages"))
    html = client.get(response.url).content.decode()
    help_words = (
        "No tiene que pasar por esto a solas"
        if language == "es"
        else ("You do not have to face this alone")
    )
    assert help_words in html
    assert Message.objects.get().body == CRISIS[language]
    alert = Alert.objects.get(kind=Alert.Kind.SELF_HARM)
    assert (alert.enrollment, alert.severity) == (enrollment, Alert.Severity.URGENT)
    # their care team reads it in the patient's record
    client.force_login(cast.clinician)
    thread = client.get(reverse("patient_messages", args=[enrollment.pk]))
    assert thread.status_code == 200 and CRISIS[language] in thread.content.decode()
    client.force_login(cast.patient)
    # and the program is still on hold
    enrollment.refresh_from_db()
    assert enrollment.on_safety_hold
    assert client.get(reverse("today")).url == reverse("safety_hold")


def test_a_held_patient_can_also_send_by_htmx(held, client):
    response = client.post(
        reverse("messages"), {"body": "When will I hear back?"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="conversation"' in response.content.decode()
    assert Message.objects.get().from_patient


# ------------------------------------------------------------------ the emergency number
@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        (
            "en",
            "GB",
            'Please go to the emergency department today, or call <a href="tel:999">999</a>.',
        ),
        ("en", "AU", 'or call <a href="tel:000">000</a>.'),
        (
            "es",
            "ES",
            'Por favor, vaya hoy a la sala de emergencias, o llame al <a href="tel:112">112</a>.',
        ),
        ("es", "MX", 'o llame al <a href="tel:911">911</a>.'),
    ],
)
def test_suspected_cauda_equina_gives_the_emergency_number_and_today(
    cast, program_version, client, language, country, expected
):
    hold(cast, program_version, flags=["bladder_bowel"], country=country, language=language)
    client.force_login(cast.patient)
    html = client.get(reverse("safety_hold")).content.decode()
    assert expected in html
    assert "local emergency number" not in html and "número de emergencias de su zona" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", '(go to the emergency department, or call <a href="tel:911">911</a>) if you'),
        ("es", '(vaya a la sala de emergencias, o llame al <a href="tel:911">911</a>) si'),
    ],
)
def test_the_warning_about_new_signs_gives_the_emergency_number(
    cast, program_version, client, language, expected
):
    hold(cast, program_version, flags=["weight_loss"], country="US", language=language)
    client.force_login(cast.patient)
    assert expected in client.get(reverse("safety_hold")).content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Please go to the emergency department today, or call your local emergency number.",
        ),
        (
            "es",
            "Por favor, vaya hoy a la sala de emergencias, o llame al número de emergencias "
            "de su zona.",
        ),
    ],
)
def test_an_unknown_country_keeps_the_generic_words(
    cast, program_version, client, language, expected
):
    hold(cast, program_version, flags=["bladder_bowel"], country="ZZ", language=language)
    client.force_login(cast.patient)
    html = client.get(reverse("safety_hold")).content.decode()
    assert expected in html and "tel:" not in html


@pytest.mark.parametrize("code", sorted(EMERGENCY_NUMBERS))
def test_each_emergency_number_is_the_one_in_the_reviewed_crisis_list(code):
    assert set(EMERGENCY_NUMBERS) == set(DEFAULTS)
    number = EMERGENCY_NUMBERS[code]
    assert f"call {number}" in DEFAULTS[code].body_md.split("\n")[0]
    if code in DEFAULTS_ES:
        assert f"llame al {number}" in DEFAULTS_ES[code].body_md.split("\n")[0]
