"""The red-flag screen on a phone and the clinician's hold and attestation forms on a
desktop, in real Chromium: screenshots for review, axe-clean, keyboard reachable.

Screenshots: test-artifacts/screenshots/red-flags-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from programs.models import Enrollment, MedicalAssessment
from tests.browser import helpers
from tests.factories import make_enrollment
from tracking.models import Alert, HoldDecision

pytestmark = pytest.mark.browser


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


def test_a_patient_on_a_phone_reports_an_urgent_red_flag(
    live_server, cast, new_enrollment, new_context, login_as
):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    login_as(page, cast.patient)
    url = live_server.url
    page.goto(f"{url}/welcome/consent/")
    page.get_by_label(re.compile("^I understand this program")).check()
    page.get_by_label(re.compile("^I agree that my answers")).check()
    page.get_by_role("button", name="I agree, continue").click()
    page.get_by_role("button", name="Save and continue").click()
    # Where you are (the crisis numbers follow it), then the safety check.
    page.get_by_label("Which country are you in?").select_option("GB")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A quick safety check")
    helpers.screenshot(page, "red-flags-screen-phone")
    helpers.check_axe(page, "red-flags-screen-phone")
    helpers.assert_fits_width(page)

    # Nothing ticked: a clear message, and the date typed is kept.
    page.get_by_label("Your date of birth").fill("1980-05-05")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error").first).to_be_visible()
    expect(page.get_by_label("Your date of birth")).to_have_value("1980-05-05")
    helpers.screenshot(page, "red-flags-screen-phone-errors")
    helpers.check_axe(page, "red-flags-screen-phone-errors")

    page.get_by_label("In what year did this back pain first start?").fill("2015")
    # By keyboard: focus the first urgent flag and tick it with the space bar.
    page.get_by_label("Pain, numbness, tingling or weakness in both legs").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Get help today")).to_be_visible()
    helpers.screenshot(page, "red-flags-hold-phone")
    helpers.check_axe(page, "red-flags-hold-phone")
    assert Enrollment.objects.get(pk=new_enrollment.pk).red_flags == ["both_legs"]
    assert Alert.objects.get().kind == Alert.Kind.RED_FLAG


def test_a_clinician_records_an_assessment_and_refers(
    live_server, cast, new_enrollment, new_context, login_as
):
    from tracking.lifecycle import screening_submit

    screening_submit(enrollment=new_enrollment, red_flags=["cancer_history", "bladder_bowel"])
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    login_as(page, cast.clinician)
    base = f"{live_server.url}/patients/{new_enrollment.pk}"
    page.goto(f"{base}/")
    page.get_by_role("link", name="Review the hold: clear, refer or withdraw").click()
    expect(page.get_by_role("heading", name="Decide about the safety hold")).to_be_visible()
    helpers.screenshot(page, "red-flags-hold-form-desktop")
    helpers.check_axe(page, "red-flags-hold-form-desktop")

    page.get_by_label("Refer the patient for a medical assessment").check()
    page.get_by_label("Reason").fill("Needs a GP review of the bladder symptoms today.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Choose who you are referring the patient to.").first).to_be_visible()
    expect(page.get_by_label("Reason")).to_have_value(
        "Needs a GP review of the bladder symptoms today."
    )
    helpers.screenshot(page, "red-flags-hold-form-errors-desktop")
    helpers.check_axe(page, "red-flags-hold-form-errors-desktop")
    page.get_by_label("Refer to").select_option("emergency")
    page.get_by_label("Keep the program on hold until the assessment is back").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The referral is recorded.")).to_be_visible()
    assert HoldDecision.objects.get().refer_to == "emergency"

    page.get_by_role("link", name="Record a medical assessment").click()
    expect(page.get_by_role("heading", name="Record a medical assessment")).to_be_visible()
    page.get_by_label("Who did the medical assessment").fill("Dr Ana Silva")
    page.get_by_label("Their role").select_option("gp")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("Enter the date of the assessment.").first).to_be_visible()
    helpers.screenshot(page, "red-flags-attestation-form-desktop")
    helpers.check_axe(page, "red-flags-attestation-form-desktop")
    page.get_by_label("Date of the assessment").fill("2026-01-05")
    page.get_by_label(re.compile("^I confirm the assessment found primary")).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("The medical assessment is recorded.")).to_be_visible()
    # Back on the patient detail's Screening section: the assessment and the referral.
    expect(page.get_by_role("heading", name="Medical assessment")).to_be_visible()
    expect(page.locator("#assessment")).to_contain_text("Dr Ana Silva")
    expect(page.locator("#assessment")).to_contain_text("Refer the patient")
    helpers.screenshot(page, "red-flags-patient-screening-desktop")
    helpers.check_axe(page, "red-flags-patient-screening-desktop")
    assert MedicalAssessment.objects.get().assessor_name == "Dr Ana Silva"
