"""Onboarding step 6 (the safety check) keeps what the patient typed when they leave
and come back, as step 5 does (static/js/drafts.js: "We kept what you wrote"), in real
Chromium."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_enrollment

pytestmark = pytest.mark.browser

KEPT = "We kept what you wrote."
DOB = "Your date of birth"
ONSET = "In what year did this back pain first start?"
TICK = "Losing weight without trying"


@pytest.fixture
def at_safety_check(cast, program_version):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    enrollment.consented_at = enrollment.settings_saved_at = timezone.now()
    enrollment.country = "GB"
    enrollment.save()
    return enrollment


def test_the_safety_check_keeps_what_was_typed_after_leaving(
    live_server, cast, at_safety_check, page, login_as
):
    login_as(page, cast.patient)
    safety = f"{live_server.url}/welcome/safety/"
    page.goto(safety)
    page.get_by_label(DOB).fill("1980-05-05")
    page.get_by_label(ONSET).fill("2015")
    page.get_by_label(TICK).check()

    # They leave (back to step 5), then come back to the safety check.
    page.goto(f"{live_server.url}/welcome/contact/")
    page.goto(safety)
    expect(page.get_by_text(KEPT)).to_be_visible()
    expect(page.get_by_label(DOB)).to_have_value("1980-05-05")
    expect(page.get_by_label(ONSET)).to_have_value("2015")
    expect(page.get_by_label(TICK)).to_be_checked()
