"""The safety hold page on a phone, in real Chromium, in English and Spanish: the short
menu (More opens to Messages, the safety plan, the account and Log out), the emergency
number to tap, a message sent from the menu; axe-core clean.

Screenshots: test-artifacts/screenshots/hold-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers
from tests.test_safety_hold_menu import hold

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"messages": "Messages", "send": "Send message", "sent": "Message sent."},
    "es": {"messages": "Mensajes", "send": "Enviar mensaje", "sent": "Mensaje enviado."},
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_held_patient_reaches_the_care_team_from_the_menu(
    live_server, new_context, cast, program_version, language
):
    hold(cast, program_version, flags=["bladder_bowel"], country="GB", language=language)
    words = WORDS[language]
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()  # for axe-core's script
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("safety_hold"))
    expect(page.locator('a[href="tel:999"]').first).to_be_visible()
    helpers.check_axe(page, f"hold-{language}")
    page.locator("summary.more__toggle").click()
    helpers.screenshot(page, f"hold-menu-{language}")
    page.locator(".more__list").get_by_role("link", name=words["messages"]).click()
    expect(page).to_have_url(live_server.url + reverse("messages"))
    page.locator("textarea[name=body]").fill("When can I start?")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_text(words["sent"])).to_be_visible()
    helpers.check_axe(page, f"hold-messages-{language}")
    helpers.screenshot(page, f"hold-messages-{language}")
