"""Graded exposure in real Chromium, by keyboard only: build a ladder, reorder it with
htmx, plan an exposure and log how it went.

The journey runs under the app's real CSP (no violation allowed). The same pages are
then checked on a phone (390×844) with axe-core, for sideways scrolling and for tap
targets. Screenshots: test-artifacts/exposure-*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Exposure, FearItem
from tests.browser import helpers
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"exposure-{name}.png"), full_page=True)


def press(page: Page, locator, key: str = "Enter") -> None:
    """Focus a control as Tab would, then press a key on it."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def settled(page: Page) -> None:
    """Wait until htmx has finished settling the swapped-in ladder. Until then its new
    forms are not yet wired to htmx, so an Enter pressed in that moment (a few ms)
    posts the plain form and reloads the page, which is the no-JavaScript path."""
    expect(page.locator("#ladder")).not_to_have_class(re.compile(r"\bhtmx-settling\b"))
    expect(page.locator("#ladder")).to_have_count(1)


def type_into(page: Page, locator, value: str) -> None:
    locator.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(value)


def keyboard_login(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(helpers.PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def expect_ladder(page: Page, labels: list[str]) -> None:
    expect(page.locator("#ladder .rung__label")).to_have_text(labels)


def add_rung(page: Page, label: str, harm: str) -> None:
    type_into(page, page.get_by_label("Activity you avoid or fear"), label)
    page.keyboard.press("Tab")  # the hint is not focusable: Tab lands on the rating
    expect(page.get_by_label(re.compile("How harmful does it feel"))).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(harm)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_it_builds_a_ladder_and_logs_an_exposure_by_keyboard(live_server, strict, cast, enrollment):
    page = strict.page
    page.set_viewport_size(helpers.DESKTOP["viewport"])
    keyboard_login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/exposure/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your fear ladder")
    expect(page.get_by_text("Your ladder is empty.")).to_be_visible()
    shot(page, "01-empty-desktop")

    add_rung(page, "Lifting a bag of shopping", "60")
    expect(page.get_by_role("status").first).to_contain_text("is on your ladder")
    add_rung(page, "Bending to tie my shoes", "20")
    expect_ladder(page, ["Bending to tie my shoes", "Lifting a bag of shopping"])

    # A rating out of range: told why, next to the field, with the label kept.
    add_rung(page, "Sitting through a film", "150")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#id_harm_rating_error")).to_have_text(
        "Choose a number from 0 to 100 for how harmful it feels."
    )
    expect(page.get_by_label("Activity you avoid or fear")).to_have_value("Sitting through a film")
    shot(page, "02-add-error-desktop")
    add_rung(page, "Sitting through a film", "40")
    expect_ladder(
        page, ["Bending to tie my shoes", "Sitting through a film", "Lifting a bag of shopping"]
    )

    # Reorder with htmx: the list changes in place and focus stays with the rung.
    bending = FearItem.objects.get(label="Bending to tie my shoes")
    press(page, page.get_by_role("button", name="Move down Bending to tie my shoes"))
    expect(page.locator("#ladder .rung__label").nth(1)).to_have_text("Bending to tie my shoes")
    expect(page.locator(f"#move-down-{bending.pk}")).to_be_focused()
    expect(page.locator("#ladder-status")).to_have_text(
        "Moved “Bending to tie my shoes” down. It is now step 2."
    )
    settled(page)
    page.keyboard.press("Enter")  # again: now at the bottom, so "Move down" goes away
    expect(page.locator("#ladder .rung__label").nth(2)).to_have_text("Bending to tie my shoes")
    expect(page.locator(f"#move-up-{bending.pk}")).to_be_focused()
    settled(page)
    page.keyboard.press("Enter")  # and back up one
    expect(page.locator("#ladder .rung__label").nth(1)).to_have_text("Bending to tie my shoes")
    expect_ladder(
        page, ["Sitting through a film", "Bending to tie my shoes", "Lifting a bag of shopping"]
    )
    page.reload()  # the order was saved, not just shown
    expect_ladder(
        page, ["Sitting through a film", "Bending to tie my shoes", "Lifting a bag of shopping"]
    )
    shot(page, "03-ladder-desktop")
    strict.assert_no_csp_violations("the ladder")

    # The next step is the first step on the ladder, in the order the patient chose.
    next_step = page.locator(".next-step")
    expect(next_step).to_contain_text("Next to try: Sitting through a film")
    press(page, page.locator(f"#rung-{bending.pk}").get_by_role("link", name=re.compile("^Try")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan an exposure")
    expect(page.get_by_label("A step from your ladder")).to_have_value(str(bending.pk))
    expect(page.get_by_label(re.compile("How much harm do you expect"))).to_have_value("20")
    type_into(page, page.get_by_label(re.compile("How much pain do you expect")), "6")
    page.keyboard.press("Tab")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("50")
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile("What do you expect will happen"))).to_be_focused()
    page.keyboard.type("A sharp twinge and a stiff back all evening.")
    shot(page, "04-plan-desktop")
    press(page, page.get_by_role("button", name="Save my plan"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Bending to tie my shoes")
    expect(page.get_by_role("heading", name="After: how did it go?")).to_be_visible()
    type_into(page, page.get_by_label(re.compile("How much pain did you feel")), "3")
    page.keyboard.press("Tab")
    page.keyboard.type("0")
    page.keyboard.press("Tab")
    page.keyboard.type("10")
    page.keyboard.press("Tab")
    page.keyboard.type("Stiff for a minute, then fine.")
    shot(page, "05-log-desktop")
    press(page, page.get_by_role("button", name="Save how it went"))

    result = page.locator(".outcome")
    expect(result).to_contain_text(
        "You expected pain 6, it was 3: 3 points better than you feared."
    )
    expect(result).to_contain_text(
        "You expected harm 50 out of 100, it was 0: 50 points better than you feared."
    )
    expect(result).to_contain_text(
        "How harmful it feels now: 10 out of 100. That is down 10 "
        "points from 20 when you added it to your ladder."
    )
    shot(page, "06-result-desktop")
    strict.assert_no_csp_violations("the exposure pages")

    press(page, page.get_by_role("link", name="See my ladder and next step"))
    # Rated 10 now, below the film's 40: it takes its place first again.
    expect_ladder(
        page, ["Bending to tie my shoes", "Sitting through a film", "Lifting a bag of shopping"]
    )
    rung = page.locator(f"#rung-{bending.pk}")
    expect(rung).to_contain_text("10 out of 100")
    expect(rung).to_contain_text("Tried 1 time")
    expect(page.locator(".exposure-log")).to_contain_text("expected 6, was 3 3 points better")
    shot(page, "07-ladder-after-desktop")
    exposure = Exposure.objects.get()
    assert (exposure.pain_violation, exposure.harm_violation, exposure.fear_after) == (3, 50, 10)
    strict.assert_no_csp_violations()


def _ladder_with_history(enrollment) -> Exposure:
    labels = [
        ("Bending to tie my shoes", 20),
        ("Sitting through a whole film", 45),
        ("Lifting a bag of shopping from the car boot", 60),
        ("A short, easy jog", 85),
    ]
    items = [
        fear_item_create(enrollment=enrollment, label=label, harm_rating=harm)
        for label, harm in labels
    ]
    for actual in (35, 5):
        done = exposure_create(
            enrollment=enrollment,
            fear_item=items[0],
            activity="",
            predicted_pain=7,
            predicted_harm=60,
            expectation="My back will lock up.",
        )
        exposure_complete(
            exposure=done,
            actual_pain=4,
            actual_harm=actual,
            fear_after=actual,
            note="Easier than I thought.",
        )
    exposure_create(
        enrollment=enrollment, fear_item=items[1], activity="", predicted_pain=5, predicted_harm=50
    )
    same = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Walk to the shop",
        predicted_pain=3,
        predicted_harm=10,
    )
    exposure_complete(exposure=same, actual_pain=5, actual_harm=10, fear_after=10)
    return same


def test_the_exposure_pages_fit_a_phone_and_pass_axe(live_server, new_context, cast, enrollment):
    worse = _ladder_with_history(enrollment)
    # The walk-through's much harder jog (programs.exposure.rules: much worse).
    jog = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="A 10-minute jog",
        predicted_pain=3,
        predicted_harm=20,
    )
    exposure_complete(exposure=jog, actual_pain=9, actual_harm=70, fear_after=95)
    context = new_context(bypass_csp=True, **helpers.PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    pages = [
        ("ladder", "/exposure/"),
        ("plan", "/exposure/new/"),
        ("plan-rung", f"/exposure/new/?fear={FearItem.objects.order_by('pk')[1].pk}"),
        ("planned", f"/exposure/{Exposure.objects.get(completed_at=None).pk}/"),
        ("result-worse", f"/exposure/{worse.pk}/"),
        ("result-better", f"/exposure/{Exposure.objects.order_by('pk')[1].pk}/"),
        ("result-much-worse", f"/exposure/{jog.pk}/"),
        ("edit", f"/exposure/fears/{FearItem.objects.order_by('pk')[0].pk}/edit/"),
    ]
    for name, path in pages:
        page.goto(f"{live_server.url}{path}")
        shot(page, f"phone-{name}")
        helpers.assert_fits_width(page)
        helpers.assert_tap_targets(page)
        helpers.check_axe(page, f"exposure-phone-{name}")
    # Errors on a phone: still readable, still linked to their fields.
    page.goto(f"{live_server.url}/exposure/")
    page.get_by_role("button", name="Add to my ladder").click()
    expect(page.locator(".error-summary")).to_be_visible()
    shot(page, "phone-ladder-errors")
    helpers.check_axe(page, "exposure-phone-ladder-errors")


def test_reordering_works_without_javascript(live_server, new_context, cast, enrollment):
    fear_item_create(enrollment=enrollment, label="Low step", harm_rating=10)
    fear_item_create(enrollment=enrollment, label="High step", harm_rating=90)
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/exposure/")
    page.get_by_role("button", name="Move up High step").click()
    expect(page.get_by_role("status").first).to_contain_text("Moved “High step” up.")
    expect_ladder(page, ["High step", "Low step"])
