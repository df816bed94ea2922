"""The outcomes report on the demo practice, in real Chromium on a desktop (1280px) and
a phone (390px): real figures, both charts drawn with their tables, axe-clean, no
sideways scrolling, 44px tap targets on the phone; screenshots under
test-artifacts/screenshots/outcomes-*."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from playwright.sync_api import expect

from painapp.accounts.models import User
from tests.browser import helpers
from tests.factories import PASSWORD, enable_totp

pytestmark = pytest.mark.browser

FORM_FACTORS = {"desktop": helpers.DESKTOP, "phone": helpers.PHONE}


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_an_admin_reads_the_demo_outcomes_report(live_server, new_context, form_factor):
    call_command("seed_demo")
    admin = User.objects.get(email="admin@demo.painapp.test")
    admin.set_password(PASSWORD)
    admin.save()
    # The demo's authenticator has its own secret: give the admin the tests' one.
    Authenticator.objects.filter(user=admin).delete()
    enable_totp(admin)
    page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()
    helpers.login(page, live_server, admin)
    page.goto(f"{live_server.url}/practice/reports/outcomes/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes report")
    expect(main).to_contain_text("not trial results")
    expect(main).to_contain_text("95% confidence interval")
    expect(main).not_to_contain_text("No one in the cohort has both")
    expect(
        page.get_by_role("img", name="Average pain at the baseline and at the end")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Responders at the end, by cohort month")).to_be_visible()
    helpers.screenshot(page, f"outcomes-{form_factor}")
    # Each part on its own too, to look at closely.
    for n, section in enumerate(main.locator(":scope > section").all()):
        section.screenshot(path=str(helpers.SCREENSHOTS / f"outcomes-{form_factor}-part{n}.png"))
    helpers.check_axe(page, f"outcomes-{form_factor}")
    helpers.assert_clean_text(page)
    helpers.assert_fits_width(page)
    if form_factor == "phone":
        helpers.assert_tap_targets(page)
    # The numbers behind a chart, opened.
    page.get_by_text("Show the numbers").first.click()
    expect(
        page.get_by_role("table", name="Average pain at the baseline and at the end")
    ).to_be_visible()
    helpers.screenshot(page, f"outcomes-{form_factor}-numbers")
