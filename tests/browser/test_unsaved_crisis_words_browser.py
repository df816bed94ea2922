"""The outside tester's case in real Chromium on a 390 px phone: a patient writes "I
want to kill myself" in a new diary entry and leaves the pain and fear empty. The form
comes back with the crisis panel first (focus on its heading, the country's numbers to
tap, saying the words were not saved but the clinic was told), the errors below it, and
what they typed still in the box; the clinic has one urgent alert; nothing was saved.
Then they fill in the rest and save: the entry is saved, still one alert. axe-core clean.

Screenshots: test-artifacts/screenshots/unsaved-crisis-diary-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers
from tracking.diary.models import DiaryEntry
from tracking.models import Alert

pytestmark = pytest.mark.browser

HELP = "You do not have to face this alone"
WORDS = "I want to kill myself"


def test_a_diary_entry_sent_back_still_shows_help(live_server, new_context, cast, enrollment):
    enrollment.country = "US"
    enrollment.save(update_fields=["country"])
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()  # for axe-core's script
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("diary_new"))
    page.get_by_label("What I told myself").fill(WORDS)
    page.get_by_role("button", name="Save to my diary").click()

    heading = page.get_by_role("heading", name=HELP)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page.locator('a[href="tel:988"]').first).to_be_visible()
    expect(
        page.get_by_text("We did not save what you wrote, but we have told your clinic")
    ).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("how strong the pain was")
    expect(page.get_by_label("What I told myself")).to_have_value(WORDS)
    helpers.assert_fits_width(page)
    helpers.check_axe(page, "unsaved-crisis-diary-sent-back")
    helpers.screenshot(page, "unsaved-crisis-diary-sent-back-390")
    assert not DiaryEntry.objects.filter(enrollment=enrollment).exists()
    [alert] = Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert (alert.severity, alert.details["unsaved"]) == (Alert.Severity.URGENT, True)

    # They fill in the rest and save: saved, and the clinic still has the one alert.
    for question in ("How strong was the pain?", "How afraid or worried did you feel?"):
        page.get_by_role("group", name=question).get_by_role("radio", name="6", exact=True).check()
    page.get_by_role("button", name="Save to my diary").click()
    # As for any entry saved with these words: straight to "Get help now".
    expect(page.get_by_text("Your entry is saved.")).to_be_visible()
    expect(page.locator('a[href="tel:988"]').first).to_be_visible()
    helpers.screenshot(page, "unsaved-crisis-diary-saved-390")
    assert DiaryEntry.objects.filter(enrollment=enrollment).count() == 1
    assert Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).count() == 1
