"""The header's main menu on a phone: one row, the rest under a native "More".

On a phone (390 px) the patient sees Today, Program, Check-in and More in a single
row; More is a <details> disclosure, so it opens by keyboard (Enter or Space) and works
with JavaScript switched off. On a desktop every link sits in one row and More is not
there at all. Screenshots of each role, closed and open, are saved under
test-artifacts/screenshots/nav-*.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.messaging.models import Message, MessageThread

pytestmark = pytest.mark.browser

PATIENT_MORE = [
    "Messages",
    "Fear ladder",
    "Progress",
    "My diary",
    "My log",
    "Reminders",
    "Safety plan",
    "Account",
]
ADMIN_MORE = [
    "Messages",
    "Clinicians",
    "Enrollments",
    "Outcomes",
    "Audit trail",
    "Account",
]


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def more(page: Page):
    return main_nav(page).locator("summary", has_text="More")


def one_row(page: Page) -> None:
    """The menu's visible items share a row (their middles line up within a few px), and
    the menu is no taller than its tallest item."""
    box = page.evaluate("""() => {
        const ul = document.querySelector('.site-header nav > ul.nav');
        const items = [...ul.children].filter(li => li.getClientRects().length);
        const middles = items.map(li => {
          const b = li.getBoundingClientRect(); return b.top + b.height / 2; });
        const tallest = Math.max(...items.map(li => li.getBoundingClientRect().height));
        const widths = items.map(li => Math.round(li.getBoundingClientRect().width));
        return {height: ul.getBoundingClientRect().height, tallest, middles, widths,
                room: Math.round(ul.getBoundingClientRect().width)};
    }""")
    assert max(box["middles"]) - min(box["middles"]) <= 4, f"the menu wraps: {box}"
    assert box["height"] <= box["tallest"] + 4, box


def shoot_open_and_closed(page: Page, name: str, *, phone: bool) -> None:
    helpers.check_axe(page, f"nav-{name}")
    helpers.screenshot(page, f"nav-{name}")
    if phone:
        more(page).click()
        helpers.check_axe(page, f"nav-{name}-more")
        helpers.assert_fits_width(page)
        helpers.assert_tap_targets(page)
        helpers.screenshot(page, f"nav-{name}-more")
        more(page).click()


def test_the_patient_menu_is_one_row_on_a_phone_and_more_opens_by_keyboard(
    live_server, cast, enrollment, new_context
):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    nav = main_nav(page)
    for name in ["Today", "Program", "Check-in"]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    for name in PATIENT_MORE:  # folded away: neither seen nor in the accessibility tree
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(nav.get_by_role("button", name="Log out")).to_have_count(0)
    expect(nav.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    expect(more(page)).not_to_have_attribute("aria-current", re.compile(".*"))
    one_row(page)
    helpers.assert_fits_width(page)
    helpers.assert_tap_targets(page)
    page.set_viewport_size({"width": 360, "height": 740})  # a smaller phone: still one row
    one_row(page)
    helpers.assert_fits_width(page)
    page.set_viewport_size(helpers.PHONE["viewport"])

    # Tab from the top of the page: skip link, brand, Get help now, Today, Program,
    # Check-in, More.
    page.locator("body").focus()
    for _ in range(7):
        page.keyboard.press("Tab")
    stop = helpers.focused(page)
    assert stop["tag"] == "summary" and stop["text"].startswith("More"), stop
    assert stop["outline"] and stop["onscreen"], f"focus on More cannot be seen: {stop}"
    page.keyboard.press("Enter")
    for name in PATIENT_MORE:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    helpers.assert_fits_width(page)
    helpers.assert_tap_targets(page)
    helpers.check_axe(page, "nav-patient-phone-more-keyboard")
    # Tab goes on into the panel, in the order it shows.
    page.keyboard.press("Tab")
    assert helpers.focused(page)["text"] == "Messages"
    # Escape (the small enhancement in app.js) closes it and gives focus back to More.
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Progress", exact=True)).to_have_count(0)
    expect(more(page)).to_be_focused()
    page.keyboard.press("Space")
    expect(nav.get_by_role("link", name="Progress", exact=True)).to_be_visible()
    # Tab on past Log out: focus goes into the page and the panel closes, hiding nothing.
    for _ in range(len(PATIENT_MORE) + 1):
        page.keyboard.press("Tab")
    assert helpers.focused(page)["text"] == "Log out"
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Progress", exact=True)).to_have_count(0)
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert helpers.focused(page)["onscreen"]

    # A page inside More: its link is current, and More says so too.
    more(page).click()
    nav.get_by_role("link", name="My log").click()
    expect(page).to_have_url(re.compile(r"/log/$"))
    expect(more(page)).to_have_attribute("aria-current", "true")
    more(page).click()
    expect(nav.get_by_role("link", name="My log")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Today")).not_to_have_attribute(
        "aria-current", re.compile(".*")
    )
    helpers.screenshot(page, "nav-patient-phone-my-log-more")


def test_more_works_without_javascript(live_server, cast, enrollment, new_context):
    page = new_context(java_script_enabled=False, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    one_row(page)
    expect(main_nav(page).get_by_role("link", name="Progress")).to_have_count(0)
    more(page).click()
    link = main_nav(page).get_by_role("link", name="Progress")
    expect(link).to_be_visible()
    helpers.screenshot(page, "nav-patient-phone-more-no-js")
    link.click()
    expect(page).to_have_url(re.compile(r"/progress/$"))
    expect(more(page)).to_have_attribute("aria-current", "true")
    more(page).click()
    expect(main_nav(page).get_by_role("link", name="Progress")).to_have_attribute(
        "aria-current", "page"
    )
    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.parametrize("path", ["/today/", "/program/", "/exposure/", "/log/"])
def test_without_javascript_the_open_more_panel_never_covers_the_focus(
    live_server, cast, enrollment, new_context, path
):
    # Nothing closes the open panel without JavaScript, so tabbing on past Log out must
    # land on something the panel does not cover (WCAG 2.2 2.4.11, focus not obscured).
    page = new_context(java_script_enabled=False, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}{path}")
    more(page).click()
    main_nav(page).get_by_role("button", name="Log out").focus()
    page.keyboard.press("Tab")
    focus = page.evaluate("""() => {
        const el = document.activeElement, box = el.getBoundingClientRect();
        const top = document.elementFromPoint(box.left + box.width / 2,
                                              box.top + box.height / 2);
        return {tag: el.tagName, text: el.textContent.trim().slice(0, 40),
                inNav: !!el.closest("nav"), onTop: !!top && (top === el || el.contains(top))};
    }""")
    assert not focus["inNav"] and focus["onTop"], focus
    helpers.screenshot(page, f"nav-phone-no-js-focus-after-more-{path.strip('/')}")


def test_a_tap_outside_more_closes_it(live_server, cast, enrollment, new_context):
    page = new_context(bypass_csp=False, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    more(page).click()
    expect(main_nav(page).get_by_role("link", name="Progress")).to_be_visible()
    page.locator("footer").click()  # the panel covers the top of the page
    expect(main_nav(page).get_by_role("link", name="Progress")).to_have_count(0)


@pytest.mark.parametrize("form_factor", ["phone", "desktop"])
def test_every_role_has_a_one_row_menu(live_server, cast, enrollment, new_context, form_factor):
    phone = form_factor == "phone"
    options = helpers.PHONE if phone else helpers.DESKTOP
    # Unread messages both ways: the widest rows, with their counts.
    thread = MessageThread.objects.create(enrollment=enrollment, practice=cast.practice)
    for n, from_patient in enumerate((True, False, True, False)):
        Message.objects.create(
            thread=thread,
            author=cast.patient if from_patient else cast.clinician,
            from_patient=from_patient,
            body=f"Message {n}",
        )
    for who, path, shown, folded in [
        (cast.patient, "/today/", ["Today", "Program", "Check-in"], PATIENT_MORE),
        (
            cast.clinician,
            "/caseload/",
            ["Caseload", "Alerts"],
            ["Messages", "Code causes", "Account"],
        ),
        (cast.admin, "/practice/", ["Overview", "Invitations"], ADMIN_MORE),
    ]:
        page = new_context(bypass_csp=True, **options).new_page()
        helpers.login(page, live_server, who)
        page.goto(f"{live_server.url}{path}")
        nav = main_nav(page)
        one_row(page)
        helpers.assert_fits_width(page)
        for name in shown:
            expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
        for name in folded:  # (Messages with its unread count: "Messages 2 unread")
            link = nav.get_by_role("link", name=re.compile(rf"^{name}( \d+ unread)?$"))
            expect(link).to_have_count(0 if phone else 1)
        if phone and folded:
            expect(more(page)).to_be_visible()
        else:  # nothing folded: no More, and Log out in the row
            expect(more(page)).to_be_hidden()
            expect(nav.get_by_role("button", name="Log out")).to_be_in_viewport()
        shoot_open_and_closed(
            page, f"{form_factor}-{path.strip('/')}", phone=phone and bool(folded)
        )
        page.context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_admins_widest_menu_fits_1280_in_one_row(
    live_server, cast, enrollment, other_enrollment, new_context, language
):
    """An admin of two practices with open alerts and unread messages (both counts in
    two digits), in English and in the longer Spanish: one row at 1280 px and no
    sideways scroll, the practice's name and "Switch practice" beside the brand; on a
    phone, Overview, Invitations and More in one row."""
    from painapp.accounts.models import Membership, Role
    from tracking.alerts.services import alert_raise
    from tracking.messaging.services import message_send
    from tracking.models import Alert

    for n, e in enumerate((enrollment, other_enrollment) * 6):
        alert_raise(
            enrollment=e, kind=Alert.Kind.FEAR_HIGH, severity=Alert.Severity.ROUTINE, source=f"{n}"
        )
        message_send(enrollment=e, author=e.patient, body=f"Message {n}")
    Membership.objects.create(
        user=cast.admin, practice=cast.other_practice, role=Role.ADMIN, is_active=True
    )
    cast.admin.language = language
    cast.admin.save(update_fields=["language"])
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.admin)  # once: a TOTP code is good for one login
    for form_factor in ("desktop", "phone"):
        phone = form_factor == "phone"
        if phone:
            page.set_viewport_size(helpers.PHONE["viewport"])
        page.goto(f"{live_server.url}/practice/")
        nav = page.locator(".site-header nav")  # "Main", or "Principal" in Spanish
        inbox = nav.locator(f'a[href="{reverse("message_inbox")}"]:visible')
        expect(inbox).to_have_count(0 if phone else 1)  # on a phone: under More
        expect(nav.locator("a:visible", has_text="12")).to_have_count(0 if phone else 2)
        line = page.locator(".site-header .practice-line")
        expect(line).to_contain_text(cast.practice.name)
        expect(line.locator(f'a[href="{reverse("choose_practice")}"]')).to_be_visible()
        expect(nav.locator(f'a[href="{reverse("choose_practice")}"]')).to_have_count(0)
        one_row(page)
        helpers.assert_fits_width(page)
        helpers.check_axe(page, f"nav-admin-widest-{language}-{form_factor}")
        helpers.screenshot(page, f"nav-admin-widest-{language}-{form_factor}")
    assert helpers.open_more(page)
    expect(nav.locator(f'a[href="{reverse("message_inbox")}"]:visible')).to_have_count(1)
    helpers.assert_fits_width(page)
    helpers.assert_tap_targets(page)
    helpers.screenshot(page, f"nav-admin-widest-{language}-phone-more")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_patients_widest_menu_fits_1280_in_one_row(
    live_server, cast, enrollment, new_context, language
):
    """The patient's whole menu (Messages with a two-digit unread count), in English
    and in the longer Spanish: one row at 1280 px, Account and Log out in it, and no
    sideways scroll."""
    from tracking.messaging.services import message_send

    for n in range(12):
        message_send(enrollment=enrollment, author=cast.clinician, body=f"Message {n}")
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    nav = page.locator(".site-header nav")  # "Main", or "Principal" in Spanish
    for name in ("today", "messages", "safety_plan", "account_change_password"):
        expect(nav.locator(f'a[href="{reverse(name)}"]:visible')).to_be_in_viewport()
    expect(nav.locator("a:visible", has_text="12")).to_have_count(1)
    expect(nav.locator(".logout button:visible")).to_be_in_viewport()
    expect(nav.locator("summary:visible")).to_have_count(0)  # no "More" on a desktop
    helpers.screenshot(page, f"nav-patient-widest-{language}-desktop")
    one_row(page)
    helpers.assert_fits_width(page)
    helpers.check_axe(page, f"nav-patient-widest-{language}-desktop")
