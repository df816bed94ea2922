"""The 4-week trial-dose program's overview and a week of two sessions, in English and
Spanish, in real Chromium on a phone (390×844): each page passes axe-core and fits the
screen.

Screenshots: test-artifacts/screenshots/4wk-<language>-overview.png, -week-2.png.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from programs.models import Program
from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser

PAGES = {
    "en": {
        "title": "Retrain your pain: a 4-week program for back pain, two sessions a week",
        "sessions": ("Session 1: How pain is made", "Session 2: Keeping it going"),
        "week": "Week 2: Clues and fear",
        "session_heading": "Session 2: Fear, and moving again",
    },
    "es": {
        "title": "Reentrene su dolor: un programa de 4 semanas para el dolor de espalda, "
        "con dos sesiones por semana",
        "sessions": ("Sesión 1: Cómo se crea el dolor", "Sesión 2: Seguir adelante"),
        "week": "Semana 2: Pistas y miedo",
        "session_heading": "Sesión 2: El miedo, y volver a moverse",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_4_week_overview_and_a_week_of_sessions_on_a_phone(
    live_server, new_context, cast, language
):
    call_command("load_program", "prt-back-4wk")
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get(slug="prt-back-4wk").current_version("en")
    # In week 3: weeks 1–3 open, week 4 still locked, as a patient would see it.
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=english, days_ago=15)
    words = PAGES[language]
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)

    page.goto(f"{live_server.url}/program/")
    expect(page.locator("h1")).to_have_text(words["title"])
    expect(page.locator(".week-item")).to_have_count(4)
    expect(page.locator(".week-item__sessions > li")).to_have_count(8)
    for session in words["sessions"]:
        expect(page.get_by_text(session, exact=True)).to_be_visible()
    helpers.check_axe(page, f"4wk-{language}-overview")
    helpers.assert_fits_width(page)
    helpers.assert_clean_text(page)
    helpers.screenshot(page, f"4wk-{language}-overview")

    page.goto(f"{live_server.url}/program/week/2/")
    expect(page.locator("h1")).to_have_text(words["week"])
    expect(page.locator("section.session h2")).to_have_count(2)
    expect(page.get_by_role("heading", name=words["session_heading"])).to_be_visible()
    helpers.check_axe(page, f"4wk-{language}-week-2")
    helpers.assert_fits_width(page)
    helpers.assert_clean_text(page)
    helpers.screenshot(page, f"4wk-{language}-week-2")
