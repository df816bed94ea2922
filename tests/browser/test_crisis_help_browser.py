"""A patient on a phone writes words that may mean they are at risk in a lesson's
reflection: in real Chromium the crisis panel is on the very next screen, with focus on
its heading and the country's numbers to tap; axe-core clean. (The player's saved part
and the htmx parts: tests/test_crisis_help_everywhere.py.)

Screenshots: test-artifacts/screenshots/crisis-help-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import Activity, ActivityKind
from tests.browser import helpers

pytestmark = pytest.mark.browser

HELP = "You do not have to face this alone"


def test_help_is_on_the_next_screen_after_a_reflection(live_server, new_context, cast, enrollment):
    enrollment.country = "US"
    enrollment.save(update_fields=["country"])
    reflection = Activity.objects.filter(
        week__version=enrollment.program_version, kind=ActivityKind.REFLECTION
    ).first()
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()  # for axe-core's script
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("activity", args=[reflection.slug]))
    page.locator("textarea[name=text]").fill("Honestly, some days I want to die.")
    page.locator("form button[type=submit]").last.click()
    heading = page.get_by_role("heading", name=HELP)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.locator('a[href="tel:988"]').first).to_be_visible()
    helpers.check_axe(page, "crisis-help-reflection")
    helpers.screenshot(page, "crisis-help-reflection-390")
    # Once: the next page is calm again.
    page.goto(live_server.url + reverse("today"))
    expect(page.get_by_role("heading", name=HELP)).to_have_count(0)
