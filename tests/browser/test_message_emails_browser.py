"""The "Email me when I get a new message" switch in real Chromium: a patient turns it
off from their Reminders page and a clinician from their account page, with the
keyboard alone (Space to untick, Tab to the button, Enter), and each sees the
confirmation. With JavaScript off it works the same, and under the real CSP nothing is
blocked. Each page is checked with axe-core (WCAG 2.2 A/AA) before and after saving,
on a desktop and a phone, for sideways scrolling and (on a phone) tap targets."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers

pytestmark = pytest.mark.browser

LABEL = "Email me when I get a new message"


def checks(page: Page, name: str, *, phone: bool) -> None:
    helpers.screenshot(page, name)
    helpers.assert_fits_width(page)
    helpers.assert_clean_text(page)
    if phone:
        helpers.assert_tap_targets(page)
    helpers.check_axe(page, name)


def turn_off_with_the_keyboard(page: Page) -> None:
    box = page.get_by_label(LABEL)
    expect(box).to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    page.keyboard.press("Tab")
    now = helpers.focused(page)
    assert (now["tag"], now["text"]) == ("button", "Save my email choice"), now
    assert now["outline"] or now["ring"], "the button's focus cannot be seen"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Saved. We will not email you about new messages.")).to_be_visible()
    expect(page.get_by_label(LABEL)).not_to_be_checked()


@pytest.mark.parametrize("form_factor", ["desktop", "phone"])
def test_a_patient_turns_message_emails_off_from_their_reminders(
    live_server, cast, enrollment, new_context, form_factor
):
    phone = form_factor == "phone"
    options = helpers.PHONE if phone else helpers.DESKTOP
    page = new_context(bypass_csp=True, **options).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/reminders/")
    expect(page.get_by_role("heading", name="New messages from your care team")).to_be_visible()
    checks(page, f"message-emails-reminders-{form_factor}", phone=phone)
    turn_off_with_the_keyboard(page)
    assert page.url == f"{live_server.url}/reminders/"
    checks(page, f"message-emails-reminders-saved-{form_factor}", phone=phone)
    cast.patient.refresh_from_db()
    assert not cast.patient.message_emails


def test_a_clinician_turns_message_emails_off_on_their_account_page(
    live_server, cast, enrollment, context
):
    page = context.new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/accounts/password/change/")
    expect(page.get_by_role("heading", name="Emails about new messages")).to_be_visible()
    helpers.check_axe(page, "message-emails-account")
    helpers.screenshot(page, "message-emails-account")
    # A small settings form beside the password's: the tick beside its words, and its
    # button not a second filled one.
    box = page.get_by_label(LABEL).bounding_box()
    words = page.locator("label", has_text=LABEL).bounding_box()
    assert abs(box["y"] - words["y"]) < words["height"], (box, words)
    assert "button--secondary" in (
        page.get_by_role("button", name="Save my email choice").get_attribute("class") or ""
    )
    turn_off_with_the_keyboard(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    helpers.check_axe(page, "message-emails-account-saved")
    cast.clinician.refresh_from_db()
    assert not cast.clinician.message_emails


def test_it_works_without_javascript(live_server, cast, enrollment, new_context):
    page = new_context(java_script_enabled=False).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/reminders/")
    turn_off_with_the_keyboard(page)


def test_it_works_under_the_real_csp(live_server, strict, cast, enrollment):
    helpers.login(strict.page, live_server, cast.clinician)
    strict.page.goto(f"{live_server.url}/account/message-emails/")
    turn_off_with_the_keyboard(strict.page)
    strict.assert_no_csp_violations("message emails page")
