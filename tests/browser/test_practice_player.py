"""The somatic-tracking player in real Chromium, on a phone (390×844).

- A whole session by keyboard only (Tab, Space, Enter, arrow keys), under the app's
  real CSP: one step at a time, a timer, Back/Next, save, the calm success message.
- A failed save keeps everything and offers Retry; the retry records exactly one row.
- A save whose response was lost: the reload brings the answers back, and saving
  again still records one row.
- Unsaved answers are kept in the tab only (sessionStorage, never localStorage), and
  logging out forgets them: the next person on a shared phone finds nothing.
- Without JavaScript the same page is one plain form that saves.
- axe-core (WCAG 2.2 AA), no sideways scrolling, 44px tap targets, on each screen.

Screenshots: test-artifacts/practice-*.png.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from programs.models import PracticeSession
from tests.browser import helpers
from tests.conftest import ARTIFACTS
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

FAIL_MESSAGE = "We couldn't save just now. Your answers are still here. Try again."
PHONE = {**helpers.PHONE, "reduced_motion": "reduce"}


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """What the phone's screen shows now (or the whole page), as practice-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"practice-{name}.png"), full_page=full_page)


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
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
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def rate_by_keyboard(page: Page, field: str, value: int) -> None:
    """Tab into a 0–10 group, choose 0 with Space, then arrow up to `value`."""
    tab_to(page, page.locator(f"#id_{field}_0"))
    page.keyboard.press("Space")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"#id_{field}_{value}")).to_be_checked()


def counter(page: Page) -> Locator:
    return page.locator("[data-player-count]")


def fill_by_pointer(page: Page) -> None:
    """Answer everything with taps (for the tests about saving, not about keys)."""
    page.locator("label[for=id_pain_before_5]").click()
    page.locator("label[for=id_threat_before_6]").click()
    for n in range(1, 8):
        page.get_by_role("button", name="Next").click()
        expect(counter(page)).to_have_text(f"Step {n} of 7")
    page.get_by_label("pulsing").check()
    page.locator("label[for=id_pain_after_4]").click()
    page.locator("label[for=id_threat_after_2]").click()
    page.get_by_label(re.compile("A note for yourself")).fill("Calmer by the end.")


def answered_and_failed_to_save(page: Page, live_server, patient) -> None:
    """Answer a whole session on the phone, then press Save while the connection is
    down: the answers stay, with Retry. The connection is back afterwards."""
    helpers.login(page, live_server, patient)
    page.goto(live_server.url + reverse("practice"))
    fill_by_pointer(page)
    page.route("**/somatic-tracking/save/", lambda route: route.abort())
    page.get_by_role("button", name="Save to my log").click()
    expect(page.locator("[data-save-error]")).to_contain_text(FAIL_MESSAGE)
    page.unroute("**/somatic-tracking/save/")


def stash_keys(page: Page) -> list[str]:
    """The unsaved answers this tab keeps; nothing the app writes outlives the tab."""
    ours = "store => Object.keys(window[store]).filter(k => k.startsWith('painapp:'))"
    assert page.evaluate(ours, "localStorage") == []
    return page.evaluate(ours, "sessionStorage")


# ---------------------------------------------------------------- by keyboard


def test_it_guides_a_whole_session_by_keyboard(live_server, new_context, cast, enrollment):
    context = new_context(**PHONE)
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    keyboard_login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Somatic tracking")
    expect(counter(page)).to_have_text("Getting ready")
    expect(page.get_by_role("heading", name="Settle in")).to_be_hidden()
    expect(page.get_by_role("button", name="Save to my log")).to_be_hidden()
    rate_by_keyboard(page, "pain_before", 6)
    rate_by_keyboard(page, "threat_before", 7)
    shot(page, "before")

    tab_to(page, page.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    expect(counter(page)).to_have_text("Step 1 of 7")
    expect(page.get_by_role("heading", name="Settle in")).to_be_focused()
    expect(page.get_by_role("heading", name="Before you start")).to_be_hidden()
    # The patient asked for less motion: the step appears without sliding in.
    assert (
        page.locator("[data-panel]:visible").evaluate("el => getComputedStyle(el).animationName")
        == "none"
    )

    # The timer: start, watch it count down, pause, resume. It never moves on by itself.
    step = page.locator("[data-panel]:visible")
    start = step.get_by_role("button", name="Start timer")
    tab_to(page, start)
    page.keyboard.press("Space")
    expect(step.get_by_role("button", name="Pause timer")).to_be_focused()
    expect(step.locator("[data-timer-time]")).not_to_have_text("00:45", timeout=3000)
    page.keyboard.press("Space")
    expect(step.get_by_role("button", name="Resume timer")).to_be_visible()
    expect(step.locator("[data-timer-note]")).to_have_text("Paused")
    expect(step.get_by_role("button", name="Read aloud")).to_be_visible()
    shot(page, "step")

    for n in range(2, 8):
        tab_to(page, page.get_by_role("button", name="Next"))
        page.keyboard.press("Enter")
        expect(counter(page)).to_have_text(f"Step {n} of 7")
        expect(page.locator("[data-panel]:visible [data-panel-heading]")).to_be_focused()
        if n == 3:  # and one step back, then on again
            tab_to(page, page.get_by_role("button", name="Back"))
            page.keyboard.press("Enter")
            expect(counter(page)).to_have_text("Step 2 of 7")
            expect(page.get_by_role("heading", name="Find the feeling")).to_be_focused()
            tab_to(page, page.get_by_role("button", name="Next"))
            page.keyboard.press("Enter")
            expect(counter(page)).to_have_text("Step 3 of 7")

    expect(page.get_by_role("heading", name="Rate and note")).to_be_focused()
    # Rating and noting needs no timer (its step says "timer: false").
    expect(page.locator("[data-panel]:visible [data-timer]")).to_have_count(0)
    expect(
        page.locator("[data-panel]:visible").get_by_role("button", name="Read aloud")
    ).to_be_visible()
    shot(page, "rate-top")
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    for word in ("tightness", "warmth"):
        tab_to(page, page.get_by_label(word, exact=True))
        page.keyboard.press("Space")
        expect(page.get_by_label(word, exact=True)).to_be_checked()
    rate_by_keyboard(page, "pain_after", 3)
    rate_by_keyboard(page, "threat_after", 2)
    tab_to(page, page.get_by_label(re.compile("A note for yourself")))
    page.keyboard.type("Softer edges today.")
    shot(page, "rate")

    tab_to(page, page.get_by_role("button", name="Save to my log"))
    page.keyboard.press("Enter")
    saved = page.get_by_role("heading", name="Saved to your log")
    expect(saved).to_be_focused()
    expect(page.locator(".change")).to_contain_text("down 3")
    expect(page.get_by_role("link", name="See my log")).to_be_visible()
    expect(page.get_by_role("link", name="Back to Today")).to_be_visible()
    shot(page, "saved")

    session = PracticeSession.objects.get()
    assert session.enrollment == enrollment
    assert (session.pain_before, session.threat_before) == (6, 7)
    assert (session.pain_after, session.threat_after) == (3, 2)
    assert session.sensations == ["tightness", "warmth"]
    assert session.note == "Softer edges today."
    assert session.duration_seconds >= 1
    helpers.assert_no_csp_violations(watch, page)


def test_the_timer_says_when_time_is_up_and_waits(live_server, new_context, cast, enrollment):
    context = new_context(**helpers.PHONE, reduced_motion="no-preference")
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.clock.install()
    page.goto(live_server.url + reverse("practice"))
    page.locator("label[for=id_pain_before_2]").click()
    page.locator("label[for=id_threat_before_2]").click()
    page.get_by_role("button", name="Next").click()
    step = page.locator("[data-panel]:visible")
    assert step.evaluate("el => getComputedStyle(el).animationName") == "player-panel-in"
    step.get_by_role("button", name="Start timer").click()
    page.clock.run_for(46_000)
    expect(step.locator("[data-timer-note]")).to_have_text("Time is up. Go on when you are ready.")
    expect(step.locator("[data-timer-time]")).to_have_text("00:00")
    expect(counter(page)).to_have_text("Step 1 of 7")  # never moves on by itself
    expect(step.get_by_role("button", name="Start again")).to_be_visible()


# ---------------------------------------------------------------- saving on a bad line


def test_a_failed_save_keeps_everything_and_retry_records_one(
    live_server, new_context, cast, enrollment
):
    context = new_context(**PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    fill_by_pointer(page)

    page.route("**/somatic-tracking/save/", lambda route: route.abort())
    page.get_by_role("button", name="Save to my log").click()
    alert = page.locator("[data-save-error]")
    expect(alert).to_contain_text(FAIL_MESSAGE)
    expect(page.get_by_role("button", name="Retry")).to_be_focused()
    expect(page.locator("#id_pain_before_5")).to_be_checked()
    expect(page.locator("#id_threat_after_2")).to_be_checked()
    expect(page.get_by_label("pulsing")).to_be_checked()
    expect(page.get_by_label(re.compile("A note for yourself"))).to_have_value("Calmer by the end.")
    assert len(stash_keys(page)) == 1
    assert PracticeSession.objects.count() == 0
    shot(page, "retry")

    page.unroute("**/somatic-tracking/save/")
    page.get_by_role("button", name="Retry").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_focused()
    assert PracticeSession.objects.count() == 1
    assert PracticeSession.objects.get().note == "Calmer by the end."
    assert stash_keys(page) == []


def test_a_lost_answer_comes_back_after_a_reload_and_saves_once(
    live_server, new_context, cast, enrollment
):
    context = new_context(**PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    fill_by_pointer(page)
    token = page.locator("[data-client-token]").input_value()

    def lose_the_answer(route):
        route.fetch()  # the server saves it…
        route.abort()  # …but the phone never hears back

    page.route("**/somatic-tracking/save/", lose_the_answer)
    page.get_by_role("button", name="Save to my log").click()
    expect(page.locator("[data-save-error]")).to_contain_text(FAIL_MESSAGE)
    assert PracticeSession.objects.count() == 1
    page.unroute("**/somatic-tracking/save/")

    page.reload()
    expect(page.locator("[data-restored]")).to_be_focused()
    expect(counter(page)).to_have_text("Step 7 of 7")
    expect(page.locator("[data-client-token]")).to_have_value(token)
    expect(page.locator("#id_pain_before_5")).to_be_checked()
    expect(page.get_by_label("pulsing")).to_be_checked()
    expect(page.get_by_label(re.compile("A note for yourself"))).to_have_value("Calmer by the end.")
    shot(page, "restored")
    page.get_by_role("button", name="Save to my log").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_visible()
    assert PracticeSession.objects.count() == 1
    assert stash_keys(page) == []


def test_logging_out_forgets_unsaved_answers(live_server, new_context, cast, enrollment):
    context = new_context(**PHONE)
    page = context.new_page()
    answered_and_failed_to_save(page, live_server, cast.patient)
    assert len(stash_keys(page)) == 1

    helpers.logout(page)
    assert stash_keys(page) == []
    assert PracticeSession.objects.count() == 0

    # Back in, on the same phone and tab: a fresh form, no "we kept your answers".
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    expect(page.locator("[data-restored]")).to_be_hidden()
    expect(page.get_by_label(re.compile("A note for yourself"))).to_have_value("")


def test_answers_an_older_version_kept_on_the_device_are_removed_unread(
    live_server, new_context, cast, enrollment
):
    """Before this version, unsaved answers were kept in localStorage for 7 days: the
    player now removes any it finds, and does not bring them back."""
    context = new_context(**PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("today"))
    old = f"painapp:practice:{enrollment.pk}:an-old-token"
    page.evaluate(
        "key => localStorage.setItem(key, JSON.stringify({savedAt: Date.now(),"
        " fields: [['note', 'An old answer']]}))",
        old,
    )
    page.goto(live_server.url + reverse("practice"))
    expect(counter(page)).to_have_text("Getting ready")
    assert page.evaluate("key => localStorage.getItem(key)", old) is None
    expect(page.locator("[data-restored]")).to_be_hidden()
    expect(page.get_by_label(re.compile("A note for yourself"))).to_have_value("")


def test_it_asks_for_a_missing_rating_on_its_own_step(live_server, new_context, cast, enrollment):
    context = new_context(**PHONE)
    page = context.new_page()
    keyboard_login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    tab_to(page, page.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")

    expect(counter(page)).to_have_text("Getting ready")
    expect(page.locator("#id_pain_before_error")).to_have_text(
        "Choose a number from 0 to 10 for how strong the pain was before you started."
    )
    expect(page.locator("#id_threat_before_error")).to_be_visible()
    expect(page.locator("#id_pain_before_0")).to_be_focused()
    expect(page.locator("fieldset:has(#id_pain_before_0)")).to_have_attribute(
        "aria-describedby", "id_pain_before_hint id_pain_before_error"
    )
    shot(page, "missing")

    page.keyboard.press("Space")  # choosing a number clears its message
    expect(page.locator("#id_pain_before_error")).to_have_count(0)
    tab_to(page, page.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    expect(page.locator("#id_threat_before_0")).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Next"))
    page.keyboard.press("Enter")
    expect(counter(page)).to_have_text("Step 1 of 7")
    assert PracticeSession.objects.count() == 0


def test_it_shows_the_servers_message_on_the_right_step(live_server, new_context, cast, enrollment):
    context = new_context(**PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    fill_by_pointer(page)
    note = page.get_by_label(re.compile("A note for yourself"))
    note.fill("a" * 2001)
    page.get_by_role("button", name="Save to my log").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please keep your note to 2000 characters or fewer.")
    expect(counter(page)).to_have_text("Step 7 of 7")
    expect(page.locator("#id_pain_before_5")).to_be_checked()
    expect(page.get_by_label("pulsing")).to_be_checked()
    shot(page, "errors")
    summary.get_by_role("link").click()
    expect(note).to_be_focused()
    note.fill("Shorter now.")
    page.get_by_role("button", name="Save to my log").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_focused()
    assert PracticeSession.objects.get().note == "Shorter now."


def test_kept_answers_can_be_thrown_away(live_server, new_context, cast, enrollment):
    context = new_context(**PHONE)
    page = context.new_page()
    answered_and_failed_to_save(page, live_server, cast.patient)
    page.reload()
    expect(page.locator("[data-restored]")).to_be_focused()

    page.get_by_role("button", name="Start fresh instead").click()
    expect(counter(page)).to_have_text("Getting ready")
    expect(page.locator("[data-restored]")).to_be_hidden()
    expect(page.locator("#id_pain_before_5")).not_to_be_checked()
    expect(page.get_by_label(re.compile("A note for yourself"))).to_have_value("")
    assert stash_keys(page) == []
    page.reload()
    expect(page.locator("[data-restored]")).to_be_hidden()


# ---------------------------------------------------------------- without JavaScript


def test_it_works_as_one_plain_form_without_javascript(live_server, new_context, cast, enrollment):
    context = new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))
    for title in ("Before you start", "Settle in", "Widen your attention", "Rate and note"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("button", name="Next")).to_be_hidden()
    expect(page.get_by_role("button", name="Start timer").first).to_be_hidden()
    shot(page, "nojs", full_page=True)

    page.get_by_role("button", name="Save to my log").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose a number from 0 to 10 for how strong the pain was before you started."
    )
    shot(page, "nojs-errors")
    page.locator("label[for=id_pain_before_8]").click()
    page.locator("label[for=id_threat_before_8]").click()
    page.locator("label[for=id_pain_after_8]").click()
    page.locator("label[for=id_threat_after_9]").click()
    page.get_by_role("button", name="Save to my log").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_visible()
    expect(page.locator(".change")).to_contain_text("up 1")
    shot(page, "nojs-saved")
    assert PracticeSession.objects.get().threat_after == 9


# ---------------------------------------------------------------- accessibility


@pytest.mark.parametrize("form_factor", ["phone", "desktop"])
def test_each_screen_passes_axe_and_fits_the_screen(
    live_server, new_context, cast, enrollment, form_factor
):
    size = PHONE if form_factor == "phone" else {**helpers.DESKTOP, "reduced_motion": "reduce"}
    context = new_context(bypass_csp=True, **size)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("practice"))

    def check(name: str) -> None:
        if form_factor == "desktop":
            shot(page, f"desktop-{name}")
        helpers.check_axe(page, f"practice-{form_factor}-{name}")
        helpers.assert_fits_width(page)
        helpers.assert_tap_targets(page)
        spill = page.evaluate("""() => [...document.querySelectorAll('.panel *, .saved *')]
            .filter(el => el.getClientRects().length)
            .filter(el => el.getBoundingClientRect().right >
                          el.closest('.panel, .saved').getBoundingClientRect().right + 0.5)
            .map(el => el.outerHTML.slice(0, 100))""")
        assert not spill, f"{name}: sticks out of its card: {spill}"

    check("before")
    page.get_by_role("button", name="Next").click()  # nothing rated yet
    expect(page.locator("#id_pain_before_error")).to_be_visible()
    check("missing")
    page.locator("label[for=id_pain_before_5]").click()
    page.locator("label[for=id_threat_before_6]").click()
    page.get_by_role("button", name="Next").click()
    expect(counter(page)).to_have_text("Step 1 of 7")
    check("step")
    for _ in range(6):
        page.get_by_role("button", name="Next").click()
    page.locator("label[for=id_pain_after_4]").click()
    page.locator("label[for=id_threat_after_2]").click()
    page.get_by_label(re.compile("A note for yourself")).fill("a" * 2001)
    page.get_by_role("button", name="Save to my log").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    check("errors")
    page.get_by_label(re.compile("A note for yourself")).fill("ok")
    page.get_by_role("button", name="Save to my log").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_visible()
    check("saved")
