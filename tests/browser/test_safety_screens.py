"""The safety screens in a real browser, on a phone (390 px) and a desktop (1280 px):
the admin's safety settings, "Get help now" and the patient's safety plan. Each is
axe-checked and saved under test-artifacts/screenshots/safety-*."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.factories import make_enrollment
from tracking.safety.services import safety_plan_save

pytestmark = pytest.mark.browser

SIZES = {"phone": helpers.PHONE, "desktop": helpers.DESKTOP}


@pytest.mark.parametrize("size", SIZES)
def test_the_safety_screens(new_context, live_server, cast, program_version, size):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version
    )
    enrollment.country = "GB"
    enrollment.save(update_fields=["country"])
    safety_plan_save(
        enrollment=enrollment,
        data={
            "warning_signs": "I stop answering messages.\nI can't sleep.",
            "coping": "Walk the dog. Slow breathing.",
            "people_to_call": "Sam 0100 200 300",
        },
    )

    admin = new_context(bypass_csp=True, **SIZES[size]).new_page()
    helpers.login(admin, live_server, cast.admin)
    admin.goto(f"{live_server.url}/practice/safety/")
    expect(admin.get_by_role("heading", name="Safety settings", level=1)).to_be_visible()
    helpers.check_axe(admin, f"safety-settings-{size}")
    helpers.screenshot(admin, f"safety-settings-{size}")
    admin.screenshot(path=str(helpers.SCREENSHOTS / f"safety-settings-{size}-top.png"))
    admin.locator("#resources").scroll_into_view_if_needed()
    admin.screenshot(path=str(helpers.SCREENSHOTS / f"safety-settings-{size}-resources.png"))

    patient = new_context(bypass_csp=True, **SIZES[size]).new_page()
    helpers.login(patient, live_server, cast.patient)
    patient.locator("header [data-get-help]").click()
    expect(patient.get_by_text("Samaritans")).to_be_visible()
    helpers.check_axe(patient, f"safety-help-{size}")
    helpers.screenshot(patient, f"safety-help-{size}")

    patient.get_by_role("link", name="Open my safety plan").click()
    expect(patient.get_by_text("I stop answering messages.")).to_be_visible()
    helpers.check_axe(patient, f"safety-plan-{size}")
    helpers.screenshot(patient, f"safety-plan-{size}")
    patient.get_by_role("link", name="Change my plan").click()
    # Wait for the edit page itself: axe on a page still loading finds no <head>.
    expect(patient.get_by_role("button", name="Save my plan")).to_be_visible()
    helpers.check_axe(patient, f"safety-plan-edit-{size}")
    helpers.screenshot(patient, f"safety-plan-edit-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_safety_settings_warn_about_someone_switched_off(new_context, live_server, cast, size):
    """A named step and the safety contact whose accounts are switched off: the page
    says which step and who, on the step too, that enrolling waits for a new contact,
    and passes axe in that state."""
    from tests.factories import Role, make_member
    from tracking.models import EscalationStep, PracticeSettings

    on_call = make_member(cast.practice, Role.CLINICIAN, "oncall@riverside.test", name="Dr Night")
    contact = make_member(cast.practice, Role.ADMIN, "contact@riverside.test", name="Ana Day")
    EscalationStep.objects.create(practice=cast.practice, position=3, target="staff", user=on_call)
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=contact)
    on_call.memberships.update(is_active=False)
    contact.is_active = False
    contact.save(update_fields=["is_active"])

    admin = new_context(bypass_csp=True, **SIZES[size]).new_page()
    helpers.login(admin, live_server, cast.admin)
    admin.goto(f"{live_server.url}/practice/safety/")
    warning = admin.locator("#switched-off")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Step 3 of the escalation chain names Dr Night")
    # The contact is said once, by what it stops: enrolling.
    expect(admin.locator("#not-ready")).to_contain_text(
        "Ana Day is the safety contact, but their access is switched off"
    )
    expect(warning).not_to_contain_text("Ana Day")
    expect(admin.get_by_text("Switched off: nobody is told at this step")).to_be_visible()
    helpers.check_axe(admin, f"safety-settings-switched-off-{size}")
    admin.screenshot(path=str(helpers.SCREENSHOTS / f"safety-settings-switched-off-{size}.png"))
    admin.locator(".chain").scroll_into_view_if_needed()
    admin.screenshot(
        path=str(helpers.SCREENSHOTS / f"safety-settings-switched-off-{size}-chain.png")
    )
