"""After a save that redirects (post-redirect-get), the page's message takes focus.

A keyboard or screen-reader user who presses "Acknowledge" in the alert inbox, or saves
a diary entry, lands on a fresh page: without this, focus sits on the document and the
"Alert acknowledged…" / "Saved to your diary." message is never read out. The message
region (base.html's messages block, role="status", tabindex="-1") takes focus on load
(static/js/app.js); a page with no message keeps focus where the browser puts it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.clinical_data import add_alert
from tracking.models import Alert

pytestmark = pytest.mark.browser

ACTIVE = "() => document.activeElement.tagName.toLowerCase()"


def tab_until(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_acknowledging_from_the_inbox_focuses_the_message(
    live_server, cast, enrollment, new_context
):
    alert = add_alert(enrollment, Alert.Kind.SELF_HARM, Alert.Severity.URGENT)
    page = new_context(**helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/alerts/")
    assert page.evaluate(ACTIVE) == "body"  # no message: nothing takes focus
    tab_until(page, "form[action*='/acknowledge/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    message = page.get_by_role("status").filter(has_text="Alert acknowledged")
    expect(message).to_be_focused()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    # Tab goes on from the message, into the page, not back to the top.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')")


def test_saving_a_diary_entry_focuses_the_message(live_server, cast, enrollment, new_context):
    page = new_context(**helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/diary/new/")
    helpers.diary_scores(page, pain=6, fear=7)
    page.get_by_role("button", name="Save to my diary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    expect(page.get_by_role("status").filter(has_text="Saved to your diary.")).to_be_focused()
    # The same page again, with no message: focus is left alone.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    assert page.evaluate(ACTIVE) == "body"
