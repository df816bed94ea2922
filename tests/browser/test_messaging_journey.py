"""Secure messaging in real Chromium, on a desktop (1280 px) and a phone (390 px): a
clinician messages a patient; the patient sees the unread count in the menu, opens the
thread and replies (htmx: no page reload, the form clears); then replies with a crisis
phrase and sees help at once, while the clinician's alert inbox shows the urgent alert
and their menu shows the unread messages. The same send works with JavaScript off.
Every new page is checked with axe-core (WCAG 2.2 A/AA), for sideways scrolling and
leaked template syntax, and saved under test-artifacts/screenshots/messaging-*.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.messaging.models import Message
from tracking.models import Alert
from tracking.safety.scanner import FINGERPRINT, text_fingerprint

pytestmark = pytest.mark.browser

CRISIS = "Some days I want to die."


def checks(page: Page, name: str, *, phone: bool) -> None:
    helpers.assert_fits_width(page)
    helpers.assert_clean_text(page)
    if phone:
        helpers.assert_tap_targets(page)
    helpers.check_axe(page, name)
    helpers.screenshot(page, name)


@pytest.mark.parametrize("form_factor", ["desktop", "phone"])
def test_a_clinician_and_a_patient_message_each_other(
    live_server, cast, enrollment, new_context, form_factor
):
    phone = form_factor == "phone"
    options = helpers.PHONE if phone else helpers.DESKTOP
    tag = f"messaging-{form_factor}"

    # The clinician opens the patient's record, the Messages tab, and writes.
    clinic = new_context(bypass_csp=True, **options).new_page()
    helpers.login(clinic, live_server, cast.clinician)
    clinic.goto(f"{live_server.url}/patients/{enrollment.pk}/")
    clinic.get_by_role("navigation", name="Patient record").get_by_role(
        "link", name="Messages"
    ).click()
    expect(clinic.get_by_role("heading", level=2, name="Messages")).to_be_visible()
    clinic.get_by_label("Your message").fill("Hello Pat, how did the walk go this week?")
    clinic.get_by_role("button", name="Send message").click()
    expect(clinic.locator(".chat")).to_have_count(1)
    expect(clinic.get_by_label("Your message")).to_have_value("")
    expect(clinic.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
    checks(clinic, f"{tag}-clinician-thread", phone=phone)

    # The patient sees the count in the menu (under More on a phone, which counts too).
    patient = new_context(bypass_csp=True, **options).new_page()
    helpers.login(patient, live_server, cast.patient)
    patient.goto(f"{live_server.url}/today/")
    nav = patient.get_by_role("navigation", name="Main")
    if phone:
        expect(nav.locator("summary")).to_contain_text("1")
        helpers.open_more(patient)
    link = nav.get_by_role("link", name="Messages 1 unread").locator("visible=true")
    expect(link).to_be_visible()
    link.click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Messages with your care team")
    expect(patient.get_by_text("Not for emergencies.")).to_be_visible()
    expect(
        patient.locator(".messaging-banner").get_by_role("link", name="Get help now")
    ).to_be_visible()
    expect(patient.get_by_text("Mon–Fri, 9:00–17:00")).to_be_visible()
    expect(patient.locator(".chat").first).to_contain_text("how did the walk go")
    expect(patient.get_by_text("New", exact=True)).to_be_visible()
    checks(patient, f"{tag}-patient-thread", phone=phone)

    # A reply, sent with htmx: the page does not reload, the message appears, the form clears.
    patient.evaluate("window.__notReloaded = true")
    patient.get_by_label("Your message").fill("It went well, I walked to the park.")
    patient.get_by_role("button", name="Send message").click()
    expect(patient.locator(".chat")).to_have_count(2)
    expect(patient.locator(".chat").last).to_contain_text("walked to the park")
    expect(patient.get_by_label("Your message")).to_have_value("")
    expect(patient.get_by_label("Your message")).to_be_focused()  # ready for the next one
    assert patient.evaluate("window.__notReloaded") is True
    # The menu count is gone once read.
    patient.goto(f"{live_server.url}/today/")
    helpers.open_more(patient)
    expect(
        patient.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Messages", exact=True)
        .locator("visible=true")
    ).to_be_visible()

    # An empty message: a plain message, nothing sent.
    patient.goto(f"{live_server.url}/messages/")
    patient.get_by_role("button", name="Send message").click()
    expect(patient.get_by_text("Write your message before sending it.").first).to_be_visible()
    assert Message.objects.count() == 2

    # A crisis phrase: help at once, on the same page.
    patient.get_by_label("Your message").fill(CRISIS)
    patient.get_by_role("button", name="Send message").click()
    help_panel = patient.locator("#message-help")
    expect(help_panel).to_be_visible()
    expect(help_panel.get_by_role("heading")).to_be_focused()  # where the news is
    expect(help_panel.get_by_role("heading")).to_have_text("You do not have to face this alone")
    expect(help_panel).to_contain_text("emergency")
    checks(patient, f"{tag}-patient-crisis-help", phone=phone)

    # The clinician's alert inbox shows the urgent alert; the menu shows two unread.
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert alert.details == {
        "crisis_words": True,
        "entry": "message",
        FINGERPRINT: text_fingerprint([CRISIS]),
    }
    clinic.goto(f"{live_server.url}/alerts/")
    expect(clinic.locator("main")).to_contain_text("Pat One")
    expect(clinic.locator(f'a[href="/alerts/{alert.pk}/"]').first).to_be_visible()
    clinic.goto(f"{live_server.url}/messages/inbox/")
    expect(clinic.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(clinic.locator(".thread--unread")).to_contain_text("2 unread")
    checks(clinic, f"{tag}-clinician-inbox", phone=phone)
    clinic.get_by_role("link", name="Pat One").click()
    expect(clinic.locator(".chat")).to_have_count(3)
    expect(clinic.locator(".chat").last).to_contain_text(CRISIS)


def test_the_patient_sends_without_javascript(live_server, cast, enrollment, new_context):
    page = new_context(bypass_csp=True, java_script_enabled=False, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/messages/")
    page.get_by_label("Your message").fill("Sent with scripts off")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".chat")).to_contain_text("Sent with scripts off")
    expect(page.get_by_label("Your message")).to_have_value("")
    page.get_by_label("Your message").fill(CRISIS)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("#message-help")).to_be_visible()
    helpers.screenshot(page, "messaging-phone-no-javascript")


def test_the_messages_pages_keep_the_strict_csp(live_server, cast, enrollment, strict):
    helpers.login(strict.page, live_server, cast.patient)
    strict.page.goto(f"{live_server.url}/messages/")
    strict.page.get_by_label("Your message").fill("Hello")
    strict.page.get_by_role("button", name="Send message").click()
    expect(strict.page.locator(".chat")).to_have_count(1)
    strict.assert_no_csp_violations("messages")
