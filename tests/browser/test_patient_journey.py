"""A new patient's first day, in real Chromium, on a desktop and on a phone.

The patient accepts the emailed invitation, sets a password, goes through onboarding
(welcome, what this is, consent, settings, safety check), reads the first lesson and
answers its question, does a somatic-tracking session with ratings, adds two items to
the fear ladder, plans an exposure and logs how it went, then finds all of it in My log.

Every page is saved as test-artifacts/patient-journey-<viewport>-NN-<name>.png and
checked with axe-core (WCAG 2.2 A/AA).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from programs.models import Enrollment, Exposure, FearItem, PracticeSession
from programs.services import enrollment_invite
from tests.browser import helpers
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

NEW_PASSWORD = "slow-walks-by-the-sea-7"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": helpers.PHONE,
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_it_takes_a_new_patient_from_invitation_to_my_log(
    live_server, mailoutbox, cast, program_version, new_context, viewport
):
    count = 0

    def checkpoint(page: Page, name: str) -> None:
        nonlocal count
        count += 1
        label = f"patient-journey-{viewport}-{count:02d}-{name}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{label}.png"), full_page=True)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.check_axe(page, label)
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if viewport == "phone":
            helpers.assert_tap_targets(page)

    enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="robin@example.org",
        full_name="Robin Patient",
        clinician=cast.clinician,
        program_version=program_version,
        start_date=date.today(),  # noqa: DTZ011 (the server's today, as an admin picks)
        timezone_name="Europe/Dublin",
        send=True,
    )
    assert [m.to for m in mailoutbox] == [["robin@example.org"]]
    link = helpers.on_live_server(helpers.link_in_email(mailoutbox[0]), live_server)

    page = new_context(bypass_csp=True, **VIEWPORTS[viewport]).new_page()
    url = live_server.url

    # The invitation: choose a password.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Riverside")
    checkpoint(page, "invitation")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set up my account").click()

    # Onboarding: welcome, about, consent, settings, safety check.
    expect(page).to_have_url(f"{url}/welcome/")
    # Greeted by first name (issue 19).
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Robin")
    checkpoint(page, "welcome")
    page.get_by_role("link", name="Let's begin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What this program is, and is not")
    checkpoint(page, "about")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you start")
    checkpoint(page, "consent")
    page.get_by_label(re.compile("^I understand this program")).check()
    page.get_by_label(re.compile("^I agree that my answers")).check()
    page.get_by_role("button", name="I agree, continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When suits you?")
    checkpoint(page, "settings")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where you are, and how to reach you")
    checkpoint(page, "contact")
    page.get_by_label("Which country are you in?").select_option("GB")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_label("None of these apply to me")).to_be_visible()
    page.get_by_label("Your date of birth").fill("1980-05-05")
    page.get_by_label("In what year did this back pain first start?").fill("2015")
    checkpoint(page, "safety-check")
    page.get_by_label("None of these apply to me").check()
    page.get_by_role("button", name="Continue").click()

    # Today, and the first lesson from "Next for you".
    expect(page).to_have_url(f"{url}/today/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    checkpoint(page, "today")
    assert Enrollment.objects.get(patient__email="robin@example.org").status == "active"
    page.locator("section", has=page.get_by_role("heading", name="Next for you")).get_by_role(
        "link", name="Your brain's alarm system"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your brain's alarm system")
    checkpoint(page, "lesson")
    page.get_by_label("Your answer").fill("It started the winter I moved house and my dad was ill.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your brain's alarm system")
    mark_done = page.get_by_role("button", name="Mark as done")
    if mark_done.count():  # saving an answer may already count the lesson as done
        mark_done.click()
    expect(page.locator("#done-marker")).to_contain_text("You finished this.")
    checkpoint(page, "lesson-done")

    # Somatic tracking, with ratings before and after.
    page.goto(f"{url}/somatic-tracking/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Somatic tracking")
    checkpoint(page, "somatic-tracking")
    page.locator("label[for=id_pain_before_6]").click()
    page.locator("label[for=id_threat_before_7]").click()
    for n in range(1, 8):
        page.get_by_role("button", name="Next").click()
        expect(page.locator("[data-player-count]")).to_have_text(f"Step {n} of 7")
    page.get_by_label("pulsing").check()
    page.locator("label[for=id_pain_after_4]").click()
    page.locator("label[for=id_threat_after_3]").click()
    page.get_by_label(re.compile("A note for yourself")).fill("Calmer by the end.")
    checkpoint(page, "somatic-tracking-rated")
    page.get_by_role("button", name="Save to my log").click()
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_visible()
    session = _wait_for(
        lambda: PracticeSession.objects.filter(
            enrollment__patient__email="robin@example.org"
        ).first()
    )
    assert (session.pain_before, session.pain_after) == (6, 4)
    checkpoint(page, "somatic-tracking-saved")

    # The fear ladder: two items, then plan and log an exposure.
    page.goto(f"{url}/exposure/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your fear ladder")
    checkpoint(page, "ladder-empty")
    for label, harm in (("Lifting a bag of shopping", "60"), ("Bending to tie my shoes", "20")):
        page.get_by_label("Activity you avoid or fear").fill(label)
        page.get_by_label(re.compile("How harmful does it feel")).fill(harm)
        page.get_by_role("button", name="Add to my ladder").click()
        expect(page.locator("#ladder .rung__label").filter(has_text=label)).to_be_visible()
    expect(page.locator("#ladder .rung__label")).to_have_text(
        ["Bending to tie my shoes", "Lifting a bag of shopping"]
    )
    checkpoint(page, "ladder")
    page.locator(".next-step").get_by_role("link", name="Try this one").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan an exposure")
    page.get_by_label(re.compile("How much pain do you expect")).fill("6")
    page.get_by_label(re.compile("How much harm do you expect")).fill("50")
    page.get_by_label(re.compile("What do you expect will happen")).fill(
        "A sharp twinge and a stiff back all evening."
    )
    checkpoint(page, "exposure-plan")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_role("heading", name="After: how did it go?")).to_be_visible()
    page.get_by_label(re.compile("How much pain did you feel")).fill("3")
    page.get_by_label(re.compile("How much harm was done")).fill("0")
    page.get_by_label(re.compile("How harmful does it feel now")).fill("10")
    checkpoint(page, "exposure-log")
    page.get_by_role("button", name="Save how it went").click()
    expect(page.locator(".outcome")).to_contain_text("3 points better than you feared")
    checkpoint(page, "exposure-result")
    assert FearItem.objects.filter(enrollment__patient__email="robin@example.org").count() == 2
    exposure = Exposure.objects.get(enrollment__patient__email="robin@example.org")
    assert (exposure.actual_pain, exposure.actual_harm, exposure.fear_after) == (3, 0, 10)

    # My log shows the lesson answer, the practice session and the exposure.
    page.goto(f"{url}/log/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My log")
    entries = page.locator(".log-entry")
    expect(page.locator(".log-entry--practice")).to_have_count(1)
    expect(page.locator(".log-entry--practice")).to_contain_text("Somatic tracking")
    expect(page.locator(".log-entry--exposure")).to_have_count(1)
    expect(page.locator(".log-entry--exposure")).to_contain_text("Bending to tie my shoes")
    expect(page.locator(".log-entry--reflection")).to_contain_text("Your brain's alarm system")
    expect(entries.filter(has_text="my dad was ill")).to_have_count(1)
    checkpoint(page, "my-log")


def _wait_for(get, tries: int = 50):
    import time

    for _ in range(tries):
        found = get()
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError("nothing was saved")
