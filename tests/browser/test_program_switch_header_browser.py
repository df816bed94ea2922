"""A clinician switches a patient's program on the "Tailor program" section with htmx:
the page header names the new program at once, without a reload (the header's facts
line comes back out of band: templates/tracking/clinic/patient/_facts.html)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.tailoring_data import make_trial_version

pytestmark = pytest.mark.browser


def test_the_header_names_the_new_program_after_an_htmx_switch(
    live_server, context, cast, enrollment
):
    old_title = enrollment.program_version.title
    trial = make_trial_version()
    page = context.new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/patients/{enrollment.pk}/program/")
    facts = page.locator("#patient-head-facts")
    expect(facts).to_contain_text(old_title)
    page.evaluate("() => { window.notReloaded = true; }")
    form = page.locator("form", has=page.get_by_role("button", name="Switch program"))
    form.get_by_label("Switch to").select_option(label=f"{trial.title} (v{trial.number})")
    form.get_by_label("Reason, shown to the patient").fill("Two sessions a week suits you.")
    form.get_by_role("button", name="Switch program").click()
    expect(page.locator("#tailoring")).to_contain_text("Switched to “Trial dose (test)”")
    expect(facts).to_contain_text("Trial dose (test)")
    expect(facts).not_to_contain_text(old_title)
    assert page.evaluate("() => window.notReloaded === true")  # swapped, not reloaded
    assert page.locator("#patient-head-facts").count() == 1
    helpers.screenshot(page, "program-switch-header")
    helpers.check_axe(page, "program-switch-header")
