"""A weekly check-in in real Chromium on a phone (390×844), by keyboard only: one
question per screen with Back / Next, the results against the baseline, then the
progress charts. The journey runs under the app's real CSP (no violation allowed);
axe-core (WCAG 2.2 AA) checks the check-in, error, results and progress pages.

Screenshots: test-artifacts/checkin-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tests.browser import helpers
from tests.checkin_data import started_two_weeks_ago
from tests.conftest import ARTIFACTS
from tracking.models import CheckIn, Response

pytestmark = pytest.mark.browser

PHONE = {**helpers.PHONE, "reduced_motion": "reduce"}
# Week 3 asks: average pain, worst pain, fear of movement, PHQ-2 (2), PHQ-9 item 9,
# GAD-2 (2), and new symptoms as two questions, emergency signs and others (issue 15:
# item 9 and new symptoms every week).
ANSWERS = [4, 6, 5, 1, 0, 0, 1, 0, 0, 0]


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"checkin-{name}.png"), full_page=full_page)


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has focus, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def keyboard_login(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, page.locator("input[name=login]"))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(helpers.PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def visible_question(page: Page) -> Locator:
    return page.locator("[data-ci-question]:visible")


def answer_by_keyboard(page: Page, value: int) -> None:
    """Tab into the visible question's radio group, Space on the first, arrow to `value`."""
    radios = visible_question(page).locator("input[type=radio]")
    tab_to(page, radios.first)
    page.keyboard.press("Space")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    expect(radios.nth(value)).to_be_checked()


@pytest.fixture
def week3(enrollment) -> CheckIn:
    """Baseline done two weeks ago (pain 7, fear 8); week 3 opens today."""
    baseline = {"pain_avg": {"pain_avg": 7}, "fear_movement": {"fear_movement": 8}}
    return started_two_weeks_ago(enrollment, **baseline)["week-3"]


def test_a_weekly_check_in_one_question_per_screen_by_keyboard(
    live_server, new_context, cast, week3
):
    context = new_context(**PHONE)
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    keyboard_login(page, live_server, cast.patient)

    # Today says the check-in is open; its link leads to the form.
    page.goto(live_server.url + reverse("today"))
    card_link = page.get_by_role("link", name="Start my check-in")
    tab_to(page, card_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 3 check-in")

    count = page.locator("[data-ci-count]")
    expect(count).to_have_text("Question 1 of 10")
    expect(visible_question(page)).to_have_count(1)
    expect(page.get_by_role("button", name="Submit my answers")).to_be_hidden()
    expect(page.get_by_role("button", name="Back")).to_be_hidden()
    shot(page, "phone-question-1")

    for n, value in enumerate(ANSWERS, start=1):
        expect(count).to_have_text(f"Question {n} of 10")
        answer_by_keyboard(page, value)
        if n == 3:
            shot(page, "phone-question-3")
            # One step back, and the answer given there is still chosen.
            tab_to(page, page.get_by_role("button", name="Back"))
            page.keyboard.press("Enter")
            expect(count).to_have_text("Question 2 of 10")
            expect(visible_question(page).locator("[data-ci-heading]")).to_be_focused()
            expect(visible_question(page).locator("input[type=radio]").nth(6)).to_be_checked()
            tab_to(page, page.get_by_role("button", name="Next"))
            page.keyboard.press("Enter")
            expect(count).to_have_text("Question 3 of 10")
        if n < len(ANSWERS):
            tab_to(page, page.get_by_role("button", name="Next"))
            page.keyboard.press("Enter")
            expect(count).to_have_text(f"Question {n + 1} of 10")
            # Focus moves to the new question, so a screen reader reads it out.
            expect(visible_question(page).locator("[data-ci-heading]")).to_be_focused()
        if n == 4:
            expect(page.get_by_role("heading", name="Your mood")).to_be_visible()
            expect(page.get_by_role("heading", name="Average pain")).to_be_hidden()

    # The answers so far were saved quietly on each Next.
    expect(page.locator("[data-ci-saved]")).to_have_text("Your answers so far are saved.")
    week3.refresh_from_db()
    assert week3.draft.get("pain_avg") == {"pain_avg": 4}

    submit = page.get_by_role("button", name="Submit my answers")
    expect(submit).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    shot(page, "phone-last-question")
    tab_to(page, submit)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("down 3 points (43% lower)")).to_be_visible()  # pain 7 → 4
    expect(page.get_by_text("down 3 points (38% lower)")).to_be_visible()  # fear 8 → 5
    expect(page.get_by_text("That is a real change.")).to_be_visible()
    shot(page, "phone-results", full_page=True)
    week3.refresh_from_db()
    assert week3.status == CheckIn.Status.COMPLETED
    assert Response.objects.filter(checkin=week3).count() == 7
    assert Response.objects.get(checkin=week3, instrument_key="gad2").answers == {
        "gad1": 1,
        "gad2": 0,
    }

    progress_link = page.get_by_role("link", name="See my progress")
    tab_to(page, progress_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    chart = page.get_by_role("img", name="Average pain")
    expect(chart).to_be_visible()
    expect(chart.locator(".chart__dot")).to_have_count(2)  # start and week 3
    expect(chart.locator(".chart__baseline")).to_have_count(1)
    expect(chart.locator(".chart__band")).to_have_count(1)
    shot(page, "phone-progress", full_page=True)
    helpers.assert_fits_width(page)
    helpers.assert_no_csp_violations(watch, page)


def test_check_in_pages_pass_axe_on_a_phone_and_a_desk(live_server, new_context, cast, week3):
    phone = new_context(**PHONE, bypass_csp=True).new_page()
    helpers.login(phone, live_server, cast.patient)
    phone.goto(live_server.url + reverse("checkin_current"))
    expect(phone.locator("[data-ci-count]")).to_have_text("Question 1 of 10")
    helpers.check_axe(phone, "checkin-phone-form")
    helpers.assert_fits_width(phone)
    helpers.assert_tap_targets(phone)

    desk = new_context(**helpers.DESKTOP, bypass_csp=True).new_page()
    helpers.login(desk, live_server, cast.patient)
    desk.goto(live_server.url + reverse("checkin_current"))
    # On a desk every question shows at once, with no Back / Next.
    expect(desk.locator("[data-ci-question]:visible")).to_have_count(10)
    expect(desk.get_by_role("button", name="Next")).to_be_hidden()
    shot(desk, "desk-form", full_page=True)
    helpers.check_axe(desk, "checkin-desk-form")

    # Submitting with answers missing: errors, linked from a summary that takes focus.
    desk.locator("label[for=id_pain_avg__pain_avg_3]").click()
    desk.get_by_role("button", name="Submit my answers").click()
    summary = desk.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please check 9 answers")
    expect(desk.locator("#id_pain_avg__pain_avg_3")).to_be_checked()
    shot(desk, "desk-errors", full_page=True)
    helpers.check_axe(desk, "checkin-desk-errors")

    # On the phone, opened before the desk saved: it picks up the desk's answer, then
    # answers one more, saves for later, and comes back to the next unanswered one.
    phone.goto(live_server.url + reverse("checkin_current"))
    expect(phone.locator("[data-ci-count]")).to_have_text("Question 2 of 10")
    visible_question(phone).locator("label").nth(6).click()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_role("button", name="Save and finish later").click()
    expect(phone).to_have_url(re.compile(r"/today/"))
    phone.goto(live_server.url + reverse("checkin_current"))
    expect(phone.get_by_text("We kept the answers you saved before.")).to_be_visible()
    expect(phone.locator("[data-ci-count]")).to_have_text("Question 3 of 10")

    for index, value in enumerate(ANSWERS):
        desk.locator("[data-ci-question]").nth(index).locator(
            f"input[type=radio][value='{value}']"
        ).check()
    desk.get_by_role("button", name="Submit my answers").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Thank you")
    helpers.check_axe(desk, "checkin-desk-results")

    phone.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    helpers.check_axe(phone, "checkin-phone-results")
    phone.goto(live_server.url + reverse("progress"))
    helpers.check_axe(phone, "checkin-phone-progress")
    helpers.assert_fits_width(phone)
    phone.locator("details.chart-data summary").first.click()
    expect(phone.get_by_role("table").first).to_be_visible()
    shot(phone, "phone-progress-table", full_page=True)
    helpers.check_axe(phone, "checkin-phone-progress-table")
    desk.goto(live_server.url + reverse("progress"))
    shot(desk, "desk-progress", full_page=True)


def test_without_javascript_it_is_one_plain_form(live_server, new_context, cast, week3):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_current"))
    expect(page.locator("[data-ci-question]:visible")).to_have_count(10)
    for index, value in enumerate(ANSWERS):
        page.locator("[data-ci-question]").nth(index).locator(
            f"label:has(input[value='{value}'])"
        ).click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
