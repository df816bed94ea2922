"""Today and the somatic-tracking player in Spanish, in real Chromium on a phone
(390×844): the player's own words (step count, timer, save) come from the page in the
patient's language, each screen passes axe-core, and nothing scrolls sideways.

Screenshots: test-artifacts/screenshots/es-today.png, es-player-*.png.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programs.models import PracticeSession, Program
from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_spanish_patient_uses_today_and_the_player_in_spanish(live_server, new_context, cast):
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=english)
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)

    page.goto(f"{live_server.url}/today/")
    expect(page.locator("h1")).to_have_text("Hoy")
    expect(page.get_by_role("link", name="Empezar el seguimiento somático")).to_be_visible()
    helpers.check_axe(page, "es-today")
    no_sideways_scroll(page)
    helpers.screenshot(page, "es-today")

    page.get_by_role("link", name="Empezar el seguimiento somático").click()
    expect(page.locator("h1")).to_have_text("Seguimiento somático")
    expect(page.locator("[data-player-count]")).to_have_text("Preparándose")
    page.locator("label[for=id_pain_before_6]").click()
    page.locator("label[for=id_threat_before_5]").click()
    page.get_by_role("button", name="Siguiente").click()
    count = page.locator("[data-player-count]")
    expect(count).to_have_text("Paso 1 de " + str(page.locator("[data-step]").count()))
    step = page.locator("[data-step='1']")
    timer = step.locator("[data-timer-toggle]")
    expect(timer).to_have_text("Iniciar temporizador")
    timer.click()
    expect(timer).to_have_text("Pausar temporizador")
    timer.click()
    expect(timer).to_have_text("Seguir con el temporizador")
    expect(step.locator("[data-timer-note]")).to_have_text("En pausa")
    helpers.check_axe(page, "es-player-step-1")
    no_sideways_scroll(page)
    helpers.screenshot(page, "es-player-step-1")

    # On to the last step, rate, and save: the calm page in Spanish.
    while page.get_by_role("button", name="Siguiente").is_visible():
        page.get_by_role("button", name="Siguiente").click()
    page.locator("label[for=id_pain_after_4]").click()
    page.locator("label[for=id_threat_after_5]").click()
    helpers.screenshot(page, "es-player-last-step")
    page.get_by_role("button", name="Guardar en mi registro").click()
    expect(page.get_by_role("heading", name="Guardado en su registro")).to_be_visible()
    assert PracticeSession.objects.count() == 1
    helpers.check_axe(page, "es-player-saved")
    helpers.screenshot(page, "es-player-saved")
