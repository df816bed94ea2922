"""The menu of a patient still onboarding (past the consent step), on a phone in
Chromium, in English and Spanish: only what works (Getting started, and under More:
Messages, the safety plan, the account and Log out); each link opens its page, never
the onboarding again; axe clean with More open.

Screenshots: test-artifacts/screenshots/onboarding-menu-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.services import onboarding_consent
from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser

WORDS = {
    "en": ["Getting started", "Messages", "Safety plan", "Account"],
    "es": ["Primeros pasos", "Mensajes", "Plan de seguridad", "Cuenta"],
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_onboarding_menu_only_leads_where_it_works(
    live_server, new_context, cast, program_version, language
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    onboarding_consent(enrollment=enrollment)  # before it, no Messages nor safety plan
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()  # for axe-core's script
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("onboarding_settings"))
    nav = page.locator("header nav")
    page.locator("summary.more__toggle").click()
    visible = nav.locator("a:visible")
    expect(visible).to_have_text(WORDS[language])
    log_out = {"en": "Log out", "es": "Salir"}[language]
    expect(page.locator(".more__list").get_by_role("button", name=log_out)).to_be_visible()
    helpers.check_axe(page, f"onboarding-menu-{language}")
    helpers.screenshot(page, f"onboarding-menu-{language}")

    onboarding = live_server.url + reverse("onboarding_settings")
    for href in [a.get_attribute("href") for a in visible.all()][1:]:
        page.goto(live_server.url + href)
        expect(page).to_have_url(live_server.url + href)  # not sent back to onboarding
        assert page.url != onboarding
        helpers.check_axe(page, f"onboarding-menu-{language}-{href.strip('/').replace('/', '-')}")
