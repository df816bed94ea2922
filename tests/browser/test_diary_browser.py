"""Issue 19 in real Chromium: on a phone, a patient logs a pain and fear episode in
their diary and sees it on the chart of their progress page; their clinician sees the
diary's chart in the patient detail's Diary section, records a PRT session and sees it
in the PRT sessions section.

Every screen is checked with axe-core (WCAG 2.2 A/AA), saved under
test-artifacts/screenshots/diary-* and session-note-*, checked for leaked template
syntax, sideways scrolling and (on a phone) 44px tap targets. The same steps run under
the real CSP without a violation, and the diary form works without JavaScript.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.diary.models import DiaryEntry
from tracking.session_notes.models import SessionNote

pytestmark = pytest.mark.browser

FORM_FACTORS = {"phone": helpers.PHONE, "desktop": helpers.DESKTOP}


def checks(form_factor: str):
    def checkpoint(page: Page, name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"{name}-{form_factor}")
        helpers.check_axe(page, f"{name}-{form_factor}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)

    return checkpoint


def log_an_episode(live_server, cast, page: Page, checkpoint) -> None:
    helpers.login(page, live_server, cast.patient)
    helpers.nav_link(page, "My diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    checkpoint(page, "diary-01-empty")
    page.get_by_role("link", name="Add an episode").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an episode")
    checkpoint(page, "diary-02-form")

    # Saving with nothing chosen: a plain message, and what was typed stays.
    page.get_by_label("What I told myself").fill("This is my brain being careful. I am safe.")
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.locator(".error-summary")).to_contain_text("how strong the pain was")
    expect(page.get_by_label("What I told myself")).to_have_value(
        "This is my brain being careful. I am safe."
    )
    checkpoint(page, "diary-03-refused")

    page.get_by_role("group", name="How strong was the pain?").get_by_role(
        "radio", name="6", exact=True
    ).check()
    page.get_by_role("group", name="How afraid or worried did you feel?").get_by_role(
        "radio", name="7", exact=True
    ).check()
    # Open after a refused save, so nothing typed is hidden; closed on a fresh form.
    expect(page.locator("details.diary-more")).to_have_attribute("open", "")
    page.get_by_label("What were you doing?").select_option("walking")
    page.get_by_label("Where were you?").select_option("outside")
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    expect(page.get_by_role("status")).to_contain_text("Saved to your diary.")
    expect(page.locator(".diary-entry")).to_contain_text("Pain 6 out of 10 · Fear 7 out of 10")
    expect(page.locator(".diary-entry")).to_contain_text("Walking · Outdoors")
    checkpoint(page, "diary-04-list")
    assert DiaryEntry.objects.get().pain == 6

    page.get_by_role("link", name="See my diary on my progress page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    pain_chart = page.locator("svg.chart--diary-pain")
    expect(pain_chart).to_be_visible()
    expect(pain_chart.locator("circle.chart__dot")).to_have_count(1)
    expect(page.locator("svg.chart--diary-fear")).to_be_visible()
    page.locator("#diary-h").scroll_into_view_if_needed()
    checkpoint(page, "diary-05-progress-chart")


def record_a_session(
    live_server, cast, enrollment, page: Page, checkpoint, form_factor: str = "phone"
) -> None:
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/patients/{enrollment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat One")
    checkpoint(page, "patient-detail-overview")
    page.get_by_role("link", name="Diary", exact=True).click()  # the section nav
    expect(page.locator("svg.chart--diary-pain")).to_be_visible()  # the patient's diary
    checkpoint(page, "patient-detail-diary")
    page.get_by_role("link", name="PRT sessions", exact=True).click()
    page.get_by_role("link", name="Record a PRT session").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Record a PRT session")
    checkpoint(page, "session-note-01-form")

    page.get_by_label("Length in minutes").fill("50")
    page.get_by_label("Telehealth: video").check()
    page.get_by_label("Education: pain as a protective alarm").check()
    page.get_by_label("Somatic tracking", exact=True).check()
    page.get_by_label("Graded exposure").check()
    page.get_by_label("Somatic tracking: how the patient responded").select_option("safer")
    page.get_by_label("Exposure set").fill("Bending to load the dishwasher")
    page.get_by_label("Exposure outcome").select_option("better")
    page.get_by_label("Yes").check()  # a risk identified, but nothing ticked yet
    page.get_by_label("Homework agreed").fill("Somatic tracking once a day")
    page.get_by_role("button", name="Save session note").click()
    expect(page.locator(".error-summary")).to_contain_text("tick what was done")
    expect(page.get_by_label("Homework agreed")).to_have_value("Somatic tracking once a day")
    checkpoint(page, "session-note-02-refused")

    page.get_by_label("Gave crisis resources").check()
    page.get_by_role("button", name="Save session note").click()
    expect(page).to_have_url(re.compile(rf"/patients/{enrollment.pk}/sessions/#session-note-\d+$"))
    sessions = page.locator("#sessions")
    expect(sessions).to_contain_text("50 min · Telehealth: video")
    expect(sessions).to_contain_text("Bending to load the dishwasher: Went better than predicted")
    expect(sessions).to_contain_text("Risk identified")
    expect(sessions).to_contain_text("Gave crisis resources")
    sessions.scroll_into_view_if_needed()
    checkpoint(page, "session-note-03-timeline")
    note = SessionNote.objects.get()
    assert (note.author, note.components) == (
        cast.clinician,
        ["education", "somatic_tracking", "exposure"],
    )


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_a_patient_logs_an_episode_and_the_clinician_records_a_session(
    live_server, cast, enrollment, new_context, form_factor
):
    checkpoint = checks(form_factor)
    patient_page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()
    log_an_episode(live_server, cast, patient_page, checkpoint)
    clinician_page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()
    record_a_session(live_server, cast, enrollment, clinician_page, checkpoint, form_factor)


def test_the_diary_and_session_note_have_no_csp_violation(
    live_server, cast, enrollment, new_context
):
    from tests.browser.helpers import CspWatch, assert_no_csp_violations

    for steps in (
        lambda page, cp: log_an_episode(live_server, cast, page, cp),
        lambda page, cp: record_a_session(live_server, cast, enrollment, page, cp),
    ):
        context = new_context(**helpers.PHONE)
        watch = CspWatch.attach(context)
        page = context.new_page()
        steps(page, lambda page, name, watch=watch: assert_no_csp_violations(watch, page, name))


def test_the_diary_works_without_javascript(live_server, cast, enrollment, new_context):
    page = new_context(java_script_enabled=False, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/diary/new/")
    page.get_by_role("group", name="How strong was the pain?").get_by_role(
        "radio", name="3", exact=True
    ).check()
    page.get_by_role("group", name="How afraid or worried did you feel?").get_by_role(
        "radio", name="2", exact=True
    ).check()
    page.get_by_role("button", name="Save to my diary").click()
    expect(page.locator(".diary-entry")).to_contain_text("Pain 3 out of 10 · Fear 2 out of 10")
    page.get_by_role("link", name=re.compile("^Delete")).click()
    page.get_by_role("button", name="Delete the entry").click()
    expect(page.get_by_role("status")).to_contain_text("The entry is deleted.")
    assert not DiaryEntry.objects.exists()
