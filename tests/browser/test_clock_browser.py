"""A Spanish-speaking patient in the United States opens their messages in real
Chromium: the office hours and the message times are on the 12-hour clock, in Spanish
words ("lun–vie, 9:00 a. m.–5:00 p. m."), and stay whole on a phone (no-break spaces).
Checked with axe-core; saved as test-artifacts/screenshots/clock-es-us-messages-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tracking.messaging.services import message_send

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("form_factor", ["desktop", "phone"])
def test_a_spanish_speaker_in_the_us_reads_us_times(
    live_server, new_context, cast, enrollment, form_factor
):
    cast.practice.timezone = "America/New_York"
    cast.practice.save(update_fields=["timezone"])
    cast.patient.timezone, cast.patient.language = "America/New_York", "es"
    cast.patient.save(update_fields=["timezone", "language"])
    enrollment.country = "US"
    enrollment.save(update_fields=["country"])
    message_send(enrollment=enrollment, author=cast.clinician, body="Hola Pat, ¿cómo va?")

    options = helpers.PHONE if form_factor == "phone" else helpers.DESKTOP
    page = new_context(bypass_csp=True, **options).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/messages/")
    hours = page.locator("main p", has_text="horario de atención").first
    expect(hours).to_contain_text("lun–vie, 9:00 a. m.–5:00 p. m.")
    stamp = page.locator(".chat__meta time")
    expect(stamp).to_have_text(re.compile(r"^\w{3} \d{1,2} \w{3}, \d{1,2}:\d{2}\s[ap]\.\sm\.$"))
    # No-break spaces hold "9:00 a. m." together on a narrow screen.
    assert "9:00\u00a0a.\u00a0m." in (hours.text_content() or "")
    helpers.assert_fits_width(page)
    helpers.check_axe(page, f"clock-es-us-messages-{form_factor}")
    helpers.screenshot(page, f"clock-es-us-messages-{form_factor}")
