"""After week 8 (issue 19), in real Chromium: a patient two months after the end sees
this month's booster on Today on a phone (390 px) and at 1,280 px, opens it and the
list of earlier ones; every screen passes axe-core, fits the width, and keeps the
app's strict CSP.

Screenshots: test-artifacts/screenshots/after-week-8-today-phone.png, -booster-phone,
-list-phone, after-week-8-today-desktop.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser

# Eight weeks, then 40 days: month 2's booster is this month's, month 1's is earlier.
DAYS_AGO = 8 * 7 + 40


@pytest.fixture
def after_the_program(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=DAYS_AGO
    )


def test_a_patient_after_week_8_reads_this_months_booster_on_a_phone(
    live_server, new_context, cast, after_the_program
):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    heading = page.get_by_role("heading", name="Your booster for this month")
    card = page.locator("section", has=heading)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Keeping your practice going")
    expect(card.get_by_role("link", name="Having a flare? Your flare refresher")).to_be_visible()
    helpers.check_axe(page, "after-week-8-today-phone")
    helpers.assert_fits_width(page)
    helpers.assert_clean_text(page)
    helpers.screenshot(page, "after-week-8-today-phone")

    card.get_by_role("link", name="Read this month's booster").click()
    expect(page.locator("h1")).to_have_text("Keeping your practice going")
    expect(page.get_by_text("Month 2 after the program")).to_be_visible()
    helpers.check_axe(page, "after-week-8-booster-phone")
    helpers.assert_fits_width(page)
    helpers.screenshot(page, "after-week-8-booster-phone")

    page.get_by_role("link", name="All your boosters").first.click()
    expect(page.locator("h1")).to_have_text("Your boosters")
    earlier = page.locator("section", has=page.get_by_role("heading", name="Earlier boosters"))
    expect(earlier.get_by_role("link", name="When the usual pain flares")).to_be_visible()
    helpers.check_axe(page, "after-week-8-list-phone")
    helpers.assert_fits_width(page)
    helpers.screenshot(page, "after-week-8-list-phone")
    earlier.get_by_role("link", name="When the usual pain flares").click()
    expect(page.get_by_text("emergency department today")).to_be_visible()


def test_today_after_week_8_on_a_desktop(live_server, new_context, cast, after_the_program):
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    expect(page.get_by_role("heading", name="Your booster for this month")).to_be_visible()
    helpers.check_axe(page, "after-week-8-today-desktop")
    helpers.assert_fits_width(page)
    helpers.screenshot(page, "after-week-8-today-desktop")


def test_the_booster_pages_keep_the_strict_csp(live_server, strict, cast, after_the_program):
    helpers.login(strict.page, live_server, cast.patient)
    for path in ("/today/", "/boosters/", "/boosters/keep-practising/"):
        strict.page.goto(f"{live_server.url}{path}")
        strict.assert_no_csp_violations(path)
