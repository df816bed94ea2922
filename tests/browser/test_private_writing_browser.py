"""Issue 16's new pages in real Chromium: the life-stress timeline and expressive
writing on a phone (390 px), by keyboard, and the clinician's "Reflections and clues"
section on a desktop (1280 px). Each page is checked with axe-core (WCAG 2.2 A/AA),
for sideways scrolling and leaked template syntax, and saved as a screenshot under
test-artifacts/screenshots/curric-*.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programs.models import Activity, Reflection
from programs.services import enrollment_unlock_week, reflection_save
from tests.browser import helpers

pytestmark = pytest.mark.browser

SECRET = "The letter I will never send"


def test_the_patient_writes_privately_and_shares_the_timeline_on_a_phone(
    live_server, cast, enrollment, new_context
):
    enrollment_unlock_week(enrollment=enrollment, week=5)
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)

    page.goto(f"{live_server.url}/program/life-stress-timeline/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your life around the time your pain began"
    )
    page.get_by_label("When did your back pain begin?").fill("Spring 2019")
    page.get_by_label("What was going on in your life in the year or two before it began?").fill(
        "Moved house. Mum was ill."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    for check in (helpers.assert_fits_width, helpers.assert_clean_text):
        check(page)
    helpers.check_axe(page, "curric-timeline-phone")
    helpers.screenshot(page, "curric-timeline-phone")

    page.goto(f"{live_server.url}/program/expressive-writing/")
    expect(page.locator("#sharing-note")).to_contain_text("Private.")
    # By keyboard: the box, then the share choice, then Save.
    page.get_by_label("Your answer").fill(SECRET)
    page.keyboard.press("Tab")
    share = page.get_by_label("Share this entry with my care team")
    expect(share).to_be_focused()
    expect(share).not_to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved, just for you. Your care team cannot see it.")).to_be_visible()
    assert Reflection.objects.get(activity__slug="expressive-writing").private
    for check in (helpers.assert_fits_width, helpers.assert_clean_text, helpers.assert_tap_targets):
        check(page)
    helpers.check_axe(page, "curric-expressive-writing-phone")
    helpers.screenshot(page, "curric-expressive-writing-phone")


def test_the_clinician_reads_shared_entries_and_a_private_count(
    live_server, cast, enrollment, new_context
):
    version = enrollment.program_version
    evidence = Activity.objects.get(week__version=version, slug="evidence-week-1")
    keys = [i["key"] for i in evidence.data["items"]][:3]
    reflection_save(enrollment=enrollment, activity=evidence, checked=keys, text="Worse at work")
    reflection_save(
        enrollment=enrollment,
        activity=Activity.objects.get(week__version=version, slug="life-stress-timeline"),
        text="When did your back pain begin?\nSpring 2019\n\n"
        "What was going on in your life in the year or two before it began?\n"
        "Moved house. Mum was ill.",
        answers={"onset": "Spring 2019", "before": "Moved house. Mum was ill."},
    )
    reflection_save(
        enrollment=enrollment,
        activity=Activity.objects.get(week__version=version, slug="expressive-writing"),
        text=SECRET,
    )
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/patients/{enrollment.pk}/")
    page.get_by_role("link", name="Reflections and clues").click()
    expect(page.get_by_role("heading", level=2, name="Reflections and clues")).to_be_visible()
    expect(page.locator("#private-entries")).to_contain_text("1 private entry.")
    assert SECRET not in page.content()
    expect(page.get_by_text("Moved house. Mum was ill.")).to_be_visible()
    for check in (helpers.assert_fits_width, helpers.assert_clean_text):
        check(page)
    helpers.check_axe(page, "curric-clinician-reflections-desktop")
    helpers.screenshot(page, "curric-clinician-reflections-desktop")
