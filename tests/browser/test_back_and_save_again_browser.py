"""In real Chromium: a patient saves a diary entry, goes Back to the form and presses
Save again. Pages to a logged-in person are no-store, so Back fetches the form afresh
(with a new one-time token); the form is autocomplete="off", so the browser does not
fill in again what was typed, and nothing is saved twice (painapp.submit_once)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tracking.diary.models import DiaryEntry

pytestmark = pytest.mark.browser


def test_back_then_save_again_keeps_one_entry(live_server, cast, enrollment, new_context):
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/diary/new/")
    page.get_by_role("group", name="How strong was the pain?").get_by_role(
        "radio", name="6", exact=True
    ).check()
    page.get_by_role("group", name="How afraid or worried did you feel?").get_by_role(
        "radio", name="7", exact=True
    ).check()
    page.get_by_label("What I told myself").fill("It is my brain being careful.")
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    assert DiaryEntry.objects.count() == 1

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an episode")
    expect(page.get_by_label("What I told myself")).to_have_value("")
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.locator(".error-summary")).to_contain_text("how strong the pain was")
    assert DiaryEntry.objects.count() == 1
