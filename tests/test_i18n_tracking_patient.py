"""The patient's tracking pages in Spanish, and safety in Spanish (issue 18, item 5): a
Spanish patient on the Spanish program version meets no English on "Get help now"
(with the Spanish crisis options of their country), the safety plan and details, the
onboarding contact and red-flag steps, the safety hold, and the crisis and
new-symptoms panels of a check-in; and the crisis-word scanner reads Spanish.

Where a page also shows the questionnaire items (whose Spanish belongs to the
instruments work), the test checks only the safety panels' own region of the page
(the <section id="crisis-now"> / "symptoms-now"), not the items."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Program
from tests.checkin_data import started_two_weeks_ago
from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tests.test_i18n import english_in
from tracking import rules
from tracking.models import Alert, CheckIn, PracticeSettings
from tracking.safety.resources import DEFAULTS, DEFAULTS_ES, crisis_resources_for
from tracking.safety.scanner import finds_crisis_words, scan

# Names and proper nouns on these pages.
NAMES = ("Pat One", "Dr Kim", "Riverside", "Samaritans", "NHS", "Lifeline", "A&E", "painapp")


def spanish_only(html: str) -> None:
    assert english_in(html, allowed=NAMES) == []


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert '<html lang="es">' in html
    return html


def _spanish_enrollment(cast, *, onboarded: bool = True, days_ago: int = 10):
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    enrollment = make_enrollment(
        cast.patient,
        cast.clinician,
        cast.practice,
        version=english,
        days_ago=days_ago,
        onboarded=onboarded,
    )
    assert enrollment.program_version.language == "es"
    return enrollment


@pytest.fixture
def spanish(cast):
    return _spanish_enrollment(cast)


@pytest.fixture
def patient(client, cast, spanish):
    client.force_login(cast.patient)
    return client


# ---------------------------------------------------------------- Get help now
def test_get_help_is_spanish_with_the_us_spanish_options(patient, spanish):
    spanish.country = "US"
    spanish.save(update_fields=["country"])
    html = page(patient.get(reverse("get_help")))
    spanish_only(html)
    assert "Obtener ayuda ahora" in html
    assert "oprima <strong>2</strong>" in html
    assert "<strong>AYUDA</strong>" in html
    assert "Estos números son para Estados Unidos." in html
    assert "no tiene que pasar por esto a solas." in html  # for a man or a woman alike


def test_get_help_for_mexico(patient, spanish):
    spanish.country = "MX"
    spanish.save(update_fields=["country"])
    html = page(patient.get(reverse("get_help")))
    spanish_only(html)
    assert "800 911 2000" in html
    assert "Estos números son para México." in html


def test_someone_logged_out_with_a_spanish_browser_sees_every_country_in_spanish(client, db):
    html = client.get(reverse("get_help"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    spanish_only(html)
    for d in DEFAULTS_ES.values():
        assert d.name in html
    assert "024" in html and "800 911 2000" in html


def test_every_country_has_a_spanish_list_with_its_sources(db):
    assert set(DEFAULTS) <= set(DEFAULTS_ES)
    for code, d in DEFAULTS_ES.items():
        assert d.source.strip(), code
        assert all(u.startswith(("http://", "https://")) for u in d.source.split()), code
        assert "Si está en peligro ahora" in d.body_md, code


def test_a_spanish_patient_keeps_the_practices_own_numbers(cast, db):
    p = cast.practice.pk
    assert crisis_resources_for(practice_id=p, country="US", language="es") == (
        DEFAULTS_ES["US"].body_md
    )
    from tracking.models import CrisisResource

    CrisisResource.objects.create(practice_id=p, country="US", body_md="Riverside line 0100")
    both = crisis_resources_for(practice_id=p, country="US", language="es")
    assert both.startswith(DEFAULTS_ES["US"].body_md) and "Riverside line 0100" in both
    # English stays exactly as it was.
    assert crisis_resources_for(practice_id=p, country="US") == "Riverside line 0100"
    assert crisis_resources_for(practice_id=p, country="ZZ", language="es").startswith(
        "**Si está en peligro ahora, llame al número de emergencias"
    )


# ---------------------------------------------------------------- safety plan and details
def test_the_safety_plan_is_spanish(patient):
    spanish_only(page(patient.get(reverse("safety_plan"))))
    html = page(patient.get(reverse("safety_plan") + "?edit=1"))
    spanish_only(html)
    assert "Mis señales de alerta" in html


def test_the_details_page_and_a_form_error_are_spanish(patient):
    spanish_only(page(patient.get(reverse("safety_details"))))
    response = patient.post(
        reverse("safety_details"), {"country": "MX", "contact_phone": "call me maybe"}
    )
    assert response.status_code in (200, 422)
    html = response.content.decode()
    assert "Eso no parece un número de teléfono." in html
    assert english_in(html, allowed=(*NAMES, "call me maybe")) == []


def test_saving_the_safety_plan_says_so_in_spanish(patient):
    response = patient.post(
        reverse("safety_plan"), {"coping": "Caminar un poco y escuchar música."}, follow=True
    )
    html = page(response)
    assert "Su plan de seguridad está guardado." in html
    spanish_only(html)


def test_saving_the_details_says_so_in_spanish(patient):
    response = patient.post(
        reverse("safety_details"),
        with_version(patient, reverse("safety_details"), {"country": "MX"}),
        follow=True,
    )
    html = page(response)
    assert "Guardado. Gracias." in html
    spanish_only(html)


# ---------------------------------------------------------------- onboarding
@pytest.fixture
def onboarding(client, cast):
    enrollment = _spanish_enrollment(cast, onboarded=False)
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    return enrollment


def test_the_onboarding_contact_and_screening_steps_are_spanish(client, onboarding):
    html = page(client.get(reverse("onboarding_contact")))
    spanish_only(html)
    assert "¿En qué país está usted?" in html
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "MX"}),
    )
    assert response.url == reverse("onboarding_safety")
    html = page(client.get(reverse("onboarding_safety")))
    spanish_only(html)
    assert "Problemas nuevos para controlar la vejiga o el intestino" in html
    # An error, in Spanish, keeping what was typed.
    response = client.post(
        reverse("onboarding_safety"), {"date_of_birth": "1980-05-05", "onset_year": "2015"}
    )
    html = response.content.decode()
    assert "Por favor, marque las que le pasen" in html
    spanish_only(html)


def test_the_contact_step_says_whose_name_and_number_it_asks_for(client, onboarding):
    html = page(client.get(reverse("onboarding_contact")))
    assert "El nombre de esa persona. Solo su equipo de atención lo ve." in html
    assert "El número de teléfono de esa persona" in html
    assert "(de esa persona)" not in html


def test_the_safety_hold_is_spanish(client, onboarding):
    client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "MX"}),
    )
    response = client.post(
        reverse("onboarding_safety"),
        {"date_of_birth": "1980-05-05", "onset_year": "2015", "urgent_flags": ["leg_weakness"]},
    )
    html = page(client.get(response.url))
    spanish_only(html)
    assert "Debilidad en una pierna que va empeorando" in html


# ---------------------------------------------------------------- check-in safety panels
def _section(html: str, panel_id: str) -> str:
    match = re.search(r'<section[^>]*id="' + panel_id + r'".*?</section>', html, re.S)
    assert match, panel_id
    return match.group(0)


def test_the_crisis_panel_after_item_9_is_spanish(patient, spanish):
    spanish.country = "US"
    spanish.save(update_fields=["country"])
    week3: CheckIn = started_two_weeks_ago(spanish)["week-3"]
    url = reverse("checkin_detail", args=[week3.pk])
    patient.post(url, {"action": "save", "phq9_item9__phq9": "1"})
    assert Alert.objects.filter(enrollment=spanish, kind="self_harm").exists()
    html = page(patient.get(url))
    panel = _section(html, "crisis-now")
    spanish_only(panel)
    # Words for a man or a woman alike ("a solas", not "solo").
    assert "No tiene que pasar por esto a solas" in panel
    assert "oprima <strong>2</strong>" in panel
    assert "en menos de" in panel


def test_the_results_after_item_9_speak_to_a_man_or_a_woman_alike(patient, spanish):
    from tests.checkin_data import post_for

    week3: CheckIn = started_two_weeks_ago(spanish)["week-3"]
    data = post_for(week3.instrument_keys)
    data["phq9_item9__phq9"] = "1"
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data)
    html = page(patient.get(response["Location"]))
    assert "estaría mejor muerto(a), o de hacerse daño" in html
    assert "No tiene que pasar por esto a solas" in html


@pytest.mark.parametrize(
    ("item", "heading"),
    [
        ("doctor_signs", "Los síntomas nuevos necesitan que un médico los revise"),
        ("emergency_signs", "Por favor, vaya hoy a la sala de emergencias"),
    ],
)
def test_the_new_symptoms_guidance_is_spanish(patient, spanish, item, heading):
    week3: CheckIn = started_two_weeks_ago(spanish)["week-3"]
    url = reverse("checkin_detail", args=[week3.pk])
    patient.post(url, {"action": "save", f"new_symptoms__{item}": "1"})
    panel = _section(page(patient.get(url)), "symptoms-now")
    spanish_only(panel)
    assert heading in panel


# ---------------------------------------------------------------- crisis words in Spanish
@pytest.mark.parametrize(
    "text",
    [
        "A veces quiero morirme",
        "Ya no quiero vivir así",
        "He pensado en quitarme la vida",
        "Pienso en SUICIDARME",
        "me quiero morir",
        "No tengo razón para vivir",
        "Quiero acabar con mi vida",
        "Tengo pensamientos suicidas",
        "a veces pienso en matarme",
        "Estaría mejor muerta",
        "A veces pienso en hacerme daño a propósito",
    ],
)
def test_spanish_crisis_phrasings_match(text):
    words = (*rules.DEFAULT_CRISIS_WORDS, *rules.DEFAULT_CRISIS_WORDS_ES)
    assert finds_crisis_words([text], words), text


@pytest.mark.parametrize(
    "text",
    [
        "Este dolor me está matando",
        "Me muero de ganas de caminar otra vez",
        "Tengo miedo de hacerme daño en la espalda",
        "Quiero vivir sin dolor",
        "Salí a matar el tiempo",
        "Me fui a cortarme el pelo",
        "Me muero de dolor cuando me agacho",
        "Quiero disfrutar la vida",
    ],
)
def test_everyday_spanish_does_not_match(text):
    words = (*rules.DEFAULT_CRISIS_WORDS, *rules.DEFAULT_CRISIS_WORDS_ES)
    assert not finds_crisis_words([text], words), text


def test_the_spanish_list_is_in_the_scanners_normal_form():
    from tracking.safety.scanner import normalise

    for phrase in rules.DEFAULT_CRISIS_WORDS_ES:
        assert normalise(phrase) == phrase, phrase


def test_the_scanner_raises_on_spanish_even_with_a_practice_list(cast, spanish):
    settings = PracticeSettings.for_practice(spanish.practice_id)
    settings.crisis_words = ["our own phrase"]
    settings.save()
    alert = scan(spanish, source="reflection:1", texts=["Ya no quiero vivir"], settings=settings)
    assert alert is not None
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")


# ---------------------------------------------------------------- the check-in pages
def _without_items(html: str) -> str:
    """The page less the questionnaire items (their Spanish belongs to the instruments
    work): every <section class="ci-section"> (one instrument's title, instructions,
    items and answer labels) and the instruments' titles and citations (ci-sources)."""
    html = re.sub(
        r'<section class="ci-section".*?</section>\s*'
        r'(?=<section class="ci-section"|<div class="ci-nav")',
        "",
        html,
        flags=re.S,
    )
    return re.sub(r'<details class="ci-sources">.*?</details>', "", html, flags=re.S)


def test_a_weekly_checkin_and_its_results_are_spanish(patient, spanish):
    from tests.checkin_data import post_for

    week3: CheckIn = started_two_weeks_ago(spanish)["week-3"]
    url = reverse("checkin_detail", args=[week3.pk])
    html = page(patient.get(url))
    assert "Control de la semana 3" in html
    assert "Enviar mis respuestas" in html and 'data-msg-count="Pregunta {n} de {total}"' in html
    spanish_only(_without_items(html))
    response = patient.post(url, post_for(week3.instrument_keys))
    html = page(patient.get(response["Location"]))
    spanish_only(html)
    assert "sus resultados" in html or "Gracias" in html
    assert "Dolor promedio" in html


def test_a_checkin_answer_left_out_or_out_of_range_is_explained_in_spanish(patient, spanish):
    from tests.checkin_data import post_for

    week3: CheckIn = started_two_weeks_ago(spanish)["week-3"]
    data = post_for(week3.instrument_keys)
    del data["pain_worst__pain_worst"]
    data["pain_avg__pain_avg"] = "11"
    data["fear_movement__fear_movement"] = "abc"
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Por favor, elija una respuesta." in html
    assert "Elija un número del 0 al 10." in html
    assert "Elija un número entero del 0 al 10." in html
    spanish_only(_without_items(html))


def test_today_card_and_the_checkin_list_are_spanish(patient, spanish):
    started_two_weeks_ago(spanish)
    html = page(patient.get(reverse("today")))
    card = _section(html.replace('aria-labelledby="checkin-card-h"', 'id="card"'), "card")
    spanish_only(card)
    assert "Empezar mi control" in card
    spanish_only(page(patient.get(reverse("checkin_list"))))


def test_progress_reminders_and_notifications_are_spanish(patient, spanish):
    started_two_weeks_ago(spanish)
    html = page(patient.get(reverse("progress")))
    assert "Mi progreso" in html
    # The chart cards (tracking/charts.py, shared with the clinician's pages) are not
    # part of this work: the rest of the page is checked.
    spanish_only(re.sub(r'<section class="card chart-card".*?</section>', "", html, flags=re.S))
    html = page(patient.get(reverse("reminder_settings")))
    assert "Guardar mis recordatorios" in html
    spanish_only(html)
    html = page(patient.get(reverse("notifications")))
    assert "Notificaciones" in html
    spanish_only(html)


def test_a_reminder_form_error_is_spanish(patient, spanish):
    response = patient.post(
        reverse("reminder_settings"),
        {"practice_enabled": "on", "practice_time": "", "quiet_start": "22:00"},
    )
    html = response.content.decode()
    assert "Ponga las dos horas de silencio, o deje las dos vacías." in html
    spanish_only(html)
