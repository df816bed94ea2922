"""The foundation's journey in real Chromium: an admin invites a patient by email, the
patient follows the link, sets a password and lands on their home page.

At each step the page is checked with axe-core (WCAG 2.2 A/AA) and saved as a
screenshot under test-artifacts/screenshots/. The same journey runs again under the
app's real Content Security Policy and must not trigger a single violation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from painapp.accounts import services
from painapp.accounts.models import Membership, Role, User
from tests.browser import helpers

pytestmark = pytest.mark.browser

NEW_PASSWORD = "slow-walks-by-the-sea-7"
FORM_FACTORS = {"desktop": helpers.DESKTOP, "phone": helpers.PHONE}

Checkpoint = Callable[[Page, str], None]


def run_invite_journey(
    live_server, mailoutbox, cast, open_page: Callable[[], Page], checkpoint: Checkpoint
) -> Page:
    """Walk the whole invitation, calling `checkpoint(page, name)` on every screen."""
    admin = open_page()
    admin.goto(f"{live_server.url}/accounts/login/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Log in")
    checkpoint(admin, "01-login")
    helpers.login(admin, live_server, cast.admin)
    expect(admin).to_have_url(f"{live_server.url}/practice/")
    checkpoint(admin, "02-admin-overview")

    admin.get_by_role("link", name="Invite a patient").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Invite a patient")
    checkpoint(admin, "03-invitation-form")

    # Sending it empty explains what is missing, next to each field.
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator(".error-summary")).to_be_visible()
    expect(admin.locator(".error-summary")).to_be_focused()
    full_name = admin.get_by_label("Full name")
    expect(full_name).to_have_attribute("aria-describedby", re.compile("error"))
    checkpoint(admin, "04-invitation-form-errors")

    full_name.fill("Robin Patient")
    admin.get_by_label("Email address").fill("robin@example.org")
    admin.get_by_label(re.compile(r"^Clinician")).select_option(label="Dr Kim")
    _fill_program_fields(admin)
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin).to_have_url(f"{live_server.url}/practice/invitations/")
    expect(admin.get_by_role("status")).to_contain_text("Invitation sent to robin@example.org")
    expect(admin.get_by_role("cell", name="robin@example.org", exact=True)).to_be_visible()
    checkpoint(admin, "05-invitation-list")

    assert [m.to for m in mailoutbox] == [["robin@example.org"]]
    link = helpers.on_live_server(helpers.link_in_email(mailoutbox[0]), live_server)
    helpers.logout(admin)

    patient = open_page()  # a fresh browser: nobody logged in, no cookies
    patient.goto(link)
    expect(patient.get_by_role("heading", level=1)).to_have_text("Welcome to Riverside")
    checkpoint(patient, "06-invitation-accept")

    patient.get_by_label("Choose a password").fill(NEW_PASSWORD)
    patient.get_by_label("Type it again").fill(NEW_PASSWORD + "x")
    patient.get_by_role("button", name="Set up my account").click()
    expect(patient.get_by_label("Type it again")).to_have_attribute(
        "aria-describedby", re.compile("error")
    )
    expect(patient.locator(".field--error")).to_contain_text("not the same")
    checkpoint(patient, "07-invitation-accept-errors")

    patient.get_by_label("Choose a password").fill(NEW_PASSWORD)
    patient.get_by_label("Type it again").fill(NEW_PASSWORD)
    patient.get_by_label("Time zone").select_option("Europe/Dublin")
    patient.get_by_role("button", name="Set up my account").click()
    expect(patient).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/(today|welcome)/$"))
    expect(patient.get_by_role("heading", level=1)).to_have_count(1)
    expect(patient.get_by_role("heading", level=1)).to_be_visible()
    checkpoint(patient, "08-patient-home")

    robin = User.objects.get(email="robin@example.org")
    assert robin.check_password(NEW_PASSWORD)
    assert robin.timezone == "Europe/Dublin"
    assert Membership.objects.get(user=robin).is_active
    return patient


def _fill_program_fields(page: Page) -> None:
    """Patient invitations may also ask for a program and a start date: fill them if so."""
    program = page.get_by_label(re.compile(r"^Program\b"))
    if program.count():
        options = program.locator("option").evaluate_all(
            "els => els.filter(o => o.value).map(o => o.value)"
        )
        program.select_option(options[0])
    start = page.get_by_label(re.compile(r"start", re.IGNORECASE))
    if start.count() and not start.input_value():
        start.fill(date.today().isoformat())  # noqa: DTZ011 - the form wants a local date


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_it_invites_a_patient_who_sets_a_password_and_lands_home(
    live_server, mailoutbox, cast, program_version, new_context, form_factor
):
    def open_page() -> Page:
        return new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()

    def checkpoint(page: Page, name: str) -> None:
        helpers.screenshot(page, f"{form_factor}-{name}")
        helpers.check_axe(page, f"{form_factor}-{name}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)

    run_invite_journey(live_server, mailoutbox, cast, open_page, checkpoint)


def test_it_runs_the_journey_without_a_csp_violation(
    live_server, mailoutbox, cast, program_version, new_context
):
    watches = []

    def open_page() -> Page:
        context = new_context()  # the real policy: no bypass
        watches.append(helpers.CspWatch.attach(context))
        return context.new_page()

    def checkpoint(page: Page, name: str) -> None:
        for watch in watches:
            helpers.assert_no_csp_violations(watch, page, name)

    run_invite_journey(live_server, mailoutbox, cast, open_page, checkpoint)


def test_it_notices_a_csp_violation(live_server, strict):
    """The watcher itself works: an inline script and an inline style are both reported."""
    response = strict.page.goto(f"{live_server.url}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    strict.page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.ran = true';
        document.body.append(script);
        document.querySelector('h1').setAttribute('style', 'color: red');
    }""")
    assert strict.page.evaluate("() => window.ran") is None  # blocked, as it should be
    with pytest.raises(AssertionError) as failure:
        strict.assert_no_csp_violations()
    assert "script-src" in str(failure.value)
    assert "style-src" in str(failure.value)


# ------------------------------------------------------------------ other foundation pages
PUBLIC_PAGES = {
    "login": "/accounts/login/",
    "password-reset": "/accounts/password/reset/",
    "password-reset-done": "/accounts/password/reset/done/",
    "password-reset-bad-key": "/accounts/password/reset/key/1-bad-key/",
    "signup-closed": "/accounts/signup/",
    "invitation-bad-link": "/invite/not-a-real-token/",
    "error-404": "/no-such-page/",
}


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_it_has_no_axe_violations_on_public_pages(live_server, db, new_context, form_factor):
    page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()
    for name, path in PUBLIC_PAGES.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"{form_factor}-public-{name}")
        helpers.check_axe(page, f"{form_factor}-public-{name}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)


def test_it_has_no_axe_violations_on_account_pages(live_server, cast, page: Page):
    # Someone in two practices chooses one; the radio group must be a labelled fieldset.
    Membership.objects.create(
        user=cast.clinician, practice=cast.other_practice, role=Role.CLINICIAN, is_active=True
    )
    helpers.login(page, live_server, cast.clinician)
    pages = {
        "choose-practice": "/choose-practice/",
        "account": "/accounts/password/change/",
        "error-404-logged-in": "/no-such-page/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"desktop-{name}")
        helpers.check_axe(page, f"desktop-{name}")
        helpers.assert_clean_text(page)
    # The password reset form with errors, as a person sees it after a typo.
    helpers.logout(page)
    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".error-summary")).to_be_visible()
    helpers.screenshot(page, "desktop-password-reset-errors")
    helpers.check_axe(page, "desktop-password-reset-errors")


def test_it_explains_a_missing_practice_accessibly(live_server, db, page: Page):
    loner = User.objects.create_user(email="loner@example.org", password=helpers.PASSWORD)
    helpers.login(page, live_server, loner)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You are not linked to a practice yet"
    )
    helpers.check_axe(page, "desktop-no-membership")


# ------------------------------------------------------------------ keyboard
def tab(page: Page) -> dict:
    page.keyboard.press("Tab")
    return helpers.focused(page)


@pytest.mark.parametrize("path", ["/accounts/login/", "/practice/", "/no-such-page/"])
def test_it_lets_keyboard_users_skip_to_the_content_and_see_focus(
    live_server, cast, page: Page, path
):
    if path != "/accounts/login/":
        helpers.login(page, live_server, cast.admin)
    page.goto(f"{live_server.url}{path}")

    focusable = page.locator(
        "main a[href], main button, main input:not([type=hidden]), main select"
    ).count()
    autofocus = page.locator("main [autofocus]")
    if autofocus.count():
        # The login page puts focus in its first field: keyboard users start in the
        # content, with nothing to skip.
        expect(autofocus).to_be_focused()
        focusable -= 1
    else:
        first = tab(page)
        assert "skip-link" in first["cls"], f"first Tab stop is {first}, not the skip link"
        assert first["onscreen"] and first["outline"], first
        page.keyboard.press("Enter")
        # Focus moves as the browser follows the in-page link; wait for it (not a sleep).
        expect(page.locator("main#main")).to_be_focused()

    # From there, Tab goes on into the content, and every stop shows where focus is.
    stops = [tab(page) for _ in range(focusable)]
    assert stops, "nothing to focus in main"
    for stop in stops:
        assert stop["outline"] or stop["ring"], f"focus cannot be seen on {stop}"
        assert stop["onscreen"], f"focused element is off screen: {stop}"
    main_ids = page.locator("main").evaluate(
        "main => [...main.querySelectorAll('*')].includes(document.activeElement) || 'out'"
    )
    assert main_ids is True


def test_it_keeps_the_header_usable_on_a_phone(live_server, cast, new_context):
    services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        send=False,
        request=services.InvitationRequest(
            email="sam@example.org",
            full_name="Sam Waiting",
            role=Role.PATIENT,
            clinician=cast.clinician,
        ),
    )
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.admin)
    page.goto(f"{live_server.url}/practice/invitations/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Invitations")).to_have_attribute("aria-current", "page")
    for link in nav.get_by_role("link").all():
        expect(link).to_be_in_viewport()
    helpers.assert_fits_width(page)
    helpers.assert_tap_targets(page)
    helpers.screenshot(page, "phone-header-admin")
    # The rest of the menu and Log out wait under "More": open, every one is on screen.
    assert helpers.open_more(page)
    expect(nav.get_by_role("link", name="Audit trail")).to_be_visible()
    for link in nav.get_by_role("link").all():
        expect(link).to_be_in_viewport()
    expect(page.get_by_role("button", name="Log out")).to_be_in_viewport()
    helpers.assert_fits_width(page)
    helpers.assert_tap_targets(page)
    helpers.screenshot(page, "phone-header-admin-more")
