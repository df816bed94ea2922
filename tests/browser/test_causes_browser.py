"""The three-causes activity on a phone and the clinician's coding queue on a desktop:
axe-clean, by keyboard, under the real CSP, with screenshots to look at (issue 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import ActivityKind, AttributionCause
from programs.services import attribution_record
from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser


def causes_activity(enrollment, week):
    return enrollment.program_version.weeks.get(number=week).activities.get(
        kind=ActivityKind.ATTRIBUTION
    )


@pytest.fixture
def week4(cast, program_version):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=23
    )
    attribution_record(
        enrollment=enrollment,
        activity=causes_activity(enrollment, 1),
        causes=[
            ("Lifting boxes at work", "activity"),
            ("A worn disc", "spinal"),
            ("Worry about my job", "stress"),
        ],
    )
    return enrollment


def test_the_three_causes_on_a_phone(new_context, live_server, cast, week4, strict):
    context = new_context(bypass_csp=True, **helpers.PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    url = live_server.url + reverse("activity", args=[causes_activity(week4, 4).slug])
    page.goto(url)
    expect(page.get_by_text("Lifting boxes at work")).to_have_count(0)  # not before answering
    helpers.assert_fits_width(page)
    helpers.check_axe(page, "three-causes-form-390")
    helpers.screenshot(page, "three-causes-form-390")
    # Answer by keyboard alone.
    page.get_by_label("Cause 1", exact=True).focus()
    page.keyboard.type("Sitting all day")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # a select: the first category
    for n, text in ((2, "Stress at home"), (3, "My nerves on alert")):
        page.get_by_label(f"Cause {n}", exact=True).fill(text)
        page.get_by_label(f"What kind of cause is {n}?").select_option(index=3)
    page.get_by_role("button", name="Save my answers").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    expect(page.get_by_text("Lifting boxes at work")).to_be_visible()  # now, after
    assert "mind-brain" not in page.content().lower()
    helpers.check_axe(page, "three-causes-answered-390")
    helpers.screenshot(page, "three-causes-answered-390")
    # The same page under the real CSP: no violation.
    strict.context.add_cookies(context.cookies())  # the same session
    strict.page.goto(url)
    strict.assert_no_csp_violations("three causes")


def test_the_coding_queue_on_a_desktop(new_context, live_server, cast, week4, strict):
    context = new_context(bypass_csp=True, **helpers.DESKTOP)
    page = context.new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(live_server.url + reverse("caseload"))
    page.get_by_role("link", name="Code causes (3)").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Code causes of pain")).to_be_visible()
    helpers.check_axe(page, "coding-queue-1280")
    helpers.screenshot(page, "coding-queue-1280")
    # Code the first cause by keyboard: its select, a category, Save.
    first = page.locator("main select").first
    first.focus()
    first.select_option("activity")
    page.get_by_role("button", name="Save codes").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Saved 1 code.")).to_be_visible()
    assert AttributionCause.objects.exclude(clinician_category="").count() == 1
    helpers.check_axe(page, "coding-queue-saved-1280")
    strict.context.add_cookies(context.cookies())  # a TOTP code works only once
    strict.page.goto(live_server.url + reverse("coding_queue"))
    strict.assert_no_csp_violations("coding queue")
